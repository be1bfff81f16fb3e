"""Issue 11's last Keras layers, on hand-picked cases: RNN with cells,
EinsumDense, SpectralNormalization, RandomColorDegeneration (the random
ones are in tests/reference/ and tests/test_live_keras_rest.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symcount

CASES = [
    # source, output shape, trainable, non-trainable
    ("input(5, 3) -> RNN(LSTMCell(8))", [8], 384, 0),
    ("input(5, 3) -> RNN(GRUCell(8), return_sequences=true)", [5, 8], 3 * 8 * (3 + 8 + 2), 0),
    ("input(5, 3) -> RNN(GRUCell(8, reset_after=false))", [8], 3 * 8 * (3 + 8 + 1), 0),
    ("input(5, 3) -> RNN(SimpleRNNCell(8, use_bias=false))", [8], 8 * (3 + 8), 0),
    ("input(5, 3) -> RNN(LSTMCell(8), return_state=true)", [[8], [8], [8]], 384, 0),
    (
        "input(5, 3) -> RNN([LSTMCell(8), GRUCell(4)], return_state=true, return_sequences=true)",
        [[5, 4], [8], [8], [4]],
        384 + 168,
        0,
    ),
    ("input(5, 3) -> RNN(StackedRNNCells([SimpleRNNCell(8)]))", [8], 96, 0),
    ("input(5, 3) -> RNN(LSTMCell(8, trainable=false))", [8], 0, 384),
    ("input(t, f) -> RNN(LSTMCell(u))", ["u"], "4*u*(f + u + 1)", 0),
    ("input(5, 3) -> Bidirectional(RNN(LSTMCell(8)))", [16], 768, 0),
    (
        "input(5, 3) -> Bidirectional(RNN([LSTMCell(8), GRUCell(3)], return_sequences=true), "
        "merge_mode=sum)",
        [5, 3],
        1002,
        0,
    ),
    ("input(4, 5, 3) -> TimeDistributed(RNN(LSTMCell(8)))", [4, 8], 384, 0),
    ("input(32) -> EinsumDense('ab,bc->ac', 64, bias_axes='c')", [64], 32 * 64 + 64, 0),
    ("input(5, 32) -> EinsumDense('abc,cd->abd', (None, 64))", [None, 64], 2048, 0),
    ("input(5, 32) -> EinsumDense('abc,cd->abd', (5, 64), bias_axes='bd')", [5, 64], 2368, 0),
    (
        "input(5, 32) -> EinsumDense('abc,cde->abde', (5, 8, 16), bias_axes='e')",
        [5, 8, 16],
        4112,
        0,
    ),
    ("input(6, 32) -> EinsumDense('...b,bc->...c', 64, bias_axes='c')", [6, 64], 2112, 0),
    (
        "input(5, 4) -> EinsumDense('abc...,cd->abd...', (None, 16), bias_axes='d')",
        [None, 16],
        80,
        0,
    ),
    ("input(32) -> EinsumDense('ab,b->a', ())", [], 32, 0),
    (
        "input(t, d) -> EinsumDense('abc,cde->abde', (t, h, k), bias_axes='de')",
        ["t", "h", "k"],
        "h*k*(d + 1)",
        0,
    ),
    ("input(5) -> SpectralNormalization(Dense(8))", [8], 48, 8),
    (
        "input(9, 9, 3) -> SpectralNormalization(Conv2D(8, 3), power_iterations=2)",
        [7, 7, 8],
        224,
        8,
    ),
    (
        "input(9, 9, 3) -> SpectralNormalization(DepthwiseConv2D(3, depth_multiplier=2))",
        [7, 7, 6],
        60,
        2,
    ),
    ("input(9, 3) -> SpectralNormalization(Conv1DTranspose(8, 3))", [11, 8], 80, 3),
    ("input(5) -> SpectralNormalization(Embedding(10, 4))", [5, 4], 40, 4),
    ("input(n) -> SpectralNormalization(Dense(u))", ["u"], "u*(n + 1)", "u"),
    ("input(8, 8, 3) -> RandomColorDegeneration(0.5)", [8, 8, 3], 0, 0),
    (
        "input(3, None, 8) -> RandomColorDegeneration(0.5, data_format=channels_first)",
        [3, None, 8],
        0,
        0,
    ),
]


@pytest.mark.parametrize(("source", "shape", "trainable", "frozen"), CASES)
def test_counts(source, shape, trainable, frozen):
    row = symcount.parse(source).to_dict()["layers"][-1]
    assert row["output_shape"] == shape
    assert (row["trainable"], row["non_trainable"]) == (trainable, frozen)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("input(5, 3) -> LSTMCell(8)", "wrap it to run it over a sequence: RNN(LSTMCell(...))"),
        ("input(5, 3) -> StackedRNNCells([LSTMCell(8)])", "wrap it: RNN(StackedRNNCells("),
        ("input(5, 3) -> RNN(Dense(3))", "cell must be a cell (LSTMCell, GRUCell"),
        ("input(5, 3) -> RNN(LSTM(3))", "not LSTM"),
        ("input(5, 3) -> RNN([LSTMCell(8), Dense(2)])", "a stack's cells are cells, not Dense"),
        ("input(5, 3) -> RNN(StackedRNNCells([]))", "a non-empty list of cells"),
        ("input(5, 3) -> RNN(LSTMCell(8), stateful=true)", "needs a fixed batch size"),
        ("input(3) -> RNN(LSTMCell(8))", "expects an input of rank 3"),
        ("input(5, None) -> RNN(LSTMCell(8))", "must be known"),
        ("input(32) -> EinsumDense('a...,b...->a...', 4)", "invalid einsum equation"),
        ("input(32) -> EinsumDense('ab,bc', 4)", "invalid einsum equation"),
        ("input(32) -> EinsumDense('abb,bc->ac', 4)", "the letter 'b' appears twice"),
        ("input(32) -> EinsumDense(3, 4)", "equation must be a string"),
        ("input(32) -> EinsumDense('ab,bc->ad', 4)", "the output's axis 'd' is in neither"),
        ("input(32) -> EinsumDense('ab,bcd->ac', 4)", "the kernel's axis 'd' is in neither"),
        (
            "input(32) -> EinsumDense('ab,bc->ac', 4, bias_axes='b')",
            "'b' is not an axis of the output",
        ),
        ("input(5, 32) -> EinsumDense('abc,cd->abd', (7, 64))", "differ at the shared axis 'b'"),
        ("input(5, 32) -> EinsumDense('abc,cd->abd', 64)", "output_shape has 1 axes"),
        (
            "input(None) -> EinsumDense('ab,bc->ac', 4)",
            "the kernel's axis 'b' has an unknown length",
        ),
        ("input(32) -> EinsumDense('ab,bc->ac', -1)", "positive sizes"),
        ("input(5, 6, 32) -> EinsumDense('...b,bc->...c', 64)", "reverse order"),
        ("input(5, 32) -> EinsumDense('ab,bc->ac', 64)", "add '...'"),
        ("input(9, 3) -> SpectralNormalization(LSTM(3))", "LSTM has no attribute 'kernel'"),
        ("input(9, 9, 3) -> SpectralNormalization(SeparableConv2D(3, 3))", "no attribute 'kernel'"),
        ("input(5) -> SpectralNormalization(Dense(8), power_iterations=0)", "power_iterations"),
        ("input(8, 8, 4) -> RandomColorDegeneration(0.5)", "must have 3 channels, but they have 4"),
        ("input(8, 8, c) -> RandomColorDegeneration(0.5)", "must have 3 channels"),
        ("input(8, 3) -> RandomColorDegeneration(0.5)", "expects images of shape (H, W, 3)"),
    ],
)
def test_refuses(source, message):
    with pytest.raises(symcount.SymcountError) as info:
        symcount.parse(source)
    assert message in info.value.message


def test_rnn_counts_as_the_recurrent_layer_of_its_cell():
    for cell, layer in [("LSTMCell", "LSTM"), ("GRUCell", "GRU"), ("SimpleRNNCell", "SimpleRNN")]:
        for extra in ("", ", use_bias=false"):
            a = symcount.parse(f"input(t, f) -> RNN({cell}(u{extra}))").total
            b = symcount.parse(f"input(t, f) -> {layer}(u{extra})").total
            assert a == b


def test_weights_are_named_as_keras_nests_them():
    row = symcount.parse("input(5, 3) -> RNN([LSTMCell(8), LSTMCell(4)])").rows[-1]
    assert [w.name for w in row.weights][::3] == [
        "stacked_rnn_cells/lstm_cell/kernel",
        "stacked_rnn_cells/lstm_cell_1/kernel",
    ]
    row = symcount.parse("input(5) -> SpectralNormalization(Dense(8))").rows[-1]
    assert [(w.name, tuple(w.shape), w.trainable) for w in row.weights] == [
        ("dense/kernel", (5, 8), True),
        ("dense/bias", (8,), True),
        ("vector_u", (1, 8), False),
    ]


LETTERS = "bcdefg"


@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=3),
    st.lists(st.integers(1, 9), min_size=0, max_size=2),
    st.booleans(),
)
def test_einsum_dense_is_dense_over_contracted_axes(sizes, outs, bias):
    """Contracting every input axis into new output axes: a kernel of
    (*input, *output) entries and a bias over the output, as a Dense on the
    flattened input would have."""
    k = len(sizes)
    inp, new = LETTERS[:k], "xyz"[: len(outs)] or "x"
    outs = outs or [1]
    eq = f"a{inp},{inp}{new}->a{new}"
    shape = ", ".join(map(str, sizes))
    given_shape = "(" + ", ".join(map(str, outs)) + ("," if len(outs) == 1 else "") + ")"
    tail = f", bias_axes='{new}'" if bias else ""
    m = symcount.parse(f"input({shape}) -> EinsumDense('{eq}', {given_shape}{tail})")
    n_in = 1
    for s in sizes:
        n_in *= s
    n_out = 1
    for s in outs:
        n_out *= s
    assert m.total == n_in * n_out + (n_out if bias else 0)
    assert tuple(m.rows[-1].output_shape) == tuple(outs)
