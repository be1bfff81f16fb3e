# ConvNeXt-T exactly as Keras builds it:
#   keras.applications.ConvNeXtTiny(weights=None)
# (keras/src/applications/convnext.py: the ImageNet Normalization of PreStem, a
# 4x4/4 stem, four stages of 3, 3, 9 and 3 ConvNeXt blocks of 96, 192, 384 and
# 768 channels with a LayerNormalization and a 2x2/2 convolution between them,
# and the head. A block is the 7x7 depthwise convolution Keras writes as
# Conv2D(groups=channels), LayerNormalization(epsilon=1e-6), the two pointwise
# Dense layers around a GELU, LayerScale, and, since ConvNeXtTiny's
# drop_path_rate is 0, Activation("linear") where StochasticDepth would go;
# Keras adds the block's input back with `inputs + x`, an operation: the
# residual's Add here is not one of Keras's layers.)
#
# Keras model.summary():
#   Total params: 28,589,128 (109.06 MB)
#   Trainable params: 28,589,128 (109.06 MB)
#   Non-trainable params: 0 (0.00 B)
#
#   symcount summary examples/convnext_tiny.sc            # one row per stage
#   symcount summary examples/convnext_tiny.sc --expand   # every layer

model convnext_tiny

# LayerScale and StochasticDepth are keras.applications' own layers (convnext.py)
block convnext_block(d) {
  residual {
    Conv2D(d, 7, padding=same, groups=d)
    LayerNormalization(epsilon=1e-6)
    Dense(4 * d) -> Activation(gelu) -> Dense(d)
    LayerScale(1e-6, d)
    Activation(linear)
  }
}

block stage(d, blocks) {
  convnext_block(d) * blocks
}

block downsampling(d) {
  LayerNormalization(epsilon=1e-6) -> Conv2D(d, 2, strides=2)
}

input(224, 224, 3)
Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
              variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2])

Conv2D(96, 4, strides=4) -> LayerNormalization(epsilon=1e-6)     # the stem
stage(96, 3)
downsampling(192) -> stage(192, 3)
downsampling(384) -> stage(384, 9)
downsampling(768) -> stage(768, 3)

# the head
GlobalAveragePooling2D -> LayerNormalization(epsilon=1e-6) -> Dense(1000, activation=softmax)
