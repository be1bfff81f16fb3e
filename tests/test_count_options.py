"""The default convention's options (symcount.counting.options): each option's
rule on hand-counted cases, the names and titles, the CLI flags and JSON."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import counting as C
from symcount.cli import main

GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}


def totals(source, options, **values):
    name = "+".join(("default", *options))
    m = symcount.parse(source, counting=name, values=values or None)
    return m.totals["macs"], m.totals["flops"]


def load(path, options, **values):
    m = symcount.load(path, counting="+".join(("default", *options)), values=values or None)
    return m.totals["macs"], m.totals["flops"]


MNIST = 7_280_480  # the default's MACs
MNIST_BIAS = 26 * 26 * 24 + 24 * 24 * 36 + 128 + 10  # 37,098: one add per output entry
MNIST_ACT = 26 * 26 * 24 + 24 * 24 * 36 + 128 + 10  # relu, relu, relu, softmax

# (options, MACs, FLOPs) of examples/mnist_cnn.sc, each by hand
MNIST_CASES = [
    ((), MNIST, 2 * MNIST),
    (("bias",), MNIST + MNIST_BIAS, 2 * MNIST + MNIST_BIAS),
    (("elementwise",), MNIST + MNIST_ACT, 2 * MNIST + MNIST_ACT),
    (("norm",), MNIST, 2 * MNIST),  # no norm in it
    (("training",), 3 * MNIST, 6 * MNIST),
    # the first Conv2D reads the image: its input gradient (146,016 MACs) is not computed
    (("training-exact",), 3 * MNIST - 146_016, 2 * (3 * MNIST - 146_016)),
    (
        ("bias", "training"),
        3 * (MNIST + MNIST_BIAS),
        3 * (2 * MNIST + MNIST_BIAS),
    ),
]


@pytest.mark.parametrize(("options", "macs", "flops"), MNIST_CASES)
def test_mnist_cnn_by_hand(options, macs, flops):
    assert load("examples/mnist_cnn.sc", options) == (macs, flops)


def test_bias_adds_are_ptflops_mnist_count():
    assert MNIST_BIAS == 37_098
    assert load("examples/mnist_cnn.sc", ("bias",))[0] == 7_317_578  # ptflops' MACs


def test_gpt2_small_training_is_three_forward_passes():
    forward = load("examples/gpt2.sc", (), **GPT2_SMALL)[1]
    assert forward == 291_648_307_200
    assert load("examples/gpt2.sc", ("training",), **GPT2_SMALL)[1] == 874_944_921_600
    # nothing with a matmul reads a model input (the embeddings do): exact = 3 x forward
    assert load("examples/gpt2.sc", ("training-exact",), **GPT2_SMALL)[1] == 874_944_921_600


T, d, h, L, V = sp.symbols("T d h L V", positive=True, integer=True)


def test_gpt2_every_option_symbolically():
    """Per token, causal, with bias, element-wise and norm work: the closed form
    written out here term by term."""
    got = load("examples/gpt2.sc", ("bias", "elementwise", "norm", "causal", "per-token"))[1]
    block = (
        24 * d**2  # the matmuls, 2 x 12 d^2
        + 2 * 2 * (T + 1) * d / 2  # causal scores and values: 2 x 2 x (T+1)/2 x d per token
        + 9 * d  # biases: q, k, v, out (4d) and the MLP's 4d + d
        + h * (T + 1) / 2  # the causal softmax's entries per token
        + 4 * d  # gelu on the 4d hidden layer
        + 2 * d  # two residual adds
        + 2 * 5 * d  # two LayerNorms, 5 per entry
    )
    want = L * block + 2 * V * d + d + 5 * d  # the LM head; the embeddings' Add; final norm
    assert sp.expand(got - want) == 0


def test_causal_attention_by_hand():
    """One head of key_dim 2 over T = 4: the mask keeps 4 + 3 + 2 + 1 = 10 pairs,
    so scores and values are 10 x 2 MACs each (the full count: 16 x 2)."""
    src = "input(4, 2) -> MultiHeadAttention(1, 2, use_bias=false)"
    projections = 3 * 4 * 2 * 2 + 4 * 2 * 2
    assert totals(src, ())[0] == projections + 2 * 16 * 2
    assert totals(src, ("causal",))[0] == projections + 2 * 10 * 2
    # cross-attention (a key of another length) is counted in full
    cross = "q = input(4, 2); kv = input(3, 2); MultiHeadAttention(1, 2, use_bias=false)(q, kv)"
    assert totals(cross, ("causal",)) == totals(cross, ())


def test_causal_torch_encoder_layer():
    src = "convention torch\ninput(T, 16) -> TransformerEncoderLayer(16, 2, 32)"
    full = totals(src, ())[0]
    causal = totals(src, ("causal",))[0]
    t = sp.Symbol("T", positive=True, integer=True)
    assert sp.expand(full - causal - (2 * t**2 * 16 - t * (t + 1) * 16)) == 0


def test_merges_count_n_minus_one_adds_per_entry():
    src = "a = input(5, 4); b = input(5, 4); c = input(5, 4); Add(a, b, c)"
    assert totals(src, ("elementwise",)) == (2 * 20, 2 * 20)


def test_recurrent_biases_every_step():
    # Keras LSTM(8): one bias of 4 x 8 added each of the T steps
    macs, _ = totals("input(T, 16) -> LSTM(8)", ("bias",))
    t = sp.Symbol("T", positive=True, integer=True)
    assert sp.expand(macs - (t * 4 * 8 * (16 + 8) + t * 32)) == 0


# (source, options, MACs per step of T) by hand: biases every step, and the
# input gradient training-exact leaves out (the first layer's input kernels)
RECURRENT_CASES = [
    ("input(T, 16) -> Bidirectional(LSTM(8))", "bias", 2 * 768 + 2 * 32),
    ("input(T, 16) -> Bidirectional(LSTM(8))", "training-exact", 3 * 1536 - 2 * 16 * 32),
    ("input(T, 16) -> GRU(8)", "bias", 576 + 2 * 24),  # reset_after: two bias rows
    ("input(T, 16) -> RNN(LSTMCell(8))", "bias", 768 + 32),
    ("input(T, 16) -> TimeDistributed(Dense(8))", "bias", 128 + 8),
    ("input(T, 16) -> TimeDistributed(Dense(8))", "training-exact", 2 * 128),
    (
        "convention torch\ninput(T, 16) -> LSTM(16, 8, num_layers=2, bidirectional=true)",
        "bias",
        3072 + 8 * 32,  # bias_ih and bias_hh, two layers, two directions
    ),
    (
        "convention torch\ninput(T, 16) -> LSTM(16, 8, num_layers=2, bidirectional=true)",
        "training-exact",
        3 * 3072 - 2 * 32 * 16,  # weight_ih_l0 and weight_ih_l0_reverse
    ),
]


@pytest.mark.parametrize(("src", "option", "per_step"), RECURRENT_CASES)
def test_recurrent_and_wrapped_by_hand(src, option, per_step):
    macs, _ = totals(src, (option,))
    assert sp.expand(macs - per_step * sp.Symbol("T", positive=True, integer=True)) == 0


def test_norms_five_per_entry():
    assert totals("input(7, 10) -> LayerNormalization", ("norm",)) == (350, 350)
    src = "convention torch\ninput(T, 16) -> TransformerEncoderLayer(16, 2, 32)"
    base = totals(src, ())
    t = sp.Symbol("T", positive=True, integer=True)
    assert sp.expand(totals(src, ("norm",))[1] - base[1] - 2 * 5 * 16 * t) == 0


@settings(max_examples=40, deadline=None)
@given(
    t=st.integers(1, 64),
    units=st.integers(1, 32),
    opts=st.sets(st.sampled_from(["bias", "elementwise", "norm", "causal"])),
)
def test_training_is_three_times_forward_and_per_token_divides(t, units, opts):
    src = f"input({t}, 8) -> Dense({units}, activation=relu) -> LayerNormalization"
    fwd = totals(src, sorted(opts))
    assert totals(src, [*sorted(opts), "training"]) == (3 * fwd[0], 3 * fwd[1])
    per = totals(src, [*sorted(opts), "per-token"])
    assert (per[0] * t, per[1] * t) == fwd


UNKNOWN_LENGTH = [
    "input(None, 6) -> LSTM(8) -> Dense(3, activation=relu)",
    "input(None, 6) -> Dense(3, activation=relu) -> LayerNormalization",
    "input(None, 8) -> MultiHeadAttention(2, 4)",
    "convention torch\ninput(None, 16) -> TransformerEncoderLayer(16, 2, 32)",
]


@pytest.mark.parametrize("src", UNKNOWN_LENGTH)
@pytest.mark.parametrize(
    "option", ["bias", "elementwise", "norm", "causal", "per-token", "training-exact"]
)
def test_a_length_not_known_makes_the_count_unknown(src, option):
    assert totals(src, (option,)) == (None, None)


def test_names_titles_and_unknown_options():
    c = C.lookup("default+training+bias")  # any order: one counting
    assert c is C.lookup("default+bias+training")
    assert c.name == "default+bias+training"
    assert c.options == frozenset({"bias", "training"})
    assert "FlopCounterMode" in C.lookup("default+training-exact").reproduces
    assert c.title == (
        "FLOPs = 2 x MACs over matmuls and convolutions + bias adds (attention at full length; "
        "no element-wise or norm work), forward + backward (backward = 2 x forward)"
    )
    for bad in ("default+fast", "default+training+training-exact", "kaplan+bias"):
        with pytest.raises(KeyError):
            C.lookup(bad)


def _run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr()


def test_cli_flags_name_the_options_in_json(capsys):
    code, out = _run(
        capsys,
        "summary", "examples/mnist_cnn.sc", "--include", "bias,norm", "--training-exact",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    d = json.loads(out.out)
    assert d["compute"] == {
        "convention": "default",
        "options": ["bias", "norm", "training-exact"],
        "batch": 1,
    }
    assert d["macs"] == 3 * (MNIST + MNIST_BIAS) - 146_016


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--include", "biases"], "'biases' is not one of bias, elementwise, norm"),
        (["--training", "--training-exact"], "not allowed with argument"),
        (["--count-as", "kaplan", "--causal"], "the options go with the default"),
    ],
)
def test_cli_refuses(capsys, argv, message):
    assert main(["summary", "examples/mlp.sc", *argv]) == 2
    assert message in capsys.readouterr().err


GOLDEN = [
    (
        "mnist_cnn.options.summary.txt",
        ["summary", "examples/mnist_cnn.sc", "--include", "bias,elementwise", "--training-exact"],
    ),
    ("gpt2.kaplan.summary.txt", ["summary", "examples/gpt2.sc", "--count-as", "kaplan"]),
]


@pytest.mark.parametrize(("name", "argv"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(capsys, golden, name, argv):
    code, out = _run(capsys, *argv)
    assert code == 0, out.err
    assert out.err == ""
    golden(name, out.out)
