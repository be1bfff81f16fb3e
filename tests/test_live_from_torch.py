"""symcount.from_torch on live torch modules: every count equals the module's
own, ``sum(p.numel() for p in module.parameters())`` (and its trainable part)
and its buffers, in all and layer by layer (each layer named as
``named_modules`` names it, dots as underscores).

- every recorded torch reference case (tests/reference/torch_layers.json)
  whose layer is a torch.nn module, built as tests/test_live_compute.py
  builds it, its output shape as recorded;
- random nn.Sequential models of supported layers (hypothesis), and Module
  classes with a forward: ResNet-style blocks (torchvision-free), a layer
  shared by two calls, two inputs concatenated, a module fx cannot trace;
- each program written as a .sc file (the printer of ``symcount import``)
  parses back to the same layers;
- the seeds' PyTorch model, with the numbers its thread reports;
- a module type symcount does not know is an error naming it.

Needs torch (the ``frameworks`` extra); skipped without it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)
nn = torch.nn
F = torch.nn.functional

import symcount  # noqa: E402
from symcount.importers.torch_module import read_module  # noqa: E402
from symcount.language.printer import to_text  # noqa: E402
from tests.reference.torch_cases import built, recorded_by_layer  # noqa: E402

pytestmark = pytest.mark.live

HERE = Path(__file__).parent
# the cases of tensor methods, built as Modules whose forward calls them (torch.fx sees the call)
TENSOR_METHODS = {"Transpose", "Permute", "View", "Reshape"}
BY_LAYER = recorded_by_layer(lambda c: hasattr(nn, c["layer"]) or c["layer"] in TENSOR_METHODS)


def counts(module) -> tuple[int, int, int]:
    params = list(module.parameters())
    return (
        sum(p.numel() for p in params),
        sum(p.numel() for p in params if p.requires_grad),
        sum(b.numel() for b in module.buffers()),
    )


def symcount_name(name: str) -> str:
    name = name.replace(".", "_")
    return f"m{name}" if name[:1].isdigit() else name


def check(module, input_shape) -> dict:
    """from_torch's counts against the module's, in all and layer by layer."""
    got = symcount.from_torch(module, input_shape).to_dict()
    total, trainable, buffers = counts(module)
    assert (got["trainable"] + got["non_trainable"], got["trainable"], got["buffers"]) == (
        total,
        trainable,
        buffers,
    )
    named = {symcount_name(n): m for n, m in module.named_modules() if n}
    for row in got["layers"]:
        if row["name"] in named:
            want = counts(named[row["name"]])
            assert (row["trainable"] + row["non_trainable"], row["trainable"]) == want[:2], row
            assert row["buffers"] == want[2], row
    # the program written as a .sc file (symcount import's printer) gives the same numbers
    program, _ = read_module(module, input_shape)
    again = symcount.parse("convention torch\n" + to_text(program)).to_dict()
    assert again["layers"] == [
        {**r, "source": again["layers"][i]["source"]} for i, r in enumerate(got["layers"])
    ]
    return got


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(layer):
    wrong = []
    for case in BY_LAYER[layer]:
        module = built(case)
        if case.get("frozen"):
            module.requires_grad_(False)
        shapes = [case["input_shape"], *case.get("other_inputs", [])]
        got = symcount.from_torch(module, shapes).to_dict()
        total, trainable, buffers = counts(module)
        have = (got["trainable"], got["non_trainable"], got["buffers"])
        if have != (trainable, total - trainable, buffers) or have != (
            case["trainable"],
            case["non_trainable"],
            case["buffers"],
        ):
            wrong.append(f"{case['id']}: symcount {have}, torch {(trainable, total, buffers)}")
        shape = got["layers"][-1]["output_shape"]
        if shape != case["output_shape"] and not isinstance(case["output_shape"][0], list):
            wrong.append(f"{case['id']}: shape {shape}, torch {case['output_shape']}")
    assert not wrong, "\n".join(wrong[:10])


def test_the_recorded_cases_cover_the_torch_layers():
    assert len(BY_LAYER) >= 100
    assert sum(map(len, BY_LAYER.values())) >= 3000


# random nn.Sequential models ------------------------------------------------------------

VECTOR = [
    lambda d, r: (nn.Linear(d, r), r),
    lambda d, r: (nn.Linear(d, r, bias=False), r),
    lambda d, r: (nn.ReLU(), d),
    lambda d, r: (nn.GELU(), d),
    lambda d, r: (nn.Dropout(0.1), d),
    lambda d, r: (nn.LayerNorm(d), d),
    lambda d, r: (nn.LayerNorm(d, elementwise_affine=False), d),
    lambda d, r: (nn.BatchNorm1d(d), d),
    lambda d, r: (nn.BatchNorm1d(d, affine=False, track_running_stats=False), d),
    lambda d, r: (nn.PReLU(d), d),
    lambda d, r: (nn.Identity(), d),
    lambda d, r: (nn.RMSNorm(d), d),
]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 16),
    st.lists(st.tuples(st.integers(0, len(VECTOR) - 1), st.integers(1, 16)), max_size=8),
    st.booleans(),
)
def test_random_sequential_of_vector_layers(width, picks, frozen):
    layers, d = [], width
    for i, r in picks:
        layer, d = VECTOR[i](d, r)
        layers.append(layer)
    model = nn.Sequential(*layers, nn.Linear(d, 3))
    if frozen:
        model[0].requires_grad_(False)
    check(model, (width,))


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 4),
    st.lists(
        st.tuples(
            st.sampled_from(["conv", "bn", "pool", "relu", "drop"]),
            st.integers(1, 8),
            st.integers(1, 3),
            st.booleans(),
        ),
        max_size=5,
    ),
)
def test_random_sequential_of_conv_layers(channels, picks):
    layers, c, size = [], channels, 16
    for kind, out, k, flag in picks:
        if kind == "conv" and size >= k:
            layers.append(nn.Conv2d(c, out, k, padding=k // 2 if flag else 0, bias=flag))
            c, size = out, size - (k - 1) + (2 * (k // 2) if flag else 0)
        elif kind == "bn":
            layers.append(nn.BatchNorm2d(c, affine=flag))
        elif kind == "pool" and size >= 2:
            layers.append(nn.MaxPool2d(2) if flag else nn.AvgPool2d(2))
            size //= 2
        elif kind == "relu":
            layers.append(nn.ReLU())
        elif kind == "drop":
            layers.append(nn.Dropout2d(0.2))
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * size * size, 5))
    got = check(model, (channels, 16, 16))
    assert got["layers"][-1]["output_shape"] == [5]


# Module classes with a forward ----------------------------------------------------------


class BasicBlock(nn.Module):
    """ResNet's basic block, as torchvision writes it (without torchvision)."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride=1):
        super().__init__()
        cout = width * 4
        self.conv1 = nn.Conv2d(cin, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
        )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + self.downsample(x))


class TinyResNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 16, 7, 2, 3, bias=False),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )
        self.layer1 = nn.Sequential(BasicBlock(16, 16), BasicBlock(16, 16))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32))
        self.layer3 = nn.Sequential(Bottleneck(32, 16, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def test_resnet_style_blocks():
    got = check(TinyResNet(), (3, 64, 64))
    assert got["layers"][-1]["output_shape"] == [10]
    names = {row["name"] for row in got["layers"]}
    assert {"layer1_0_conv1", "layer2_0_downsample_0", "layer3_0_bn3", "fc"} <= names


def test_a_basic_block_alone():
    got = check(BasicBlock(8, 16, 2), (8, 9, 9))
    assert got["layers"][-1]["output_shape"] == [16, 5, 5]


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.out = nn.Linear(12, 2)

    def forward(self, a, b):
        return self.out(torch.cat([self.fc(a), F.relu(self.fc(b))], dim=1))


def test_a_layer_called_twice_counts_once_and_two_inputs():
    got = check(Shared(), [(6,), (6,)])
    assert got["trainable"] == 6 * 6 + 6 + 12 * 2 + 2


class Recurrent(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 16)
        self.lstm = nn.LSTM(16, 32, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(64, 4)

    def forward(self, x):
        out, _ = self.lstm(self.emb(x))
        return self.head(out)


def test_a_recurrent_model():
    got = check(Recurrent(), (12,))
    assert got["layers"][-1]["output_shape"] == [12, 4]


class Untraceable(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(5, 7)
        self.b = nn.Linear(7, 3)

    def forward(self, x):
        if x.sum() > 0:  # data-dependent: torch.fx cannot trace it
            x = x * 2
        return self.b(self.a(x))


def test_a_module_fx_cannot_trace_is_read_as_its_children():
    m = symcount.from_torch(Untraceable(), (5,))
    assert m.to_dict()["trainable"] == 5 * 7 + 7 + 7 * 3 + 3
    assert any("does not trace" in n for n in m.notes)


def test_an_encoder_with_its_norm():
    layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, norm_first=True)
    check(
        nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(32), enable_nested_tensor=False), (9, 32)
    )


# the seeds' PyTorch model ---------------------------------------------------------------


def test_the_seeds_pytorch_model():
    source = (HERE / "python_code" / "seed_bn_torch.py").read_text()
    scope = {"nn": nn, "torch": torch}
    exec(compile(source, "seed_bn_torch.py", "exec"), scope)  # the test's own fixture, real torch
    module = scope["CustomModel"]()
    got = check(module, (1, 64, 64))
    assert [row["params"] for row in got["layers"]] == [320, 0, 64, 0, 13107300, 1010]
    assert got["total"] == 13108694


# errors ---------------------------------------------------------------------------------


class Mine(nn.Module):
    def forward(self, x):
        return x


class WithParameter(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(4))

    def forward(self, x):
        return x * self.scale


@pytest.mark.parametrize(
    "module, shape, words",
    [
        (
            nn.Sequential(nn.Linear(4, 4), nn.Fold((4, 4), 2)),
            (4,),
            ["from_torch: argument error: the module '1' is a torch.nn.Fold", "does not know"],
        ),
        (
            nn.Sequential(nn.Linear(4, 4), nn.Linear(5, 2)),
            (4,),
            ["from_torch: shape error: m1 (Linear): in_features=5 but the input has 4 features"],
        ),
        (nn.Sequential(nn.Linear(4, 4), WithParameter()), (4,), ["scale"]),
        (nn.Sequential(nn.Linear(4, 4), nn.Unfold(2)), (4,), ["Unfold"]),
    ],
)
def test_what_symcount_does_not_know_is_an_error_naming_it(module, shape, words):
    with pytest.raises(symcount.SymcountError) as e:
        symcount.from_torch(module, shape)
    for w in words:
        assert w in str(e.value)


def test_not_a_module():
    with pytest.raises(symcount.SymcountError, match=r"torch\.nn\.Module"):
        symcount.from_torch("Linear(3, 4)", (3,))


def test_a_module_class_of_its_own_is_traced_through():
    assert (
        symcount.from_torch(nn.Sequential(Mine(), nn.Linear(3, 4)), (3,)).to_dict()["total"] == 16
    )


class Gated(nn.Module):
    """A gate (a product of two branches), a sequence transposed for a Conv1d, F.max_pool1d."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(8, 16)
        self.b = nn.Linear(8, 16)
        self.conv = nn.Conv1d(16, 4, 3)

    def forward(self, x):
        h = self.a(x) * torch.sigmoid(self.b(x))
        h = F.max_pool1d(self.conv(h.transpose(1, 2)), 2, stride=1)
        return h.permute(0, 2, 1).reshape(h.shape[0], -1)


def test_a_gate_transpose_pool_permute_and_reshape():
    got = check(Gated(), (10, 8))
    assert got["layers"][-1]["output_shape"] == [28]
    assert "Multiply" in {row["type"] for row in got["layers"]}


def test_the_docs_example():
    """docs/python.md's "A live module" session, run as a doctest."""
    import doctest

    result = doctest.testfile(str(HERE.parent / "docs" / "python.md"), module_relative=False)
    assert result.attempted >= 6
    assert result.failed == 0


class Branching(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 8)
        self.b = nn.Linear(4, 2)

    def forward(self, x):
        if x.sum() > 0:
            return self.b(x)
        return self.a(x)


def test_a_mistake_in_the_children_reading_says_why_fx_was_not_used():
    with pytest.raises(symcount.SymcountError) as e:
        symcount.from_torch(Branching(), (4,))
    text = str(e.value)
    assert "b (Linear): in_features=4 but the input has 8 features" in text
    assert "does not trace with torch.fx (TraceError" in text


class RandomResidual(nn.Module):
    """A ModuleList of blocks iterated in forward, a residual where the widths agree."""

    def __init__(self, widths, norms):
        super().__init__()
        pairs = list(itertools.pairwise(widths))
        self.residual = [a == b for a, b in pairs]
        self.blocks = nn.ModuleList(nn.Linear(a, b) for a, b in pairs)
        self.norms = nn.ModuleList(
            nn.LayerNorm(b) if n else nn.Identity() for (_, b), n in zip(pairs, norms, strict=False)
        )

    def forward(self, x):
        for block, norm, residual in zip(self.blocks, self.norms, self.residual, strict=True):
            y = norm(F.gelu(block(x)))
            x = x + y if residual else y
        return x


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from([3, 5, 8]), min_size=2, max_size=6),
    st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_random_modules_with_a_forward(widths, norms):
    model = RandomResidual(widths, norms)
    got = check(model, (7, widths[0]))
    assert got["layers"][-1]["output_shape"] == [7, widths[-1]]


def test_values_symcount_reads_otherwise_are_notes_or_errors():
    m = symcount.from_torch(
        nn.Sequential(nn.Hardtanh(-2.5, 3.0), nn.Embedding(10, 4, max_norm=float("inf"))), (4,)
    )
    assert m.total == 40
    assert m.notes == ["the module '1': max_norm=inf left out (a finite number is read)"]
    with pytest.raises(symcount.SymcountError, match="value=inf, symcount reads finite numbers"):
        symcount.from_torch(nn.Threshold(-1.0, float("inf")), (4,))
    half = nn.Linear(4, 3)
    half.bias.requires_grad_(False)
    m = symcount.from_torch(half, (4,))
    assert m.total == 15
    assert "some of its parameters are frozen" in m.notes[0]
