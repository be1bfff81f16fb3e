# read from examples/torch_bn_cnn.py by symcount import (the code is read, never run)
convention torch
let flatten = Flatten(name=flatten)
let fc1 = Linear(in_features=131072, out_features=100, name=fc1)
let fc2 = Linear(in_features=100, out_features=10, name=fc2)
x = input(1, 64, 64)
output_3 = x
  -> Conv2d(in_channels=1, out_channels=32, kernel_size=(3, 3), padding=1)
  -> ReLU(true)
  -> BatchNorm2d(num_features=32)
  -> flatten
  -> fc1
  -> fc2
output output_3
