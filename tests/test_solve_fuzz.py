"""Solving never hangs: random small models (chains of Dense, LSTM, GRU,
Conv with a symbolic unit, sometimes a symbolic kernel or stride) and random
targets; every solve ends within its time bound with solutions or one clear
SymcountError, and every reported solution is checked by counting the model
again with the values."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount.errors import SymcountError

TIMEOUT = 1.0
SLACK = 1.5  # seconds allowed past the bound (start-up of the solve, a slow machine)

SEQ_LAYERS = ["Dense({w})", "LSTM({w}, return_sequences=true)", "GRU({w}, return_sequences=true)"]
IMG_LAYERS = [
    "Conv2D({w}, 3, padding=same)",
    "Conv2D({w}, k)",
    "Conv2D({w}, 3, strides=s)",
    "MaxPooling2D(2)",
    "Conv2D({w}, 2, strides=2)",
]
WIDTHS = ["u", "2*u", "u + 3", "8", "16", "u // 2 + 1"]
REACHED = {"solve": 0, "exists": 0}  # how many examples got past building the model


@st.composite
def models(draw):
    if draw(st.booleans()):
        layers = draw(st.lists(st.sampled_from(SEQ_LAYERS), min_size=1, max_size=4))
        head = "input(12, 5)"
    else:
        layers = draw(st.lists(st.sampled_from(IMG_LAYERS), min_size=1, max_size=3))
        layers += ["Flatten"]
        side = draw(st.integers(8, 64))
        head = f"input({side}, {side}, 3)"
    widths = draw(st.lists(st.sampled_from(WIDTHS), min_size=len(layers), max_size=len(layers)))
    body = [layer.format(w=w) for layer, w in zip(layers, widths, strict=True)]
    text = " -> ".join([head, *body, "Dense(u)", "Dense(3)"])
    return text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    models(),
    st.sampled_from(["params", "at_most", "at_least"]),
    st.one_of(st.integers(0, 10**4), st.integers(0, 10**12), st.integers(0, 10**40)),
    st.sampled_from([None, 1, 8, 64]),
    st.sampled_from([[], ["X in 1..500"], ["X % 3 == 1"], ["X >= 10"]]),
    st.sampled_from(["u", "k", "s"]),
)
def test_every_solve_ends_within_its_bound(text, mode, target, multiple, where, who):
    try:
        m = symcount.parse(text)
    except SymcountError:
        return  # a random chain can be invalid (a kernel larger than its input)
    who = who if who in m.symbols else "u"  # a kernel or a stride: not monotonic
    where = [w.replace("X", who) for w in where]
    values = {n: 3 for n in m.symbols if n != who}  # one unknown; the others fixed
    if values:
        try:
            m = symcount.parse(text, values=values)
        except SymcountError:
            return
    REACHED["solve"] += 1
    t = time.perf_counter()
    try:
        r = m.solve(
            who,
            **{mode: target},
            multiple_of=multiple,
            where=where,
            timeout=TIMEOUT,
            limit=3,
        )
    except SymcountError as e:
        assert time.perf_counter() - t < TIMEOUT + SLACK
        assert str(e) and "Traceback" not in str(e)
        return
    assert time.perf_counter() - t < TIMEOUT + SLACK
    for s in r.solutions[:2]:
        assert s.count - target == s.distance
        if mode == "params" and r.exact:
            assert s.distance == 0
        if mode == "at_most":
            assert s.count <= target
        if mode == "at_least":
            assert s.count >= target
        if multiple:
            assert s.values[who] % multiple == 0
        assert symcount.parse(text, values={**values, **s.values}).total == s.count


@settings(max_examples=25, deadline=None)
@given(models(), st.integers(1, 400))
def test_a_count_that_exists_is_found(text, u):
    """Count the model at some u, then solve for that count: u is among the answers."""
    try:
        fixed = {n: v for n, v in (("k", 3), ("s", 2)) if n in symcount.parse(text).symbols}
        m = symcount.parse(text, values=fixed)
        want = symcount.parse(text, values={"u": u, **fixed}).total
    except SymcountError:
        return  # a kernel larger than its input at this size
    REACHED["exists"] += 1
    r = m.solve("u", params=want, timeout=5.0, limit=50, where=["u in 1..400"])
    assert r.exact
    assert u in [s.values["u"] for s in r.solutions] or not r.complete


def test_the_fuzzers_reached_the_solver():
    """Runs after the two above (file order): most random models were valid."""
    assert REACHED["solve"] >= 30 and REACHED["exists"] >= 12, REACHED


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet="uvdh0123456789 +-*/%^().=<>!,in_floorceilmax", min_size=1, max_size=30),
    st.sampled_from(["params", "at_most", "at_least"]),
    st.integers(0, 10**9),
)
def test_any_condition_text_is_an_answer_or_one_error(where, mode, target):
    """Typed conditions never reach Python: any text gives rows or a SymcountError."""
    m = symcount.parse("input(t, 6) -> LSTM(u) -> Dense(d)", values={"t": 5})
    t = time.perf_counter()
    try:
        r = m.solve("u", **{mode: target}, values={"d": 7}, where=[where], timeout=TIMEOUT)
    except SymcountError as e:
        assert "\n" not in e.message
    else:
        assert all(s.count - target == s.distance for s in r.solutions)
    assert time.perf_counter() - t < TIMEOUT + SLACK
