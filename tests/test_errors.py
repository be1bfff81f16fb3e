"""Bad input as a new user writes it: one clear message, with line, column,
the source line and a caret under the culprit, naming what was expected."""

from __future__ import annotations

import pytest

import symcount
from symcount.errors import (
    ArgumentError,
    LimitError,
    ShapeError,
    SymcountError,
    SyntaxError_,
    UnknownLayerError,
)

# (source, error class, line:col, words the message must contain, caret text)
CASES = [
    (
        "input(28, 28, 1) -> Conv2d(24, 3)",
        UnknownLayerError,
        "1:21",
        ["'Conv2d' is not a keras layer", "did you mean 'Conv2D'"],
        "^^^^^^",
    ),
    (
        "input(28, 28, 1)\nDense(10\n",
        SyntaxError_,
        "2:9",
        ["unexpected end of input", "'(' at line 2, column 6 is not closed"],
        "^",
    ),
    (
        "input(28, 28, 1) -> Conv2D(24, (3, 3) -> Flatten",
        SyntaxError_,
        "1:39",
        ["unexpected '->'", "expected ',' or ')'", "column 27 is not closed"],
        "^^",
    ),
    (
        "input(28, 28, 1) -> Conv2D(24, 3, paddin=same)",
        ArgumentError,
        "1:35",
        ["Conv2D has no keyword 'paddin'", "did you mean 'padding'"],
        "^^^^^^^^^^^",
    ),
    (
        "input(28, 28, 1) -> Conv2D(24, 3, padding=sme)",
        ArgumentError,
        "1:35",
        ["padding must be one of valid, same", "did you mean 'same'"],
        "^",
    ),
    (
        "input(28, 28, 1) -> Conv2D(24, 31)",
        ShapeError,
        "1:21",
        ["conv2d (Conv2D)", "kernel spans 31", "has only 28", "padding=same"],
        "^^^^^^^^^^^^^^",
    ),
    (
        "input(28, 28, 1) -> MaxPooling2D(30)",
        ShapeError,
        "1:21",
        ["pool size 30 is larger than the input length 28"],
        "^",
    ),
    (
        "input(4, 4) -> Reshape((3, 3))",
        ShapeError,
        "1:16",
        ["the input has 16 elements but target_shape (3, 3) has 9"],
        "^",
    ),
    (
        "input(None, 8) -> Flatten -> Dense(3)",
        ShapeError,
        "1:30",
        ["unknown length (None)", "Flatten of a None axis"],
        "^",
    ),
    (
        "input(28, 28, 1) -> Dense(-3)",
        ArgumentError,
        "1:27",
        ["units must be a positive integer, not -3"],
        "^^",
    ),
    (
        "input(28, 28, 1) -> Dense(units=0.5)",
        ArgumentError,
        "1:27",
        ["units must be an integer, not 1/2"],
        "^",
    ),
    ("Dense(10)", ShapeError, "1:1", ["no input yet", "input(28, 28, 1)"], "^^^^^^^^^"),
    ("input(3) -> Conv2D(8, 3)", ShapeError, "1:13", ["expects an input of rank 4"], "^"),
    (
        "input(28, 28, 1) -> Conv2D(24, 3, 1, same, channels_last, 1, 1, relu, true, 9, 9, 9, 9)",
        ArgumentError,
        "1:77",
        ["Conv2D takes at most 9 positional arguments"],
        "^",
    ),
    ("convention tensorflow", ArgumentError, "1:12", ["unknown convention 'tensorflow'"], "^"),
    ("input(28 28)", SyntaxError_, "1:10", ["unexpected '28'"], "^^"),
    ("input(28, 28, 1) $ Dense(3)", SyntaxError_, "1:18", ["unexpected character '$'"], "^"),
    (
        "input(5) -> Dense(3, activation=relu, units=4)",
        ArgumentError,
        "1:39",
        ["got 'units' both by position and by keyword"],
        "^",
    ),
    ("input(" + "9" * 80 + ")", LimitError, "1:7", ["number too large (limit 10**60)"], "^"),
    ("let x = 10 ** 10 ** 10\ninput(x)", LimitError, "1:9", ["number too large"], "^"),
    (
        "input(5) -> Dense(3, name=a) -> Dense(3, name=a)",
        ArgumentError,
        "1:42",
        ["the layer name 'a' is already used"],
        "^",
    ),
]


@pytest.mark.parametrize(
    ("source", "cls", "where", "words", "caret"), CASES, ids=[c[0][:40] for c in CASES]
)
def test_bad_input_gives_one_positioned_message(source, cls, where, words, caret):
    with pytest.raises(cls) as info:
        symcount.parse(source, filename="model.sc")
    text = str(info.value)
    first, *rest = text.splitlines()
    assert first.startswith(f"model.sc:{where}: "), text
    for w in words:
        assert w in text, text
    line, col = map(int, where.split(":"))
    source_line = source.splitlines()[line - 1] if line <= len(source.splitlines()) else ""
    assert rest[0] == "    " + source_line
    assert rest[1].startswith("    " + " " * (col - 1) + caret), text
    assert "Traceback" not in text


def test_every_error_is_a_symcount_error():
    for _, cls, *_ in CASES:
        assert issubclass(cls, SymcountError)


def test_deep_nesting_is_refused_not_crashed():
    with pytest.raises(LimitError, match="nested too deeply"):
        symcount.parse("let x = " + "+".join(["1"] * 50_000))
    with pytest.raises(LimitError, match="brackets nested deeper"):
        symcount.parse("let x = " + "(" * 300 + "1" + ")" * 300)


def test_long_but_reasonable_expressions_work():
    model = symcount.parse("let x = " + " + ".join(["1"] * 1000) + "\ninput(x) -> Dense(2)")
    assert model.total == 2002


def test_oversized_input_is_refused():
    with pytest.raises(LimitError, match="characters"):
        symcount.parse("#" * 3_000_001)


def test_set_of_unknown_symbol_names_the_symbols():
    with pytest.raises(ArgumentError, match=r"no free symbol 'v'; its symbols are u"):
        symcount.parse("input(5) -> Dense(u)", values={"v": 3})
