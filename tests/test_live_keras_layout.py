"""Live differential tests of the summary's functional layout
(symcount/model/keras_layout.py) against real Keras 3's ``model.summary()``:
the rows in Keras's order, an InputLayer row per input of a Functional
model, and the "Connected to" column, on seeded random models (the generator
of tests/test_live_keras_json2.py) read back from ``to_json()``, and on the
shipped examples written as the Keras code their comments quote."""

from __future__ import annotations

import os
import random
import re
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["COLUMNS"] = "400"  # rich draws Keras's table no wider than this
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402
from tests.test_live_keras_json2 import random_model  # noqa: E402

pytestmark = pytest.mark.live
L = keras.layers
WANT = ("Layer (type)", "Output Shape", "Param #", "Connected to")


def table(text: str) -> list[tuple]:
    """(name, shape, params, connected) per row of a drawn summary (Keras's
    or ours): wrapped cells joined; a column the table lacks is None."""
    head, rows, cur = [], [], None
    for line in text.splitlines():
        if line.startswith("┃"):
            head = [c.strip() for c in line.strip().strip("┃").split("┃")]
        elif line.startswith("│"):
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            cur = (
                cells
                if cur is None
                else [f"{a} {b}".strip() for a, b in zip(cur, cells, strict=True)]
            )
        elif cur is not None:
            rows.append(cur)
            cur = None
    out = []
    for r in rows:
        cells = [r[head.index(w)] if w in head else None for w in WANT]
        # our label's "[shared: 2 calls]" and a nested model's type are known differences
        cells[0] = re.sub(r" \[shared: .*", "", cells[0]).split(" (")[0]
        out.append(tuple(cells))
    return out


def keras_table(real) -> list[tuple]:
    lines: list[str] = []
    real.summary(print_fn=lambda line, **kw: lines.append(line), line_length=400)
    return table("\n".join(lines))


def ours(model) -> list[tuple]:
    return table(model.summary(width=400))


def crosses_nesting(real) -> bool:
    """A nested model called twice (symcount writes its second call as calls
    of the block's layers, outside any block), or given one tensor twice:
    symcount's graph keeps neither, so its table is the plain one."""
    for la in real.layers:
        if isinstance(la, keras.Model):
            if len(la._inbound_nodes) > 1:
                return True
            for node in la._inbound_nodes:
                ids = [id(t) for t in node.input_tensors]
                if len(ids) != len(set(ids)):
                    return True
    return False


MODELS = 150


@pytest.fixture(scope="module")
def by_shape():
    from tests.test_live_keras_json import chainable

    return chainable()


def test_random_models_are_laid_out_as_keras_does(by_shape):
    checked = functional = 0
    for index in range(MODELS):
        if index % 3 == 0:
            continue  # the generator's Sequential models: the plain table, tested elsewhere
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            real = random_model(random.Random(13_000 + index), index, by_shape)
        if crosses_nesting(real):
            continue
        expected = keras_table(real)
        got = ours(symcount.parse_keras_json(real.to_json()))
        assert got == expected, f"model {index}"
        checked += 1
        functional += expected[0][3] is not None
    # most of them are checked, and most of those have the column
    assert checked >= 0.85 * (MODELS * 2 // 3), checked
    assert functional >= 0.25 * checked, functional


def shared_lstm():
    a, b = keras.Input((280, 256)), keras.Input((280, 256))
    shared = L.LSTM(64)
    merged = L.Concatenate(axis=-1)([shared(a), shared(b)])
    return keras.Model([a, b], L.Dense(1, activation="sigmoid")(merged), name="shared_lstm")


def named_inputs():
    a, b = keras.Input((4,), name="bee"), keras.Input((4,))
    d = L.Dense(3)
    return keras.Model([a, b], L.Add()([d(a), d(L.Dense(4)(b))]), name="named")


def functional_chain():
    x = keras.Input((8,))
    y = L.Dense(3)(x)
    return keras.Model(x, L.Dense(2)(y), name="chain")


SOURCES = {
    "shared_lstm": (
        shared_lstm,
        "let shared = LSTM(64)\na = input(280, 256) -> shared\nb = input(280, 256) -> shared\n"
        "Concatenate(a, b, axis=-1) -> Dense(1, activation=sigmoid)",
    ),
    "named": (
        named_inputs,
        'a = input(4, name="bee")\nb = input(4)\nlet d = Dense(3)\nAdd(d(a), d(Dense(4)(b)))',
    ),
    "chain": (functional_chain, "x = input(8)\nDense(3)(x) -> Dense(2)"),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_written_models_are_laid_out_as_keras_does(name):
    make, text = SOURCES[name]
    keras.backend.clear_session()  # Keras's names count from zero again
    real = make()
    expected = keras_table(real)
    assert ours(symcount.parse(text)) == expected
    assert ours(symcount.parse_keras_json(real.to_json())) == expected
