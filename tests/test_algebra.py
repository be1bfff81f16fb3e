"""Algebra on counts: simplify/expand/factor/collect, relations (--let), the
leading term, and the user-expression parser they rely on."""

from __future__ import annotations

import contextlib
import doctest
import re
import time
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import cli, exact, timelimit
from symcount import dims as D
from symcount.analysis import algebra, solve
from symcount.errors import ArgumentError, SymcountError
from symcount.language import userexpr

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
STACKED = str(EXAMPLES / "stacked_lstm_symbolic.sc")
TRANSFORMER = str(EXAMPLES / "transformer_symbolic.sc")
GPT2_SMALL = ["--set", "V=50257", "--set", "T=1024", "--set", "d=768", "--set", "h=12"]
GPT2_SMALL += ["--set", "L=12"]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("module", [algebra, exact, solve, userexpr])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# rewrites: one row per (model, how) with the total and each row's params ------------

LSTM = "input(t, f) -> LSTM(u)"
REWRITES = [
    # model, how, total, [row params]
    (LSTM, "expand", "4*f*u + 4*u**2 + 4*u", ["4*f*u + 4*u**2 + 4*u"]),
    (LSTM, "collect", "4*u**2 + u*(4*f + 4)", ["4*u**2 + u*(4*f + 4)"]),
    (LSTM, "factor", "4*u*(f + u + 1)", ["4*u*(f + u + 1)"]),
    (LSTM, "simplify", "4*u*(f + u + 1)", ["4*u*(f + u + 1)"]),
    (
        "input(t, 6) -> LSTM(u, return_sequences=true) -> LSTM(u) -> Dense(u) -> Dense(6)",
        "expand",
        "13*u**2 + 39*u + 6",
        ["4*u**2 + 28*u", "8*u**2 + 4*u", "u**2 + u", "6*u + 6"],
    ),
    (
        "input(t, 6) -> LSTM(u, return_sequences=true) -> LSTM(u) -> Dense(u) -> Dense(6)",
        "factor",
        "13*u**2 + 39*u + 6",
        ["4*u*(u + 7)", "4*u*(2*u + 1)", "u*(u + 1)", "6*(u + 1)"],
    ),
    ("input(d) -> Dense(u) -> Dense(u)", "collect", "u**2 + u*(d + 2)", ["d*u + u", "u**2 + u"]),
    ("input(784) -> Dense(128) -> Dense(10)", "simplify", "101770", ["100480", "1290"]),
]


@pytest.mark.parametrize(("text", "how", "total", "rows"), REWRITES)
def test_rewrites(text, how, total, rows):
    m = getattr(symcount.parse(text), how)()
    assert str(m.total) == total
    assert [str(r.params) for r in m.rows] == rows
    assert m.to_dict()["total"] == (int(total) if total.isdigit() else total)


def test_rewrites_keep_floor_and_ceil_in_shapes():
    m = symcount.parse("input(n, n, c) -> Conv2D(f, k, strides=2) -> MaxPooling2D(3, padding=same)")
    for how in algebra.HOW:
        shape = getattr(m, how)().rows[0].output_shape
        assert "floor" in str(shape[0]), (how, shape)
        pooled = getattr(m, how)().rows[1].output_shape[0]
        assert pooled.has(D.sp().floor) or pooled.has(D.sp().ceiling)
        # still exact: the rewritten entry agrees with the original at many sizes
        for n, k in [(9, 3), (10, 3), (28, 5), (7, 7)]:
            at = {D.symbol("n"): n, D.symbol("k"): k}
            assert shape[0].xreplace(at) == m.rows[0].output_shape[0].xreplace(at)


def test_rewrite_then_substitute_recounts():
    m = symcount.load(STACKED).expand()
    assert m.subs(u=64).total == 59_910
    assert m.rows[0].trainable == D.sp().expand(symcount.load(STACKED).rows[0].trainable)


def test_rewrite_of_block_rows():
    m = symcount.load(TRANSFORMER).factor()
    rep = next(r for r in m.rows if r.type.startswith("repeat"))
    assert str(rep.params) == "L*d*(12*d + 13)"


def test_unknown_rewrite():
    with pytest.raises(ValueError, match="unknown rewrite"):
        algebra.transform(D.symbol("u"), "integrate")


_layers = st.lists(
    st.sampled_from(["Dense(u)", "Dense(2*u + 1)", "LSTM(u)", "Dense(7)", "GRU(u)", "Dense(v)"]),
    min_size=1,
    max_size=5,
)


@settings(max_examples=30, deadline=None)
@given(_layers, st.sampled_from(algebra.HOW), st.integers(1, 300), st.integers(1, 50))
def test_rewrites_do_not_change_values(layers, how, u, v):
    """Any rewrite, then substitute, equals substitute on the original."""
    text = "input(t, f) -> " + " -> ".join(
        layer
        if i == len(layers) - 1 or ("LSTM" not in layer and "GRU" not in layer)
        else layer.replace(")", ", return_sequences=true)")
        for i, layer in enumerate(layers)
    )
    m = symcount.parse(text)
    values = {"u": u, "v": v, "f": 3, "t": 5}
    values = {k: x for k, x in values.items() if k in m.symbols}
    want = m.subs(values).total
    assert getattr(m, how)().subs(values).total == want


def test_big_sum_is_rewritten_in_pieces():
    text = "input(d) -> " + " -> ".join(f"Dense(u{i})" for i in range(300))
    m = symcount.parse(text)
    t = time.perf_counter()
    total = m.expand().total
    assert time.perf_counter() - t < 20
    assert len(total.args) == 600  # d*u0 + u0 + sum of u_i*u_{i+1} + u_i


# relations: --let d=64*h ------------------------------------------------------------------


def test_substitute_relation():
    m = symcount.load(TRANSFORMER)
    r = algebra.relations_from({"d": "64*h"})
    m2 = algebra.substitute(m, r)
    assert str(m2.total) == "L*(49152*h**2 + 832*h) + 64*T*h + 64*V*h + 128*h"
    assert "d" not in m2.symbols and "h" in m2.symbols
    assert m2.subs(h=12, L=12, T=1024, V=50257).total == 124_439_808


RELATIONS = [
    # let, values, expected
    ({"d": "64*h"}, {}, {"d": "64*h"}),
    ({"d": "64*h"}, {"h": 12}, {"d": 768}),
    ({"d": "h * (k + 1) // 2"}, {"k": 3}, {"d": "2*h"}),
    ({"d": 768}, {}, {"d": 768}),
    ({"d": "64*h", "h": "2*k"}, {}, {"d": "128*k", "h": "2*k"}),  # one relation in another
    ({"a": "b + 1", "b": "c + 1", "c": "2*k"}, {}, {"a": "2*k + 2", "b": "2*k + 1", "c": "2*k"}),
    ({"d": "64*h", "h": "k/2"}, {"k": 4}, {"d": 128, "h": 2}),
]


@pytest.mark.parametrize(("let", "values", "expected"), RELATIONS)
def test_relations_from(let, values, expected):
    got = algebra.relations_from(let, values)
    assert {k: (v if isinstance(v, int) else str(v)) for k, v in got.items()} == expected


RELATION_ERRORS = [
    ({"d": "64*d"}, {}, "appears on both sides"),
    ({"d": "64*h", "h": "d/64"}, {}, "--let d=64*h, h=d/64: the relations define each other"),
    (
        {"d": "64*h", "h": "k/128"},
        {"k": 1},
        "--let h=k/128: h must be a positive integer, not 1/128",
    ),
    ({"d": "h/0"}, {}, "--let d=h/0: division by zero"),
    (
        {"d": "10**100**100"},
        {},
        "--let d=10**100**100: number too large (limit 10**60)",
    ),
    ({"d": "h/3"}, {"h": 4}, "must be a positive integer"),
    ({"d": "64*h"}, {"d": 5}, "both a value and a relation"),
    ({"d": "__import__('os')"}, {}, "unexpected character"),
    ({"d": "eval(1)"}, {}, "unknown function 'eval'"),
    ({"2x": "1"}, {}, "not a symbol name"),
]


@pytest.mark.parametrize(("let", "values", "message"), RELATION_ERRORS)
def test_relation_errors(let, values, message):
    with pytest.raises(SymcountError, match=re.escape(message)):
        algebra.relations_from(let, values)


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["d"], "not NAME=EXPRESSION"),
        (["d==h"], "not NAME=EXPRESSION"),
        (["d="], "not NAME=EXPRESSION"),
        (["d=h", "d=2*h"], "given twice"),
    ],
)
def test_let_texts_errors(texts, message):
    with pytest.raises(ArgumentError, match=message):
        algebra.let_texts(texts)


# the CLI: --simplify/--expand-counts/--factor/--collect, --let ----------------------------


def test_cli_rewrite_golden(capsys, golden):
    code, out, err = run(capsys, "summary", STACKED, "--expand-counts", "--width", "100")
    assert code == 0 and err == ""
    golden("stacked_lstm_symbolic.expand_counts.txt", out)
    assert "Total params: 14*u**2 + 40*u + 6" in out


@pytest.mark.parametrize(
    ("flag", "total"),
    [
        ("--simplify", "14*u**2 + 40*u + 6"),
        ("--factor", "2*(7*u**2 + 20*u + 3)"),
        ("--collect", "14*u**2 + 40*u + 6"),
        ("--expand-counts", "14*u**2 + 40*u + 6"),
    ],
)
def test_cli_rewrite_json(capsys, flag, total):
    import json

    code, out, _ = run(capsys, "summary", STACKED, flag, "--format", "json")
    assert code == 0
    assert json.loads(out)["total"] == total


def test_cli_rewrite_flags_are_exclusive(capsys):
    code, _, err = run(capsys, "summary", STACKED, "--factor", "--simplify")
    assert code == 2 and "not allowed with" in err


def test_cli_explain_rewrite(capsys):
    code, out, _ = run(capsys, "explain", STACKED, "--expand-counts", "--layer", "lstm")
    assert code == 0
    assert out.splitlines()[0] == (
        "lstm (LSTM)  params = 4*units*(c_in + units + 1) = 4*u*(6 + u + 1) = 4*u**2 + 28*u"
    )


def test_cli_let(capsys):
    code, out, _ = run(capsys, "summary", TRANSFORMER, "--let", "d=64*h", "--format", "json")
    assert code == 0
    import json

    data = json.loads(out)
    assert data["total"] == "L*(49152*h**2 + 832*h) + 64*T*h + 64*V*h + 128*h"
    assert "d" not in data["symbols"] and "h" in data["symbols"]


def test_cli_let_with_values_is_a_value(capsys):
    """d=64*h with h=12 is d=768: counted (and checked) like --set d=768."""
    argv = ["summary", TRANSFORMER, "--let", "d=64*h", "--set", "h=12", "--format", "json"]
    code, out, _ = run(capsys, *argv, "--set", "L=12", "--set", "T=1024", "--set", "V=50257")
    assert code == 0
    import json

    assert json.loads(out)["total"] == 124_439_808


@pytest.mark.parametrize(
    ("let", "message"),
    [
        ("d=64*", "--let d= '64*': expected a number, a name or '(', found the end (column 4)"),
        ("d=64*d", "d appears on both sides"),
        ("d", "is not NAME=EXPRESSION"),
        ("d=os.system(1)", "unexpected character '.' (column 3)"),
    ],
)
def test_cli_let_errors(capsys, let, message):
    code, out, err = run(capsys, "summary", TRANSFORMER, "--let", let)
    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err
    column = re.search(r"\(column (\d+)\)", message)
    if column is None:
        assert err.count("\n") == 1
    else:  # the option's text, and a caret under the column named
        text, caret = err.splitlines()[1:]
        assert text == "    " + let.partition("=")[2]
        assert caret == " " * (4 + int(column[1]) - 1) + "^"


# the leading term ----------------------------------------------------------------------

LEADING = [
    ("input(t, f) -> LSTM(u)", "4*u**2 + 4*f*u"),
    ("input(100, 6) -> LSTM(u, return_sequences=true) -> LSTM(u) -> Dense(6)", "12*u**2"),
    ("input(d) -> Dense(u) -> Dense(u) -> Dense(10)", "u**2 + d*u"),
    ("input(n, n, c) -> Conv2D(f, k, strides=2) -> Flatten -> Dense(10)", "c*f*k**2"),
    ("input(n, n, 3) -> Conv2D(8, 3, strides=2) -> Flatten -> Dense(10)", "20*n**2"),
    ("input(784) -> Dense(128)", "100480"),
]


@pytest.mark.parametrize(("text", "lead"), LEADING)
def test_leading(text, lead):
    got = symcount.parse(text).leading()
    assert got == D.normalize(_expr(lead))


def _expr(text):
    return userexpr.to_value(userexpr.parse_expr(text))


def test_leading_transformer():
    assert str(symcount.load(TRANSFORMER).leading()) == "12*L*d**2"


def test_leading_report_error():
    m = symcount.load(STACKED)
    r = algebra.leading_report(m, {"u": 64})
    assert (r["exact"], r["approx"]) == (59_910, 14 * 64**2)
    assert r["relative_error"] == pytest.approx(float(Fraction(14 * 64**2, 59_910) - 1))
    assert algebra.leading_report(m, {})["relative_error"] is None


def test_cli_leading_golden(capsys, golden):
    code, out, err = run(capsys, "summary", TRANSFORMER, "--leading", "--width", "100", *GPT2_SMALL)
    assert code == 0 and err == ""
    assert out.endswith(
        "Leading term (as L, T, V, d grow): 12*L*d**2\n"
        "  at L=12, T=1024, V=50257, d=768: 84,934,656 against the exact 124,439,808 "
        "(relative error -31.7%)\n"
    )
    assert "Total params: 124,439,808" in out


def test_cli_leading_symbolic(capsys):
    code, out, _ = run(capsys, "summary", STACKED, "--leading")
    assert code == 0
    assert out.endswith(
        "Leading term (as u grows): 14*u**2\n"
        "  give every symbol a value (--set) to see the approximation's error\n"
    )


def test_cli_leading_numeric(capsys):
    code, out, _ = run(capsys, "summary", str(EXAMPLES / "mnist_cnn.sc"), "--leading")
    assert code == 0
    assert out.endswith("Leading term: the count is a number (no symbols to grow)\n")


def test_cli_leading_needs_text(capsys):
    code, _, err = run(capsys, "summary", STACKED, "--leading", "--format", "json")
    assert code == 2 and "--leading goes with the text format or --latex" in err


# the user-expression parser -----------------------------------------------------------

CONDITIONS = [
    ("d % h == 0", "==", "Mod(d, h)", "0"),
    ("u in 1..4096", "in", "u", ("1", "4096")),
    ("u in 64..", "in", "u", ("64", None)),
    ("L <= 48", "<=", "L", "48"),
    ("2^k = 4*u", "=", "2**k", "4*u"),
    ("max(a, b) != floor(c / 2)", "!=", "Max(a, b)", "floor(c/2)"),
]


@pytest.mark.parametrize(("text", "op", "left", "right"), CONDITIONS)
def test_conditions(text, op, left, right):
    c = userexpr.parse_condition(text)
    assert c.op == op
    assert str(userexpr.to_value(c.left)) == left
    if op == "in":
        lo, hi = c.right
        got = (str(userexpr.to_value(lo)), None if hi is None else str(userexpr.to_value(hi)))
        assert got == right
    else:
        assert str(userexpr.to_value(c.right)) == right


CONDITION_ERRORS = [
    ("", "is empty"),
    ("d %", "expected a number, a name or '(', found the end"),
    ("d h", "expected a comparison"),
    ("u in 1", "expected '..', found the end"),
    ("(u == 1", "expected ')', found '=='"),
    ("u == 1)", "unexpected ')' (column 7)"),
    ("u == __class__.x", "unexpected character '.' (column 15)"),
    ("open(1) == 1", "unknown function 'open'"),
    ("floor(1, 2) == 1", "floor() takes one argument"),
    ("u == " + "9" * 70, "number too large (limit 10**60)"),
    ("u == " + "(" * 200 + "1" + ")" * 200, "nested deeper than 100"),
    ("x" * 3000, "the limit is 2,000"),
]


@pytest.mark.parametrize(("text", "message"), CONDITION_ERRORS)
def test_condition_errors(text, message):
    with pytest.raises(ArgumentError) as e:
        userexpr.parse_condition(text)
    assert message in str(e.value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="uvd0123456789 +-*/%^().=<>!,in_floorceilmax", max_size=40))
def test_conditions_never_crash(text):
    """Any text is a condition or one ArgumentError; nothing else escapes."""
    try:
        c = userexpr.parse_condition(text)
    except ArgumentError:
        return
    for node in [c.left, *(c.right if c.op == "in" else [c.right])]:
        if node is not None:
            with contextlib.suppress(ArgumentError):
                userexpr.to_value(node)


@settings(max_examples=100, deadline=None)
@given(st.integers(-(10**6), 10**6), st.integers(1, 10**6), st.integers(0, 5))
def test_expressions_evaluate_exactly(a, b, e):
    text = f"({a}) * {b} // 7 + {a} % {b} - {b}**{e} + {a}/{b}"
    want = Fraction(a * b // 7 + a % b - b**e) + Fraction(a, b)
    assert Fraction(userexpr.to_value(userexpr.parse_expr(text))) == want


# bounded time ------------------------------------------------------------------------


def test_time_limit_interrupts():
    t = time.perf_counter()
    with pytest.raises(timelimit.Timeout), timelimit.time_limit(0.2):
        while True:
            pass
    assert time.perf_counter() - t < 2


def test_deadline_is_cooperative():
    d = timelimit.Deadline(0.0)
    time.sleep(0.01)
    with pytest.raises(timelimit.Timeout):
        d.check()
    assert timelimit.Deadline(None).left() is None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_rewrite_limit_is_an_error(monkeypatch):
    monkeypatch.setattr(algebra, "TIME_LIMIT", 0.05)
    text = "input(d) -> " + " -> ".join(f"Dense(u{i})" for i in range(90))
    m = symcount.parse(text)
    t = time.perf_counter()
    with pytest.raises(SymcountError, match="simplify did not finish within"):
        m.simplify()
    assert time.perf_counter() - t < 3


def test_leading_of_gpt2():
    """The issue's example: GPT-2's count is dominated by 12*L*d**2."""
    m = symcount.load(EXAMPLES / "gpt2.sc")
    assert str(m.leading()) == "12*L*d**2"
    values = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}
    r = algebra.leading_report(m, values)
    assert r["exact"] == 124_439_808 and r["approx"] == 12 * 12 * 768**2
    assert round(r["relative_error"], 4) == -0.3175


def test_time_limit_leaves_no_alarm_behind():
    """After the block, finished or timed out, no alarm is armed and the old
    handler is back: no Timeout can surface later."""
    import signal

    before = signal.getsignal(signal.SIGALRM)
    for i in range(20):  # around the moment the alarm fires (0.05 s after the limit)
        with contextlib.suppress(timelimit.Timeout), timelimit.time_limit(0.001):
            time.sleep(0.045 + 0.001 * (i % 10))
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) == before
    time.sleep(0.2)  # a stray repeating alarm would raise here


def test_cli_leading_that_cannot_be_ordered(capsys):
    code, out, _ = run(capsys, "summary", "-e", "input(3) -> Dense(u % 7 + 1)", "--leading")
    assert code == 0 and "│ dense (Dense)" in out
    assert out.endswith(
        "Leading term: none (the count has terms whose growth symcount cannot order "
        "(min, max or a remainder))\n"
    )


def test_a_long_chain_of_powers_is_refused_not_a_traceback(capsys):
    code, out, err = run(capsys, "summary", TRANSFORMER, "--let", "d=" + "h**" * 600 + "h")
    assert code == 2 and out == ""
    assert err.startswith(f"{TRANSFORMER}: argument error: --let d= 'h**h**")
    assert "nested deeper than 100" in err and "Traceback" not in err
    assert len(err) < 400  # the option's text is shortened in the message
