"""``symcount solve`` and ``Model.solve``: exact targets, nearest values,
budgets, constraints, several unknowns, bounded time."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import cli
from symcount.analysis.solve import Solution, SolveResult
from symcount.errors import ArgumentError, SolveError, SymcountError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
STACKED = str(EXAMPLES / "stacked_lstm_symbolic.sc")
TRANSFORMER = str(EXAMPLES / "transformer_symbolic.sc")
GPT = ["--set", "L=24", "--set", "h=12", "--set", "V=50257", "--set", "T=1024"]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# golden CLI outputs: one row per case -----------------------------------------------------

GOLDEN = [
    ("solve_exact.txt", [STACKED, "--params", "59910", "--for", "u"]),
    ("solve_nearest.txt", [STACKED, "--params", "60000", "--for", "u"]),
    ("solve_at_most.txt", [STACKED, "--at-most", "1M", "--for", "u"]),
    ("solve_at_least.txt", [STACKED, "--at-least", "1_000_000"]),
    ("solve_multiple_of.txt", [STACKED, "--at-most", "1M", "--for", "u", "--multiple-of", "64"]),
    ("solve_multiple_of_nearest.txt", [STACKED, "--params", "59,910", "--multiple-of", "48"]),
    ("solve_range.txt", [STACKED, "--params", "59910", "--where", "u in 65..100"]),
    (
        "solve_transformer.txt",
        [
            TRANSFORMER,
            "--at-most",
            "1B",
            "--for",
            "d",
            *GPT,
            "--multiple-of",
            "128",
            "--where",
            "d % h == 0",
        ],
    ),
    (
        "solve_transformer_heads.txt",
        [
            TRANSFORMER,
            "--at-most",
            "1B",
            "--for",
            "d,h",
            "--multiple-of",
            "d=128",
            "--set",
            "L=24",
            "--set",
            "V=50257",
            "--set",
            "T=1024",
            "--where",
            "d % h == 0",
            "--where",
            "h in 8..16",
        ],
    ),
    (
        "solve_transformer_let.txt",
        [
            TRANSFORMER,
            "--at-most",
            "1B",
            "--for",
            "d,L",
            "--let",
            "d=64*h",
            "--set",
            "V=50257",
            "--set",
            "T=1024",
            "--where",
            "L in 12..16",
        ],
    ),
]


@pytest.mark.parametrize(("name", "argv"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_cli_golden(capsys, golden, name, argv):
    code, out, err = run(capsys, "solve", *argv)
    assert code == 0 and err == ""
    golden(name, out)


def test_done_when_u_is_64(capsys):
    """The issue's own example: 59,910 parameters give u = 64."""
    code, out, _ = run(capsys, "solve", STACKED, "--params", "59910", "--for", "u")
    assert code == 0
    assert "\n  u = 64  59,910  exact\n" in out


def test_transformer_fits_1b_with_multiples():
    m = symcount.load(TRANSFORMER, values={"L": 24, "h": 12, "V": 50257, "T": 1024})
    r = m.solve("d", at_most=10**9, values={"h": 12}, multiple_of=128, where=["d % h == 0"])
    (s,) = r.solutions
    assert s.values == {"d": 1536} and s.values["d"] % 384 == 0
    assert s.count == 288 * 1536**2 + 51595 * 1536 <= 10**9
    # the next multiple of lcm(128, 12) = 384 passes the budget
    assert (
        symcount.load(
            TRANSFORMER, values={"L": 24, "h": 12, "V": 50257, "T": 1024, "d": 1920}
        ).total
        > 10**9
    )


def test_cli_json(capsys):
    code, out, _ = run(capsys, "solve", STACKED, "--params", "60000", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "count": "total params",
        "expression": "14*u**2 + 40*u + 6",
        "unknowns": ["u"],
        "target": 60000,
        "mode": "exact",
        "constraints": [],
        "implied": [],
        "exact": False,
        "complete": True,
        "solutions": [
            {"values": {"u": 64}, "count": 59910, "distance": -90, "kind": "below"},
            {"values": {"u": 65}, "count": 61756, "distance": 1756, "kind": "above"},
        ],
        "notes": [],
    }


# the API: one row per case -----------------------------------------------------------

LSTM2 = "input(100, 6) -> LSTM(u, return_sequences=true) -> LSTM(u) -> Dense(6)"
CONV_K = "input(64, 64, 3) -> Conv2D(8, k) -> Flatten -> Dense(10)"  # not monotonic in k
CONV_S = "input(64, 64, 3) -> Conv2D(8, 3, strides=s) -> Flatten -> Dense(10)"  # decreasing
POOL = "input(n, n, 3) -> Conv2D(8, 3, strides=2) -> Flatten -> Dense(10)"  # floors, growing
API = [
    # model, unknowns, kwargs, [(values, count, distance)]
    (LSTM2, "u", {"params": 12 * 64**2 + 38 * 64 + 6}, [({"u": 64}, 51590, 0)]),
    (LSTM2, "u", {"params": 51591}, [({"u": 64}, 51590, -1), ({"u": 65}, 53176, 1585)]),
    (LSTM2, None, {"at_most": 51589}, [({"u": 63}, 50028, -1561)]),
    (LSTM2, "u", {"at_least": 51591}, [({"u": 65}, 53176, 1585)]),
    (LSTM2, "u", {"at_most": 10**6, "multiple_of": 32}, [({"u": 256}, 796166, -203834)]),
    (LSTM2, "u", {"params": 5, "where": ["u in 1..4096"]}, [({"u": 1}, 56, 51)]),
    (LSTM2, "u", {"at_most": 5}, []),
    (
        LSTM2,
        "u",
        {"at_most": 10**6, "where": ["u % 10 == 3", "u <= 100"]},
        [({"u": 93}, 107_328, -892_672)],
    ),
    # non-monotonic: a kernel trades conv weights against the Dense after Flatten
    (CONV_K, "k", {"params": 198_242}, [({"k": 16}, 198_242, 0)]),  # k = 84 > 64 too
    (CONV_K, "k", {"at_most": 100_000}, [({"k": 64}, 98_402, -1_598)]),
    # strides: the count falls as s grows, in steps (floor(61/s)); equal counts
    # give the largest value under a ceiling, the smallest over a floor
    (CONV_S, "s", {"at_most": 1000}, [({"s": 30}, 954, -46)]),
    (CONV_S, "s", {"at_least": 1000}, [({"s": 16}, 1_514, 514)]),
    (POOL, "n", {"params": 200_000}, [({"n": 101}, 200_234, 234), ({"n": 100}, 192_314, -7_686)]),
]


@pytest.mark.parametrize(("text", "unknowns", "kw", "expected"), API)
def test_api(text, unknowns, kw, expected):
    r = symcount.parse(text).solve(unknowns, **kw)
    assert isinstance(r, SolveResult)
    got = [(s.values, s.count, s.distance) for s in r.solutions]
    assert got == expected
    for s in r.solutions:
        assert isinstance(s, Solution)
        assert s.kind == ("exact" if s.distance == 0 else "below" if s.distance < 0 else "above")
        # independent check: the model evaluated again with the values counts the same
        assert symcount.parse(text, values=s.values).total == s.count


def test_plateau_lists_every_solution():
    """With floors a count can be flat: every stride from 21 to 30 gives 954."""
    r = symcount.parse(CONV_S).solve("s", params=954)
    assert [s.values["s"] for s in r.solutions] == list(range(21, 31))
    assert r.complete and r.found == 10
    r = symcount.parse(CONV_S).solve("s", params=954, limit=3)
    assert [s.values["s"] for s in r.solutions] == [21, 22, 23] and not r.complete


def test_kernel_never_outgrows_its_input():
    """Sizes must stay positive: k is searched in 1..64 only."""
    r = symcount.parse(CONV_K).solve("k", at_least=10**9)
    assert r.solutions == []
    r = symcount.parse(CONV_K).solve("k", at_least=300_000)
    assert [(s.values, s.count) for s in r.solutions] == [({"k": 3}, 307_754)]


def test_divisibility_by_another_unknown():
    m = symcount.load(TRANSFORMER, values={"L": 24, "V": 50257, "T": 1024})
    r = m.solve("d,h", at_most=10**9, multiple_of={"d": 128}, where=["d % h == 0", "h in 8..16"])
    assert all(s.values["d"] % s.values["h"] == 0 and s.values["d"] % 128 == 0 for s in r.solutions)
    assert [s.distance for s in r.solutions] == sorted(s.distance for s in r.solutions)[::-1]
    assert {s.values["h"] for s in r.solutions} == {8, 9, 10, 11, 12, 13, 14, 16}  # 15: none fits


def test_relation_solves_through_its_symbols():
    m = symcount.load(TRANSFORMER, values={"V": 50257, "T": 1024, "L": 12})
    r = m.solve("d", params=124_439_808, let={"d": "64*h"})
    assert [s.values for s in r.solutions] == [{"h": 12, "d": 768}]
    assert r.notes == ["d is given by d = 64*h: solving for h"]


def test_trainable_count():
    text = "input(10) -> Dense(u) -> BatchNormalization -> Dense(1)"
    r = symcount.parse(text).solve("u", params=70, of="non_trainable")
    assert [s.values for s in r.solutions] == [{"u": 35}]


# mistakes: one message, exit 2 -------------------------------------------------------------

ERRORS = [
    ([STACKED, "--params", "10"], 0, None),  # fine: nothing fits exactly, the nearest is shown
    (
        [STACKED, "--params", "10", "--for", "v"],
        2,
        "v is not a symbol of the model; its symbols are u",
    ),
    ([STACKED, "--params", "10", "--at-most", "5"], 2, "not allowed with argument"),
    ([STACKED, "--for", "u"], 2, "one of the arguments --params --at-most --at-least is required"),
    ([STACKED, "--params", "ten"], 2, "'ten' is not a count"),
    ([STACKED, "--params", "1.5"], 2, "not a whole number of parameters"),
    ([STACKED, "--params", "9", "--multiple-of", "0"], 2, "the multiple must be positive"),
    ([STACKED, "--params", "9", "--where", "u in 9..3"], 2, "the range is empty"),
    ([STACKED, "--params", "9", "--where", "u % 2"], 2, "expected a comparison"),
    (  # a range on a symbol given a value is checked, as 'L <= 10' is
        [TRANSFORMER, "--at-most", "1B", "--for", "d", *GPT, "--where", "L in 1..10"],
        2,
        "--where 'L in 1..10' is false for the values given",
    ),
    (
        [STACKED, "--params", "9", "--where", "u % 0 == 1"],
        2,
        "--where 'u % 0 == 1': division by zero",
    ),
    (
        [STACKED, "--params", "9", "--where", "u in 1..10**100**100"],
        2,
        "--where 'u in 1..10**100**100': number too large (limit 10**60)",
    ),
    (
        [STACKED, "--params", "9", "--where", "u == x"],
        2,
        "x is neither solved for nor given a value",
    ),
    ([STACKED, "--params", "9", "--set", "u=3"], 2, "the total params is a number (252)"),
    ([TRANSFORMER, "--params", "9", "--for", "d"], 2, "the total params also depends on L, T, V"),
    ([TRANSFORMER, "--params", "9"], 2, "depends on L, T, V, d: say which to solve for"),
    ([TRANSFORMER, "--params", "9", "--for", "d,L", *GPT[4:]], 2, "all but one need a range"),
    ([STACKED, "--params", "9", "--timeout", "0"], 2, "give between 0 and 3600 seconds"),
    ([STACKED, "--params", "9", "--let", "u=2*"], 2, "expected a number, a name or '('"),
]


@pytest.mark.parametrize(("argv", "code", "message"), ERRORS)
def test_cli_errors(capsys, argv, code, message):
    got, out, err = run(capsys, "solve", *argv)
    assert got == code, err
    if message is not None:
        assert message in err and out == ""
        assert "Traceback" not in err


def test_api_errors():
    m = symcount.load(STACKED)
    with pytest.raises(SolveError, match="exactly one target"):
        m.solve("u")
    with pytest.raises(SolveError, match="non-negative integer"):
        m.solve("u", params=-1)
    with pytest.raises(SolveError, match="unknown count"):
        m.solve("u", params=1, of="activations")
    with pytest.raises(ArgumentError, match="is empty"):
        m.solve("u", params=1, where=[""])
    with pytest.raises(SymcountError, match="both given a value and solved for"):
        m.solve("u", params=1, values={"u": 3})


# bounded time ---------------------------------------------------------------------------


def test_timeout_is_a_clear_error(capsys):
    """A non-monotonic count scanned over two million values cannot finish in 0.3 s."""
    text = "input(n, n, 3) -> Conv2D(8, k, strides=2) -> Flatten -> Dense(10)"
    t = time.perf_counter()
    code, out, err = run(
        capsys,
        "solve",
        "-e",
        text,
        "--params",
        "12345",
        "--for",
        "k",
        "--set",
        "n=2000000",
        "--timeout",
        "0.3",
    )
    elapsed = time.perf_counter() - t
    assert code == 2 and out == ""
    assert "no answer within 0.3 s" in err and "--timeout" in err
    assert elapsed < 3


def test_unbounded_scan_asks_for_a_range():
    text = "input(n, n, 3) -> Conv2D(8, k, strides=2) -> Flatten -> Dense(10)"
    with pytest.raises(SolveError, match="not monotonic in k, and its range has"):
        symcount.parse(text, values={"n": 10**7}).solve("k", params=5)


# against brute force ----------------------------------------------------------------------

SMALL = [
    "input(20, 20, 1) -> Conv2D(4, k) -> Flatten -> Dense(3)",
    "input(30, 30, 2) -> Conv2D(4, 3, strides=s) -> Flatten -> Dense(2)",
    "input(t, 5) -> LSTM(u) -> Dense(3)",
    "input(n, n, 1) -> MaxPooling2D(2) -> Conv2D(2, 3, padding=same) -> Flatten -> Dense(2)",
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(SMALL), st.integers(0, 4000), st.sampled_from(["params", "at_most", "at_least"])
)
def test_against_brute_force(text, target, mode):
    m = symcount.parse(text)
    (name,) = [s for s in m.symbols if s != "t"]
    r = m.solve(name, **{mode: target}, where=[f"{name} in 1..120"])
    counts = {}
    for v in range(1, 121):
        with contextlib.suppress(SymcountError):  # a size would not be positive
            counts[v] = symcount.parse(text, values={name: v}).total
    got = [(s.values[name], s.count) for s in r.solutions]
    if mode == "params":
        exact = sorted(v for v, c in counts.items() if c == target)
        if exact:
            assert [v for v, _ in got] == exact[: len(got)] and r.found == len(exact)
            return
        below = [c for c in counts.values() if c < target]
        above = [c for c in counts.values() if c > target]
        want = sorted({max(below, default=None), min(above, default=None)} - {None})
        assert sorted(c for _, c in got) == want
    elif mode == "at_most":
        fits = [c for c in counts.values() if c <= target]
        assert [c for _, c in got] == ([max(fits)] if fits else [])
        if fits:
            assert got[0][0] == max(v for v, c in counts.items() if c == max(fits))
    else:
        fits = [c for c in counts.values() if c >= target]
        assert [c for _, c in got] == ([min(fits)] if fits else [])
        if fits:
            assert got[0][0] == min(v for v, c in counts.items() if c == min(fits))


# the pieces of the search -----------------------------------------------------------------

MONOTONE = [
    # expression in u (and n), direction: +1 grows, -1 falls, 0 unknown
    ("4*u*(f + u + 1)", 1),
    ("floor((n - u) / 2) + 1", -1),
    ("(floor((n - u) / 2) + 1)**2", 0),  # the base may go negative: not known
    ("max(u, 5) * 3", 1),
    ("min(64 - u, 3)", -1),
    ("u % 7", 0),
    ("24*u**2 + 80*(65 - u)**2", 0),
    ("8*(floor(61/u) + 1)**2 + 78", -1),
    ("7", 1),  # constant: either direction is right
]


@pytest.mark.parametrize(("text", "direction"), MONOTONE)
def test_monotone_directions(text, direction):
    from symcount import dims as D
    from symcount.analysis.solve import _monotone
    from symcount.language import userexpr

    e = userexpr.to_value(userexpr.parse_expr(text))
    got = _monotone(e, D.symbol("u")) if D.is_symbolic(e) else 1
    assert got == direction
    if direction:  # check it on the integers
        from symcount.exact import compile_exact

        names = sorted(s.name for s in getattr(e, "free_symbols", ()))
        f = compile_exact(e, names)
        at = {"n": 40, "f": 3}
        vals = [f(*[at.get(n, u) for n in names]) for u in range(1, 40)]
        steps = [b - a for a, b in itertools.pairwise(vals)]
        assert all(s * direction >= 0 for s in steps)


def test_exact_evaluation_never_rounds():
    from symcount import dims as D
    from symcount.exact import compile_exact

    u = D.symbol("u")
    e = D.sp().floor((10**15 * u + 1) / 3) * u + D.sp().ceiling(u / 7)
    f = compile_exact(e, ["u"])
    for x in [1, 7, 10**6 + 3, 10**12 + 1]:
        assert f(x) == ((10**15 * x + 1) // 3) * x + -(-x // 7)


def test_two_unknowns_exact_lists_only_solutions():
    """GPT-2 small's count pins down its width and depth: d = 768, L = 12 only."""
    m = symcount.load(TRANSFORMER, values={"V": 50257, "T": 1024})
    r = m.solve("d,L", params=124_439_808, where=["L in 1..48"])
    assert [(s.values, s.kind) for s in r.solutions] == [({"d": 768, "L": 12}, "exact")]
    assert r.found == 1 and r.complete


def test_help(capsys):
    """--help prints (argparse %-formats help strings: a bare % would crash it)."""
    with pytest.raises(SystemExit) as e:
        cli.build_parser().parse_args(["solve", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--where CONDITION" in out and "'d % h == 0'" in out and "--timeout SECONDS" in out
    assert run(capsys, "solve", "--help")[0] == 0


def test_a_mistake_in_where_shows_the_condition_with_a_caret(capsys):
    got, out, err = run(capsys, "solve", STACKED, "--params", "9", "--where", "u % $ 2")
    assert got == 2 and out == ""
    assert err.splitlines() == [
        f"{STACKED}: argument error: --where 'u % $ 2': unexpected character '$' (column 5)",
        "    u % $ 2",
        "        ^",
    ]


GPT2 = str(ROOT / "examples" / "gpt2.sc")
GPT2_SETS = ["--set", "L=24", "--set", "V=50257", "--set", "T=1024"]


def test_the_divisibility_solve_adds_is_printed_and_in_json(capsys):
    # issue 14: with h = 16, d = 1017 is nearer than 1008 but d/16 is no whole key_dim
    argv = ["solve", GPT2, "--params", "350M", "--for", "d", *GPT2_SETS, "--set", "h=16"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert out.splitlines()[2:6] == [
        "constraint: d % 16 == 0 (the key_dim of multi_head_attention is d/16)",
        "no exact solution; the nearest on each side:",
        "  d = 1024  354,823,168  4,823,168 above",
        "  d = 1008  344,634,192  5,365,808 below",
    ]
    code, out, _ = run(capsys, *argv, "--format", "json")
    d = json.loads(out)
    assert d["implied"] == [
        {
            "constraint": "d % 16 == 0",
            "size": "d/16",
            "layer": "multi_head_attention",
            "what": "key_dim",
        }
    ]
    # one head: the key_dim is d itself, nothing is added, and 1016/1017 are the answer
    code, out, _ = run(capsys, *argv[:-1], "h=1", "--format", "json")
    d = json.loads(out)
    assert d["implied"] == []
    assert [s["values"]["d"] for s in d["solutions"]] == [1016, 1017]


@pytest.mark.parametrize(
    "text, args, implied",
    [
        # a kernel within its input: T - 4 >= 1; Flatten's 8*(T - 4) adds nothing more
        (
            "input(T, 6) -> Conv1D(8, 5) -> Flatten -> Dense(4)",
            ["--for", "T"],
            ["T - 4 a positive integer"],
        ),
        # 4*u, u + 1: any positive u gives them, so nothing is added
        ("input(6) -> Dense(4 * u) -> Dense(u + 1)", ["--for", "u"], []),
        # two unknowns: d % h == 0
        (
            "input(T, d) -> MultiHeadAttention(num_heads=h, key_dim=d / h)",
            ["--for", "d,h", "--where", "h in 1..4", "--set", "T=8"],
            ["d % h == 0"],
        ),
    ],
)
def test_implied_constraints(capsys, text, args, implied):
    code, out, _ = run(capsys, "solve", "-e", text, "--params", "2000", *args, "--format", "json")
    assert code == 0, out
    assert [c["constraint"] for c in json.loads(out)["implied"]] == implied


def test_many_implied_constraints_are_cut_in_the_text_and_all_in_json(capsys):
    text = "input(H, 3)" + " -> Conv1D(4, 3)" * 8 + " -> Flatten -> Dense(2)"
    argv = ["solve", "-e", text, "--params", "5000", "--for", "H"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    lines = [x for x in out.splitlines() if x.startswith("constraint:")]
    assert lines == [
        "constraint: H - 2 a positive integer (the output shape of conv1d is H - 2)",
        "constraint: H - 4 a positive integer (the output shape of conv1d_1 is H - 4)",
        "constraint: H - 6 a positive integer (the output shape of conv1d_2 is H - 6)",
        "constraint: H - 8 a positive integer (the output shape of conv1d_3 is H - 8)",
        "constraint: H - 10 a positive integer (the output shape of conv1d_4 is H - 10)",
        "constraint: and 3 more sizes of the model (--format json lists them)",
    ]
    code, out, _ = run(capsys, *argv, "--format", "json")
    implied = json.loads(out)["implied"]
    assert [c["size"] for c in implied] == [f"H - {2 * k}" for k in range(1, 9)]
