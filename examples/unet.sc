# U-Net (Ronneberger et al., 2015) as the Keras code writes it: a contracting
# path of conv blocks and max-pooling, an expanding path of transposed
# convolutions, each concatenated with the encoder's feature map of the same
# size (the skip, passed to the `up` block), and a 1x1 sigmoid head.
# Symbolic in the base width f (the classic U-Net: f = 64, 31,031,745 params).
model unet

block conv_block(f) {
  Conv2D(f, 3, padding=same, activation=relu) -> Conv2D(f, 3, padding=same, activation=relu)
}

block up(f, skip) {
  u = Conv2DTranspose(f, 2, strides=2, padding=same)
  Concatenate()([u, skip]) -> conv_block(f)
}

inputs = input(128, 128, 3)
s1 = inputs -> conv_block(f)
s2 = s1 -> MaxPooling2D(2) -> conv_block(2 * f)
s3 = s2 -> MaxPooling2D(2) -> conv_block(4 * f)
s4 = s3 -> MaxPooling2D(2) -> conv_block(8 * f)
bridge = s4 -> MaxPooling2D(2) -> conv_block(16 * f)
bridge -> up(8 * f, s4) -> up(4 * f, s3) -> up(2 * f, s2) -> up(f, s1)
Conv2D(1, 1, activation=sigmoid)
