"""A shared (let-bound) layer first applied inside a repeat counts its weights
once, whatever the repeat: numeric (unrolled) or symbolic (counted by passes),
nested, inside a block, beside fresh layers (only those are multiplied).
The numeric models are also built in real Keras (skipped without it)."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.render.table import summary

D8 = 72  # Dense(8) on 8 features: 8*8 + 8

# (text with the symbols L and M, its params as a function of L and M)
CASES = [
    ("let s = Dense(8)\ninput(8) -> repeat L { s }", lambda L, M: D8),
    ("let s = Dense(8)\ninput(8) -> s -> repeat L { s }", lambda L, M: D8),
    ("let s = Dense(8)\ninput(8) -> repeat L { s } -> s", lambda L, M: D8),
    ("let s = Dense(8)\ninput(8) -> repeat L { s -> Dense(8) }", lambda L, M: D8 + D8 * L),
    (
        "let s = Dense(8)\ninput(8) -> repeat L { Dense(8) -> s -> Dense(8) }",
        lambda L, M: D8 + 2 * D8 * L,
    ),
    (
        "let s = Dense(8)\nblock b() { s -> Dense(8) }\ninput(8) -> repeat L { b() }",
        lambda L, M: D8 + D8 * L,
    ),
    ("let s = Dense(8)\ninput(8) -> repeat L { repeat M { s } }", lambda L, M: D8),
    (
        "let s = Dense(8)\ninput(8) -> repeat L { repeat M { s -> Dense(8) } }",
        lambda L, M: D8 + D8 * L * M,
    ),
    (
        "let s = Dense(8)\ninput(8) -> repeat L { s -> repeat M { s -> Dense(8) } }",
        lambda L, M: D8 + D8 * L * M,
    ),
    # made inside the outer body: fresh for each outer pass, shared by the inner ones
    ("input(8) -> repeat L { let s = Dense(8)\n repeat M { s } }", lambda L, M: D8 * L),
    # a shape-changing first pass (8 -> 4) keeps its own counting by passes
    (
        "let s = Dense(4)\ninput(8) -> repeat L { Dense(4) -> s }",
        lambda L, M: (8 * 4 + 4) + 20 + 20 * (L - 1),
    ),
    # fresh layers only: unchanged, N times each pass
    ("input(8) -> repeat L { Dense(8) }", lambda L, M: D8 * L),
]

POINTS = [(1, 1), (2, 3), (3, 1), (5, 2)]


def at(model, L: int, M: int):
    """The model with its symbols (some of L, M, or none) given these values."""
    return model.subs({k: v for k, v in (("L", L), ("M", M)) if k in model.symbols})


def numeric(text: str, L: int, M: int) -> str:
    return text.replace("repeat L", f"repeat {L}").replace("repeat M", f"repeat {M}")


@pytest.mark.parametrize("text,expected", CASES)
def test_symbolic_count_is_exact(text, expected):
    model = symcount.parse(text)
    for L, M in POINTS:
        got = at(model, L, M).totals["params"]
        assert got == expected(L, M), (text, L, M)


@pytest.mark.parametrize("text,expected", CASES)
def test_numeric_and_symbolic_repeats_agree(text, expected):
    model = symcount.parse(text)
    for L, M in POINTS:
        unrolled = symcount.parse(numeric(text, L, M))
        symbolic = at(model, L, M)
        for q in ("params", "trainable", "non_trainable", "buffers"):
            assert (
                unrolled.totals[q]
                == symbolic.totals[q]
                == (expected(L, M) if q in ("params", "trainable") else 0)
            ), (text, L, M, q)


def test_shared_layer_has_one_row_and_later_passes_none():
    model = symcount.parse(CASES[0][0])
    (repeat,) = model.rows
    assert [c.name for c in repeat.children] == ["pass 1", "passes 2..N"]
    first, steady = repeat.children
    assert [r.type for r in first.children] == ["Dense"]
    assert steady.children == [] and str(steady.multiplier) == "L - 1"


def test_fresh_layers_keep_each_pass():
    (repeat,) = symcount.parse("input(8) -> repeat L { Dense(8) }").rows
    assert [c.name for c in repeat.children] == ["each pass"]


def test_shared_layer_with_batchnorm_state_counts_once():
    text = "let n = BatchNormalization()\ninput(8) -> repeat L { Dense(8) -> n }"
    model = symcount.parse(text)
    for L in (1, 2, 7):
        m = model.subs({"L": L})
        assert (m.totals["trainable"], m.totals["non_trainable"]) == (16 + D8 * L, 16)


# real Keras: the same shared layer applied inside unrolled repeats ------------------


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="real Keras is not installed")


def _keras_params(keras, text: str, L: int, M: int) -> int:
    """The case's model built in Keras, each `Dense(8)` in a body fresh per pass."""
    Dense = keras.layers.Dense
    x = inp = keras.Input((8,))
    s = Dense(8)
    bodies = {
        CASES[0][0]: lambda x: s(x),
        CASES[3][0]: lambda x: Dense(8)(s(x)),
        CASES[4][0]: lambda x: Dense(8)(s(Dense(8)(x))),
    }
    if text in bodies:
        for _ in range(L):
            x = bodies[text](x)
    elif text == CASES[7][0]:
        for _ in range(L * M):
            x = Dense(8)(s(x))
    elif text == CASES[8][0]:
        for _ in range(L):
            x = s(x)
            for _ in range(M):
                x = Dense(8)(s(x))
    model = keras.Model(inp, x)
    return sum(math.prod(w.shape) for w in model.weights)


@pytest.mark.live
@pytest.mark.parametrize("case", [0, 3, 4, 7, 8])
def test_against_keras(keras, case):
    text, _ = CASES[case]
    model = symcount.parse(text)
    for L, M in [(1, 1), (3, 2)]:
        want = _keras_params(keras, text, L, M)
        assert symcount.parse(numeric(text, L, M)).totals["params"] == want
        assert at(model, L, M).totals["params"] == want


# the calls a shared layer's row is marked with: as many as the repeat makes ------

CALLS = [
    ("let s = Dense(8)\ninput(8) -> repeat L { s }", "L", lambda L, M: L),
    ("let s = Dense(8)\ninput(8) -> s -> repeat L { repeat M { s } }", "L*M + 1", None),
    ("input(8) -> repeat L { let s = Dense(8)\n repeat M { s } }", "M", None),
    ("let s = Dense(8)\ninput(8) -> repeat 3 { s }", "3", None),
    ("input(8) -> repeat L { Dense(8) }", None, None),
]


@pytest.mark.parametrize("text,calls,_", CALLS)
def test_shared_layer_calls(text, calls, _):
    model = symcount.parse(text)
    dense = [r for _, r in (x for row in model.rows for x in row.walk()) if r.type == "Dense"]
    shown = [str(r.calls) for r in dense if r.calls != 1]
    assert shown == ([calls] if calls else [])
    if calls:
        assert f"[shared: {calls} calls]" in summary(model, expand=True)


def test_shared_calls_substitute_and_reach_json():
    model = symcount.parse(CALLS[0][0])
    row = model.rows[0].children[0].children[0]
    assert str(row.calls) == "L"
    assert model.to_dict()["layers"][0]["layers"][0]["layers"][0]["calls"] == "L"
    sub = model.subs({"L": 5}).rows[0].children[0].children[0]
    assert sub.calls == 5


# any body of shared (s, t) and fresh (Dense) layers: numeric == symbolic ---------

STEP = st.sampled_from(["s", "t", "Dense(8)", "BatchNormalization()"])


@settings(max_examples=40, deadline=None)
@given(
    before=st.lists(STEP, max_size=2),
    body=st.lists(STEP, min_size=1, max_size=4),
    inner=st.lists(STEP, max_size=2),
    L=st.integers(1, 4),
    M=st.integers(1, 3),
)
def test_property_numeric_and_symbolic_agree(before, body, inner, L, M):
    chain = " -> ".join(body + ([f"repeat M {{ {' -> '.join(inner)} }}"] if inner else []))
    head = "".join(f"{x} -> " for x in before)
    text = (
        f"let s = Dense(8)\nlet t = LayerNormalization()\ninput(8) -> {head}repeat L {{ {chain} }}"
    )
    symbolic = at(symcount.parse(text), L, M)
    unrolled = symcount.parse(numeric(text, L, M))
    assert symbolic.totals == unrolled.totals, text
