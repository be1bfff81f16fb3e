# The seeds' Keras-vs-PyTorch BatchNorm question, the PyTorch side: read by
# symcount, never run. PyTorch code does not state its input shape:
#   symcount summary examples/torch_bn_cnn.py --input-shape 1,64,64
from torch import nn


class CustomModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(
            nn.Conv2d(in_channels=1, out_channels=32, kernel_size=(3, 3), padding=1),
            nn.ReLU(True),
            nn.BatchNorm2d(num_features=32),
        )
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(in_features=131072, out_features=100)
        self.fc2 = nn.Linear(in_features=100, out_features=10)

    def forward(self, x):
        output = self.layer1(x)
        output = self.flatten(output)
        output = self.fc1(output)
        output = self.fc2(output)
        return output


model = CustomModel()
