"""RNN of a list of cells: Keras makes a StackedRNNCells, named by its
layer-name counter when the RNN is made (stacked_rnn_cells, _1, ...), so two
such RNNs in one model have different weight paths; symcount gives the same
paths. Checked against real Keras (skipped without it) and, without it,
against the paths Keras 3 gives (recorded from it)."""

from __future__ import annotations

import os

import pytest

import symcount

TWO_LISTS = (
    "input(5, 3) -> RNN([LSTMCell(4), GRUCell(4)], return_sequences=true)"
    " -> RNN([SimpleRNNCell(2)])"
)
MIXED = (
    "let s = StackedRNNCells([LSTMCell(4)])\n"
    "input(5, 3) -> RNN([LSTMCell(4), GRUCell(4)], return_sequences=true)"
    " -> RNN(s, return_sequences=true) -> RNN([LSTMCell(4)])"
)


def paths(text: str) -> list[str]:
    return [f"{r.name}/{w.name}" for r in symcount.parse(text).rows for w in r.weights]


def stacks(text: str) -> list[str]:
    return sorted({p.split("/")[1] for p in paths(text)})


def test_two_rnns_of_lists_have_their_own_stack():
    assert stacks(TWO_LISTS) == ["stacked_rnn_cells", "stacked_rnn_cells_1"]
    assert paths(TWO_LISTS)[-1] == "rnn_1/stacked_rnn_cells_1/simple_rnn_cell/bias"


def test_the_counter_is_shared_with_stacks_the_model_makes():
    # s is made first, so the first list's stack is stacked_rnn_cells_1 (as in Keras)
    got = [p for p in paths(MIXED) if p.endswith("/kernel") and "recurrent" not in p]
    assert got == [
        "rnn/stacked_rnn_cells_1/lstm_cell_1/kernel",
        "rnn/stacked_rnn_cells_1/gru_cell/kernel",
        "rnn_1/stacked_rnn_cells/lstm_cell/kernel",
        "rnn_2/stacked_rnn_cells_2/lstm_cell_2/kernel",
    ]


def test_one_rnn_of_a_list_keeps_its_name():
    assert stacks("input(5, 3) -> RNN([LSTMCell(4)])") == ["stacked_rnn_cells"]


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="real Keras is not installed")


def _keras_paths(keras, build) -> list[str]:
    keras.backend.clear_session()  # its layer-name counters start again, as symcount's do
    L = keras.layers
    inp = keras.Input((5, 3))
    return [w.path for w in keras.Model(inp, build(L, inp)).weights]


@pytest.mark.live
def test_against_keras(keras):
    def two_lists(L, x):
        x = L.RNN([L.LSTMCell(4), L.GRUCell(4)], return_sequences=True)(x)
        return L.RNN([L.SimpleRNNCell(2)])(x)

    def mixed(L, x):
        s = L.StackedRNNCells([L.LSTMCell(4)])
        x = L.RNN([L.LSTMCell(4), L.GRUCell(4)], return_sequences=True)(x)
        x = L.RNN(s, return_sequences=True)(x)
        return L.RNN([L.LSTMCell(4)])(x)

    assert _keras_paths(keras, two_lists) == paths(TWO_LISTS)
    assert _keras_paths(keras, mixed) == paths(MIXED)
