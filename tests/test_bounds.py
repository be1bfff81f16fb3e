"""Bounded by construction: deep, long and huge inputs end quickly, with a
result or a positioned error, inside Python's default recursion limit and
without touching process-wide state."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import dims as D
from symcount.errors import LimitError

# Generous for a loaded 2-core machine; the failures these pin took minutes,
# gigabytes or a traceback.
WALL = 60

POOLS = 'input(t, 1) -> repeat 120 { MaxPooling1D(2, padding="same") }'
UPSAMPLE = "input(t, 4) -> repeat 90 { UpSampling1D(10**50) }"
HUGE_POWER = "input(4) -> repeat 2 { Dense((a+b+c+d+e+f+g+h)**40) -> Dense(3) }"


def cli(*args, timeout=WALL):
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "symcount", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return p.returncode, p.stdout, p.stderr, time.perf_counter() - t


# the reproducers of issue 9, point 5 -------------------------------------------------

DEEP_POOLS_MESSAGE = (
    "<expr>:1:29: limit exceeded: max_pooling1d_49 (MaxPooling1D): "
    "an expression nested deeper than 100 levels"
)


@pytest.mark.parametrize(
    "how",
    [["summary"], ["explain"], ["summary", "--latex"], ["summary", "--format", "json"]],
    ids=["summary", "explain", "latex", "json"],
)
def test_deep_floor_nest_is_a_positioned_limit_error(how):
    code, out, err, elapsed = cli(*how, "-e", POOLS)
    assert code == 2, err
    assert out == ""
    assert err.startswith(DEEP_POOLS_MESSAGE), err
    assert "Traceback" not in err and "RecursionError" not in err
    assert elapsed < 20


def test_shallower_floor_nest_still_prints():
    import json

    text = POOLS.replace("120", "40")
    for how in (["summary"], ["explain"], ["summary", "--latex"]):
        code, out, err, _ = cli(*how, "-e", text)
        assert code == 0 and "floor" in out, err
    code, out, err, _ = cli("summary", "--format", "json", "-e", text)
    assert code == 0, err
    shape = json.loads(out)["layers"][0]["output_shape"]
    assert shape[0].count("floor(") == 40 and shape[1] == 1  # every level kept


def test_computed_dimension_beyond_the_magnitude_limit_is_refused():
    code, out, err, elapsed = cli("summary", "-e", UPSAMPLE)
    assert code == 2 and out == ""
    assert err.startswith(
        "<expr>:1:28: limit exceeded: up_sampling1d_1 (UpSampling1D): "
        "number too large (limit 10**60)"
    ), err
    assert "Traceback" not in err
    assert elapsed < 20


def test_computed_numeric_dimension_beyond_the_limit_is_refused():
    with pytest.raises(LimitError, match=r"up_sampling1d_1 .*number too large") as info:
        symcount.parse("input(3, 4) -> repeat 90 { UpSampling1D(10**50) }")
    assert (info.value.span.line, info.value.span.column) == (1, 28)


def test_one_step_below_the_limit_is_fine():
    m = symcount.parse("input(3, 4) -> UpSampling1D(10**50)")
    assert m.output_shape == (3 * 10**50, 4)


@pytest.mark.parametrize(
    "how",
    [["summary"], ["summary", "--format", "json"], ["explain"], ["diff"], ["summary", "--latex"]],
    ids=["summary", "json", "explain", "diff", "latex"],
)
def test_huge_power_is_not_multiplied_out(how):
    code, out, err, elapsed = cli(*how, "-e", HUGE_POWER)
    assert code == 0, err
    assert elapsed < 30
    if how == ["summary"]:
        assert "Total params: 15*(a + b + c + d + e + f + g + h)**40 + 6" in out


# process-wide state --------------------------------------------------------------


@pytest.fixture
def no_recursion_limit_change(monkeypatch):
    def refuse(n):
        raise AssertionError(f"sys.setrecursionlimit({n}) called")

    monkeypatch.setattr(sys, "setrecursionlimit", refuse)


LONG_AND_DEEP = [
    ("let x = " + " + ".join(["1"] * 1000) + "\ninput(x) -> Dense(2)", 2002),
    ("input(3) -> Dense(" + " + ".join(f"a{i}" for i in range(3000)) + ")", None),
    ("let x = " + " * ".join(["1"] * 5000) + "\ninput(x) -> Dense(2)", 4),
    ("let x = " + "-" * 90 + "3\ninput(3) -> Dense(x)", 12),
    ("let x = " + "(" * 150 + "1" + ")" * 150 + "\ninput(3) -> Dense(x)", 4),
    ('input(t, 1) -> repeat 40 { MaxPooling1D(2, padding="same") } -> Flatten -> Dense(3)', None),
    (
        "block b(n) { Dense(n) }\n"
        + "".join(f"block b{i}(n) {{ b{i - 1 if i > 1 else ''}(n) }}\n" for i in range(1, 60))
        + "input(3) -> b59(u)",
        None,
    ),
]


@pytest.mark.parametrize("text, total", LONG_AND_DEEP, ids=range(len(LONG_AND_DEEP)))
def test_long_and_deep_inputs_need_no_recursion_limit(no_recursion_limit_change, text, total):
    """Within Python's default limit, in a fresh thread (a shallow stack, as
    a server's worker), without calling sys.setrecursionlimit."""
    box = {}

    def work():
        try:
            m = symcount.parse(text)
            box["total"] = m.total
            box["text"] = str(m.to_dict()) + str([r.formula and r.formula.general for r in m.rows])
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=work)
    t.start()
    t.join(WALL)
    assert not t.is_alive()
    assert "error" not in box, box.get("error")
    if total is not None:
        assert box["total"] == total


@pytest.mark.parametrize(
    "text, message",
    [
        ("let x = " + "+".join(["1"] * 50_000), r"nested too deeply \(more than 10,000 operators"),
        ("let x = " + "-" * 500 + "3", r"nested too deeply \(an expression nested deeper than 100"),
        ("let x = " + "max(" * 150 + "3" + ")" * 150, r"nested deeper than 100"),
        ("let x = " + "(" * 300 + "1" + ")" * 300, "brackets nested deeper than 200"),
        ("block b { b }\ninput(3) -> b", "blocks nested deeper than 64"),
    ],
    ids=["long-sum", "negations", "calls", "brackets", "recursive-block"],
)
def test_too_deep_is_a_limit_error(no_recursion_limit_change, text, message):
    with pytest.raises(LimitError, match=message):
        symcount.parse(text)


def test_diff_translation_needs_no_recursion_limit(no_recursion_limit_change):
    from symcount.cli.diff import translate

    long = translate("let x = " + " + ".join(["u"] * 2000) + "\ninput(5, x) -> LSTM(x)")
    assert long.total == translate("input(5, 2000*u) -> LSTM(2000*u)").total


# the iterative sums equal the recursive arithmetic they replace -----------------------

OPS = st.sampled_from(["+", "-", "*"])
LEAVES = st.one_of(st.integers(1, 9).map(str), st.sampled_from(["a", "b", "c"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(OPS, LEAVES), min_size=1, max_size=12), LEAVES)
def test_operator_chains_evaluate_as_sympy_does(steps, first):
    """The loop over a chain (and its single Add of a symbolic sum) gives
    what SymPy's own arithmetic gives, with * binding tighter than + and -."""
    text = first + "".join(f" {op} {x}" for op, x in steps)

    def leaf(x):
        return D.symbol(x) if x.isalpha() else D.sp().Integer(int(x))

    terms, sign, factors = [], 1, [leaf(first)]
    for op, x in steps:
        if op == "*":
            factors.append(leaf(x))
            continue
        terms.append(sign * D.sp().Mul(*factors))
        sign, factors = (1 if op == "+" else -1), [leaf(x)]
    terms.append(sign * D.sp().Mul(*factors))
    want = D.normalize(D.sp().Add(*terms))
    from symcount.evaluation.evaluator import Evaluator
    from symcount.language.syntax import parse_program

    (let,) = parse_program(f"let x = {text}").statements
    (expr,) = let.value.stages
    assert Evaluator().value(expr) == want, text


# bounded expand -------------------------------------------------------------------

a, b, c, d = (D.symbol(n) for n in "abcd")
EXPRS = st.recursive(
    st.one_of(st.sampled_from([a, b, c, d]), st.integers(1, 5).map(D.sp().Integer)),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: t[0] + t[1]),
        st.tuples(inner, inner).map(lambda t: t[0] * t[1]),
        st.tuples(inner, st.integers(2, 4)).map(lambda t: t[0] ** t[1]),
        inner.map(lambda x: D.sp().floor(x / 2)),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(EXPRS)
def test_expanded_term_estimate_is_an_upper_bound(e):
    sp = D.sp()
    estimate = D._expanded_terms(e, {})
    assert len(sp.Add.make_args(sp.expand(e))) <= estimate
    if estimate <= D.EXPAND_TERMS:
        assert D.expand_small(e) == sp.expand(e)


def test_expand_small_leaves_a_huge_power_alone():
    s = D.sp().Add(*(D.symbol(n) for n in "abcdefgh"))
    t = time.perf_counter()
    assert D.expand_small(s**40) == s**40
    assert D.expand_small(3 * s**2 + s) == D.sp().expand(3 * s**2 + s)
    assert time.perf_counter() - t < 1


@pytest.mark.parametrize(
    "x, y, want",
    [
        (a * (b + 1), a * b + a, True),
        (a * (b + 1), a * b + 2 * a, None),
        (a + 1, a + 2, False),
        (3, 3, True),
        (None, a, False),
    ],
)
def test_equal_decides_small_differences(x, y, want):
    assert D.equal(x, y) is want


def test_equal_of_huge_expressions_is_quick_and_honest():
    s = D.sp().Add(*(D.symbol(n) for n in "abcdefgh"))
    t = time.perf_counter()
    assert D.equal(s**40, s**40) is True  # the same expression: no expand needed
    assert D.equal(s**40 + 1, s**40) is False
    assert D.equal(s**40, (s**40 + a) - a) is True
    # equal, but only multiplying out would show it: unknown, not a 62-million-term expand
    assert D.equal(s**40, D.sp().Mul(s**20, s**20, evaluate=False)) is None
    assert D.equal(s**40, s**39 * (a + b + c + d) + s**39 * (s - a - b - c - d)) is None
    assert time.perf_counter() - t < 2


# computed-dimension checks ----------------------------------------------------------


@pytest.mark.parametrize(
    "shape, why",
    [
        ((3, 10**60), None),
        ((3, 10**60 + 1), "number too large"),
        ((a * 10**61,), "number too large"),
        ((a / 10**61,), "number too large"),
        ([(a, 3), (None, b)], None),
        ((D.sp().floor(a / 2) + 1,), None),
    ],
)
def test_problem_of_a_shape(shape, why):
    got = D.problem(shape)
    assert (got is None) if why is None else (why in got)


def test_depth_is_measured_without_recursion_and_bounded():
    sp = D.sp()
    e = a
    for _ in range(60):
        e = sp.ceiling(e / 2)
    assert D.problem((e,)) is not None  # ceiling, Mul: two levels a step
    e = a
    for _ in range(40):
        e = sp.ceiling(e / 2)
    assert D.problem((e,)) is None
