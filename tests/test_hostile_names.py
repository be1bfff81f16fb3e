"""Issue 10, the output side: whatever text a model's names carry, every
renderer shows it and nothing acts on it — no terminal escape, no formula in
a spreadsheet, no HTML or Markdown, no LaTeX that fails to compile.

The names are set through the Python API (the language may refuse some of
them at input: control characters in ``name=`` are an error there), on a
model parsed from ordinary text, so every renderer sees exactly these
strings. A few go through the command line too.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount import printing as P
from symcount.analysis.solve.result import Solution, SolveResult
from symcount.cli import diff
from symcount.render.explain import explain
from symcount.render.formats import csv_text, md_code, md_text, to_csv, to_json, to_markdown
from symcount.render.latex import explain_latex, model_latex
from symcount.render.table import summary

NASTY = {
    "csi colour": "\x1b[31mred\x1b[0m",
    "osc title": "\x1b]0;PWNED\x07",
    "bel": "a\x07b",
    "cr": "ok\rEVIL",
    "crlf": "a\r\nb",
    "nul": "a\x00b",
    "del": "a\x7fb",
    "c1 nel": "a\x85b",
    "c1 csi": "a\x9b31mb",
    "line separator": "a\u2028b",
    "rtl override": "abc\u202edef",
    "lone surrogate": "a\ud800b",
    "dde formula": "=cmd|' /C calc'!A0",
    "plus formula": "+1+1",
    "minus formula": "-2+3",
    "at formula": "@SUM(A1)",
    "tab first": "\tlead",
    "script": "<script>alert(1)</script>",
    "pipe": "a|b",
    "tilde backslash": "~\\",
    "latex specials": "%$#_{}^&",
    "backticks": "`x` ``y``",
    "markdown": "*em* _u_ [l](http://x) ~~s~~ $m$",
    "cjk": "中文名字",
    "spaces": " " * 200,
}
IDS = list(NASTY)

# what no output may hold raw: controls (C0, DEL, C1), format characters
# (bidi overrides), line/paragraph separators, surrogates; "\n" ends lines
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def raw_controls(out: str) -> list[str]:
    return sorted({c for c in out if c != "\n" and unicodedata.category(c) in _UNSAFE})


def nasty_model(name: str, source: str = "model m\ninput(4, u) -> Dense(3) -> Dense(2)"):
    m = symcount.parse(source)
    m.name = name
    m.rows[0].name = name
    return m


def nasty_symbol_model(name: str):
    """A model whose symbol is called ``name``: the counts and the shapes
    print it (through the rows' own substitution: no text is read)."""
    import dataclasses

    sp = pytest.importorskip("sympy")
    m = symcount.parse("model m\ninput(4, u) -> Dense(3) -> Dense(2)")
    mapping = {sp.Symbol("u", integer=True, positive=True): sp.Symbol(name)}
    rows = [r.subs(mapping) for r in m.rows]
    assert rows[0].params != m.rows[0].params  # the symbol was replaced
    return dataclasses.replace(m, rows=rows, symbols=[name], _totals=None, _graph=None)


@pytest.mark.parametrize("render", ["summary", "ascii", "explain", "markdown", "csv", "html"])
def test_a_hostile_symbol_name_is_escaped_too(name, render):
    m = nasty_symbol_model(name)
    out = {
        "summary": lambda: summary(m),
        "ascii": lambda: summary(m, ascii=True),
        "explain": lambda: explain(m),
        "markdown": lambda: to_markdown(m),
        "csv": lambda: to_csv(m),
        "html": lambda: m._repr_html_(),
    }[render]()
    assert raw_controls(out) == []
    if render == "html":
        assert "script" not in _tags(out)
    if render == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert all(c[:1] not in ("=", "+", "-", "@") for r in rows for c in r)


def test_a_hostile_symbol_name_in_latex(name):
    m = nasty_symbol_model(name)
    for out in (model_latex(m), explain_latex(m), m._repr_latex_()):
        assert raw_controls(out) == [] and out.isascii()
    assert not any(cmd in m._repr_latex_() for cmd in _TEXT_ONLY)


@pytest.fixture(params=IDS)
def name(request):
    return NASTY[request.param]


# the text escape itself -----------------------------------------------------------


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("conv2d_1", "conv2d_1"),
        ("\x1b]0;X\x07", "\\x1b]0;X\\x07"),
        ("a\rb\nc\td", "a\\rb\\nc\\td"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("a\u2028\u2029\u202e\u200fb", "a\\u2028\\u2029\\u202e\\u200fb"),
        ("\ud800", "\\ud800"),
        ("\U000e0001", "\\U000e0001"),  # a tag character (Cf), outside the BMP
        ("中文 é ~\\", "中文 é ~\\"),
    ],
)
def test_text_escapes_controls_and_keeps_the_rest(raw, shown):
    assert P.text(raw) == shown
    assert P.text(shown) == shown  # escaping twice changes nothing more


def test_the_escaped_set_is_unicodes_control_format_and_separator_characters():
    """printing lists the characters it escapes (a regex, fast); the list
    is exactly what this Python's Unicode database calls Cc, Cf, Cs, Zl or
    Zp, plus code points it leaves unassigned (newer Unicode's format ones)."""
    listed = {c for c in map(chr, range(0x110000)) if P._UNSAFE.match(c)}
    wanted = {c for c in map(chr, range(0x110000)) if unicodedata.category(c) in _UNSAFE}
    assert wanted <= listed
    assert {unicodedata.category(c) for c in listed - wanted} <= {"Cn"}


def test_text_ascii_escapes_every_non_ascii_character():
    assert P.text("中é\x1b", ascii=True) == "\\u4e2d\\xe9\\x1b"
    assert P.text("\U0001f600", ascii=True) == "\\U0001f600"


def test_width_counts_wide_characters_twice():
    assert [P.width(s) for s in ("abc", "中文", "e\u0301", "")] == [3, 4, 1, 0]


# every format, every name ---------------------------------------------------------


@pytest.mark.parametrize("ascii", [False, True])
def test_summary_table_shows_names_escaped_and_aligned(name, ascii):
    out = summary(nasty_model(name), ascii=ascii)
    assert raw_controls(out) == []
    assert P.text(name) in out
    table = [line for line in out.split("\n") if line and line[0] in "┏┃┡│├└+|"]
    assert len({P.width(line) for line in table}) == 1, out  # one frame, CJK included


def test_summary_table_wraps_a_long_hostile_name_inside_the_frame(name):
    out = summary(nasty_model(name * 3), width=60)
    assert raw_controls(out) == []
    table = [line for line in out.split("\n") if line and line[0] in "┏┃┡│├└"]
    assert len({P.width(line) for line in table}) == 1, out


def test_json_round_trips_the_name_exactly(name):
    out = to_json(nasty_model(name))
    assert raw_controls(out) == []
    assert out.isascii()  # json.dumps writes \u escapes
    d = json.loads(out)
    assert d["model"] == name
    assert d["layers"][0]["name"] == name


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_shows_names_as_text(name):
    m = nasty_model(name)
    for out in (to_markdown(m), m._repr_markdown_()):
        assert raw_controls(out) == []
        # outside the model's line (a code span, where < is text) no raw < at all
        assert "<" not in out.split("\n", 1)[1], out
        rows = [line for line in out.split("\n") if line.startswith("|")]
        assert rows and all(_unescaped_pipes(line) == 4 for line in rows), out
        assert f"| {md_text(name)} (Dense) |" in out
        model_line = out.split("\n")[0]
        assert model_line == f"**Model:** {md_code(name, table=False)}"


def test_markdown_code_spans_are_never_closed_early():
    assert md_code("a`b") == "`` a`b ``"
    assert md_code("``") == "``` `` ```"
    assert md_code("a|b") == "`a\\|b`"
    assert md_code("a|b", table=False) == "`a|b`"
    assert md_text("conv2d_1") == "conv2d_1"  # intraword _ is no emphasis: unchanged
    assert md_text("_x_ *y*") == "\\_x\\_ \\*y\\*"
    assert md_text("<b>&amp;") == "&lt;b&gt;&amp;amp;"


def test_csv_cells_parse_back_and_never_start_a_formula(name):
    out = to_csv(nasty_model(name))
    assert raw_controls(out) == []
    header, first, second = list(csv.reader(io.StringIO(out)))
    assert header[:3] == ["name", "type", "output_shape"]
    assert first[0] == csv_text(name)
    assert first[0][:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert first[0].removeprefix("'") == P.text(name)
    assert first[3] == "3*u + 3" and second[3] == "8"  # counts stay numbers and expressions


@pytest.mark.parametrize(
    "raw, cell",
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "\\t=1"),  # escaped first: it starts with a backslash
        ("conv2d_1", "conv2d_1"),
        ("a=b", "a=b"),
    ],
)
def test_csv_text_cells_follow_owasp(raw, cell):
    assert csv_text(raw) == cell


def test_csv_a_negative_expression_is_text_and_an_integer_a_number():
    from symcount.render.formats import _csv_value

    assert _csv_value(-3) == -3
    sp = pytest.importorskip("sympy")
    assert _csv_value(3 - sp.Symbol("u")) == "3 - u"
    assert _csv_value(-sp.Symbol("u") - 1) == "'-u - 1"


def test_explain_shows_names_escaped(name):
    m = nasty_model(name)
    for out in (explain(m), explain(m, layer=name)):
        assert raw_controls(out) == []
        assert P.text(name) + " (Dense)  params = " in out


def test_notebook_html_shows_names_as_text(name):
    m = nasty_model(name)
    for out in (m._repr_html_(), m.rows[0]._repr_html_()):
        assert raw_controls(out) == []
        tags = _tags(out)
        assert "script" not in tags
        assert set(tags) <= {"div", "p", "strong", "code", "table", "thead", "tbody", "tr"} | {
            "th",
            "td",
            "ul",
            "li",
            "pre",
        }
        assert P.text(name) in _text_of(out)


def _tags(out: str) -> list[str]:
    tags = []

    class Tags(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    Tags().feed(out)
    return tags


def _text_of(out: str) -> str:
    parts = []

    class Text(html.parser.HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    p = Text(convert_charrefs=True)
    p.feed(out)
    p.close()
    return "".join(parts)


# text-mode commands that are errors in math mode (MathJax and LaTeX)
_TEXT_ONLY = ("\\textbackslash", "\\textasciitilde", "\\textasciicircum", "\\textless")


def test_notebook_latex_is_math_mode_safe(name):
    m = nasty_model(name)
    for out in (m._repr_latex_(), m.rows[0]._repr_latex_()):
        assert raw_controls(out) == []
        assert out.isascii()
        assert not any(cmd in out for cmd in _TEXT_ONLY), out
        assert re.search(r"<[A-Za-z/!?]", out) is None  # no HTML tag, were it read as HTML


def test_latex_text_escapes_every_special_and_non_ascii(name):
    for out in (model_latex(nasty_model(name)), explain_latex(nasty_model(name))):
        assert raw_controls(out) == []
        assert out.isascii()


def test_diff_shows_names_escaped(name):
    keras, torch = diff.evaluate("model m\ninput(4, u) -> Dense(3) -> Dense(2)")
    for m in (keras, torch):
        m.name = name
        m.rows[0].name = name
    out = diff.render(keras, torch)
    assert raw_controls(out) == []
    assert P.text(name) in out
    d = json.dumps(diff.to_dict(keras, torch))
    assert raw_controls(d) == [] and d.isascii()
    assert json.loads(d)["rows"][0]["name"] == name
    assert json.loads(d)["model"] == name


def test_solve_output_shows_user_text_escaped(name):
    result = SolveResult(
        expression=7,
        of="params",
        unknowns=(name,),
        target=7,
        mode="exact",
        solutions=[Solution({name: 1}, 7, 0, "exact")],
        found=1,
        constraints=[name],
        notes=[name],
        count_text=name,
    )
    for out in (result.text(), result._repr_html_(), result._repr_markdown_()):
        assert raw_controls(out) == [], out
    assert P.text(name) in result.text()
    assert "<script" not in result._repr_html_()
    latex = result._repr_latex_()
    assert latex.isascii() and not any(cmd in latex for cmd in _TEXT_ONLY)


# LaTeX that compiles, whatever the names -------------------------------------------

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")


def _gallery():
    """One model whose rows carry every hostile name (one compile for all)."""
    layers = " -> ".join(["Dense(2)"] * len(NASTY))
    m = symcount.parse(f"model m\ninput(4, u) -> {layers}")
    for row, name in zip(m.rows, NASTY.values(), strict=True):
        row.name = name
    m.name = "".join(NASTY.values())
    return m


def _symbol_gallery():
    """One model with a row per hostile name, each counting a symbol of that name."""
    import dataclasses

    models = [nasty_symbol_model(name) for name in NASTY.values()]
    rows = [m.rows[0] for m in models]
    return dataclasses.replace(models[0], rows=rows, symbols=list(NASTY.values()))


def _pdflatex(tmp_path, source: str) -> subprocess.CompletedProcess:
    tex = tmp_path / "doc.tex"
    tex.write_text(source, encoding="utf-8")
    return subprocess.run(
        ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )


def _errors(r) -> list[str]:
    return [line for line in r.stdout.split("\n") if line.startswith("!")]


@needs_pdflatex
@pytest.mark.parametrize("render", ["summary", "explain"])
@pytest.mark.parametrize("gallery", [_gallery, _symbol_gallery], ids=["names", "symbols"])
def test_standalone_latex_compiles_with_every_hostile_name(tmp_path, render, gallery):
    m = gallery()
    doc = (model_latex if render == "summary" else explain_latex)(m, standalone=True)
    r = _pdflatex(tmp_path, doc)
    assert r.returncode == 0, _errors(r)
    assert (tmp_path / "doc.pdf").stat().st_size > 0
    assert "Unicode character" not in r.stdout


@needs_pdflatex
@pytest.mark.parametrize("gallery", [_gallery, _symbol_gallery], ids=["names", "symbols"])
def test_notebook_latex_compiles_with_every_hostile_name(tmp_path, gallery):
    m = gallery()
    body = "\n".join([m._repr_latex_(), *(r._repr_latex_() for r in m.rows)])
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
    r = _pdflatex(tmp_path, doc + body + "\n\\end{document}\n")
    assert r.returncode == 0, _errors(r)


# through the command line ---------------------------------------------------------

CLI_NAMES = [
    "\x1b]0;PWNED\x07",  # accepted today, refused at input once names are checked
    "\x1b[2J",
    "=cmd|' /C calc'!A0",
    "<script>x</script>",
    "~\\%$#_{}^&",
    "中文名字",
]


@pytest.mark.parametrize("name", CLI_NAMES)
@pytest.mark.parametrize(
    "args",
    [
        ["summary"],
        ["summary", "--ascii"],
        ["summary", "--format", "markdown"],
        ["summary", "--format", "csv"],
        ["summary", "--format", "json"],
        ["summary", "--latex"],
        ["explain"],
        ["diff"],
    ],
)
def test_cli_never_echoes_a_raw_control_character(tmp_path, name, args):
    src = tmp_path / "m.sc"
    src.write_text(f'input(4) -> Dense(3, name="{name}") -> Dense(2)\n', encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "symcount", *args, str(src)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=120,
    )
    assert "Traceback" not in r.stderr
    assert r.returncode in (0, 2), r.stderr
    assert raw_controls(r.stdout) == [] and raw_controls(r.stderr) == []


# any text at all ------------------------------------------------------------------

# every code point, surrogates included, weighted toward the ones that matter
ANY_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x10FFFF),
        st.sampled_from("\x1b\x07\r\n\t\x00\x7f\x85\x9b\u2028\u202e\ud800`|<>&~\\%$#_{}^=+-@ 中"),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=ANY_TEXT)
def test_any_name_in_every_format(name):
    m = nasty_model(name)
    for out in (
        summary(m),
        summary(m, ascii=True, width=40),
        explain(m),
        to_markdown(m),
        to_csv(m),
        m._repr_html_(),
        m.rows[0]._repr_html_(),
        m.rows[0]._repr_markdown_(),
    ):
        assert raw_controls(out) == []
    for out in (model_latex(m, standalone=True), explain_latex(m), m._repr_latex_()):
        assert out.isascii() and raw_controls(out) == []
    assert not any(cmd in m._repr_latex_() for cmd in _TEXT_ONLY)
    d = json.loads(to_json(m))
    assert d["model"] == name and d["layers"][0]["name"] == name
    (_, first, _) = list(csv.reader(io.StringIO(to_csv(m))))
    assert first[0] == csv_text(name) and first[0][:1] not in ("=", "+", "-", "@")
    rows = [line for line in to_markdown(m).split("\n") if line.startswith("|")]
    assert all(_unescaped_pipes(line) == 4 for line in rows)
    table = [line for line in summary(m).split("\n") if line and line[0] in "┏┃┡│├└"]
    assert len({P.width(line) for line in table}) == 1
