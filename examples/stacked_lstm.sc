# Stacked LSTM from a Stack Overflow question:
#   "I have the following LSTM model. Can somebody helps me understand the
#    summary of the model? a) How the param# are calculated? ...
#    c) the param# near the dropoout why is 0?"
#   (timesteps=100, input_dim=6, n_classes=6)
#
# Keras model.summary():
#   lstm (LSTM)          (None, 100, 64)   18,176
#   dropout (Dropout)    (None, 100, 64)        0
#   lstm_1 (LSTM)        (None, 64)        33,024
#   dense (Dense)        (None, 64)         4,160
#   dense_1 (Dense)      (None, 64)         4,160
#   dense_2 (Dense)      (None, 6)            390
#   Total params: 59,910 (all trainable)

model stacked_lstm
input(100, 6)
LSTM(64, return_sequences=true)
Dropout(0.5)
LSTM(64)
Dense(64, activation=relu)
Dense(64, activation=relu)
Dense(6, activation=softmax)
