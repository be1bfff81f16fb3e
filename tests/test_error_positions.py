"""Issue 10: every user error carries a line, a column and a caret under the
culprit, placed by what a terminal shows; lines are the language's lines; no
control character reaches the terminal from an error; names hold none; one
magnitude limit for numbers written and computed."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symcount
from symcount.cli import main
from symcount.errors import LimitError, SymcountError, SyntaxError_, source_lines

HEAD = re.compile(r"<expr>:(\d+):(\d+): [a-z ]+: ")


def cli(*argv, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def under_caret(excerpt: str, caret: str) -> str:
    """The characters of the excerpt line that the carets sit under, as a
    terminal lays them out (wide characters take two columns)."""
    start = len(caret) - len(caret.lstrip(" "))
    n = len(caret.strip())
    assert caret.strip() == "^" * n and n >= 1, caret
    col, out = 0, ""
    for ch in excerpt:
        if start <= col < start + n:
            out += ch
        col += width(ch)
    return out


def positioned(err: str) -> tuple[int, int, str]:
    """(line, column, what the caret is under) of a CLI error: one head line
    with the position, the source line, the caret line."""
    lines = err.split("\n")
    m = HEAD.match(lines[0])
    assert m, err
    assert "Traceback" not in err
    return int(m.group(1)), int(m.group(2)), under_caret(lines[1], lines[2])


# (source, line, column, the text the caret is under: escapes as shown)
BAD = [
    ("input(3) -> Dense", 1, 13, "Dense"),
    ("input(3) -> Dense()", 1, 13, "Dense()"),
    ("input(3, 3, 3) -> Conv2D(3)", 1, 19, "Conv2D(3)"),
    ("input(3) -> Dense(units=)", 1, 25, ")"),
    ("input(3) -> Dense(3, units=4)", 1, 22, "units=4"),
    ("input(3) -> Dense(-3)", 1, 19, "-3"),
    ("input(3) -> Dense(0)", 1, 19, "0"),
    ("input(3) -> Dense(1/2)", 1, 19, "1/2"),
    ("input(3) -> Dense(3, nope=1)", 1, 22, "nope=1"),
    ("input(3) -> Dnse(3)", 1, 13, "Dnse"),
    ("input(3) -> Dense(10**61)", 1, 19, "10**61"),
    ("input(3) -> Dense(2**1000)", 1, 19, "2**1000"),
    ("input(3) -> Dense(3 / 0)", 1, 19, "3 / 0"),
    ("input(3) -> Dense(u ** 2000)", 1, 19, "u ** 2000"),
    ("input(0)", 1, 7, "0"),
    ("input()", 1, 1, "input()"),
    ("input(3, 3) -> Conv2D(3, 5)", 1, 16, "Conv2D(3, 5)"),
    ("input(3, 3, 3) -> Conv2D(3, 5)", 1, 19, "Conv2D(3, 5)"),
    ("input(3) -> LSTM(3)", 1, 13, "LSTM(3)"),
    ("input(3, 4) -> Flatten -> LSTM(3)", 1, 27, "LSTM(3)"),
    ("input(3) -> Reshape((4,))", 1, 13, "Reshape((4,))"),
    ('input(3) -> Dense(3, name="a\x1bb")', 1, 29, "\\x1b"),
    ('input(3) -> Dense(3, name="a\x07b")', 1, 29, "\\x07"),
    ('input(3) -> Dense(3, name="a\x7fb")', 1, 29, "\\x7f"),
    ('input(3) -> Dense(3, name="a\x85b")', 1, 29, "\\x85"),
    ('input(3) -> Dense(3, name="a\u202eb")', 1, 29, "\\u202e"),
    ('input(3) -> Dense(3, name="a\tb")', 1, 29, " "),
    ('input(3) -> Dense(3, name="x") -> Dense(3, name="x")', 1, 44, 'name="x"'),
    ("\ufeffinput(3) -> Dense(", 1, 19, ""),
    ("input(3)\x0c -> Dense(x y)", 1, 22, "y"),
    ("input(3)\x0b -> Dense(x y)", 1, 9, "\\x0b"),
    ("input(3)\x1c\x1d\x1e -> Dense(x y)", 1, 9, "\\x1c"),
    ("input(3)\u2028\u2029 -> Dense(x y)", 1, 9, "\\u2028"),
    ("input(3)\x85 -> Dense(x y)", 1, 9, "\\x85"),
    ("漢字漢字 = input(3)\ninput(3) -> Dense(x y)", 1, 1, "漢"),
    ('input(3) -> Dense("漢字", 漢)', 1, 25, "漢"),
    ("input(3)\t\t-> Dense(x y)", 1, 22, "y"),
    ("input(3) -> Dense(\x1b[31m)", 1, 19, "\\x1b"),
    ("block f(x) { f(x) }\ninput(3) -> f", 2, 13, "f"),
    ("model a\nmodel b\ninput(3)", 2, 1, "model b"),
    ("convention nope\ninput(3)", 1, 12, "nope"),
    ("symbols max\ninput(3)", 1, 1, "symbols max"),
    ("input(3) -> Add()", 1, 13, "Add()"),
    ("input(3) -> x", 1, 13, "x"),
    ("y = input(3)\nz = Dense(3)(q)", 2, 14, "q"),
    ("input(3) -> Dense(3) -> output", 1, 25, "output"),
    ("input(3) -> Dense(3", 1, 20, ""),
    ("input(3) -> Dense(3))", 1, 21, ")"),
    ("input(3) -> -> Dense(3)", 1, 13, "->"),
    ("input(3) -> Dense(3.5)", 1, 19, "3.5"),
    ("input(3) -> Dropout(2)", 1, 21, "2"),
    ("input(3) -> Dense(3, use_bias=3)", 1, 22, "use_bias=3"),
    ("input(3) -> Dense(3, trainable=3)", 1, 22, "trainable=3"),
    ("input(3, 4) -> TimeDistributed(Dense)", 1, 32, "Dense"),
    ("input(3) -> repeat -1 { Dense(3) }", 1, 20, "-1"),
    ("input(3) -> repeat 1/2 { Dense(3) }", 1, 20, "1/2"),
    ("input(3) -> Embedding(10)", 1, 13, "Embedding(10)"),
    ('input(3) -> Dense(3) # ok\n  -> Dense("x")', 2, 12, '"x"'),
    ("input(3) -> Dense(3, kernel_size=3)", 1, 22, "kernel_size=3"),
    ("input(10, 10, 3) -> Conv2D(3, 11)", 1, 21, "Conv2D(3, 11)"),
    ("input(10, 10, 3) -> MaxPooling2D(20)", 1, 21, "MaxPooling2D(20)"),
    ('input(3) -> Dense(3, name="")', 1, 22, 'name=""'),
]


@pytest.mark.parametrize(("text", "line", "column", "culprit"), BAD)
def test_every_mistake_is_positioned_with_a_caret_under_it(text, line, column, culprit):
    code, out, err = cli("summary", "-e", text)
    assert (code, out) == (2, "")
    assert positioned(err) == (line, column, culprit)
    assert not any(unicodedata.category(c) == "Cc" for c in err.replace("\n", ""))


def _nested(opening: str, inner: str, closing: str, n: int = 70) -> str:
    return opening * n + inner + closing * n


LONG = [
    ("input(3) -> " + _nested("repeat 1 { ", "Dense(2)", " }"), "blocks nested deeper than 64"),
    # 2**n layers: refused by the outer repeat before any is made
    ("input(3) -> " + _nested("repeat 2 { ", "Dense(2)", " }"), "more than 200,000 layers"),
    ("input(3) -> " + _nested("residual { ", "Dense(3)", " }"), "blocks nested deeper than 64"),
    ("block f(x) { f(x) }\ninput(3) -> f(3)", "blocks nested deeper than 64"),
    ("input(" + _nested("(", "3", ")", 300) + ")", "brackets nested deeper than 200"),
    ("input(" + "-" * 300 + "3)", "nested too deeply"),
    ("input(" + "2**" * 300 + "1)", "nested too deeply"),
    ("input(" + _nested("floor(", "u", "/2)", 150) + ")", "nested too deeply"),
    ("input(" + "//".join(["u"] * 10_000) + ")", "nested too deeply"),
    ("input(" + "u**2*" * 10_001 + "1)", "nested too deeply"),
    ("input(3) -> Dense(" + "9" * 100 + ")", "number too large (limit 10**60)"),
    ("input(3) -> Dense(" + "*".join(["2"] * 3000) + ")", "number too large (limit 10**60)"),
]


@pytest.mark.parametrize(("text", "words"), LONG, ids=[w + str(i) for i, (_, w) in enumerate(LONG)])
def test_limits_are_positioned(text, words):
    code, _, err = cli("summary", "-e", text)
    assert code == 2, err
    line, column, culprit = positioned(err)
    assert words in err.split("\n")[0]
    assert line >= 1 and column >= 1 and culprit


def test_a_10000_term_sum_is_counted():
    code, out, err = cli("summary", "-e", "input(" + "+".join(["u"] * 10_000) + ") -> Dense(2)")
    assert code == 0, err
    assert "20000*u + 2" in out


# lines and carets ---------------------------------------------------------------


@pytest.mark.parametrize("sep", ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_only_newlines_end_a_line(sep):
    assert source_lines(f"a{sep}b\nc\r\nd\re") == [f"a{sep}b", "c", "d", "e"]
    with pytest.raises(SymcountError) as e:
        symcount.parse(f"# a{sep}b\ninput(3) -> Dense(x y)")
    lines = str(e.value).split("\n")
    assert lines[0].startswith("<input>:2:21: ")
    assert lines[1] == "    input(3) -> Dense(x y)"
    assert under_caret(lines[1], lines[2]) == "y"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_newline_counts_a_line(newline):
    text = newline.join(["model m", "input(3)", "  -> Dense(x y)"])
    with pytest.raises(SymcountError) as e:
        symcount.parse(text)
    lines = str(e.value).split("\n")
    assert lines[0].startswith("<input>:3:14: ")
    assert lines[1] == "      -> Dense(x y)"
    assert under_caret(lines[1], lines[2]) == "y"


@given(st.text(st.sampled_from("漢字ｱ한글\t a1é\u0301"), min_size=0, max_size=12))
def test_the_caret_is_under_the_culprit_after_wide_characters_and_tabs(prefix):
    text = f'x = input(3)  # {prefix}\nx -> Dense(3, name="{prefix}") -> Dense(q r)'
    with pytest.raises(SymcountError) as e:
        symcount.parse(text)
    lines = str(e.value).split("\n")
    assert under_caret(lines[1].replace("\u0301", ""), lines[2]) == "r"


@pytest.mark.parametrize("how", ["api", "-e", "file", "stdin"])
def test_a_byte_order_mark_is_dropped(how, tmp_path):
    text = "\ufeffmodel bom\ninput(3) -> Dense(2)\n"
    if how == "api":
        assert symcount.parse(text).total == 8
        return
    if how == "-e":
        code, out, err = cli("summary", "-e", text, "--format", "csv")
    elif how == "file":
        path = tmp_path / "bom.sc"
        path.write_bytes(text.encode("utf-8"))
        code, out, err = cli("summary", str(path), "--format", "csv")
    else:
        path = tmp_path / "bom.sc"
        path.write_bytes(text.encode("utf-8"))
        with path.open("rb") as f:
            p = subprocess.run(
                [sys.executable, "-m", "symcount", "summary", "-", "--format", "csv"],
                stdin=f,
                capture_output=True,
                text=True,
            )
        code, out, err = p.returncode, p.stdout, p.stderr
    assert code == 0, err
    assert out.splitlines()[1].startswith("dense,Dense,")


def test_a_byte_order_mark_keeps_the_columns():
    with pytest.raises(SymcountError) as e:
        symcount.parse("\ufeffinput(3) -> Dense(x y)")
    assert str(e.value).startswith("<input>:1:21: ")


CONTROLS = [
    chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0x202E, 0x200F]
]


@given(
    st.sampled_from(CONTROLS),
    st.text(st.characters(blacklist_categories=["Cc", "Cs", "Cf", "Zl", "Zp"]), max_size=5),
)
def test_no_control_character_reaches_the_terminal_from_an_error(ch, around):
    """Wherever a control character sits (a name, a comment, the code), the
    error shows it escaped."""
    for text in (
        f"input(3) -> Dense({around}{ch}{around})",
        f"input(3) -> Dense(3, name='{around}{ch}') -> Dense(x y)",
        f"# {around}{ch}\ninput(3) -> Dense(x y)",
    ):
        try:
            symcount.parse(text)
        except SymcountError as e:
            shown = str(e)
            assert not [
                c for c in shown if c != "\n" and unicodedata.category(c) in ("Cc", "Zl", "Zp")
            ]
            assert "\x1b" not in shown and "\r" not in shown


@pytest.mark.parametrize("ch", [c for c in CONTROLS if c not in "\n\r"])
def test_a_name_with_a_control_character_is_refused_at_it(ch):
    for text, column in (
        (f'input(3) -> Dense(3, name="ab{ch}c")', 30),
        (f"input(3, name='ab{ch}c') -> Dense(3)", 18),
    ):
        with pytest.raises(SyntaxError_) as e:
            symcount.parse(text)
        assert "control character" in e.value.message
        assert (e.value.span.line, e.value.span.column) == (1, column)


def test_a_name_with_a_line_break_is_no_name():
    for ch in "\r\n":
        with pytest.raises(SyntaxError_) as e:
            symcount.parse(f'input(3) -> Dense(3, name="ab{ch}c")')
        assert e.value.span is not None


def test_plain_names_are_kept():
    m = symcount.parse('input(3) -> Dense(3, name="漢字 ok-é👩\u200d💻")')
    assert m.rows[0].name == "漢字 ok-é👩\u200d💻"


# one magnitude limit -------------------------------------------------------------


@given(st.integers(min_value=10**59, max_value=10**61))
def test_a_number_written_and_the_same_number_computed_meet_one_limit(n):
    outcomes = []
    for text in (str(n), f"{n - 7} + 7", f"max({n}, 7)", f"{n} // 1"):
        try:
            symcount.parse(f"input(3) -> Reshape(({text},))")
        except LimitError as e:
            outcomes.append(e.message)
        except SymcountError as e:
            outcomes.append("ok" if "elements" in e.message else e.message)
    too_large = "number too large (limit 10**60)"
    assert outcomes == [too_large if n > 10**60 else "ok"] * 4, (n, outcomes)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("10**60", True),
        ("10**53", True),
        ("2**199", True),
        ("10**60 + 1", False),
        ("10**61", False),
        ("2**200", False),
        ("(10**30)**2", True),
        ("(10**30)**3", False),
        ("1" + "0" * 60, True),
        ("1" + "0" * 59 + "1", False),
        ("0" * 100 + "5", True),
    ],
)
def test_literals_and_powers_have_the_same_limit(text, ok):
    try:
        symcount.parse(f"input(3) -> Dense({text})")
    except LimitError as e:
        assert not ok
        assert e.message == "number too large (limit 10**60)"
    else:
        assert ok


def test_the_limit_is_worded_the_same_in_option_text():
    for argv in (
        ["summary", "-e", "input(u) -> Dense(2)", "--let", "u=10**61"],
        ["summary", "-e", "input(u) -> Dense(2)", "--let", "u=1" + "0" * 61],
    ):
        code, _, err = cli(*argv)
        assert code == 2
        assert "number too large (limit 10**60)" in err
