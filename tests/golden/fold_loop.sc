# read from loop.py by symcount import (the code is read, never run)
# blocks and repeat fold the layers the source repeats; the layers inside them,
# and those the framework named itself (dense_3), take symcount's automatic
# names (symcount import --flat keeps every layer's own)
inputs = input(32, 32, 3)
block block1(filters, strides) {
  Conv2D(filters, 3, strides=strides, padding="same")
    -> BatchNormalization()
    -> Activation("relu")
}
outputs = inputs
  -> block1(32, 1)
  -> block1(64, 2)
  -> block1(128, 2)
  -> GlobalAveragePooling2D()
  -> Dense(64, activation="relu") * 3
  -> Dense(10)
output outputs
