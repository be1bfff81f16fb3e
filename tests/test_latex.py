"""LaTeX output: symbols as papers write them, expressions, golden files for
the MNIST and a symbolic example, documents that parse (pylatexenc: balanced
braces and environments, only known macros) and that compile with pdflatex
where a LaTeX engine is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import symcount
from symcount import cli
from symcount.render import latex as L

# symbols and expressions -----------------------------------------------------------

SYMBOLS = [
    # name, LaTeX
    ("u", "u"),
    ("d_model", r"d_{\text{model}}"),
    ("alpha", r"\alpha"),
    ("Omega", r"\Omega"),
    ("k_h", "k_{h}"),
    ("c_in", r"c_{\text{in}}"),
    ("u1", "u_{1}"),
    ("beta2", r"\beta_{2}"),
    ("alpha_1", r"\alpha_{1}"),
    ("W_q_k", "W_{q,k}"),
    ("d_ff", r"d_{\text{ff}}"),
    ("units", r"\mathrm{units}"),
    ("num_heads", r"\mathrm{num\_heads}"),
    ("layer12", r"\mathrm{layer12}"),
    ("_x", r"\mathrm{\_x}"),
    ("a__b", r"\mathrm{a\_\_b}"),
]


@pytest.mark.parametrize(("name", "expected"), SYMBOLS)
def test_symbol(name, expected):
    assert L.symbol(name) == expected


EXPRESSIONS = [
    # symcount's text, LaTeX
    ("4*u*(f + u + 1)", r"4 u \left(f + u + 1\right)"),
    ("(3*3*24 + 1)*36", r"\left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36"),
    ("(20736 + 1)*128", r"\left(20{,}736 + 1\right) \cdot 128"),
    ("2654336", "2{,}654{,}336"),
    ("floor((t - 3)/2) + 1", r"\left\lfloor \frac{t - 3}{2} \right\rfloor + 1"),
    ("ceiling(t/2)", r"\left\lceil \frac{t}{2} \right\rceil"),
    ("3*u/2", r"\frac{3 u}{2}"),
    ("u/(2*v)", r"\frac{u}{2 v}"),
    ("-4*u + d**2", r"-4 u + d^{2}"),
    ("(a + b)**2", r"\left(a + b\right)^{2}"),
    ("d_model**2*L", r"d_{\text{model}}^{2} L"),
    ("Max(a, b) + Min(a, 1)", r"\max\left(a, b\right) + \min\left(a, 1\right)"),
    ("Mod(d, h)", r"d \bmod h"),
    ("(a + b)//2", r"\left\lfloor \frac{a + b}{2} \right\rfloor"),
    (
        "4*units*(c_in + units + 1)",
        r"4 \, \mathrm{units} \, \left(c_{\text{in}} + \mathrm{units} + 1\right)",
    ),
    ("alpha*beta", r"\alpha \beta"),
    ("u*2", r"u \cdot 2"),
    ("a - -b", "a + b"),
    ("frobnicate(u)", r"\operatorname{frobnicate}\left(u\right)"),
    ("u $ 2", r"\texttt{u \$ 2}"),  # not an expression: set verbatim, escaped
    ("(u", r"\texttt{(u}"),
]


@pytest.mark.parametrize(("source", "expected"), EXPRESSIONS)
def test_math(source, expected):
    assert L.math(source) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a_b & 50% #1 {x} ~^\\",
            r"a\_b \& 50\% \#1 \{x\} \textasciitilde{}\textasciicircum{}\textbackslash{}",
        )
    ],
)
def test_text_escapes(text, expected):
    assert L.text(text) == expected


def test_shapes():
    assert L.shape((26, 26, 24)) == r"26 \times 26 \times 24"
    assert L.shape((20736,)) == r"20{,}736"
    m = symcount.parse("input(t, f) -> LSTM(u, return_sequences=true)")
    assert L.shape(m.output_shape) == r"t \times u"
    m = symcount.parse("input(t, 8) -> Conv1D(4, k)")
    assert L.shape(m.output_shape) == r"\left(-k + t + 1\right) \times 4"  # SymPy's order


# golden files ------------------------------------------------------------------------

GOLDEN = [
    ("mnist_cnn.summary.latex.tex", ["summary", "examples/mnist_cnn.sc", "--latex"]),
    ("mnist_cnn.explain.latex.tex", ["explain", "examples/mnist_cnn.sc", "--latex"]),
    (
        "mnist_cnn.standalone.latex.tex",
        ["summary", "examples/mnist_cnn.sc", "--latex", "--standalone"],
    ),
    (
        "stacked_lstm_symbolic.summary.latex.tex",
        ["summary", "examples/stacked_lstm_symbolic.sc", "--latex"],
    ),
    (
        "stacked_lstm_symbolic.explain.latex.tex",
        ["explain", "examples/stacked_lstm_symbolic.sc", "--latex"],
    ),
]


def _cli(capsys, argv) -> str:
    assert cli.main(argv) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(("name", "argv"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(capsys, golden, name, argv, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    golden(name, _cli(capsys, argv))


def test_mnist_numbers_are_the_keras_ones():
    tex = L.model_latex(symcount.load("examples/mnist_cnn.sc"))
    assert r"N_{\text{params}} = 240 + 7{,}812 + 2{,}654{,}336 + 1{,}290 = 2{,}663{,}678" in tex
    row = next(line for line in tex.splitlines() if line.startswith("Conv2D 1 &"))
    cells = [c.strip() for c in row.removesuffix(r"\\").split("&")]
    # issue 14: conv2d_1, a name Keras made, reads as its type and number; the
    # formula has its labels replaced by what they stand for (no k_h undefined)
    assert cells == [
        "Conv2D 1",
        r"$24 \times 24 \times 36$",
        r"$(3 \cdot 3 \cdot 24 + 1) \cdot 36$",
        r"$7{,}812$",
    ]
    assert tex.count(r"\toprule") == tex.count(r"\bottomrule") == 1


def test_papers_symbols_in_a_model():
    m = symcount.parse("input(T, d_model) -> Dense(alpha) -> Dense(d_ff)")
    tex = L.model_latex(m)
    assert r"$T \times \alpha$" in tex
    assert r"(d_{\text{model}} + 1) \alpha" in tex.replace(r" \,\allowbreak{} ", " ")
    assert r"symbols $T$, $d_{\text{model}}$, $\alpha$, $d_{\text{ff}}$" in tex


def test_explain_one_layer(capsys):
    out = _cli(capsys, ["explain", "examples/mnist_cnn.sc", "--layer", "conv2d_1", "--latex"])
    assert out.count(r"\begin{alignat*}") == 1
    assert r"&= 7{,}812" not in out  # the chain ends in the value once
    assert r"\cdot 36 = 7{,}812" in out
    assert r"3 \cdot 3 \cdot 24 \cdot 36 = 7{,}776" in out
    assert "N_{" not in out  # no total for one layer


def test_explain_marks_non_trainable_weights():
    m = symcount.parse("input(10, 8) -> BatchNormalization")
    tex = L.explain_latex(m)
    assert r"\text{(non-trainable (moving statistics))}" in tex
    assert tex.count("moving statistics") == 2


def test_repeat_rows_show_their_multiplier():
    m = symcount.parse("input(T, d) -> repeat L { Dense(d) }")
    tex = L.model_latex(m)
    assert r"repeated $L$ times & $T \times d$ & $L d (d + 1)$" in tex
    m = symcount.parse("input(T, d) -> repeat L { Dense(d) -> Dense(d) }")
    tex = L.model_latex(m, expand=True)
    assert r"\quad each pass, $\times\, L$ & $T \times d$" in tex
    assert r"\quad \quad Dense 1 & $T \times d$" in tex


LABELS = [
    # model, the first layer's label in LaTeX
    ("input(8) -> LayerNormalization", "LayerNormalization"),
    ("input(8) -> Dense(4) -> Dense(4)", "Dense"),
    ("input(8) -> Dense(4, name=encoder_out)", r"\texttt{encoder\_\allowbreak{}out} (Dense)"),
    ("input(8) -> Dense(4, name=dense_7)", "Dense 7"),  # a name as Keras makes them
    ("input(T, d) -> repeat 3 { Dense(d) }", "repeated $3$ times"),
    ("input(T, d) -> repeat N - 1 { Dense(d) }", "repeated $N - 1$ times"),
    ("convention torch; input(3, 8, 8) -> BatchNorm2d(3)", "BatchNorm2d"),
    ("let e = Dense(3); a = input(4) -> e; b = input(4) -> e", "Dense, called 2 times"),
]


@pytest.mark.parametrize(("source", "expected"), LABELS)
def test_layer_labels_read_as_a_paper_writes_them(source, expected):
    from symcount.render.latex_labels import label

    assert label(symcount.parse(source).rows[0]) == expected


# usage errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["summary", "examples/mnist_cnn.sc", "--standalone"], "--standalone goes with --latex"),
        (["summary", "examples/mnist_cnn.sc", "--latex", "--format", "json"], "two output formats"),
        (["explain", "examples/mnist_cnn.sc", "--standalone"], "--standalone goes with --latex"),
    ],
)
def test_usage_errors(capsys, argv, words, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


# documents parse: balanced, known macros only ------------------------------------------

KNOWN_MACROS = {
    # document
    "documentclass", "usepackage", "allowdisplaybreaks", "section", "caption", "centering",
    "toprule", "midrule", "bottomrule", "endhead", "\\",
    # table columns of a width, their cells wrapping (array)
    "raggedright", "raggedleft", "arraybackslash", "linewidth", "allowbreak",
    # text
    "texttt", "text", "mathrm", "operatorname", "_", "&", "%", "$", "#", "{", "}",
    "textasciitilde", "textasciicircum", "textbackslash",
    # math
    "frac", "left", "right", "cdot", "times", "quad", ",", " ", "lfloor", "rfloor",
    "lceil", "rceil", "max", "min", "bmod", "sqrt", "to",
    # explain: a name too long for its column set over the row after it
    "rlap",
    # summary --leading
    "approx", "qquad", "noindent",
    # a long product broken inside its brackets
    "bigl", "bigr",
} | L.GREEK  # fmt: skip
MATHJAX = {"hline", "mathtt", "vdots", "le", "ge"}
KNOWN_ENVIRONMENTS = {
    "document",
    "table",
    "tabular",
    "longtable",
    "equation*",
    "multline*",
    "alignat*",
}


def _walk(nodes):
    from pylatexenc import latexwalker as W

    for n in nodes or []:
        if n is None:
            continue
        yield n
        if isinstance(n, W.LatexMacroNode) and n.nodeargd is not None:
            yield from _walk([a for a in n.nodeargd.argnlist if a is not None])
        if isinstance(n, (W.LatexGroupNode, W.LatexMathNode, W.LatexEnvironmentNode)):
            yield from _walk(n.nodelist)
        if isinstance(n, W.LatexEnvironmentNode) and n.nodeargd is not None:
            yield from _walk([a for a in n.nodeargd.argnlist if a is not None])


def check_parses(tex: str, *, mathjax: bool = False) -> tuple[set, set]:
    """Parse with pylatexenc (strict: unbalanced braces, mismatched or unclosed
    environments raise); every \\left has its \\right in the same cell or line;
    only known macros and environments. Returns (macros, environments)."""
    from pylatexenc import latexwalker as W

    nodes, _, _ = W.LatexWalker(tex, tolerant_parsing=False).get_latex_nodes()
    macros, envs = set(), set()
    for n in _walk(nodes):
        if isinstance(n, W.LatexMacroNode):
            macros.add(n.macroname)
        elif isinstance(n, W.LatexEnvironmentNode):
            envs.add(n.environmentname)
    known_macros, known_envs = KNOWN_MACROS, KNOWN_ENVIRONMENTS
    if mathjax:  # Jupyter's display math: arrays, not booktabs tables
        known_macros = (known_macros - {"toprule", "midrule", "bottomrule", "caption"}) | MATHJAX
        known_envs = {"array"}
    assert macros <= known_macros, macros - known_macros
    assert envs <= known_envs, envs - known_envs
    for piece in re.split(r"&|\\\\|\$|\\begin|\\end", tex):
        assert len(re.findall(r"\\left(?![a-z])", piece)) == len(
            re.findall(r"\\right(?![a-z])", piece)
        ), piece
    return macros, envs


def test_the_parse_check_catches_mistakes():
    for bad in [
        r"\begin{table} x \end{tabular}",
        r"$\frac{a}{b$",
        r"\begin{tabular}{ll} a & b",
        r"$\left( a + b$",
        r"\foo{x}",
    ]:
        with pytest.raises(Exception):  # noqa: B017 - a parse error or a failed check
            check_parses(bad)


DOCUMENTS = {
    "mnist summary": lambda: L.model_latex(symcount.load("examples/mnist_cnn.sc"), standalone=True),
    "mnist explain": lambda: L.explain_latex(
        symcount.load("examples/mnist_cnn.sc"), standalone=True
    ),
    "symbolic summary": lambda: L.model_latex(
        symcount.load("examples/stacked_lstm_symbolic.sc"), standalone=True
    ),
    "symbolic explain": lambda: L.explain_latex(
        symcount.load("examples/stacked_lstm_symbolic.sc"), standalone=True
    ),
    "strides, floors, Greek": lambda: L.model_latex(
        symcount.parse(
            "model g_1\ninput(t, alpha) -> Conv1D(d_model, k, strides=2) -> MaxPooling1D(3)"
            " -> BatchNormalization -> Flatten -> Dense(10)"
        ),
        standalone=True,
    ),
    "a transformer with blocks": lambda: L.model_latex(
        symcount.parse(
            "block mlp(w) { Dense(4*w, activation=gelu) -> Dense(w) }; input(T, d) -> repeat L"
            " { residual { LayerNormalization -> MultiHeadAttention(h, d / h) } -> residual"
            " { LayerNormalization -> mlp(d) } }"
        ),
        standalone=True,
        expand=True,
    ),
    "torch convention, buffers": lambda: L.model_latex(
        symcount.parse(
            "convention torch; input(3, 32, 32) -> Conv2d(3, c, 3) -> BatchNorm2d(c)"
            " -> Flatten -> Linear(10)"
        ),
        standalone=True,
    ),
    "two inputs, two outputs, unknown length": lambda: L.explain_latex(
        symcount.parse(
            "a = input(None, 8); b = input(T, 8); x = a -> LSTM(u, return_sequences=true);"
            " y = b -> Dense(v); output x, y"
        ),
        standalone=True,
    ),
    "a transformer explained": lambda: L.explain_latex(
        symcount.parse(
            "block mlp(w) { Dense(4*w, activation=gelu) -> Dense(w) }; input(T, d) -> repeat L"
            " { residual { LayerNormalization -> MultiHeadAttention(h, d / h) } -> residual"
            " { LayerNormalization -> mlp(d) } }"
        ),
        standalone=True,
    ),
    "60 layers, distinct symbols (longtable, long total)": lambda: L.model_latex(
        symcount.parse("input(d0)\n" + "\n".join(f"Dense(u{i})" for i in range(1, 61))),
        standalone=True,
    ),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_documents_parse(name):
    tex = DOCUMENTS[name]()
    _, envs = check_parses(tex)
    assert {"document", "equation*"} & envs or "multline*" in envs
    assert tex.startswith(r"\documentclass{article}")
    assert max(len(line) for line in tex.splitlines()) <= 2 * L.SOURCE_LINE


def test_long_model_uses_longtable_and_breaks_the_total():
    tex = DOCUMENTS["60 layers, distinct symbols (longtable, long total)"]()
    assert r"\begin{longtable}" in tex and r"\endhead" in tex
    assert r"\begin{multline*}" in tex
    assert "and 49 more" in tex  # the caption names 12 of the 61 symbols


# a real LaTeX engine ---------------------------------------------------------------------

PDFLATEX = shutil.which("pdflatex")


def _compiled(tmp_path, tex: str) -> str:
    """pdflatex's log of ``tex`` compiled in ``tmp_path``, which must succeed."""
    (tmp_path / "doc.tex").write_text(tex, encoding="utf-8")
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (tmp_path / "doc.log").read_text("latin-1")
    assert run.returncode == 0, log[-3000:]
    return log


@pytest.mark.skipif(PDFLATEX is None, reason="no pdflatex (Debian: texlive-latex-recommended)")
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_documents_compile(name, tmp_path):
    log = _compiled(tmp_path, DOCUMENTS[name]())
    assert (tmp_path / "doc.pdf").read_bytes().startswith(b"%PDF")
    assert "Undefined control sequence" not in log
    if name.startswith("mnist"):  # wide symbolic tables may overflow; MNIST's fits the page
        assert "Overfull \\hbox" not in log


# speed: never SymPy's latex() ---------------------------------------------------------------


def test_big_model_is_fast_and_never_calls_sympy_latex(monkeypatch):
    import sympy

    def refuse(*a, **k):
        raise AssertionError("sympy.latex called")

    monkeypatch.setattr(sympy, "latex", refuse)
    m = symcount.parse("input(d0)\n" + "\n".join(f"Dense(u{i})" for i in range(1, 2001)))
    m.total  # noqa: B018 - the total is built by parse's consumers, not timed here
    start = time.perf_counter()
    tex = L.model_latex(m, standalone=True)
    took = time.perf_counter() - start
    assert took < 10, took  # about 1 s here; sympy.latex of the total alone takes minutes
    assert len(re.findall(r"^Dense( \d+)? &", tex, re.M)) == 2000
    assert r"\begin{multline*}" in tex


def test_buffers_row_under_torch():
    tex = DOCUMENTS["torch convention, buffers"]()
    assert r"Buffers &  &  & $2 c + 1$ \\" in tex
    assert r"Total &  &  & $9{,}030 c + 10$ \\" in tex


def test_latex_of_a_numeric_model_does_not_import_sympy():
    import subprocess
    import sys

    code = (
        "import sys, io, contextlib; from symcount import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert cli.main(['summary', 'examples/mnist_cnn.sc', '--latex', '--standalone']) == 0\n"
        "    assert cli.main(['explain', 'examples/mnist_cnn.sc', '--latex']) == 0\n"
        "print('sympy' in sys.modules)\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_explain_breaks_a_long_chain_into_rows():
    # issue 14: a name too long for the first column gets a row of its own, a step
    # too wide breaks before its + signs, and the numbers step is multiplied out
    # (num_heads = h times key_dim = d/h reads d, not h d/h)
    tex = DOCUMENTS["a transformer explained"]()
    head = r"&\quad \quad \text{MultiHeadAttention} &&{}= 3 d \, \mathrm{num\_heads} \, \mathrm{key\_dim}"
    i = tex.index(head)
    rows = [r.strip() for r in tex[i:].split(" \\\\\n")[1:4]]
    assert rows == [
        r"& &&\quad {}+ 3 \, \mathrm{num\_heads} \, \mathrm{key\_dim}",
        r"& &&\quad {}+ \mathrm{num\_heads} \, \mathrm{key\_dim} \, d + d",
        r"& &&{}= 3 d^{2} + 3 d + d^{2} + d = 4 d^{2} + 4 d",
    ]
    steps = [row.split("&&")[-1] for row in tex.split("\\\\\n") if "&&" in row]
    assert not [s for s in steps if r"h \frac{d}{h}" in s]  # no step reads h d/h
    assert r"\text{query/kernel}\ \left(d \times h \times \frac{d}{h}\right) &&{}= d \, " in tex
    assert r"\mathrm{num\_heads} \, \mathrm{key\_dim} = d^{2} \\" in tex
    assert r"\text{mlp} &&{}= 8 d^{2} + 5 d" in tex
    m = symcount.parse("input(T, d) -> Dense(d, name=a_name_too_long_for_the_first_column)")
    rows = L.explain_latex(m).split(" \\\\\n")
    assert rows[0].endswith(
        r"&\rlap{$\text{\texttt{a\_name\_too\_long\_for\_the\_first\_column} (Dense)}$}"
    )
    assert (
        rows[1].strip()
        == r"& &&{}= \left(c_{\text{in}} + 1\right) \, \mathrm{units} = \left(d + 1\right) d = d \left(d + 1\right)"
    )


def test_block_rows_show_the_block_formula():
    m = symcount.parse("block mlp(w) { Dense(4*w) -> Dense(w) }; input(T, d) -> mlp(d) -> mlp(8)")
    tex = L.model_latex(m)
    assert (
        # w, the block's parameter, is no symbol of the model: the table gives the value
        r"mlp 1 & $T \times 8$ & $32 d + 296$ & $32 d + 296$ \\"
    ) in tex
    assert (
        r"&\text{mlp 1} &&{}= 4 w \left(d + 1\right) + w \left(4 w + 1\right) = 32 d + 296"
        in L.explain_latex(m)
    )


BLOCK_WITHOUT_FORMULA = "block drop(r) { Dropout(r) -> Dense(10) }; input(32) -> drop(0.5)"


def test_a_block_whose_count_ignores_its_parameters():
    # drop(r): r changes no count, so the block has no formula in r; its row is its value
    m = symcount.parse(BLOCK_WITHOUT_FORMULA)
    table = m.to_latex()
    assert r"drop & $10$ & $330$ & $330$ \\" in table
    check_parses(table)
    derivation = L.explain_latex(m)
    assert r"\text{drop} &&{}= 330 \\" in derivation
    check_parses(derivation)


EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.sc"))
NO_PDFLATEX = "no pdflatex (Debian: texlive-latex-recommended)"  # conftest: fails if required


def _fits_the_page(tmp_path, tex: str) -> None:
    """pdflatex compiles ``tex`` with no error and no overfull box (the
    log names the first one)."""
    log = _compiled(tmp_path, tex)
    assert "Overfull \\hbox" not in log, log[log.index("Overfull") :][:600]


@pytest.mark.skipif(PDFLATEX is None, reason=NO_PDFLATEX)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_summary_fits_the_page(path, tmp_path):
    """issue 14: the standalone summary of every shipped example compiles with
    no overfull box: the table is as wide as the text and its cells wrap."""
    _fits_the_page(tmp_path, L.model_latex(symcount.load(str(path)), standalone=True))


@pytest.mark.skipif(PDFLATEX is None, reason=NO_PDFLATEX)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_explain_fits_the_page(path, tmp_path):
    """issue 14: explain --latex --standalone of every shipped example, the
    shape lines included, fits the text width: long chains break at = and
    + signs, long names get a row of their own (render/latex_rows.py)."""
    _fits_the_page(tmp_path, L.explain_latex(symcount.load(str(path)), standalone=True))


MANY_COLUMNS = ["--compute", "--memory", "--optimizer", "adam", "--batch", "32"]


@pytest.mark.skipif(PDFLATEX is None, reason=NO_PDFLATEX)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_with_many_columns_fits_the_page(path, tmp_path, capsys):
    """issue 14: with MACs, FLOPs and bytes the quantities get a table of their
    own beside the parameters' (seven columns do not fit a page's width)."""
    out = _cli(capsys, ["summary", str(path), "--latex", "--standalone", *MANY_COLUMNS])
    assert out.count(r"\begin{table}") + out.count(r"\begin{longtable}") == 2
    _fits_the_page(tmp_path, out)


@pytest.mark.skipif(PDFLATEX is None, reason=NO_PDFLATEX)
@pytest.mark.parametrize("example", ["vit_base.sc", "torch_lstm.sc", "gpt3.sc", "resnet50.sc"])
def test_explain_with_compute_fits_the_page(example, tmp_path, capsys):
    # each call's MACs: a long product breaks inside its brackets (\bigl( ... \bigr))
    path = str(EXAMPLES[0].parent / example)
    _fits_the_page(
        tmp_path,
        _cli(
            capsys, ["explain", path, "--latex", "--standalone", *MANY_COLUMNS[:1], "--batch", "8"]
        ),
    )


@pytest.mark.skipif(PDFLATEX is None, reason=NO_PDFLATEX)
@pytest.mark.parametrize(
    ("example", "layer"),
    [("efficientnet_b0.sc", "mbconv_wide"), ("gpt2.sc", "repeat"), ("vit_base.sc", "repeat")],
)
def test_explain_of_one_layer_fits_the_page(example, layer, tmp_path):
    m = symcount.load(str(EXAMPLES[0].parent / example))
    _fits_the_page(tmp_path, L.explain_latex(m, layer=layer, standalone=True))


GPT2_AT = [
    "--set",
    "d=768",
    "--set",
    "L=12",
    "--set",
    "V=50257",
    "--set",
    "T=1024",
    "--set",
    "h=12",
]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["examples/gpt2.sc"],
            [
                r"N_{\text{params}} \approx 12 L d^{2} \qquad \text{(as $L$, $T$, $V$, $d$ grow)}",
                r"\noindent Give every symbol a value (\texttt{--set}) to see the error.",
            ],
        ),
        (
            ["examples/gpt2.sc", *GPT2_AT],
            [
                r"\noindent At $L = 12$, $T = 1{,}024$, $V = 50{,}257$, $d = 768$: $84{,}934{,}656$"
                r" against the exact $124{,}439{,}808$ (relative error $-31.7\%$).",
            ],
        ),
        (
            ["examples/mnist_cnn.sc"],
            [r"\noindent Leading term: the count is a number (no symbols to grow)."],
        ),
    ],
)
def test_summary_latex_leading(capsys, argv, expected, monkeypatch):
    """issue 14: --leading is in the LaTeX when asked (after the table, as in
    the text); without it, not."""
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    out = _cli(capsys, ["summary", *argv, "--latex", "--leading"])
    tail = out[out.index(r"\end{table}") :]
    for line in expected:
        assert line in tail
    check_parses(out)
    assert r"\approx" not in _cli(capsys, ["summary", *argv, "--latex"])


@pytest.mark.skipif(PDFLATEX is None, reason=NO_PDFLATEX)
def test_summary_latex_leading_compiles(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    argv = ["summary", "examples/gpt2.sc", *GPT2_AT, "--latex", "--standalone", "--leading"]
    _fits_the_page(tmp_path, _cli(capsys, argv))
