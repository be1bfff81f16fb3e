# The "happy model" of a Stack Overflow question:
#   "My question is from which layer this non-trainable params are taken i.e., 64.
#    Another question is how batch normalization has parameters 128?"
#
# Keras model.summary():
#   zero_padding2d (ZeroPadding2D)   (None, 70, 70, 3)        0
#   conv0 (Conv2D)                   (None, 64, 64, 32)   4,736
#   bn0 (BatchNormalization)         (None, 64, 64, 32)     128
#   activation (Activation)          (None, 64, 64, 32)       0
#   max_pool (MaxPooling2D)          (None, 32, 32, 32)       0
#   flatten (Flatten)                (None, 32768)            0
#   fc (Dense)                       (None, 1)           32,769
#   Total params: 37,633
#   Trainable params: 37,569
#   Non-trainable params: 64   (bn0's moving mean and variance, 32 each)

model happy_model
input(64, 64, 3)
ZeroPadding2D(3)
Conv2D(32, 7, name=conv0)
BatchNormalization(axis=3, name=bn0)
Activation(relu)
MaxPooling2D(2, name=max_pool)
Flatten
Dense(1, activation=sigmoid, name=fc)
