# The seeds' MNIST CNN as a PyTorch model (docs/compute.md):
#   nn.Conv2d(1, 24, 3) -> nn.Conv2d(24, 36, 3) -> nn.Flatten()
#   -> nn.Linear(20736, 128) -> nn.Linear(128, 10), on one 28x28 image
# 7,280,480 MACs; calflops and DeepSpeed report 14,597,920 FLOPs (2 x MACs and
# the convolutions' bias adds: symcount summary ... --count-as calflops).

model mnist_cnn
convention torch

input(1, 28, 28)
Conv2d(1, 24, 3)
Conv2d(24, 36, 3)
Flatten()
Linear(20736, 128)
Linear(128, 10)
