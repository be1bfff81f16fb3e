# "Batch Normalization in Keras has more parameters than PyTorch (2x to be
# exact). If the models are equivalent, what am I missing?"
# The question's MNIST-style CNN, written in Keras vocabulary; run
#   symcount diff examples/torch_vs_keras_bn.sc
# to see each layer beside its PyTorch equivalent (Conv2d(1, 32, 3,
# padding=same), BatchNorm2d(32), Linear(131072, 100), ...).
#
# Keras model.summary():  batch_normalization 128   Total params: 13,108,758
#                         Trainable 13,108,694, Non-trainable 64
# torchsummary (PyTorch): BatchNorm2d-3 64          Total params: 13,108,694
# The answer: Keras counts the moving mean and variance (2*32 = 64) as
# non-trainable parameters; PyTorch keeps them, with num_batches_tracked, as
# buffers (64 + 1), which are not parameters.

model bn_question

input(64, 64, 1)
Conv2D(32, (3, 3), padding=same, activation=relu)
BatchNormalization(momentum=0.15, axis=-1)
Flatten
Dense(100, activation=relu)
Dense(10, activation=softmax)
