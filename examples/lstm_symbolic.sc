# An LSTM with everything symbolic, from a question on multi-dimensional LSTM input:
#   "I would like to understand how an RNN, specifically an LSTM is working with
#    multiple input dimensions using Keras" (input shape (batch_size, timesteps, input_dim))
#
# Keras counts 4*u*(f + u + 1): for each of the 4 gates a kernel (f, u), a
# recurrent kernel (u, u) and a bias (u). With u = f = 1 Keras prints 12.
# Under `convention torch` LSTM(u) has two biases: 4*u*(f + u + 2).
#
#   symcount summary examples/lstm_symbolic.sc
#   symcount summary examples/lstm_symbolic.sc --set u=1 --set f=1     # 12

model lstm_symbolic
input(t, f) -> LSTM(u)
