"""Jupyter display: models, rows and solve results as HTML tables, MathJax
math and Markdown (symcount.render.notebook)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import symcount
from symcount.render import notebook as N

from .test_latex import check_parses


@pytest.fixture(scope="module")
def mnist():
    return symcount.load("examples/mnist_cnn.sc")


@pytest.fixture(autouse=True)
def _root(monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


class _Cells(HTMLParser):
    """Rows of table cells as text, and a check that every tag closes."""

    VOID = frozenset({"br", "hr", "img"})

    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.text = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self.text))

    def handle_data(self, data):
        self.text.append(data)


def cells(html_text: str) -> list[list[str]]:
    p = _Cells()
    p.feed(html_text)
    p.close()
    assert p.stack == [], p.stack
    return p.rows


def test_model_html_is_the_summary_with_formulas(mnist):
    rows = cells(N.model_html(mnist))
    assert rows[0] == ["Layer (type)", "Output Shape", "Formula", "Param #"]
    assert rows[2] == [
        "conv2d_1 (Conv2D)",
        "(None, 24, 24, 36)",
        "(k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36",
        "7,812",
    ]
    assert [r[3] for r in rows[1:]] == ["240", "7,812", "0", "2,654,336", "1,290"]
    html = N.model_html(mnist)
    assert "<li><strong>Total params:</strong> 2,663,678</li>" in html


def test_model_html_symbolic_and_escaped():
    m = symcount.parse("input(t, f) -> LSTM(u)")
    rows = cells(N.model_html(m))
    assert rows[1] == [
        "lstm (LSTM)",
        "(None, u)",
        "4*units*(c_in + units + 1)",
        "4*u*(f + u + 1)",
    ]
    assert (
        "<li><strong>Symbols:</strong> <code>t</code>, <code>f</code>, <code>u</code></li>"
        in N.model_html(m)
    )
    assert N._e("a<b & c>") == "a&lt;b &amp; c&gt;"


def test_model_latex_for_mathjax(mnist):
    tex = N.model_latex(mnist)
    assert tex.startswith(r"$$ N_{\text{params}} = 2{,}663{,}678 $$")
    assert (
        # issue 14: the labels and formulas of the paper's table (latex_labels.py)
        r"\text{Conv2D 1} & 24 \times 24 \times 36 & "
        r"\left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36 & 7{,}812 \\"
    ) in tex
    for macro in ("toprule", "midrule", "booktabs", "tabular"):  # MathJax has none of these
        assert macro not in tex
    check_parses(tex, mathjax=True)


def test_big_models_are_cut_in_the_middle():
    m = symcount.parse("input(8)\n" + "Dense(8)\n" * 300)
    rows = cells(N.model_html(m))
    assert len(rows) == 1 + N.MAX_ROWS + 1
    assert rows[1 + N.HEAD_ROWS] == ["… 100 more layers …"]
    assert rows[-1][0] == "dense_299 (Dense)"
    assert r"\text{100 more layers}" in N.model_latex(m)


def test_row_displays(mnist):
    row = mnist.row("conv2d_1")
    # issue 14: the output shape and how it follows, as explain shows them
    assert N.row_latex(row).split("\n") == [
        r"$$ N_{\mathtt{conv2d\_1}} = \left(k_{h} k_{w} c_{\text{in}} + 1\right) \, "
        r"\mathrm{filters} = \left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36 = 7{,}812 $$",
        r"$$ \text{output}\ 24 \times 24 \times 36:\ h_{\text{out}} = w_{\text{out}} = 26 - 3 + 1 = 24 $$",
        r"$$ c_{\text{in}} = 24\ \text{(the channels of conv2d's output)} $$",
    ]
    check_parses(N.row_latex(row), mathjax=True)
    html = N.row_html(row)
    assert html.startswith('<pre class="symcount-row">conv2d_1 (Conv2D)  params = ')
    assert "3*3*24*36 = 7,776" in html
    md = N.row_markdown(row)
    assert md.startswith("```\nconv2d_1 (Conv2D)") and md.endswith("```\n")
    assert N.row_latex(mnist.row("flatten")) == (
        r"$$ N_{\mathtt{flatten}} = 0 $$"
        "\n"
        r"$$ \text{output}\ 20{,}736:\ 24 \cdot 24 \cdot 36 = 20{,}736 $$"
    )
    strided = symcount.load("examples/strided_convs.sc").row("conv2d_1")
    assert N.row_latex(strided).split("\n")[1] == (
        r"$$ \text{output}\ 17 \times 47 \times 35:\ "
        r"h_{\text{out}} = \left\lceil \frac{49}{3} \right\rceil = 17\ \text{(padding=same)};\quad "
        r"w_{\text{out}} = \left\lceil \frac{94}{2} \right\rceil = 47\ \text{(padding=same)} $$"
    )


def test_row_plain_repr(mnist):
    assert repr(mnist.row("conv2d_1")) == "<Row conv2d_1 (Conv2D): params=7812>"
    m = symcount.parse("input(t, f) -> LSTM(u)")
    assert repr(m.rows[0]) == "<Row lstm (LSTM): params=4*u*(f + u + 1)>"


def test_row_latex_symbolic():
    m = symcount.parse("input(t, f) -> LSTM(u)")
    assert N.row_latex(m.rows[0]) == (
        r"$$ N_{\mathtt{lstm}} = 4 \, \mathrm{units} \, \left(c_{\text{in}} + \mathrm{units} + 1\right)"
        r" = 4 u \left(f + u + 1\right) $$"
        "\n"
        r"$$ \text{output}\ u $$"
    )


def test_shared_and_repeated_rows_in_mathjax():
    m = symcount.parse("input(T, d) -> repeat L { Dense(d) -> Dense(d) }")
    tex = N.model_latex(m)
    assert r"\text{repeated }L\text{ times} & T \times d & 2 L d \left(d + 1\right)" in tex
    check_parses(tex, mathjax=True)
    m = symcount.load("examples/shared_lstm.sc")
    tex = N.model_latex(m)
    assert r"\text{LSTM}\text{, called 2 times} & 64 & " in tex
    check_parses(tex, mathjax=True)


# solve results (symcount.analysis.solve) ----------------------------------------------------------


@pytest.fixture(scope="module")
def stacked():
    pytest.importorskip("symcount.analysis.solve")
    return symcount.load("examples/stacked_lstm_symbolic.sc")


def test_solve_nearest(stacked):
    from symcount.analysis.solve import solve

    r = solve(stacked, "u", params=60_000)
    rows = cells(N.solve_html(r))
    assert rows == [
        ["Values", "Count", "Distance"],
        ["u = 64", "59,910", "90 below"],
        ["u = 65", "61,756", "1,756 above"],
    ]
    assert "no exact solution; the nearest on each side:" in N.solve_html(r)
    tex = N.solve_latex(r)
    assert tex.startswith(r"$$ N_{\text{params}} = 14 u^{2} + 40 u + 6 = 60{,}000 $$")
    assert r"u = 64 & 59{,}910 & \text{90 below} \\" in tex
    check_parses(tex, mathjax=True)
    md = N.solve_markdown(r)
    assert "| `u = 64` | 59,910 | 90 below |" in md


def test_solve_exact_and_budget(stacked):
    from symcount.analysis.solve import solve

    r = solve(stacked, "u", params=59_910)
    assert cells(N.solve_html(r))[1] == ["u = 64", "59,910", "exact"]
    r = solve(stacked, "u", at_most=1_000_000)
    assert r"\le 1{,}000{,}000" in N.solve_latex(r)
    best = r.best
    assert cells(N.solve_html(r))[1][0] == f"u = {best.values['u']}"


def test_solve_with_no_solution_shows_why(stacked):
    from symcount.analysis.solve import solve

    r = solve(stacked, "u", at_most=10)
    html = N.solve_html(r)
    assert "<table>" not in html
    assert "no values fit under the target" in html
    assert r"\text{no solution}" in N.solve_latex(r)
    assert re.search(r"no values fit under the target", N.solve_markdown(r))


def test_block_row_html_shows_the_block_formula():
    m = symcount.parse("block mlp(w) { Dense(4*w) -> Dense(w) }; input(T, d) -> mlp(d) -> mlp(8)")
    rows = cells(N.model_html(m))
    assert rows[2] == ["mlp_1 (mlp)", "(None, T, 8)", "4*w*(d + 1) + w*(4*w + 1)", "32*d + 296"]


def test_a_block_whose_count_ignores_its_parameters_displays():
    m = symcount.parse("block drop(r) { Dropout(r) -> Dense(10) }; input(32) -> drop(0.5)")
    assert "330" in m._repr_html_()
    assert "330" in m._repr_latex_()
    assert m.rows[0]._repr_latex_() == r"$$ N_{\mathtt{drop}} = 330 $$"


def test_buffers_appear_in_every_display_of_a_torch_model():
    m = symcount.parse("convention torch; input(3, 8, 8) -> Conv2d(4, 3) -> BatchNorm2d")
    assert m.buffers == 9
    assert r"\text{Buffers} & & & 9 \\" in m._repr_latex_()
    assert "<li><strong>Buffers:</strong>" in m._repr_html_()
    assert "- **Buffers:** 9" in m._repr_markdown_()
