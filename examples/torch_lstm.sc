# torchinfo's README example "LSTMNet": a batch-first LSTM language model.
#   nn.Embedding(20, 300) -> nn.LSTM(300, 512, num_layers=2, batch_first=True)
#   -> nn.Linear(512, 20), on a sequence of 100 token ids
# torchinfo prints LSTM: 3,768,320 and Total params: 3,784,580
# (per layer and gate block, torch keeps two biases, bias_ih and bias_hh).

model lstm_net
convention torch

input(100)
Embedding(20, 300)
LSTM(512, num_layers=2, batch_first=true)
Linear(20)
