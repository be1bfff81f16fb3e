"""MACs and FLOPs under the default convention (docs/compute.md): the issue's
anchor numbers, each op's formula against a hand count, symbolic forms
checked by substitution, shared layers per call, repeats, the batch, and the
outputs (summary, explain, JSON). No framework needed: test_live_compute.py
checks the torch side against FlopCounterMode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import cli
from symcount import dims as D

EXAMPLES = Path(__file__).parent.parent / "examples"
GPT2_SMALL = dict(V=50257, T=1024, d=768, h=12, L=12)


def macs(src: str, **values):
    m = symcount.parse(src, values=values or None)
    return m.totals["macs"]


# the anchors ---------------------------------------------------------------------


def test_gpt2_small_on_1024_tokens():
    """nanoGPT's transformer_sizing and FlopCounterMode's eager count:
    per block 2*T*12d^2 + 2*2*T^2*d, plus the LM head 2*T*d*V."""
    m = symcount.load(str(EXAMPLES / "gpt2.sc"), values=GPT2_SMALL)
    assert m.totals["flops"] == 291_648_307_200
    assert m.totals["macs"] == 145_824_153_600
    T, d, V, L = 1024, 768, 50257, 12
    assert m.totals["flops"] == L * (2 * T * 12 * d * d + 2 * 2 * T * T * d) + 2 * T * d * V


def test_gpt2_symbolic_form():
    m = symcount.load(str(EXAMPLES / "gpt2.sc"))
    L, T, d, V = (D.symbol(n) for n in "LTdV")
    assert m.totals["macs"] - (L * (2 * T**2 * d + 12 * T * d**2) + T * V * d) == 0
    assert m.subs(**GPT2_SMALL).totals["flops"] == 291_648_307_200


def test_mnist_cnn():
    m = symcount.load(str(EXAMPLES / "mnist_cnn.sc"))
    assert [r.count("macs") for r in m.rows] == [146_016, 4_478_976, 0, 2_654_208, 1_280]
    assert m.totals["macs"] == 7_280_480 and m.totals["flops"] == 14_560_960
    assert m.batched(2).totals["macs"] == 14_560_960


def test_lstm_on_100_steps_of_6_features():
    assert macs("input(100, 6) -> LSTM(64)") == 1_792_000 == 100 * 4 * 64 * (6 + 64)


# each op against a hand count (Keras's convention; torch's in test_live_compute) ----------

HAND = [
    # Dense on a sequence: every leading axis is a row of the matmul
    ("input(784) -> Dense(10)", 784 * 10),
    ("input(7, 5, 16) -> Dense(8)", 7 * 5 * 16 * 8),
    ("input(28, 28, 3) -> Conv2D(8, 3, strides=2)", 13 * 13 * 9 * 3 * 8),
    ("input(28, 28, 3) -> Conv2D(8, 3, padding=same, dilation_rate=2)", 28 * 28 * 9 * 3 * 8),
    ("input(16, 16, 8) -> Conv2D(16, 3, groups=4)", 14 * 14 * 9 * 2 * 16),
    ("input(50, 4) -> Conv1D(6, 5, padding=causal)", 50 * 5 * 4 * 6),
    ("input(6, 6, 6, 2) -> Conv3D(4, 3)", 4 * 4 * 4 * 27 * 2 * 4),
    ("input(10, 10, 4) -> Conv2DTranspose(6, 3, strides=2)", 10 * 10 * 9 * 4 * 6),
    ("input(12, 12, 4) -> DepthwiseConv2D(3, depth_multiplier=2)", 10 * 10 * 9 * 4 * 2),
    (
        "input(12, 12, 4) -> SeparableConv2D(8, 3, depth_multiplier=2)",
        10 * 10 * 9 * 4 * 2 + 10 * 10 * 8 * 8,
    ),
    ("input(100, 6) -> GRU(32)", 100 * 3 * 32 * (6 + 32)),
    ("input(100, 6) -> SimpleRNN(32)", 100 * 32 * (6 + 32)),
    ("input(20, 6) -> Bidirectional(LSTM(8))", 2 * 20 * 4 * 8 * (6 + 8)),
    (
        "input(20, 6) -> LSTM(8, return_sequences=true) -> LSTM(4)",
        20 * 4 * 8 * 14 + 20 * 4 * 4 * 12,
    ),
    ("input(20, 6) -> RNN(LSTMCell(8))", 20 * 4 * 8 * 14),
    ("input(5, 10, 10, 3) -> ConvLSTM2D(4, 3)", 5 * 8 * 8 * 9 * 4 * 4 * (3 + 4)),
    ("input(9, 6) -> TimeDistributed(Dense(4))", 9 * 6 * 4),
    ("input(12) -> Embedding(1000, 64)", 0),
    ("input(32, 32, 3) -> MaxPooling2D(2) -> BatchNormalization()", 0),
    ("input(10, 8) -> LayerNormalization() -> ReLU() -> Dropout(0.5)", 0),
    # self-attention: 4 projections, scores and weighted values per head
    (
        "input(10, 32) -> MultiHeadAttention(4, 8)",
        3 * 10 * 32 * 32 + 4 * 10 * 10 * 8 * 2 + 10 * 32 * 32,
    ),
    # cross-attention of 10 queries on 6 keys/values of 16 features
    (
        "q = input(10, 32)\nv = input(6, 16)\nMultiHeadAttention(2, 8, value_dim=4)(q, v)",
        10 * 32 * 16 + 6 * 16 * 16 + 6 * 16 * 8 + 2 * 10 * 6 * (8 + 4) + 10 * 8 * 32,
    ),
    # grouped-query: 8 query heads, 2 key/value heads, each 4 wide
    (
        "input(10, 32) -> GroupQueryAttention(4, 8, 2)",
        10 * 32 * 32 + 2 * 10 * 32 * 8 + 8 * 10 * 10 * 4 * 2 + 10 * 32 * 32,
    ),
    # over two axes: every position against every position (4*5 of them) ...
    ("input(4, 5, 16) -> MultiHeadAttention(2, 8)", 4 * 20 * 16 * 16 + 2 * 2 * 20 * 20 * 8),
    # ... or along axis 2 only: the other axis pairs one to one
    (
        "input(4, 5, 16) -> MultiHeadAttention(2, 8, attention_axes=(2,))",
        4 * 20 * 16 * 16 + 2 * 2 * 4 * 5 * 5 * 8,
    ),
    ("q = input(7, 16)\nv = input(5, 16)\nAttention()([q, v])", 7 * 5 * 16 * 2),
    ("q = input(7, 16)\nv = input(5, 16)\nAdditiveAttention()([q, v])", 7 * 5 * 16),
    ("a = input(5, 8)\nb = input(5, 8)\nDot(axes=2)([a, b])", 5 * 5 * 8),
    ('input(7, 16) -> EinsumDense("abc,cd->abd", output_shape=(7, 32))', 7 * 16 * 32),
]


@pytest.mark.parametrize(("src", "want"), HAND, ids=[s.split("->")[-1] for s, _ in HAND])
def test_op_formula(src, want):
    assert macs(src) == want
    assert symcount.parse(src).totals["flops"] == 2 * want


TORCH_HAND = [
    # a decoder layer: self-attention, cross-attention on a memory of 3, feed-forward
    (
        "convention torch\nt = input(5, 16)\nm = input(3, 16)\n"
        "TransformerDecoderLayer(16, 4, 32)(t, m)",
        (4 * 5 * 16 * 16 + 2 * 5 * 5 * 16)
        + (2 * 5 * 16 * 16 + 2 * 3 * 16 * 16 + 2 * 5 * 3 * 16)
        + 2 * 5 * 16 * 32,
    ),
    # grouped-query SDPA: 8 query heads of 4 on 2 key/value heads, 6 queries, 9 keys
    (
        "convention torch\nq = input(6, 32)\nk = input(9, 8)\nv = input(9, 8)\n"
        "ScaledDotProductAttention(num_heads=8, num_key_value_heads=2, enable_gqa=true)(q, k, v)",
        8 * 6 * 9 * 4 * 2,
    ),
    (
        "convention torch\ninput(T, 6) -> LSTM(6, 64, num_layers=3, bidirectional=true)",
        None,  # symbolic: checked below
    ),
]


def test_torch_rows_against_hand_counts():
    for src, want in TORCH_HAND[:2]:
        assert macs(src) == want, src
    T = D.symbol("T")
    stacked = 2 * T * 4 * 64 * (6 + 64) + 2 * 2 * T * 4 * 64 * (128 + 64)
    assert D.expand_small(macs(TORCH_HAND[2][0]) - stacked) == 0


def test_stacked_layers_symbolic_num_layers():
    m = symcount.parse("convention torch\ninput(T, 6) -> LSTM(6, 64, num_layers=L)")
    for t, n in ((1, 1), (10, 2), (100, 7)):
        want = t * 4 * 64 * 70 + (n - 1) * t * 4 * 64 * 128
        assert m.subs(T=t, L=n).totals["macs"] == want


# symbolic forms against numbers -----------------------------------------------------------

SYMBOLIC = [
    "input(T, f) -> Dense(u) -> Dense(3)",
    "input(H, W, c) -> Conv2D(k, 3, strides=2, padding=same) -> Conv2D(k, 3)",
    "input(T, f) -> LSTM(u, return_sequences=true) -> GRU(u)",
    "input(T, d) -> MultiHeadAttention(h, k)",
    "input(T, d) -> Bidirectional(SimpleRNN(u))",
    "convention torch\ninput(T, d) -> TransformerEncoderLayer(d, 1, u)",
    "convention torch\ninput(c, H, W) -> Conv2d(c, k, 3, stride=2, dilation=2)",
]
SIZES = st.integers(min_value=5, max_value=40)


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(SYMBOLIC), SIZES, SIZES, SIZES, SIZES, SIZES)
def test_symbolic_equals_numeric(src, a, b, c, d, e):
    symbolic = symcount.parse(src)
    sizes = {"h": 2, "k": d, "c": e}  # MultiHeadAttention's heads: a few
    values = {n: sizes.get(n, x) for n, x in zip(symbolic.symbols, (a, b, c, d, e), strict=False)}
    numeric = symcount.parse(src, values=values)
    assert symbolic.subs(**values).totals["macs"] == numeric.totals["macs"]
    assert symbolic.batched("B").subs(B=3, **values).totals["flops"] == 6 * numeric.totals["macs"]


# shared layers, repeats, the batch, unknown lengths ----------------------------------------

SHARED = """let d = Dense(8)
a = input(5, 4)
b = input(3, 4)
x = d(a)
y = d(b)
output x, y"""


def test_shared_layer_counts_each_call_on_its_own_shapes():
    m = symcount.parse(SHARED)
    (row,) = m.rows
    assert row.calls == 2 and row.params == 40  # weights once
    assert row.count("macs") == 5 * 4 * 8 + 3 * 4 * 8  # compute per call
    assert [c.quantities["macs"] for c in m.graph.calls] == [160, 96]


def test_shared_layer_in_a_symbolic_repeat():
    """A layer defined outside a symbolic repeat and called in it counts its
    call in the steady pass N - 1 times, as the pass's own layers do."""
    m = symcount.parse("let p = Dense(8)\ninput(8) -> repeat N { p -> Dense(8) }")
    N = D.symbol("N")
    assert D.expand_small(m.totals["macs"] - 2 * N * 64) == 0
    assert m.subs(N=5).totals["macs"] == 640
    unrolled = symcount.parse("let p = Dense(8)\ninput(8) -> repeat 5 { p -> Dense(8) }")
    assert unrolled.totals["macs"] == 640


def test_repeat_is_symbolic_never_unrolled():
    m = symcount.parse("input(T, d) -> repeat L { Dense(d) }")
    L, T, d = D.symbol("L"), D.symbol("T"), D.symbol("d")
    assert D.expand_small(m.totals["macs"] - L * T * d**2) == 0
    assert len(m.rows) == 1


def test_batch_as_int_and_symbol():
    m = symcount.parse("input(10) -> Dense(4)")
    assert m.batched(32).totals["macs"] == 1280 and m.batched(32).total == 44
    b = m.batched("B")
    assert str(b.totals["flops"]) == "80*B" and "B" in b.symbols
    assert b.subs(B=4).totals["flops"] == 320


def test_an_unknown_length_is_unknown_not_zero():
    m = symcount.parse("input(None, 6) -> LSTM(8)")
    assert m.totals["macs"] is None and m.totals["params"] == 480
    d = m.showing("macs", "flops").to_dict()
    assert d["macs"] is None and d["layers"][0]["flops"] is None


# outputs ------------------------------------------------------------------------------------


def run(capsys, *argv):
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


def test_summary_compute_columns_and_totals(capsys):
    plain = run(capsys, "summary", str(EXAMPLES / "mnist_cnn.sc"))
    out = run(capsys, "summary", str(EXAMPLES / "mnist_cnn.sc"), "--compute")
    assert "MACs" not in plain
    assert "┃      MACs ┃     FLOPs ┃" in out
    assert "│ 2,654,208 │ 5,308,416 │" in out
    assert " Total MACs: 7,280,480\n Total FLOPs: 14,560,960\n" in out
    assert out.rstrip().endswith("forward pass, batch 1")
    assert plain.splitlines()[-3:] == out.splitlines()[-6:-3]  # the params totals as before


def test_summary_json(capsys):
    out = run(capsys, "summary", str(EXAMPLES / "mnist_cnn.sc"), "--compute", "--format", "json")
    d = json.loads(out)
    assert d["macs"] == 7_280_480 and d["flops"] == 14_560_960
    assert [x["macs"] for x in d["layers"]] == [146_016, 4_478_976, 0, 2_654_208, 1_280]
    assert d["compute"] == {"convention": "default", "batch": 1}
    plain = json.loads(run(capsys, "summary", str(EXAMPLES / "mnist_cnn.sc"), "--format", "json"))
    assert "macs" not in plain and "compute" not in plain


def test_batch_option(capsys):
    out = run(
        capsys, "summary", "-e", "input(T, 6) -> LSTM(64)", "--batch", "B", "--format", "json"
    )
    d = json.loads(out)
    assert d["macs"] == "17920*B*T" and d["compute"]["batch"] == "B"
    assert (
        json.loads(
            run(capsys, "summary", "-e", "input(6) -> Dense(2)", "--batch", "3", "--format", "json")
        )["flops"]
        == 72
    )


def test_batch_option_refuses_nonsense(capsys):
    assert cli.main(["summary", "-e", "input(6) -> Dense(2)", "--batch", "0"]) == 2
    assert "not a batch size" in capsys.readouterr().err


def test_explain_shows_each_call_with_numbers(capsys):
    out = run(capsys, "explain", "-e", SHARED, "--compute")
    # the op's labels first (surfaces: labelled cost terms), then the numbers
    assert (
        "  call 1: MACs = T*c_in*units = 5*4*8 = 160\n  call 2: MACs = T*c_in*units = 3*4*8 = 96\n"
    ) in out
    out = run(capsys, "explain", str(EXAMPLES / "mnist_cnn.sc"), "--compute", "--batch", "2")
    assert "  MACs = batch*h_out*w_out*k_h*k_w*c_in*filters = 2*26*26*3*3*1*24 = 292,032\n" in out
    assert "Total FLOPs: 29,121,920\n" in out


def test_markdown_names_the_convention(capsys):
    out = run(
        capsys,
        "summary",
        "-e",
        "input(None, 6) -> LSTM(8) -> Dense(3)",
        "--compute",
        "--format",
        "markdown",
    )
    assert "| lstm (LSTM) | `(None, 8)` | 480 | `unknown` | `unknown` |" in out
    assert "| dense (Dense) | `(None, 3)` | 27 | 24 | 48 |" in out
    assert out.endswith(
        "- **Compute:** FLOPs = 2 x MACs over matmuls and convolutions "
        "(attention at full length; no bias, element-wise or norm work), "
        "forward pass, batch 1\n"
    )
