"""Live: the batch a Keras Input states (``Input(shape, batch_size=32)``) is
printed by Keras's own model.summary() where it prints None, as symcount's
summary prints it, and its compute is counted for that batch. Needs the
`frameworks` extra; skipped without."""

from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402
from symcount.render.table import summary  # noqa: E402

pytestmark = pytest.mark.live

SRC = (
    "model stated\n"
    "input(shape=(128, 20), batch_size=32) -> LSTM(100, return_sequences=true) -> Dense(10)"
)


@pytest.fixture(scope="module")
def keras_text() -> str:
    inp = keras.Input(shape=(128, 20), batch_size=32)
    x = keras.layers.LSTM(100, return_sequences=True)(inp)
    model = keras.Model(inp, keras.layers.Dense(10)(x), name="stated")
    lines: list[str] = []
    model.summary(print_fn=lambda line, **kw: lines.append(line), line_length=100)
    return "\n".join(lines)


def _shapes(text: str) -> list[str]:
    return re.findall(r"\((?:None|\d+)(?:, \d+)+\)", text)


def test_keras_prints_the_stated_batch_as_symcount_does(keras_text):
    m = symcount.parse(SRC)
    ours = _shapes(summary(m))
    assert ours == ["(32, 128, 100)", "(32, 128, 10)"]
    theirs = [s for s in _shapes(keras_text) if s != "(32, 128, 20)"]  # its InputLayer row
    assert theirs == ours


def test_the_stated_batch_counts_the_compute():
    m = symcount.parse(SRC)
    one = symcount.parse(SRC, batch=1)
    assert m.batch == 32 and one.batch == 1
    assert (
        m.totals["macs"] == 32 * one.totals["macs"] == 32 * (128 * 4 * 100 * 120 + 128 * 100 * 10)
    )
    assert m.totals["params"] == one.totals["params"]
