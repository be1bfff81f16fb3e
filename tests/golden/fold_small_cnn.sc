# read from examples/small_cnn.json by symcount import (the config is read as data)
model small_cnn
block head() {
  GlobalAveragePooling2D(name="global_average_pooling2d")
    -> Dense(64, activation=relu, name="dense")
}
image_ = input(32, 32, 3, name="image")
classes_ = image_
  -> Conv2D(32, (3, 3), padding=same, name="conv2d")
  -> BatchNormalization(name="batch_normalization")
  -> Activation(relu, name="activation")
  -> head
  -> Dense(10, activation=softmax, name="classes")
output classes_
