"""Quantities as a registry (symcount.model.quantities): a throwaway quantity,
declared in a few lines and registered for one test, appears in every output
and survives every operation; today's four keep their outputs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import cli
from symcount import dims as D
from symcount.cli import diff as DF
from symcount.model import quantities as Q
from symcount.model.formula import count
from symcount.render import formats as F
from symcount.render import latex as L
from symcount.render import notebook as N
from symcount.render import table as T


def _bias(row):
    return count([w for w in row.weights if w.name.endswith("bias")])


def _elements(row):
    shapes = row.output_shape if isinstance(row.output_shape, list) else [row.output_shape]
    return D.total([D.prod(d for d in s if d is not None) for s in shapes])


# the two throwaway quantities: one per layer (weights), one per call (compute)
BIAS = Q.Quantity("bias_entries", "Bias entries", of=_bias, unit="entries")
ELEMENTS = Q.Quantity(
    "elements_out", "Elements out", of=_elements, per=Q.PER_CALL, unit="values", column="Out #"
)


@pytest.fixture
def extra():
    """Both registered for the test only (and unregistered even when it fails)."""
    with Q.temporarily(BIAS), Q.temporarily(ELEMENTS):
        yield


MLP = "model mlp\ninput(f) -> Dense(u) -> Dense(3)"
u, f = D.symbol("u"), D.symbol("f")


FOUR = ["params", "trainable", "non_trainable", "buffers"]


# counted on request (docs/activations.md)
ACTIVATIONS = ["activation_bytes", "training_activation_bytes", "korthikanti_bytes"]


def shown(text: str, values=None):
    return symcount.parse(text, values=values).showing("bias_entries", "elements_out")


# the registry itself ------------------------------------------------------------------


def test_the_four_are_declared_in_order():
    memory = ["param_bytes", "grad_bytes", "optimizer_bytes", "training_bytes"]  # model/memory.py
    assert [q.name for q in Q.REGISTRY] == [*FOUR, "macs", "flops", *ACTIVATIONS, *memory]
    assert [q.title for q in Q.REGISTRY.shown()] == [
        "Total params",
        "Trainable params",
        "Non-trainable params",
        "Buffers",
    ]
    assert Q.lookup("total") is Q.lookup("params") is Q.REGISTRY["params"]
    assert Q.lookup("non-trainable").name == "non_trainable"


def test_temporarily_unregisters_even_on_error():
    with pytest.raises(RuntimeError), Q.temporarily(BIAS):
        assert "bias_entries" in Q.REGISTRY
        raise RuntimeError
    assert "bias_entries" not in Q.REGISTRY


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(name="params", title="x", of=_bias), "already registered"),
        (dict(name="x", title="x", of=_bias, label="total"), "already used"),
        (dict(name="x", title="x", parts=("nope",)), "not a registered"),
        (dict(name="x", title="x", parts=("params",)), "not a registered"),
    ],
)
def test_register_refuses_clashes(bad, message):
    with pytest.raises(ValueError, match=message):
        Q.register(Q.Quantity(**bad))
    memory = ["param_bytes", "grad_bytes", "optimizer_bytes", "training_bytes"]  # model/memory.py
    assert [q.name for q in Q.REGISTRY] == [*FOUR, "macs", "flops", *ACTIVATIONS, *memory]


@pytest.mark.parametrize(
    "bad",
    [dict(per="batch", of=_bias), dict(), dict(of=_bias, parts=("trainable",))],
)
def test_a_declaration_is_checked(bad):
    with pytest.raises(ValueError):
        Q.Quantity("x", "X", **bad)


def test_a_part_in_use_cannot_be_unregistered():
    with pytest.raises(ValueError, match="part of params"):
        Q.unregister("trainable")


# values: rows, groups, shared layers, repeats ------------------------------------------


def test_row_and_model_values(extra):
    m = symcount.parse(MLP)
    d1, d2 = m.rows
    assert d1.counts == {
        "params": u * (f + 1),
        "trainable": u * (f + 1),
        "non_trainable": 0,
        "buffers": 0,
        "macs": f * u,
        "flops": 2 * f * u,
        "activation_bytes": 4 * u,
        "training_activation_bytes": 8 * u,
        "korthikanti_bytes": 0,
        "param_bytes": 4 * u * (f + 1),  # model/memory.py: float32, no optimizer
        "grad_bytes": 4 * u * (f + 1),
        "optimizer_bytes": 0,
        # the three above and the training activations: 4+4+0 bytes a weight, 8 an output entry
        "training_bytes": 8 * u * (f + 1) + 8 * u,
        "bias_entries": u,
        "elements_out": u,
    }
    assert d2.count("bias_entries") == 3
    assert m.totals["bias_entries"] == u + 3
    assert m.totals["elements_out"] == u + 3
    assert m.sum("params") == m.total


def test_shared_layer_counts_weights_once_and_compute_per_call(extra):
    m = symcount.parse(
        "let enc = Dense(u)\na = input(8) -> enc\nb = input(8) -> enc\nConcatenate(a, b) -> Dense(1)"
    )
    enc = m.row("dense")
    assert enc.calls == 2
    assert enc.count("bias_entries") == u  # per layer: its weights, once
    assert enc.count("elements_out") == 2 * u  # per call: summed over its two calls
    assert m.totals["elements_out"] == 2 * u + 2 * u + 1


@pytest.mark.parametrize(
    "text, bias, elements",
    [
        ("input(8) -> repeat 3 { Dense(u) }", 3 * u, 3 * u),  # unrolled: three layers
        ("input(8) -> repeat n { Dense(8) }", 8 * D.symbol("n"), 8 * D.symbol("n")),
        ("block b(w) { Dense(w) -> Dense(w) }\ninput(8) -> b(u) * 2", 4 * u, 4 * u),
        ("block b(w) { Dense(w) -> Dropout(0.1) }\ninput(8) -> b(u)", u, 2 * u),
    ],
)
def test_groups_sum_their_children(extra, text, bias, elements):
    m = symcount.parse(text)
    assert D.sp().expand(m.totals["bias_entries"] - bias) == 0
    assert D.sp().expand(m.totals["elements_out"] - elements) == 0
    for _, row in m.walk(expand=True):
        if row.group:  # a block's or a repeat's value is its children's, times its multiplier
            inner = D.total([c.count("elements_out") for c in row.children])
            assert D.sp().expand(row.count("elements_out") - row.multiplier * inner) == 0


def test_a_type_formula_overrides_the_default(extra):
    q = Q.Quantity("dense_only", "Dense only", of=lambda r: 0, by_type={"Dense": lambda r: 1})
    with Q.temporarily(q):
        m = symcount.parse("input(4) -> Dense(2) -> Dropout(0.5) -> Dense(1)")
        assert [r.count("dense_only") for r in m.rows] == [1, 0, 1]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=6))
def test_bias_entries_of_a_dense_stack_are_its_widths(widths):
    with Q.temporarily(BIAS):
        text = "input(7) -> " + " -> ".join(f"Dense({w})" for w in widths)
        m = symcount.parse(text)
        assert m.totals["bias_entries"] == sum(widths)
        assert m.totals["params"] == m.totals["trainable"] + m.totals["non_trainable"]


# operations -------------------------------------------------------------------------------


def test_subs(extra):
    m = shown(MLP).subs(u=10)
    assert m.totals["bias_entries"] == 13
    assert m.rows[0].count("elements_out") == 10
    assert m.show == ("bias_entries", "elements_out")  # substituting keeps what is shown


@pytest.mark.parametrize("how", ["simplify", "expand", "factor", "collect"])
def test_algebra_rewrites_every_quantity(extra, how):
    m = symcount.parse("input(t, f) -> LSTM(u) -> Dense(v * (u + 1))")
    new = getattr(m, how)()
    from symcount.analysis.algebra import transform

    for q in Q.REGISTRY:
        assert new.totals[q.name] == transform(m.totals[q.name], how)
        for a, b in zip(m.rows, new.rows, strict=True):
            assert b.count(q.name) == transform(a.count(q.name), how)
    assert str(m.expand().totals["elements_out"]) == "u*v + u + v"


def test_solve_for_a_quantity(extra):
    m = symcount.parse(MLP)
    r = m.solve("u", count="bias_entries", params=67)
    assert r.solutions[0].values == {"u": 64} and r.of == "bias_entries"
    assert r.text().startswith("bias entries = u + 3\n")
    assert r.to_dict()["count"] == "bias entries"
    Q.unregister("bias_entries")  # a result keeps its text once the quantity is gone
    try:
        assert r.text().startswith("bias entries = u + 3\n")
    finally:
        Q.register(BIAS)
    assert m.solve("u", of="elements_out", at_most=100).best.values == {"u": 97}
    with pytest.raises(symcount.SolveError, match="give the count once"):
        m.solve("u", of="trainable", count="bias_entries", params=67)
    with pytest.raises(
        symcount.SolveError, match="one of total, trainable, non_trainable, buffers, "
    ):
        m.solve("u", count="activations", params=1)


def test_solve_command_takes_a_registered_quantity(extra, capsys):
    code = cli.main(["solve", "-e", MLP, "--params", "67", "--for", "u", "--count", "bias_entries"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("bias entries = u + 3\n") and "u = 64" in out


def test_plot_data(extra):
    pytest.importorskip("matplotlib")
    from symcount.cli import plot as PL

    m = symcount.parse(MLP).subs(f=5)
    fig, info = PL.figure(m, "u", 1, 10, counts=["bias_entries", "total"], budget=9)
    assert info.counts == ["bias_entries", "total"]
    lines = fig.axes[0].lines
    assert list(lines[0].get_ydata()) == [k + 3 for k in range(1, 11)]
    assert list(lines[1].get_ydata()) == [6 * k + 3 * k + 3 for k in range(1, 11)]
    assert lines[0].get_label() == "bias entries"
    assert info.fit.value == 6 and info.fit.count == 9  # the budget is on the first count
    assert PL.report(info, "u.png", "png", 640, 480).startswith(
        "wrote u.png (640x480 px): bias entries and total params for u = 1..10"
    )


# outputs -----------------------------------------------------------------------------------


def test_default_outputs_do_not_list_a_hidden_quantity(extra):
    m = symcount.parse(MLP)
    assert "bias_entries" not in m.to_dict() and "bias_entries" not in m.to_dict()["layers"][0]
    assert "Bias" not in T.summary(m) and "bias" not in F.to_csv(m)


def test_summary_table(extra):
    text = T.summary(shown(MLP, {"f": 4, "u": 8}))
    assert (
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃ Out # ┃"
        in (text)
    )
    assert text.endswith(
        " Total params: 67 (268.00 B)\n Trainable params: 67 (268.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n Bias entries: 11\n Elements out: 11\n"
    )


def test_json(extra):
    d = json.loads(F.to_json(shown(MLP)))
    assert d["layers"][0]["bias_entries"] == "u" and d["layers"][1]["elements_out"] == 3
    assert (d["total"], d["bias_entries"], d["elements_out"]) == (
        "u*(f + 1) + 3*u + 3",
        "u + 3",
        "u + 3",
    )


def test_csv(extra):
    rows = list(csv.DictReader(io.StringIO(F.to_csv(shown(MLP, {"f": 4, "u": 8})))))
    assert tuple(rows[0]) == (*F.CSV_COLUMNS, "bias_entries", "elements_out")
    assert [(r["bias_entries"], r["elements_out"]) for r in rows] == [("8", "8"), ("3", "3")]


def test_markdown(extra):
    text = F.to_markdown(shown(MLP, {"f": 4, "u": 8}))
    assert "| Layer (type) | Output Shape | Param # | Out # |\n|---|---|---:|---:|" in text
    assert "| dense (Dense) | `(None, 8)` | 40 | 8 |" in text
    assert "- **Bias entries:** 11\n- **Elements out:** 11\n" in text


def test_notebook(extra):
    m = shown(MLP)
    html = N.model_html(m)
    assert '<th style="text-align:left">Out #</th>' in html
    assert "<li><strong>Bias entries:</strong> <code>u + 3</code></li>" in html
    latex = N.model_latex(m)
    assert r"\text{Bias entries} & & & u + 3 \\" in latex
    assert r"\text{Elements out} & & & u + 3 \\" in latex


def test_latex(extra):
    m = shown(MLP, {"f": 4, "u": 8})
    assert [(t, n) for t, n, _ in L.totals_rows(m)][-2:] == [
        ("Bias entries", "bias_entries"),
        ("Elements out", "elements_out"),
    ]
    text = m.to_latex()
    # issue 14: a quantity with a column gets a second table, the totals beside it
    table = text[text.index(r"Layer & Out \#") :]
    assert r"Bias entries & $11$ \\" in table and r"Elements out & $11$ \\" in table
    # a quantity with no column, alone: its total under Parameters, as the others'
    alone = symcount.parse(MLP, values={"f": 4, "u": 8}).showing("bias_entries").to_latex()
    assert r"Bias entries &  &  & $11$ \\" in alone and alone.count(r"\begin{table}") == 1


def test_diff(extra):
    text = "model m\ninput(8) -> BatchNormalization() -> Dense(u)"
    k = symcount.parse(text).showing("bias_entries")
    t = DF.translate(text).showing("bias_entries")
    out = DF.render(k, t)
    assert (
        " Keras:   Total params: 9*u + 32 (trainable 9*u + 16, non-trainable 16); "
        "bias entries: u\n"
        " PyTorch: Total params: 9*u + 16 (trainable 9*u + 16, frozen 0); buffers: 17; "
        "bias entries: u + 8\n"
    ) in out
    assert "│ 16 (buffers: 17; bias entries: 8) │" in out  # torch's BatchNorm1d has a bias
    assert "│ 9*u (bias entries: u) │" in out
    d = DF.to_dict(k, t)
    assert d["rows"][1]["keras_bias_entries"] == "u" and d["rows"][0]["torch_bias_entries"] == 8
    assert (d["keras"]["bias_entries"], d["torch"]["bias_entries"]) == ("u", "u + 8")
    plain = DF.to_dict(symcount.parse(text), t)
    assert "keras_bias_entries" not in plain["rows"][0] and "bias_entries" not in plain["keras"]


# today's four: the outputs a quantity table drives are those of before -----------------------


@pytest.mark.parametrize(
    "name", ["mnist_cnn", "stacked_lstm_symbolic", "torch_resnet50", "transformer_symbolic"]
)
def test_totals_are_the_sums_of_the_rows(name):
    m = symcount.load(f"examples/{name}.sc")
    for q in Q.REGISTRY:
        rows = D.total([r.count(q.name) for r in m.rows])
        assert D.sp().expand(D.sub(m.totals[q.name], rows)) == 0
    for _, r in m.walk(expand=True):
        assert r.params == D.add(r.trainable, r.non_trainable)
        assert (r.params, r.trainable, r.non_trainable, r.buffers) == tuple(
            r.counts[n] for n in ("params", "trainable", "non_trainable", "buffers")
        )


def test_plot_command_draws_a_registered_quantity(extra, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "u.svg"
    argv = ["plot", "-e", MLP, "--set", "f=5", "--vary", "u=1..10", "-o", str(out)]
    assert cli.main([*argv, "--count", "bias_entries", "--budget", "9"]) == 0
    assert capsys.readouterr().out == (
        f"wrote {out} (SVG): bias entries for u = 1..10 (10 points)\n"
        "budget 9: u = 6 gives 9 (exactly)\n"
    )
    assert cli.main([*argv, "--count", "activations"]) == 2
    assert (
        "--count 'activations': not a quantity; one of total, trainable" in capsys.readouterr().err
    )


def test_the_docs_page_runs():
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "quantities.md"
    result = doctest.testfile(str(page), module_relative=False)
    assert result.attempted >= 5 and result.failed == 0
