# ResNet-50 exactly as Keras builds it:
#   keras.applications.ResNet50(weights=None, include_top=True)
# (keras/src/applications/resnet.py: a 7x7/2 stem, then stacks of 3, 4, 6 and 3
# bottleneck blocks; the first block of each stack has a 1x1 projection
# shortcut, the others add their input back; BatchNormalization epsilon=1.001e-5.)
#
# Keras model.summary():
#   Total params: 25,636,712 (97.80 MB)
#   Trainable params: 25,583,592 (97.59 MB)
#   Non-trainable params: 53,120 (207.50 KB)   (BatchNormalization's moving statistics)
#
#   symcount summary examples/resnet50.sc            # one row per stage
#   symcount summary examples/resnet50.sc --expand   # every one of Keras's 176 layers

model resnet50

# the bottleneck: 1x1 (f) -> 3x3 (f) -> 1x1 (4f), added to the shortcut
block bottleneck(f, s=1) {
  Conv2D(f, 1, strides=s) -> BatchNormalization(epsilon=1.001e-5) -> Activation(relu)
  Conv2D(f, 3, padding=same) -> BatchNormalization(epsilon=1.001e-5) -> Activation(relu)
  Conv2D(4 * f, 1) -> BatchNormalization(epsilon=1.001e-5)
}

# first block of a stack: the shortcut is a strided 1x1 projection to 4f channels
block conv_block(f, s=2) {
  shortcut = input -> Conv2D(4 * f, 1, strides=s) -> BatchNormalization(epsilon=1.001e-5)
  main = input -> bottleneck(f, s)
  Add(shortcut, main) -> Activation(relu)
}

# the other blocks: the identity shortcut
block identity_block(f) {
  residual { bottleneck(f) }
  Activation(relu)
}

block stack(f, blocks, s=2) {
  conv_block(f, s) -> identity_block(f) * (blocks - 1)
}

input(224, 224, 3)
ZeroPadding2D(3) -> Conv2D(64, 7, strides=2) -> BatchNormalization(epsilon=1.001e-5) -> Activation(relu)
ZeroPadding2D(1) -> MaxPooling2D(3, strides=2)
stack(64, 3, s=1) -> stack(128, 4) -> stack(256, 6) -> stack(512, 3)
GlobalAveragePooling2D -> Dense(1000, activation=softmax)
