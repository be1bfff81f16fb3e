"""``symcount diff`` of Bidirectional(RNN(cell)): one cell is torch's
bidirectional LSTM, GRU or RNN, as Bidirectional(LSTM) is; a stack of cells
has no one torch module, and the reason says why. The torch counts are
checked against real torch (skipped without it)."""

from __future__ import annotations

import pytest

import symcount
from symcount.cli.diff import difference, equivalent, translate

# (Keras model, its PyTorch equivalent, PyTorch - Keras)
CASES = [
    (
        "input(t, f) -> Bidirectional(RNN(LSTMCell(u)))",
        "LSTM(f, u, bidirectional=true, batch_first=true)",
        "8*u",
    ),
    (
        "input(t, f) -> Bidirectional(RNN(GRUCell(u)))",
        "GRU(f, u, bidirectional=true, batch_first=true)",
        0,
    ),
    (
        "input(t, f) -> Bidirectional(RNN(SimpleRNNCell(u)))",
        "RNN(f, u, bidirectional=true, batch_first=true)",
        "2*u",
    ),
    (
        "input(t, f) -> Bidirectional(RNN(StackedRNNCells([LSTMCell(u)])))",
        "LSTM(f, u, bidirectional=true, batch_first=true)",
        "8*u",
    ),
    (
        "input(t, f) -> Bidirectional(RNN(LSTMCell(u, use_bias=false)))",
        "LSTM(f, u, bias=false, bidirectional=true, batch_first=true)",
        0,
    ),
]


@pytest.mark.parametrize(("source", "text", "diff"), CASES, ids=[c[0] for c in CASES])
def test_one_cell_maps_as_its_layer(source, text, diff):
    keras = symcount.parse(source).rows[-1]
    torch = translate(source).rows[-1]
    assert equivalent(torch).text == text
    d = difference(torch.params, keras.params)
    assert (d if isinstance(d, int) else str(d)) == diff


def test_same_as_bidirectional_of_the_layer():
    for cell, layer in [("LSTMCell", "LSTM"), ("GRUCell", "GRU"), ("SimpleRNNCell", "SimpleRNN")]:
        a = translate(f"input(5, 3) -> Bidirectional(RNN({cell}(8)))").rows[-1]
        b = translate(f"input(5, 3) -> Bidirectional({layer}(8))").rows[-1]
        assert equivalent(a).text == equivalent(b).text
        assert (a.params, a.buffers) == (b.params, b.buffers)


@pytest.mark.parametrize(
    "cells", ["[LSTMCell(8), LSTMCell(8)]", "StackedRNNCells([GRUCell(4), LSTMCell(8)])"]
)
def test_a_stack_of_cells_says_what_it_is(cells):
    row = translate(f"input(5, 3) -> Bidirectional(RNN({cells}))").rows[-1]
    eq = equivalent(row)
    assert eq.missing
    assert "torch has no bidirectional" not in eq.why
    assert "num_layers feeds each layer both directions" in eq.why
    assert "two stacks, one on the flipped sequence" in eq.why


@pytest.mark.live
def test_torch_counts():
    torch = pytest.importorskip("torch", reason="torch is not installed")
    nn = torch.nn
    for src, module in [
        ("LSTMCell(8)", nn.LSTM(3, 8, bidirectional=True, batch_first=True)),
        ("GRUCell(8)", nn.GRU(3, 8, bidirectional=True, batch_first=True)),
        ("SimpleRNNCell(8)", nn.RNN(3, 8, bidirectional=True, batch_first=True)),
    ]:
        row = translate(f"input(5, 3) -> Bidirectional(RNN({src}))").rows[-1]
        assert row.params == sum(p.numel() for p in module.parameters())
