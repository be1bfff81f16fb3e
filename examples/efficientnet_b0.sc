# EfficientNetB0 as Keras builds it:
#   keras.applications.EfficientNetB0(weights=None)   (include_top=True, 1000 classes)
# (keras/src/applications/efficientnet.py: Rescaling and Normalization, a 3x3/2
# stem, 16 MBConv blocks in 7 stages, a 1x1 top conv, pooling, Dropout, Dense;
# the layers below are in the order that file creates them.)
#
# An MBConv block: a 1x1 expansion (expand_ratio 6; none in block1a), a depthwise
# conv (stride 2: zero padding, then 'valid'), squeeze-and-excite (filters_in/4
# squeezed channels), a 1x1 projection; a block that keeps its size adds its
# input back after a Dropout (drop_connect_rate 0.2 * b / 16 for block b).
# Stride-2 padding is correct_pad for an even size: ((k//2 - 1, k//2), ...).
#
# Keras model.summary():
#   Total params: 5,330,571 (20.33 MB)
#   Trainable params: 5,288,548 (20.17 MB)
#   Non-trainable params: 42,023 (164.16 KB)  (moving statistics; Normalization's 7)
#
#   symcount summary examples/efficientnet_b0.sc            # one row per block
#   symcount summary examples/efficientnet_b0.sc --expand   # every one of Keras's layers

model efficientnet_b0

block expand(filters) {
  Conv2D(filters, 1, padding=same, use_bias=false) -> BatchNormalization -> Activation(swish)
}

block depthwise(k) {
  DepthwiseConv2D(k, padding=same, use_bias=false) -> BatchNormalization -> Activation(swish)
}

block depthwise_down(k, pad) {
  ZeroPadding2D(pad) -> DepthwiseConv2D(k, strides=2, use_bias=false)
  BatchNormalization -> Activation(swish)
}

# squeeze-and-excite: per-channel weights from the pooled input, multiplied in
block squeeze_excite(filters, squeezed) {
  se = input -> GlobalAveragePooling2D -> Reshape((1, 1, filters))
  se = se -> Conv2D(squeezed, 1, padding=same, activation=swish)
  se = se -> Conv2D(filters, 1, padding=same, activation=sigmoid)
  Multiply(input, se)
}

block project(filters_out) {
  Conv2D(filters_out, 1, padding=same, use_bias=false) -> BatchNormalization
}

# a stage's first block: it changes the size (stride 2: pad) or the channels, no skip
block mbconv_down(filters_in, filters_out, k, pad) {
  expand(6 * filters_in) -> depthwise_down(k, pad)
  squeeze_excite(6 * filters_in, filters_in // 4) -> project(filters_out)
}

block mbconv_wide(filters_in, filters_out, k) {
  expand(6 * filters_in) -> depthwise(k)
  squeeze_excite(6 * filters_in, filters_in // 4) -> project(filters_out)
}

# the stage's other blocks: same size, the input added back
block mbconv(filters, k, drop) {
  main = input -> expand(6 * filters) -> depthwise(k)
  main = main -> squeeze_excite(6 * filters, filters // 4) -> project(filters)
  main = main -> Dropout(drop, noise_shape=(None, 1, 1, 1))
  Add(main, input)
}

input(224, 224, 3)
Rescaling(1 / 255) -> Normalization(axis=3)
ZeroPadding2D(((0, 1), (0, 1))) -> Conv2D(32, 3, strides=2, use_bias=false)
BatchNormalization -> Activation(swish)

# block1a: expand_ratio 1 (no expansion), 32 -> 16 channels
depthwise(3) -> squeeze_excite(32, 8) -> project(16)
# block2a, 2b
mbconv_down(16, 24, 3, ((0, 1), (0, 1))) -> mbconv(24, 3, 0.025)
# block3a, 3b
mbconv_down(24, 40, 5, ((1, 2), (1, 2))) -> mbconv(40, 5, 0.05)
# block4a, 4b, 4c
mbconv_down(40, 80, 3, ((0, 1), (0, 1))) -> mbconv(80, 3, 0.075) -> mbconv(80, 3, 0.0875)
# block5a, 5b, 5c
mbconv_wide(80, 112, 5) -> mbconv(112, 5, 0.1125) -> mbconv(112, 5, 0.125)
# block6a to 6d
mbconv_down(112, 192, 5, ((1, 2), (1, 2))) -> mbconv(192, 5, 0.15)
mbconv(192, 5, 0.1625) -> mbconv(192, 5, 0.175)
# block7a
mbconv_wide(192, 320, 3)

Conv2D(1280, 1, padding=same, use_bias=false) -> BatchNormalization -> Activation(swish)
GlobalAveragePooling2D -> Dropout(0.2) -> Dense(1000, activation=softmax)
