"""Live differential test for ``convention torch``: seeded random
configurations of every module in tests/reference/torch_cases.LAYERS, built in
real PyTorch right now (a forward pass gives the output shape; parameters,
frozen parameters and buffers are counted), compared with symcount. Needs the
`frameworks` extra (`pip install -e '.[frameworks]'`); skipped without it."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)

from tests.reference.torch_cases import LAYERS, sample_cases, torch_reference
from tests.test_reference_torch import ISSUE_MODULES
from tests.torch_differential import compare

pytestmark = pytest.mark.live

SEED = int(os.environ.get("SYMCOUNT_LIVE_SEED", "1"))  # the fixtures use seed 0
PER_LAYER = int(os.environ.get("SYMCOUNT_LIVE_PER_LAYER", "8"))


@pytest.fixture(scope="module")
def results():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the fixture generator: results must not depend on it
    try:
        return [torch_reference(c) for c in sample_cases(SEED, PER_LAYER)]
    finally:
        torch.set_num_threads(threads)


def test_live_cases_cover_every_module(results):
    valid = Counter(r["layer"] for r in results if "error" not in r)
    assert len(results) >= 500
    assert [n for n in LAYERS if valid[n] == 0] == []
    assert [n for n in ISSUE_MODULES if valid[n] < 3] == []


def test_symcount_matches_live_torch(results):
    mismatches = [p for r in results for p in compare(r)]
    shown = "\n".join(mismatches[:20])
    assert not mismatches, f"{len(mismatches)} of {len(results)} configurations differ:\n{shown}"


# --- the shipped torch examples, rebuilt in plain torch.nn -------------------

EXAMPLES = Path(__file__).parent.parent / "examples"


def _resnet50():
    """ResNet-50 as torchvision builds it (v1.5: the stride on the 3x3 conv),
    written out in plain torch.nn because torchvision cannot be installed
    beside the torch 2.13 CPU wheel here; its published count is 25,557,032."""
    from torch import nn

    class Bottleneck(nn.Module):
        def __init__(self, c_in, w, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, w, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(w)
            self.conv2 = nn.Conv2d(w, w, 3, stride=stride, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(w)
            self.conv3 = nn.Conv2d(w, 4 * w, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(4 * w)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or c_in != 4 * w:
                self.downsample = nn.Sequential(
                    nn.Conv2d(c_in, 4 * w, 1, stride=stride, bias=False), nn.BatchNorm2d(4 * w)
                )

        def forward(self, x):
            y = self.relu(self.bn1(self.conv1(x)))
            y = self.relu(self.bn2(self.conv2(y)))
            y = self.bn3(self.conv3(y))
            return self.relu(y + (x if self.downsample is None else self.downsample(x)))

    def layer(c_in, w, blocks, stride):
        mods = [Bottleneck(c_in, w, stride)]
        mods += [Bottleneck(4 * w, w, 1) for _ in range(blocks - 1)]
        return nn.Sequential(*mods)

    return nn.Sequential(
        nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, padding=1),
        layer(64, 64, 3, 1),
        layer(256, 128, 4, 2),
        layer(512, 256, 6, 2),
        layer(1024, 512, 3, 2),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(2048, 1000),
    )


class _LSTMNet:
    """torchinfo's README LSTMNet: Embedding(20, 300), a 2-layer batch-first
    LSTM(300, 512), Linear(512, 20); the LSTM's output feeds the Linear."""

    @staticmethod
    def build():
        from torch import nn

        class Pick(nn.Module):  # the LSTM's output sequence, not its states
            def __init__(self, lstm):
                super().__init__()
                self.lstm = lstm

            def forward(self, x):
                return self.lstm(x)[0]

        return nn.Sequential(
            nn.Embedding(20, 300),
            Pick(nn.LSTM(300, 512, num_layers=2, batch_first=True)),
            nn.Linear(512, 20),
        )


def _per_module(model, x):
    """(output shape without the batch, parameters, buffers) of each top-level module."""
    import torch

    shapes = []
    hooks = [
        m.register_forward_hook(lambda m, i, o: shapes.append(list(o.shape[1:]))) for m in model
    ]
    with torch.no_grad():
        model.eval()(x)
    for h in hooks:
        h.remove()
    return [
        (
            shape,
            sum(p.numel() for p in m.parameters()),
            sum(b.numel() for b in m.buffers()),
        )
        for shape, m in zip(shapes, model, strict=True)
    ]


@pytest.mark.parametrize(
    ("example", "build", "x", "total"),
    [
        ("torch_resnet50.sc", _resnet50, lambda t: t.zeros(1, 3, 224, 224), 25_557_032),
        ("torch_lstm.sc", _LSTMNet.build, lambda t: t.zeros(1, 100, dtype=t.long), 3_784_580),
    ],
)
def test_example_matches_torch_module_by_module(example, build, x, total):
    import torch

    import symcount

    model = build()
    assert sum(p.numel() for p in model.parameters()) == total  # the published count
    theirs = _per_module(model, x(torch))
    rows = symcount.load(EXAMPLES / example).rows
    mine = [(list(r.output_shape), r.params, r.buffers) for r in rows]
    assert mine == theirs
