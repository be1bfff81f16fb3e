# Number of parameters for Keras SimpleRNN (a Stack Overflow question):
#   "I have a SimpleRNN like: model.add(SimpleRNN(10, input_shape=(3, 1)))
#    ... I am curious about the parameter number 120 for simple_rnn_1."
#
# Keras model.summary():
#   simple_rnn (SimpleRNN)   (None, 10)   120
#   Total params: 120 (all trainable)
#
# units*(input_dim + units + 1) = 10*(1 + 10 + 1) = 120

model simple_rnn
input(3, 1) -> SimpleRNN(10)
