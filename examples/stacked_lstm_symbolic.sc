# The stacked LSTM of stacked_lstm.sc with the width as a symbol u
# (timesteps T = 100 and the 6 features / classes stay numbers).
#
# Total: 14*u**2 + 40*u + 6 (as a polynomial); with --set u=64 it is
# Keras's 59,910 (18,176 and 33,024 for the LSTMs):
#   symcount summary examples/stacked_lstm_symbolic.sc --set u=64

model stacked_lstm_symbolic
input(100, 6)
LSTM(u, return_sequences=true)
Dropout(0.5)
LSTM(u)
Dense(u, activation=relu)
Dense(u, activation=relu)
Dense(6, activation=softmax)
