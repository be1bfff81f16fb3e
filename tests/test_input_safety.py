"""Issue 10, the input side: no text given through the API reaches SymPy, no
pickle is loaded from a place another user could write, no read is unbounded."""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

import symcount
from symcount import dims as D
from symcount.errors import ArgumentError, LimitError
from symcount.language import syntax

ROOT = Path(__file__).resolve().parent.parent
EVIL = "__import__('os').system('echo PWNED')"


@pytest.fixture
def no_text_to_sympy(monkeypatch):
    """Fail the test if SymPy is asked to read text: sympify(str) is where
    text becomes code (it parses with parse_expr, which evals)."""
    import sympy.parsing.sympy_parser as sympy_parser

    real = sympy.sympify

    def sympify(a, *args, **kw):
        assert not isinstance(a, str), f"text reached sympify: {a!r}"
        return real(a, *args, **kw)

    def parse_expr(s, *args, **kw):
        raise AssertionError(f"text reached parse_expr: {s!r}")

    monkeypatch.setattr(sympy, "sympify", sympify)
    monkeypatch.setattr(sys.modules["sympy.core.sympify"], "sympify", sympify)
    monkeypatch.setattr(sympy_parser, "parse_expr", parse_expr)


BAD_VALUES = [
    (EVIL, "a str"),
    ("64", "a str"),
    (2.5, "a float"),
    (64.0, "a float"),
    (Fraction(64), "a Fraction"),
    ([64], "a list"),
    ((64,), "a tuple"),
    (None, "a NoneType"),
    (True, "a bool"),
    (b"64", "a bytes"),
    (sympy.Float(64), "a SymPy object symcount did not build"),
    (sympy.Rational(1, 2), "a SymPy object symcount did not build"),
    (sympy.Symbol("h"), "a SymPy object symcount did not build"),  # not a size symbol
    (sympy.Function("f")(D.symbol("h")), "a SymPy object symcount did not build"),
    (sympy.true, "a SymPy object symcount did not build"),
]


@pytest.mark.parametrize(("value", "kind"), BAD_VALUES, ids=[repr(v) for v, _ in BAD_VALUES])
def test_subs_takes_no_text_nor_other_values(no_text_to_sympy, value, kind):
    model = symcount.parse("input(max(u, 3)) -> Dense(2)")
    with pytest.raises(ArgumentError) as e:
        model.subs(u=value)
    assert e.value.message.startswith("the value of u must be an integer")
    assert e.value.message.endswith(f"({kind})")


@pytest.mark.parametrize(
    ("value", "kind"), BAD_VALUES[:10], ids=[repr(v) for v, _ in BAD_VALUES[:10]]
)
def test_parse_values_and_solve_values_take_only_integers(no_text_to_sympy, value, kind):
    with pytest.raises(ArgumentError, match=r"the value of u must be an integer, not .*\(" + kind):
        symcount.parse("input(max(u, 3)) -> Dense(2)", values={"u": value})
    model = symcount.parse("input(u) -> Dense(v)")
    with pytest.raises(ArgumentError, match=r"the value of u must be an integer, not "):
        model.solve("v", params=40, values={"u": value})


def test_the_shell_command_of_the_issue_never_runs(tmp_path):
    marker = tmp_path / "ran"
    code = f"""
import symcount
m = symcount.parse("input(max(u, 3)) -> Dense(2)")
try:
    m.subs(u="__import__('os').system('touch {marker}')")
except symcount.SymcountError as e:
    print(e.message)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "must be an integer" in out.stdout
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "total"),
    [
        (64, 130),
        (sympy.Integer(64), 130),
        (2, 8),  # max(2, 3) = 3
    ],
)
def test_subs_takes_ints_and_sympy_integers(no_text_to_sympy, value, total):
    assert symcount.parse("input(max(u, 3)) -> Dense(2)").subs(u=value).total == total


def test_subs_takes_expressions_of_symcount_symbols(no_text_to_sympy):
    h = D.symbol("h")
    m = symcount.parse("input(u) -> Dense(2)").subs(u=2 * h + 1)
    assert m.total == 2 * (2 * h + 1) + 2
    assert m.subs(h=3).total == 16


@pytest.mark.parametrize(
    ("value", "words"), [(0, "positive"), (-3, "positive"), (10**61, "10**60")]
)
def test_subs_numbers_out_of_range(value, words):
    with pytest.raises(ArgumentError, match=re.escape(words)):
        symcount.parse("input(u) -> Dense(2)").subs(u=value)


def test_subs_names_must_be_names():
    with pytest.raises(ArgumentError, match="not a symbol name"):
        symcount.parse("input(u) -> Dense(2)").subs({D.symbol("u"): 3})


def test_the_api_paths_from_text_to_sympy_are_the_language(no_text_to_sympy):
    """Every documented way of giving text (a model, --let text) is parsed
    by symcount's grammar, never by SymPy."""
    m = symcount.parse("input(t, f) -> LSTM(u) -> Dense(max(u, 3))")
    assert m.subs(u=8, f=2, t=5).total == 4 * (8 * (2 + 8) + 8) + 8 * 8 + 8
    r = m.solve("u", at_most=10_000, values={"f": 2}, let={"t": "2*f"})
    assert r.solutions


# the parser's tables -----------------------------------------------------------


def test_the_prebuilt_tables_are_current():
    """grammar/tables.py is regenerated with the grammar (python tools/build_parser_tables.py)."""
    from symcount.grammar import tables

    assert syntax.tables_key() == tables.KEY
    assert syntax._parser().parser.parser is not None
    assert not hasattr(syntax._parser(), "grammar")  # loaded from the tables, not built


def test_the_loaded_parser_parses_as_the_built_one():
    built = syntax.lark_parser()
    for path in sorted((ROOT / "examples").glob("*.sc")):
        text = path.read_text("utf-8")
        assert syntax._parser().parse(text) == built.parse(text), path.name


def _lark_cache_path(tmpdir: str) -> str:
    """Where lark's cache=True read with the options symcount gave it before
    (lark/lark.py: the temp dir, the user name, a hash of the grammar, the
    options as given but postlex, lark's version and Python's)."""
    import getpass

    import lark

    given = {
        "parser": "lalr",
        "lexer": "basic",
        "propagate_positions": True,
        "maybe_placeholders": True,
        "cache": True,
    }
    options_str = "".join(k + str(v) for k, v in given.items())
    s = syntax.grammar_text() + options_str + lark.__version__ + str(sys.version_info[:2])
    digest = hashlib.sha256(s.encode("utf8")).hexdigest()
    py = f"{sys.version_info[0]}_{sys.version_info[1]}"
    return f"{tmpdir}/.lark_cache_{getpass.getuser()}_{digest}_{py}.tmp"


def test_the_old_cache_path_is_where_lark_would_read(tmp_path, monkeypatch):
    """The planted file below sits where the old code looked."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    syntax._build(cache=True)  # the old code's parser, with lark's cache
    assert [str(p) for p in tmp_path.iterdir()] == [_lark_cache_path(str(tmp_path))]


class _Plant:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['PLANT_MARKER']}",))


def test_a_pickle_planted_in_the_temp_dir_is_never_loaded(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    marker = tmp_path / "planted-code-ran"
    os.environ["PLANT_MARKER"] = str(marker)
    try:
        payload = pickle.dumps(_Plant())
    finally:
        del os.environ["PLANT_MARKER"]
    # the planted file at the old path, and at every name lark could choose
    names = {Path(_lark_cache_path(str(tmpdir))).name, ".lark_cache_x.tmp"}
    for name in names:
        (tmpdir / name).write_bytes(b"\n" + payload + payload)
    env = {**os.environ, "TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir)}
    out = subprocess.run(
        [sys.executable, "-m", "symcount", "summary", str(ROOT / "examples" / "mnist_cnn.sc")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert "Total params" in out.stdout
    assert not marker.exists()
    assert sorted(p.name for p in tmpdir.iterdir()) == sorted(names)  # nothing written either
    assert tempfile.gettempdir() != str(tmpdir)


def test_no_lark_cache_option_anywhere():
    for path in (ROOT / "symcount").rglob("*.py"):
        assert "cache=True" not in path.read_text("utf-8"), path


# bounded reads -------------------------------------------------------------------


def _run(*args, stdin=None, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "symcount", *args],
        stdin=stdin,
        capture_output=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    "command",
    [["summary"], ["explain"], ["solve", "--params", "9"], ["plot", "--vary", "u=1..9"], ["diff"]],
)
def test_dev_zero_is_read_to_the_limit_then_refused(command):
    out = _run(*command, "/dev/zero")
    assert out.returncode == 2
    err = out.stderr.decode()
    assert "limit" in err and "Traceback" not in err, err
    assert err.count("\n") <= 3


def test_an_endless_stdin_is_read_to_the_limit_then_refused():
    yes = subprocess.Popen(["yes", "Dense(3)"], stdout=subprocess.PIPE)
    try:
        out = _run("summary", "-", stdin=yes.stdout)
    finally:
        yes.kill()
        yes.wait()
    assert out.returncode == 2
    err = out.stderr.decode()
    assert "<stdin>" in err and "limit" in err and "Traceback" not in err, err


def test_load_reads_at_most_the_limit(tmp_path):
    big = tmp_path / "big.sc"
    big.write_bytes(b"#" * (syntax.MAX_SOURCE_BYTES + 10))
    with pytest.raises(LimitError, match="bytes"):
        symcount.load(big)
    with pytest.raises(LimitError):
        symcount.load("/dev/zero")


def test_a_file_at_the_limit_is_read():
    from symcount.api import read_source

    with tempfile.NamedTemporaryFile() as f:
        f.write(b"input(3) -> Dense(2)\n" + b"#" * (syntax.MAX_SOURCE_BYTES - 21))
        f.flush()
        assert len(read_source(f.name)) == syntax.MAX_SOURCE_BYTES


def test_stale_tables_are_not_used(monkeypatch):
    """Tables of another grammar (edited without regenerating them) are
    ignored: the parser is built from the grammar, correct if slower."""
    from symcount.grammar import tables

    monkeypatch.setattr(tables, "KEY", "stale")
    syntax._parser.cache_clear()
    try:
        parser = syntax._parser()
        assert hasattr(parser, "grammar")  # built, not loaded
        assert symcount.parse("input(3) -> Dense(2)").total == 8
    finally:
        monkeypatch.undo()
        syntax._parser.cache_clear()
    assert not hasattr(syntax._parser(), "grammar")


def test_the_limits_page_session_runs_as_shown():
    """docs/limits.md's Python session is a doctest."""
    import doctest

    text = (ROOT / "docs" / "limits.md").read_text("utf-8")
    session = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    test = doctest.DocTestParser().get_doctest(
        "\n".join(line.removeprefix("  ") for line in session.splitlines()),
        {},
        "limits.md",
        "docs/limits.md",
        0,
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False) == (0, 4)
