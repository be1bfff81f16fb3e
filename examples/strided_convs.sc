# Output shapes with strides and padding, from a question on how Keras
# computes them: "100x95 size 'rgb' images are put through two
# convolutional layers in series."
#
# Keras model.summary():
#   conv2d (Conv2D)     (None, 49, 94, 55)    1,045
#   conv2d_1 (Conv2D)   (None, 17, 47, 35)   19,285
#   Total params: 20,330 (all trainable)
#
# valid: floor((100 - 3)/2) + 1 = 49, floor((95 - 2)/1) + 1 = 94
# same:  ceil(49/3) = 17, ceil(94/2) = 47

model strided_convs
input(100, 95, 3) -> Conv2D(55, (3, 2), strides=(2, 1)) -> Conv2D(35, (5, 2), strides=(3, 2), padding=same)
