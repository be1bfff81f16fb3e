# MNIST CNN from a Stack Overflow question on Conv2D parameter counts:
#   "The first convolution layer has 240 parameters which is easy to calculate:
#    (kernel size + bias) * number of filters: (3*3+1)*24.
#    Please explain me why second convolution layer has 7812 parameters (36 * 217)."
#
# Keras model.summary():
#   conv2d (Conv2D)      (None, 26, 26, 24)        240
#   conv2d_1 (Conv2D)    (None, 24, 24, 36)      7,812
#   flatten (Flatten)    (None, 20736)               0
#   dense (Dense)        (None, 128)         2,654,336
#   dense_1 (Dense)      (None, 10)              1,290
#   Total params: 2,663,678 (all trainable)
#
# symcount explain examples/mnist_cnn.sc shows where 7,812 comes from:
# (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36.

model mnist_cnn
input(28, 28, 1)
Conv2D(24, 3, activation=relu)
Conv2D(36, 3, activation=relu)
Flatten
Dense(128, activation=relu)
Dense(10, activation=softmax)
