"""The summary's functional layout (symcount/model/keras_layout.py), without
Keras: which models get it, the rows' order, the input rows and "Connected
to". tests/test_live_keras_layout.py checks the same against real Keras."""

from __future__ import annotations

from pathlib import Path

import pytest

import symcount
from symcount.model.keras_layout import InputRow, functional_layout

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def layout(model):
    entries = functional_layout(model)
    if entries is None:
        return None
    return [
        (e.row.name, "InputLayer" if isinstance(e.row, InputRow) else e.row.type, e.connected)
        for e in entries
    ]


CASES = [
    # a Sequential model: the plain table
    ("input(4) -> Dense(3) -> Dense(2)", None),
    # a chain whose input is bound, as keras.Input is written: input rows, no column
    (
        "x = input(8)\nDense(3)(x) -> Dense(2)",
        [("input_layer", "InputLayer", None), ("dense", "Dense", None), ("dense_1", "Dense", None)],
    ),
    # two inputs, a named one; a shared layer lists both calls' inputs; the
    # deeper input first, as Keras sorts (tests/test_live_keras_layout.py's "named")
    (
        'a = input(4, name="bee")\nb = input(4)\nlet d = Dense(3)\nAdd(d(a), d(Dense(4)(b)))',
        [
            ("input_layer", "InputLayer", "-"),
            ("bee", "InputLayer", "-"),
            ("dense_1", "Dense", "input_layer[0][0]"),
            ("dense", "Dense", "bee[0][0], dense_1[0][0]"),
            ("add", "Add", "dense[0][0], dense[1][0]"),
        ],
    ),
    # several outputs of one call: the tensor index
    (
        "x = input(5, 3)\ny, h, c = LSTM(4, return_sequences=true, return_state=true)(x)\n"
        "Concatenate(h, c)",
        [
            ("input_layer", "InputLayer", "-"),
            ("lstm", "LSTM", "input_layer[0][0]"),
            ("concatenate", "Concatenate", "lstm[0][1], lstm[0][2]"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_layout(text, expected):
    assert layout(symcount.parse(text)) == expected


def test_keras_order_interleaves_the_inputs():
    """vqa: Keras sorts by depth from the output, so the question's input and
    embedding come before the image's input (keras.Model(...).layers)."""
    assert layout(symcount.load(EXAMPLES / "vqa.sc")) == [
        ("input_layer_1", "InputLayer", "-"),
        ("embedding", "Embedding", "input_layer_1[0][0]"),
        ("input_layer", "InputLayer", "-"),
        ("lstm", "LSTM", "embedding[0][0]"),
        ("vision", "vision", "input_layer[0][0]"),
        ("concatenate", "Concatenate", "lstm[0][0], vision[0][0]"),
        ("dense", "Dense", "concatenate[0][0]"),
    ]


def test_torch_models_keep_torchinfos_table():
    text = "convention torch\na = input(4)\nb = input(4)\nAdd(Linear(3)(a), Linear(3)(b))"
    assert layout(symcount.parse(text)) is None


def test_opened_blocks_read_dash_and_the_table_has_the_column():
    out = symcount.load(EXAMPLES / "vqa.sc").summary(expand=True, width=160)
    lines = out.splitlines()
    assert "Connected to" in lines[2]
    conv = next(line for line in lines if line.startswith("│   conv2d (Conv2D)"))
    assert conv.rstrip(" │").endswith("│ -")
    assert sum("(InputLayer)" in line for line in lines) == 2


@pytest.mark.parametrize("bad", ["name=tokens", 'name=""', "name=3"])
def test_an_input_name_is_text(bad):
    with pytest.raises(symcount.SymcountError, match="an input's name is text in quotes"):
        symcount.parse(f"x = input(4, {bad})\nDense(2)(x)")
