# ResNet-50 in torch.nn vocabulary, as torchvision builds it:
#   torchvision.models.resnet50()   (torchvision/models/resnet.py, "ResNet v1.5":
#   the stride of a downsampling bottleneck is on its 3x3 convolution)
# A 7x7/2 stem with max pooling, then layers of 3, 4, 6 and 3 bottlenecks;
# the first bottleneck of each layer has a 1x1 projection (downsample), the
# others add their input back. Convolutions have no bias (BatchNorm follows).
#
# sum(p.numel() for p in torchvision.models.resnet50().parameters()):
#   25,557,032    (buffers: 53,173 = running_mean + running_var of 53
#                  BatchNorm2d, 26,560 channels, and 53 num_batches_tracked)
#
#   symcount summary examples/torch_resnet50.sc            # one row per layer
#   symcount summary examples/torch_resnet50.sc --expand   # every module

model resnet50
convention torch

# conv1 1x1 (w) -> conv2 3x3 (w, stride s) -> conv3 1x1 (4w), each with its BatchNorm2d
block bottleneck(w, s=1) {
  Conv2d(w, 1, bias=false) -> BatchNorm2d -> ReLU
  Conv2d(w, 3, stride=s, padding=1, bias=false) -> BatchNorm2d -> ReLU
  Conv2d(4 * w, 1, bias=false) -> BatchNorm2d
}

# the first bottleneck of a layer: the shortcut is a 1x1 projection (downsample)
block down(w, s=2) {
  downsample = input -> Conv2d(4 * w, 1, stride=s, bias=false) -> BatchNorm2d
  main = input -> bottleneck(w, s)
  Add(main, downsample) -> ReLU
}

# the others add their input back
block same(w) {
  residual { bottleneck(w) }
  ReLU
}

block layer(w, blocks, s=2) {
  down(w, s) -> same(w) * (blocks - 1)
}

input(3, 224, 224)
Conv2d(64, 7, stride=2, padding=3, bias=false) -> BatchNorm2d -> ReLU
MaxPool2d(3, stride=2, padding=1)
layer(64, 3, s=1) -> layer(128, 4) -> layer(256, 6) -> layer(512, 3)
AdaptiveAvgPool2d((1, 1)) -> Flatten -> Linear(1000)
