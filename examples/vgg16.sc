# VGG16 exactly as Keras builds it:
#   keras.applications.VGG16(weights=None, include_top=True)
# (Simonyan & Zisserman 2015, configuration D: five blocks of 3x3 convolutions,
# each followed by a 2x2 max-pooling, then three fully connected layers.)
#
# Keras model.summary():
#   block1_conv1 (Conv2D)  (None, 224, 224, 64)   1,792
#   ...
#   fc1 (Dense)            (None, 4096)     102,764,544
#   fc2 (Dense)            (None, 4096)      16,781,312
#   predictions (Dense)    (None, 1000)       4,097,000
#   Total params: 138,357,544 (all trainable)

model vgg16

block vgg_block(f, convs) {
  Conv2D(f, 3, padding=same, activation=relu) * convs
  MaxPooling2D(2, strides=2)
}

input(224, 224, 3)
vgg_block(64, 2) -> vgg_block(128, 2) -> vgg_block(256, 3) -> vgg_block(512, 3) -> vgg_block(512, 3)
Flatten
Dense(4096, activation=relu, name=fc1)
Dense(4096, activation=relu, name=fc2)
Dense(1000, activation=softmax, name=predictions)
