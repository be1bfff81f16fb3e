"""The ptflops preset (symcount/counting/ptflops.py) without torch: each rule's
formula from ptflops 0.7.5's hooks, symbolic sizes, the batch, shared layers
and repeats, and one CLI golden. tests/test_live_count_ptflops.py checks the
same rules against ptflops itself."""

from __future__ import annotations

import pytest

import symcount
from symcount.errors import SymcountError
from tests.test_cli import run


def macs(text: str, **values):
    model = symcount.parse("convention torch\n" + text, counting="ptflops")
    return model.subs(values).totals["macs"] if values else model.totals["macs"]


# layer, its input, ptflops' count by its hook's formula (per sample)
RULES = [
    ("Linear(8, 16)", "input(5, 8)", 5 * (8 * 16 + 16)),
    ("Linear(8, 16, bias=false)", "input(3, 4, 8)", 12 * 8 * 16),
    ("Conv2d(4, 6, 3, stride=2)", "input(4, 9, 9)", 16 * 9 * 4 * 6 + 6 * 16),
    ("Conv1d(4, 6, 3, groups=2, bias=false)", "input(4, 10)", 8 * 3 * 4 * 3),
    # transposed: the input's positions, the bias on the output's elements
    ("ConvTranspose1d(4, 6, 3, stride=2)", "input(4, 5)", 5 * 3 * 4 * 6 + 6 * 11),
    ("ReLU()", "input(3, 7)", 2 * 21),  # its hook and its F.relu
    ("GELU()", "input(3, 7)", 2 * 21),
    ("LeakyReLU()", "input(3, 7)", 21),  # hook only: F.leaky_relu is not patched
    ("SiLU()", "input(3, 7)", 21),  # F.silu only: no hook
    ("Softmax(dim=-1)", "input(3, 7)", 21),
    ("Sigmoid()", "input(3, 7)", 0),
    ("MaxPool2d(2)", "input(3, 8, 8)", 2 * 192),  # hook and F pool, on the input
    ("AdaptiveAvgPool1d(1)", "input(3, 8)", 2 * 24),
    ("LPPool1d(2, 2)", "input(3, 8)", 24 + 2 * 12),
    ("BatchNorm1d(3)", "input(3, 8)", 2 * 24),
    ("BatchNorm1d(3, affine=false)", "input(3, 8)", 24),
    ("LayerNorm(8)", "input(3, 8)", 24),  # no `affine` attribute: once
    ("GroupNorm(1, 3)", "input(3, 8)", 2 * 24),
    ("LocalResponseNorm(3)", "input(4, 5)", 3 * 20 + (4 + 2) * 5),
    ("Upsample(scale_factor=2)", "input(3, 4, 4)", 3 * 8 * 8 + 48 * 4),
    ("Upsample(size=(6, 5))", "input(3, 4, 4)", 3 * 6 * 5 + 3 * 6 * 5),
    ("UpsamplingNearest2d(scale_factor=(2.5, 2))", "input(3, 4, 4)", 48 * 2 * 2),
    ("LSTM(6, 64)", "input(100, 6)", 1_907_200),
    ("GRU(6, 8, bias=false)", "input(10, 6)", 10 * (24 * 6 + 24 * 8 + 7 * 8)),
    ("RNN(6, 8, num_layers=2)", "input(10, 6)", 10 * (8 * 6 + 64 + 8 + 16 + 8 * 8 + 64 + 8 + 16)),
    ("LSTMCell(6, 8)", "input(6)", 32 * 6 + 32 * 8 + 10 * 8 + 64),
    ("Embedding(10, 4)", "input(7)", 0),
    ("Bilinear(3, 4, 5)", "input(3)", 0),
    ("Dropout()", "input(3, 7)", 0),
]


@pytest.mark.parametrize(("layer", "source", "want"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_is_ptflops_hook_formula(layer, source, want):
    if layer.startswith("Bilinear"):
        text = "x = input(3)\ny = input(4)\nBilinear(3, 4, 5)(x, y)"
    else:
        text = f"{source} -> {layer}"
    assert macs(text) == want


def test_multihead_attention_is_its_formula_plus_the_weights_it_returns():
    length, e, h = 5, 16, 4
    hook = (
        length * e
        + 3 * length * e * e
        + 3 * length * e
        + h * (length * length * (e // h) * 2 + length * length)
        + length * e * (e + 1)
    )
    returned = 2 * length * length * e + h * length * length  # torch.bmm twice, F.softmax
    assert macs("input(5, 16) -> MultiheadAttention(16, 4)") == hook + returned


def test_symbolic_sizes_stay_symbols():
    text = "input(T, C) -> Linear(C, 8) -> ReLU()"
    assert str(macs(text)) == "8*C*T + 24*T"
    assert macs(text, T=5, C=3) == macs("input(5, 3) -> Linear(3, 8) -> ReLU()")


def test_the_batch_multiplies_one_samples_count():
    m = symcount.parse("convention torch\ninput(T, 6) -> LSTM(6, 64)", counting="ptflops")
    assert str(m.batched("B").totals["macs"]) == "19072*B*T"
    assert m.batched(3).subs(T=100).totals["macs"] == 3 * 1_907_200


def test_shared_layers_count_per_call_and_repeats_multiply():
    text = "let r = ReLU()\na = input(5, 4) -> r\nb = input(3, 4) -> r\noutput a, b"
    assert macs(text) == 2 * (20 + 12)
    assert str(macs("input(T, 8) -> repeat L { Linear(8, 8) }")) == "72*L*T"


def test_a_keras_model_is_refused():
    with pytest.raises(SymcountError, match="--convention torch"):
        symcount.parse("input(4) -> Dense(2)", counting="ptflops")


MNIST = (
    "convention torch; input(1, 28, 28) -> Conv2d(1, 24, 3) -> Conv2d(24, 36, 3) -> Flatten()"
    " -> Linear(20736, 128) -> Linear(128, 10)"
)


def test_golden_summary(capsys, golden):
    code, out, err = run(capsys, "summary", "-e", MNIST, "--count-as", "ptflops")
    assert code == 0, err
    assert "Total MACs: 7,317,578" in out
    golden("mnist_cnn.count_ptflops.summary.txt", out)


@pytest.mark.parametrize(
    "text",
    [
        "input(None, 6) -> LSTM(6, 64)",
        "input(None, 16) -> MultiheadAttention(16, 4)",
        "input(None, 16) -> TransformerEncoderLayer(16, 4, 32)",
        "input(3, None) -> LocalResponseNorm(3)",
        "input(3, None, 4) -> Upsample(scale_factor=2)",
    ],
)
def test_a_size_not_known_makes_the_count_unknown(text):
    assert macs(text) is None


def test_scale_factors_exact_fractional_and_symbolic():
    # ptflops multiplies by the float scale per axis; a tuple's factors are truncated
    assert macs("input(3, 5, 4) -> Upsample(scale_factor=1.5)") == 3 * 7 * 6 + 60 * 9 // 4
    assert str(macs("input(1, 2, 3) -> UpsamplingBilinear2d(scale_factor=2.5)")) == "75/2"
    assert str(macs("input(3, 5, 4) -> Upsample(scale_factor=k)")) == "120*k**2"
