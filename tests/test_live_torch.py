"""Live differential test for ``convention torch``: seeded random
configurations of every module in tests/reference/torch_cases.LAYERS, built in
real PyTorch right now (a forward pass gives the output shape; parameters,
frozen parameters and buffers are counted), compared with symcount. Needs the
`frameworks` extra (`pip install -e '.[frameworks]'`); skipped without it."""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
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


# --- symcount diff: every torch.nn equivalent rebuilt in real PyTorch -----------


def _keras_configs():
    """Keras layer configurations: the recorded fixtures (seed 0) and fresh
    seeded samples (seed SEED), as symcount source."""
    import json

    from tests.differential import case_source
    from tests.reference.keras_cases import sample_cases as keras_samples

    fixtures = Path(__file__).parent / "reference" / "keras_layers.json"
    cases = [c for c in json.loads(fixtures.read_text())["cases"] if "error" not in c]
    cases += keras_samples(SEED, 6)
    return [case_source(c) for c in cases]


def _torch_module(m):
    """A symcount Module (type, arguments) as the real torch.nn module."""
    from fractions import Fraction

    from torch import nn

    def value(v):
        if isinstance(v, tuple):
            return tuple(value(x) for x in v)
        return float(v) if isinstance(v, Fraction) else v

    args = [value(a) for a in m.args]
    return getattr(nn, m.type)(*args, **{k: value(v) for k, v in m.kwargs.items()})


def test_every_torch_equivalent_matches_real_torch():
    """Each Keras layer's equivalent, built in torch: the same parameters and
    buffers as symcount's translated row, and a forward pass on the
    channels-first input runs."""
    import warnings

    import torch

    from symcount.cli.diff import equivalent, translate

    compared, mismatches, kinds = 0, [], Counter()
    for src in _keras_configs():
        try:
            row = translate(src).rows[-1]
        except symcount.SymcountError:
            continue  # Keras refuses this sample too (symcount agrees with Keras on that)
        eq = equivalent(row)
        if eq is None or eq.missing or not eq.modules:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mods = [_torch_module(m) for m in eq.modules]
            params = sum(p.numel() for m in mods for p in m.parameters())
            buffers = sum(b.numel() for m in mods for b in m.buffers())
            if (params, buffers) != (row.params, row.buffers):
                mismatches.append(
                    f"{src}: {eq.text}: torch {params}+{buffers}, symcount "
                    f"{row.params}+{row.buffers}"
                )
            first = eq.modules[0]
            if "None" not in src:
                shapes = first.shape if isinstance(first.shape, list) else [first.shape]
                dtype = torch.long if first.type == "Embedding" else torch.float32
                xs = [torch.zeros(2, *s, dtype=dtype) for s in shapes]
                if first.type == "MultiheadAttention" and len(xs) == 1:
                    xs = xs * 3  # self-attention: query = key = value
                with torch.no_grad():
                    y = mods[0](*xs)
                    for m in mods[1:]:
                        y = m(y[0] if isinstance(y, tuple) else y)
        compared += 1
        kinds[first.type] += 1
    assert compared >= 500, compared
    assert {"Linear", "Conv2d", "BatchNorm2d", "LSTM", "GRU", "RNN", "Embedding"} <= set(kinds)
    assert not mismatches, "\n".join(mismatches[:20])


def test_the_seed_batchnorm_question_in_real_frameworks():
    """The question's two models, built in real PyTorch (its nn.Module) and, when
    installed, real Keras: the numbers symcount diff prints."""
    from torch import nn

    from symcount.cli.diff import translate

    path = EXAMPLES / "torch_vs_keras_bn.sc"
    mine = translate(path.read_text())
    theirs = nn.Sequential(
        nn.Conv2d(in_channels=1, out_channels=32, kernel_size=(3, 3), padding=1),
        nn.ReLU(True),
        nn.BatchNorm2d(num_features=32),
        nn.Flatten(),
        nn.Linear(in_features=131072, out_features=100),
        nn.Linear(in_features=100, out_features=10),
    )
    assert mine.total == sum(p.numel() for p in theirs.parameters()) == 13_108_694
    assert mine.buffers == sum(b.numel() for b in theirs.buffers()) == 65
    assert mine.row("batch_normalization").params == sum(p.numel() for p in theirs[2].parameters())
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="real Keras is not installed")
    inputs = keras.Input(shape=(64, 64, 1))
    x = keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu")(inputs)
    x = keras.layers.BatchNormalization(momentum=0.15, axis=-1)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(100, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    ours = symcount.load(path)
    non_trainable = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    assert (ours.total, ours.non_trainable) == (model.count_params(), non_trainable)
    assert (model.count_params(), non_trainable) == (13_108_758, 64)
