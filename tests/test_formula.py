"""Formula objects (symcount.model.formula), the LaTeX printer (render.latex_printer)
and option text read by the language's grammar (userexpr via fragments)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import dims as D
from symcount.errors import ArgumentError
from symcount.language import fragments, userexpr
from symcount.model import formula as F
from symcount.ops.spec import Copies, Factor, W, Weight
from symcount.render import latex as L
from symcount.render import latex_printer as LP

# formulas ----------------------------------------------------------------------------

FORMULAS = [
    # model, general, numbers, LaTeX of the general form
    (
        "input(28, 28, 24) -> Conv2D(36, 3)",
        "(k_h*k_w*c_in + 1)*filters",
        "(3*3*24 + 1)*36",
        r"\left(k_{h} k_{w} c_{\text{in}} + 1\right) \, \mathrm{filters}",
    ),
    (
        "input(t, c) -> LSTM(u)",
        "4*units*(c_in + units + 1)",
        "4*u*(c + u + 1)",
        r"4 \, \mathrm{units} \, \left(c_{\text{in}} + \mathrm{units} + 1\right)",
    ),
    ("input(8, c) -> BatchNormalization", "4*c", "4*c", "4 c"),
    ("input(t, 3) -> Dense(u + 1)", "(c_in + 1)*units", "(3 + 1)*(u + 1)", None),
]


@pytest.mark.parametrize(("text", "general", "numbers", "latex"), FORMULAS)
def test_derived_formulas(text, general, numbers, latex):
    row = symcount.parse(text).rows[-1]
    f = F.derive(row.weights)
    assert (f.general, f.numbers) == (general, numbers)
    assert D.equal(f.count, row.params) is True  # the count comes from the same object
    if latex is not None:
        assert LP.formula_latex(f) == latex


def test_the_expression_is_over_one_label_symbol_per_factor():
    f = F.derive([W("kernel", ("c_in", 3), ("units", 4)), W("bias", ("units", 4))])
    labels = sorted(str(s) for s in f.expr.free_symbols)
    assert labels == ["c_in", "units"]  # printed as their labels
    assert F.is_label(next(iter(f.expr.free_symbols)))
    assert f.values == {"units": 4, "c_in": 3}
    assert f.count == 16
    # one label with two values stays two symbols
    two = F.total([F.derive([W("k", ("u", 2))]), F.derive([W("k", ("u", 3))])])
    assert two.general == "u + u" and two.numbers == "2 + 3" and len(two.expr.free_symbols) == 2


def test_composition_builds_what_the_text_surgery_built():
    lstm = F.derive(symcount.parse("input(t, 5) -> LSTM(3)").rows[0].weights)
    two = lstm.scaled(2)
    assert (two.general, two.numbers, two.count) == (
        "2*4*units*(c_in + units + 1)",
        "2*4*3*(5 + 3 + 1)",
        216,
    )
    s = F.derive([W("a", ("x", 2)), W("b", ("y", 3))])  # a sum: brackets when scaled
    assert s.scaled(2).general == "2*(x + y)"
    assert s.times("num_layers", 4).numbers == "4*(2 + 3)"
    assert s.relabelled({"x": "in_features"}).general == "in_features + y"
    assert (s + s).general == "x + y + x + y" and (s + s).count == 10
    with pytest.raises(ValueError):
        F.Formula.of(7).scaled(2)


def test_bidirectional_formula_is_two_copies():
    m = symcount.parse("input(10, 5) -> Bidirectional(LSTM(3))")
    declared = m.rows[0].formula  # the op describes it; formula.py writes it out
    assert isinstance(declared, Copies) and declared.times == 2
    assert [w.name for w in declared.weights] == ["kernel", "recurrent_kernel", "bias"]
    f = F.declared(declared)
    assert isinstance(f, F.Formula)
    assert (f.general, f.numbers, f.count) == (
        "2*4*units*(c_in + units + 1)",
        "2*4*3*(5 + 3 + 1)",
        m.rows[0].params,
    )


def test_a_stack_declares_num_layers_copies():
    m = symcount.parse(
        "convention torch\ninput(5, 4) -> TransformerEncoder(TransformerEncoderLayer(4, 2, 6), 3)"
    )
    declared = m.rows[0].formula
    assert declared.times == Factor("num_layers", 3)
    f = F.declared(declared)
    assert f.general.startswith("num_layers*(3*d_model*d_model + ")
    assert f.numbers.startswith("3*(3*4*4 + ")
    assert F.declared(None) is None and F.declared(f) is f
    with_norm = symcount.parse(
        "convention torch\ninput(5, 4) -> "
        "TransformerEncoder(TransformerEncoderLayer(4, 2, 6), 3, norm=LayerNorm(4))"
    )
    assert with_norm.rows[0].formula is None  # derived from all its weights instead


_labels = st.sampled_from(["c_in", "units", "k", "4", "2", "1", "d_model"])
_values = st.sampled_from([1, 2, 3, 24, D.symbol("u"), D.symbol("u") + 1, 2 * D.symbol("v")])
_factors = st.builds(lambda lab, v: Factor(lab, int(lab) if lab.isdigit() else v), _labels, _values)
_weights = st.lists(
    st.builds(
        lambda dims: Weight("w", tuple(tuple(d) for d in dims)),
        st.lists(st.lists(_factors, min_size=1, max_size=2), max_size=3),
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(_weights)
def test_a_formula_counts_what_its_weights_count(weights):
    f = F.derive(weights)
    assert D.equal(f.count, F.count(weights)) is True
    assert D.equal(f.scaled(3).count, D.mul(3, F.count(weights))) is True
    # the numbers text keeps the general form's structure: same operators, same brackets
    strip = str.maketrans("", "", "0123456789abcdefghijklmnopqrstuvwxyz_ ")
    if all(isinstance(x.value, int) for w in weights for x in w.factors):
        general, numbers = f.general.translate(strip), f.numbers.translate(strip)
        assert numbers == general or "1" in f.general  # k*1 reads k in numbers


def test_numeric_formulas_need_no_sympy():
    import subprocess
    import sys

    code = (
        "import sys, symcount\nfrom symcount.model.formula import derive\n"
        "m = symcount.parse('input(28, 28, 24) -> Conv2D(36, 3)')\n"
        "f = derive(m.rows[0].weights); f.general, f.numbers, f.count\n"
        "from symcount.render.latex_printer import formula_latex; formula_latex(f, numbers=True)\n"
        "print('sympy' in sys.modules)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert p.stdout.strip() == "False", p.stderr


# the printer: SymPy objects straight to LaTeX ------------------------------------------

u, v, f = D.symbol("u"), D.symbol("v"), D.symbol("f")
sp = D.sp()
PRINTED = [
    (4 * u * (f + u + 1), r"4 u \left(f + u + 1\right)"),
    (-4 * u + v**2, r"-4 u + v^{2}"),
    (3 * u / 2, r"\frac{3 u}{2}"),
    (u / (2 * v), r"\frac{u}{2 v}"),
    (sp.Rational(-3, 2) * u, r"\frac{-3 u}{2}"),  # as str() writes it: -3*u/2
    (sp.floor((u - 3) / 2) + 1, r"\left\lfloor \frac{u}{2} - \frac{3}{2} \right\rfloor + 1"),
    (sp.ceiling(u / 2), r"\left\lceil \frac{u}{2} \right\rceil"),
    (sp.Max(v, u) + sp.Min(u, 7), r"\max\left(u, v\right) + \min\left(7, u\right)"),
    (sp.Mod(u, v), r"u \bmod v"),
    ((u + v) ** 2, r"\left(u + v\right)^{2}"),
    (1 / (u + 1), r"\frac{1}{u + 1}"),
    (sp.sqrt(u), r"\sqrt{u}"),
    (D.symbol("d_model") ** 2 * D.symbol("L"), r"L d_{\text{model}}^{2}"),
    (D.symbol("units") * 4, r"4 \, \mathrm{units}"),
    (2654336 * u, r"2{,}654{,}336 u"),
    (u - v, "u - v"),
]


@pytest.mark.parametrize(("expr", "latex"), PRINTED, ids=[str(e) for e, _ in PRINTED])
def test_printer(expr, latex):
    assert L.value(expr) == latex


def test_printer_is_a_latex_printer_and_never_reads_text(monkeypatch):
    from sympy.printing.latex import LatexPrinter

    assert issubclass(LP.printer_class(), LatexPrinter)
    monkeypatch.setattr(LP, "math_item", lambda s: pytest.fail(f"read text {s!r}"))
    m = symcount.load("examples/stacked_lstm_symbolic.sc")
    assert r"\begin{alignat*}" in L.explain_latex(m)
    assert r"\begin{table}" in L.model_latex(m)


def test_a_long_sum_breaks_at_its_terms():
    total = sp.Add(*[D.symbol(f"u{i}") * (i + 1) for i in range(400)])  # unsorted beyond 300
    terms = LP.terms(total)
    assert len(terms) == 400 and all(t.startswith("+ ") for t in terms[1:])
    assert " ".join(terms) == L.value(total)


# one expression grammar ----------------------------------------------------------------


def test_options_parse_to_the_languages_nodes():
    from symcount.language import ast

    node = userexpr.parse_expr("64*h")
    assert isinstance(node, ast.BinOp) and node.op == "*"
    c = userexpr.parse_condition("d % h == 0")
    assert c.op == "==" and userexpr.modulo_of(c.left)[0] == "d"
    assert userexpr.name_of(userexpr.parse_condition("L <= 48").left) == "L"
    assert fragments.parse_fragment("u in 1..4096", "condition")[0] == "in"


def test_a_long_sum_of_option_text_is_not_a_recursion():
    text = "+".join(["h"] * 900)  # 1,799 characters: within the limit, 900 deep
    assert str(userexpr.to_value(userexpr.parse_expr(text))) == "900*h"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.5*h", "unexpected character '.' (column 2)"),  # decimals, strings: not option text
        ("'h'", 'unexpected character "\'" (column 1)'),
        ("h # note", "unexpected character '#' (column 3)"),
        ("(h, 2)", "expected ')', found ',' (column 3)"),
        ("floor(x=1)", "expected ')', found '=' (column 8)"),
        ("min()", "expected a number, a name or '(', found ')' (column 5)"),
        ("2(3)", "unexpected '(' (column 2)"),
        ("in", "unexpected 'in' (column 1)"),
    ],
)
def test_option_text_keeps_its_vocabulary(text, message):
    with pytest.raises(ArgumentError) as e:
        userexpr.parse_expr(text)
    assert message in str(e.value)


def test_the_language_still_reads_one_dot_two():
    # the option grammar's '..' does not change the language: 1. and .5 are decimals
    m = symcount.parse("input(10) -> Dropout(.5) -> Dropout(1.) -> Dense(2)")
    assert m.total == 22


def test_a_label_that_is_a_sum_is_parenthesised_in_the_general_form():
    # torch's layers after the first: the factor's label is `num_layers - 1`
    from symcount.render.explain import explain

    out = explain(symcount.parse("convention torch\ninput(t, 8) -> LSTM(8, h, num_layers=L)"))
    assert "(num_layers - 1)*4*hidden_size*hidden_size = (L - 1)*4*h*h" in out
    assert "2*(num_layers - 1)*hidden_size" in out
    assert "num_layers - 1*" not in out
