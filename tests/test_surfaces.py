"""Compute in every output (issue 12, points 3 and 4): diff, plot, LaTeX, the
notebook, CSV and Markdown show MACs and FLOPs with the convention line;
``summary --columns`` chooses the columns; ``solve --budget`` finds the
largest size under a compute budget, for any registered quantity, with
``--batch``. Every output reads the registry, so a quantity registered later
appears in each (REGISTRY.temporarily, per layer and per call); a repeat
multiplies compute symbolically without unrolling, a shared layer counts per
call."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import symcount
from symcount import cli
from symcount import dims as D
from symcount.cli import args as A
from symcount.cli import diff as DF
from symcount.model import quantities as Q
from symcount.render import formats, latex, notebook, table

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MNIST = str(EXAMPLES / "mnist_cnn.sc")
GPT2 = str(EXAMPLES / "gpt2.sc")
GPT2_SMALL = ["--set", "V=50257", "--set", "T=1024", "--set", "h=12", "--set", "L=12"]
CONVENTION = "FLOPs = 2 x MACs over matmuls and convolutions"


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# budgets as people write them --------------------------------------------------------

COUNTS = [
    ("1e12", 10**12),
    ("2.5e9", 2_500_000_000),
    ("1E+3", 1000),
    ("10^12", 10**12),
    ("10**12", 10**12),
    ("2^10", 1024),
    ("350M", 350_000_000),
    ("59,910", 59_910),
]


@pytest.mark.parametrize(("text", "n"), COUNTS)
def test_count_reads_powers_and_exponents_exactly(text, n):
    assert A.count(text) == n


@pytest.mark.parametrize("text", ["1e100", "1.25e1", "e5", "10^", "12345^2", "1e12.5"])
def test_count_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError):
        A.count(text)


# solve for a compute budget ----------------------------------------------------------


def _gpt2_flops(d: int, batch: int = 1) -> int:
    # the closed form at d (a d that h does not divide is still a point of the curve)
    m = symcount.load(GPT2, values=dict(V=50257, T=1024, h=12, L=12))
    return m.batched(batch).subs(d=d).totals["flops"]


@pytest.mark.parametrize(("batch", "d"), [(1, 1536), (8, 384)])
def test_solve_budget_gives_the_largest_width_under_it(capsys, batch, d):
    argv = ["solve", GPT2, "--count", "flops", "--budget", "1e12", "--for", "d"]
    argv += ["--multiple-of", "64", *GPT2_SMALL, "--batch", str(batch), "--format", "json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    r = json.loads(out)
    best = r["solutions"][0]
    assert best["values"] == {"d": d}
    # the fit is the largest multiple of 64 under the budget, checked on the model itself
    assert best["count"] == _gpt2_flops(d, batch) <= 10**12 < _gpt2_flops(d + 64, batch)
    assert r["count"] == "FLOPs" and r["mode"] == "at_most" and r["target"] == 10**12
    assert r["compute"] == {"convention": "default", "batch": batch}


def test_solve_budget_with_another_target_is_refused(capsys):
    code, _, err = run(capsys, "solve", GPT2, "--budget", "1e12", "--at-most", "5")
    assert code == 2 and "--budget is --at-most" in err


def test_solve_budget_is_at_most(capsys):
    common = [GPT2, "--count", "flops", "--for", "d", *GPT2_SMALL]
    _, a, _ = run(capsys, "solve", *common, "--budget", "10^12")
    _, b, _ = run(capsys, "solve", *common, "--at-most", "1000000000000")
    assert a == b
    assert f"compute: {CONVENTION}" in a and a.rstrip().endswith("below")


def test_solve_for_a_symbolic_batch_and_sequence(capsys):
    d768 = [*GPT2_SMALL[:2], *GPT2_SMALL[4:], "--set", "d=768"]  # V, h, L; T free
    code, out, _ = run(
        capsys, "solve", GPT2, "--count", "flops", "--budget", "1e12", "--for", "T", *d768
    )
    assert code == 0
    assert "FLOPs = 36864*T**2 + 247064064*T" in out  # attention's T^2 and the matmuls' T
    assert "T = 2842  999,905,270,784" in out
    code, out, _ = run(
        capsys, "solve", GPT2, "--count", "flops", "--budget", "1e15", "--for", "B",
        *GPT2_SMALL, "--set", "d=768", "--batch", "B", "--format", "json",
    )  # fmt: skip
    r = json.loads(out)
    assert r["expression"] == "291648307200*B" and r["compute"]["batch"] == "B"
    assert r["solutions"][0]["values"] == {"B": 10**15 // 291_648_307_200}


def test_solve_of_a_weight_count_states_no_compute(capsys):
    m = symcount.load(str(EXAMPLES / "stacked_lstm_symbolic.sc"))
    r = m.solve("u", params=59_910)
    assert r.compute is None and "compute" not in r.to_dict()
    assert "compute:" not in r.text()


# diff ---------------------------------------------------------------------------------


def test_diff_compute_on_both_sides(capsys, golden):
    code, out, err = run(capsys, "diff", MNIST, "--compute")
    assert code == 0, err
    golden("mnist_cnn.diff.compute.txt", out)
    code, out, _ = run(capsys, "diff", MNIST, "--compute", "--format", "json")
    d = json.loads(out)
    m = symcount.load(MNIST)
    for row, r in zip(d["rows"], m.rows, strict=True):
        for side in ("keras", "torch"):
            assert row[f"{side}_macs"] == r.count("macs")
            assert row[f"{side}_flops"] == r.count("flops")
    assert d["keras"]["flops"] == d["torch"]["flops"] == 14_560_960
    assert d["compute"] == {"convention": "default", "batch": 1}


def test_diff_batch_symbolic(capsys):
    code, out, _ = run(capsys, "diff", "-e", "input(t, f) -> LSTM(u)", "--batch", "B")
    assert code == 0
    assert "MACs: 4*B*t*u*(f + u)" in out and "batch B (both sides)" in out
    assert "PyTorch - Keras: 4*u params" in out  # the weights' difference, unchanged


def test_diff_without_compute_is_unchanged(capsys):
    _, out, _ = run(capsys, "diff", MNIST)
    assert "MACs" not in out and "Compute:" not in out


# plot ----------------------------------------------------------------------------------


def test_plot_flops_with_a_batch_and_budget(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "flops.png"
    argv = ["plot", GPT2, "--vary", "d=64..2048", "--count", "flops", "--budget", "1e12"]
    code, out, err = run(capsys, *argv, *GPT2_SMALL, "--batch", "8", "-o", str(png))
    assert code == 0, err
    assert png.stat().st_size > 0
    lines = out.splitlines()
    assert lines[0].startswith(f"wrote {png} (640x480 px): FLOPs for d = 64..2048")
    # the fit is solve's, exact: the largest d under the budget that h = 12 divides (d / h)
    assert (
        lines[1] == "budget 1,000,000,000,000: d = 432 gives 969,960,849,408 (30,039,150,592 under)"
    )
    assert _gpt2_flops(432, 8) == 969_960_849_408 < 10**12 < _gpt2_flops(444, 8)
    assert lines[2] == f"note: compute: {symcount.counting.lookup('default').title}, batch 8"


def test_plot_axis_names_the_unit():
    pytest.importorskip("matplotlib")
    from symcount.cli.plot import figure

    m = symcount.load(GPT2, values=dict(V=50257, T=1024, h=12, L=12))
    fig, _ = figure(m, "d", 64, 512, counts=["flops"])
    ax = fig.axes[0]
    assert ax.get_ylabel() == "floating-point operations"
    assert ax.get_title() == "gpt2: floating-point operations against d"
    fig, _ = figure(symcount.load(str(EXAMPLES / "stacked_lstm_symbolic.sc")), "u", 1, 64)
    assert fig.axes[0].get_ylabel() == "parameters"  # unchanged for the weights


# LaTeX, notebook, CSV, Markdown -------------------------------------------------------

needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")


def _compute(model, batch=1):
    return model.showing("macs", "flops").batched(batch)


def test_latex_table_has_the_compute_columns_and_totals(golden):
    m = _compute(symcount.load(MNIST))
    text = latex.model_latex(m)
    golden("mnist_cnn.summary.compute.latex.tex", text)
    # issue 14: the compute columns in a table of their own, beside the parameters'
    assert r"Layer & Output shape & Formula & Parameters \\" in text
    assert r"Layer & MACs & FLOPs \\" in text
    assert "\nDense & $2{,}654{,}208$ & $5{,}308{,}416$ \\\\" in text
    assert r"Total MACs & $7{,}280{,}480$ \\" in text
    assert r"Total FLOPs &  & $14{,}560{,}960$ \\" in text
    assert "Compute: FLOPs = 2 x MACs" in text
    assert latex.model_latex(symcount.load(MNIST)).count("&") < text.count("&")


def test_explain_latex_typesets_each_calls_macs(golden):
    m = _compute(symcount.parse("input(t, f) -> LSTM(u)"), "B")
    text = latex.explain_latex(m)
    golden("lstm.explain.compute.latex.tex", text)
    labels = r"\mathrm{batch} \, T \, \mathrm{gates} \, \mathrm{units} \, \left(c_{\text{in}} + \mathrm{units}\right)"
    assert rf"\text{{MACs}} &&{{}}= {labels} \\" in text  # the chain breaks at its = signs
    assert r"& &&{}= B \cdot t \cdot 4 \cdot u \cdot \left(f + u\right) = 4 B t u" in text
    assert r"N_{\text{FLOPs}} = 8 B t u \left(f + u\right)" in text


def _pdflatex(tmp_path, source: str):
    tex = tmp_path / "doc.tex"
    tex.write_text(source, encoding="utf-8")
    return subprocess.run(
        ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", tex.name],
        cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=120,
    )  # fmt: skip


@needs_pdflatex
@pytest.mark.parametrize("example", ["mnist_cnn.sc", "gpt2.sc"])
def test_compute_latex_compiles(tmp_path, example):
    m = _compute(symcount.load(str(EXAMPLES / example)), "B")
    parts = [latex.model_latex(m), latex.explain_latex(m), m._repr_latex_()]
    doc = latex.PREAMBLE + "\\begin{document}\n" + "\n".join(parts) + "\n\\end{document}\n"
    r = _pdflatex(tmp_path, doc)
    assert r.returncode == 0, [line for line in r.stdout.split("\n") if line.startswith("!")]


def test_notebook_shows_the_columns_and_the_convention():
    m = _compute(symcount.load(MNIST), 2)
    html = notebook.model_html(m)
    assert '<th style="text-align:left">MACs</th><th style="text-align:left">FLOPs</th>' in html
    assert '<td style="text-align:right">292,032</td>' in html  # conv2d's MACs, batch 2
    assert "<li><strong>Compute:</strong> FLOPs = 2 x MACs" in html and "batch 2</li>" in html
    tex = notebook.model_latex(m)
    assert r"\begin{array}{llllll}" in tex
    assert r"\text{Total FLOPs} & & & 29{,}121{,}920 \\" in tex
    assert r"& 2{,}654{,}336 & 5{,}308{,}416 & 10{,}616{,}832 \\" in tex  # dense, batch 2
    assert "Compute:" not in notebook.model_html(symcount.load(MNIST))


def test_csv_and_markdown_with_a_symbolic_batch():
    m = _compute(symcount.load(MNIST), "B")
    csv = formats.to_csv(m).splitlines()
    assert csv[0] == "name,type,output_shape,params,trainable,non_trainable,buffers,macs,flops"
    assert csv[1] == 'conv2d,Conv2D,"(None, 26, 26, 24)",240,240,0,0,146016*B,292032*B'
    md = formats.to_markdown(m)
    assert "| conv2d (Conv2D) | `(None, 26, 26, 24)` | 240 | `146016*B` | `292032*B` |" in md
    assert "- **Total FLOPs:** `14560960*B`" in md and "batch B" in md


# summary --columns ---------------------------------------------------------------------


def test_columns_choose_and_order(capsys, golden):
    code, out, err = run(capsys, "summary", MNIST, "--columns", "flops,params")
    assert code == 0, err
    golden("mnist_cnn.summary.columns.txt", out)
    head = out.splitlines()[2]
    assert head.index("FLOPs") < head.index("Param #") and "MACs" not in head
    _, csv, _ = run(capsys, "summary", MNIST, "--columns", "macs", "--format", "csv")
    assert csv.splitlines()[0] == "name,type,output_shape,macs"
    _, md, _ = run(capsys, "summary", MNIST, "--columns", "total,trainable", "--format", "markdown")
    assert "| Layer (type) | Output Shape | Param # | Trainable params |" in md


@pytest.mark.parametrize(
    ("value", "words"),
    [("mac", ["'mac' is not a quantity", "params, trainable", "macs, flops", "did you mean 'macs'"]),
     (",", ["give one or more quantities"])],
)  # fmt: skip
def test_columns_errors_name_the_choices(capsys, value, words):
    code, out, err = run(capsys, "summary", MNIST, "--columns", value)
    assert code == 2 and out == ""
    for w in words:
        assert w in err
    assert "Traceback" not in err


# a quantity registered later is in every output ------------------------------------


def _header(text: str) -> str:
    return next(line for line in text.splitlines() if "Layer (type)" in line)


def _probe(per):
    # 3 x the width of a layer's output, once per layer or once per call; listed
    # in the outputs only when asked for
    def of(row):
        return D.mul(3, row.output_shape[-1])

    return Q.Quantity("probe", "Total probe", of=of, per=per, column="Probe")


@pytest.mark.parametrize("per", [Q.PER_LAYER, Q.PER_CALL])
def test_a_registered_quantity_appears_everywhere(per, capsys):
    src = "let D = Dense(u)\na = input(8) -> D\nb = input(8) -> D\nConcatenate(a, b)"
    u = D.symbol("u")
    with Q.REGISTRY.temporarily(_probe(per)):
        m = symcount.parse(src).showing("probe")
        shared = m.row("dense")
        assert shared.calls == 2
        calls = 1 if per == Q.PER_LAYER else 2  # weights count once; per call, twice
        assert shared.count("probe") == calls * 3 * u
        total = (3 * calls + 6) * u  # and the Concatenate's 3 * 2u
        assert m.totals["probe"] == total
        shown = f"{3 * calls + 6}*u"
        assert "Probe" in _header(table.summary(m))
        assert f"Total probe: {shown}" in table.summary(m)
        assert formats.to_csv(m).splitlines()[0].endswith(",probe")
        assert "| Probe |" in _header(formats.to_markdown(m))
        assert json.loads(formats.to_json(m))["probe"] == shown
        assert ">Probe</th>" in notebook.model_html(m)
        assert "Probe" in latex.model_latex(m) and "Total probe" in latex.model_latex(m)
        head = _header(table.summary(m.with_columns("probe", "params")))
        assert head.index("Probe") < head.index("Param #") and "Output Shape" in head
        k, t = DF.evaluate(src)
        text = DF.render(k.showing("probe"), t.showing("probe"))
        assert f"; total probe: {shown}" in text and "(total probe: " in text
        r = symcount.parse(src).solve("u", at_most=100, of="probe")
        assert r.best.values == {"u": 100 // (3 * calls + 6)}
        assert r.compute == ({"convention": "default", "batch": 1} if calls == 2 else None)
        from symcount.cli.plot import plotted

        assert [q.name for q in plotted(["probe"])] == ["probe"]
    assert "probe" not in Q.REGISTRY


# repeat and shared layers in every output ------------------------------------------------

REPEAT = "model r\ninput(T, d) -> repeat N { Dense(d) }"


def test_repeat_multiplies_compute_symbolically_without_unrolling(capsys):
    m = _compute(symcount.parse(REPEAT), "B")
    N, T, d, B = (D.symbol(n) for n in "NTdB")
    assert len(list(m.walk(expand=True))) == 3  # the repeat, its pass and its one layer
    assert m.totals["macs"] - B * N * T * d**2 == 0
    assert "B*N*T*d**2" in table.summary(m)
    assert "B N T d^{2}" in latex.model_latex(m)
    assert "`2*B*N*T*d**2`" in formats.to_markdown(m)
    _, out, _ = run(capsys, "diff", "-e", REPEAT, "--batch", "B", "--format", "json")
    assert json.loads(out)["keras"]["macs"] == "B*N*T*d**2"
    _, out, _ = run(
        capsys, "solve", "-e", REPEAT, "--count", "flops", "--budget", "1e9", "--for", "N",
        "--set", "T=128", "--set", "d=256", "--batch", "4", "--format", "json",
    )  # fmt: skip
    best = json.loads(out)["solutions"][0]
    assert best["values"] == {"N": 10**9 // (2 * 4 * 128 * 256**2)}


def test_shared_layer_counts_compute_per_call_in_every_output(capsys):
    src = "let D = Dense(8)\na = input(4) -> D\nb = input(5, 4) -> D\nConcatenate(a, Flatten(b))"
    m = _compute(symcount.parse(src))
    row = m.row("dense")
    assert row.params == 40 and [c["macs"] for c in row.call_costs] == [32, 160]
    assert row.count("macs") == 192
    assert "192" in table.summary(m) and "$192$" in latex.model_latex(m)
    assert ",192,384" in formats.to_csv(m).splitlines()[1 if m.rows[0].name == "dense" else 2]
    _, out, _ = run(capsys, "diff", "-e", src, "--compute", "--format", "json")
    rows = {r["name"]: r for r in json.loads(out)["rows"]}
    assert rows["dense"]["keras_macs"] == rows["dense"]["torch_macs"] == 192
    text = latex.explain_latex(m)
    assert r"\text{call 1: MACs}" in text and r"\text{call 2: MACs}" in text


# explain --compute: the formula in the op's own labels first ---------------------------

LABELLED = [
    # model, the labelled formula explain shows before the numbers
    ("input(5, 4) -> Dense(8)", "T*c_in*units = 5*4*8 = 160"),
    ("convention torch\ninput(5, 4) -> Linear(4, 8)", "T*in_features*out_features = 5*4*8"),
    ("input(28, 28, 1) -> Conv2D(24, 3)", "h_out*w_out*k_h*k_w*c_in*filters = 26*26*3*3*1*24"),
    ("input(8, 8, 4) -> Conv2D(8, 3, groups=2)", "k_h*k_w*(c_in/groups)*filters = 6*6*3*3*2*8"),
    ("input(10, 4) -> Conv1D(6, 3)", "l_out*k*c_in*filters = 8*3*4*6"),
    ("convention torch\ninput(5, 10) -> Conv1d(5, 3, 2)", "l_out*k*in_channels*out_channels"),
    ("input(4, 4, 8) -> Conv2DTranspose(4, 3)", "h_in*w_in*k_h*k_w*c_in*filters = 4*4*3*3*8*4"),
    ("input(8, 8, 4) -> DepthwiseConv2D(3)", "h_out*w_out*k_h*k_w*c_in*depth_multiplier"),
    ("input(8, 8, 4) -> SeparableConv2D(8, 3)", " + h_out*w_out*c_in*depth_multiplier*filters"),
    ("input(100, 6) -> LSTM(64)", "T*gates*units*(c_in + units) = 100*4*64*70 = 1,792,000"),
    ("input(100, 6) -> GRU(8)", "T*gates*units*(c_in + units) = 100*3*8*14"),
    ("input(100, 6) -> Bidirectional(SimpleRNN(8))", "T*gates*units*(c_in + units) + T*gates"),
    (
        "convention torch\ninput(100, 6) -> LSTM(6, 64, num_layers=2, bidirectional=true)",
        "T*directions*gates*hidden_size*(2*hidden_size + hidden_size)",
    ),
    ("input(100, 6) -> TimeDistributed(Dense(3))", "T*c_in*units = 100*6*3"),
    (
        "q = input(5, 16)\nv = input(7, 12)\nMultiHeadAttention(4, 8)(q, v)",
        "T_q*d_q*num_heads*key_dim + T_k*d_k*num_heads*key_dim + T_v*d_v*num_heads*key_dim"
        " + num_heads*T_q*T_k*key_dim",
    ),
    (
        "convention torch\ninput(5, 16) -> MultiheadAttention(16, 4)",
        "L*embed_dim*embed_dim + L*kdim*embed_dim + L*vdim*embed_dim + L*L*embed_dim",
    ),
    (
        "convention torch\ninput(5, 16) -> TransformerEncoder(TransformerEncoderLayer(16, 4, 32), 2)",
        "num_layers*2*T*d_model*dim_feedforward = ",
    ),
    ("q = input(5, 16)\nv = input(7, 16)\nAttention()([q, v])", "T_q*T_v*d_q + T_q*T_v*d_v"),
]


@pytest.mark.parametrize(("src", "want"), LABELLED, ids=[s.split("\n")[-1] for s, _ in LABELLED])
def test_explain_gives_the_ops_labels_first(capsys, src, want):
    code, out, err = run(capsys, "explain", "-e", src, "--compute")
    assert code == 0, err
    line = next(x for x in out.splitlines() if "MACs = " in x and "Total" not in x)
    assert want in line


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.sc")))
def test_labels_never_change_a_number(example):
    """Every call of every example: each term's labels line up with its
    factors, and the terms' products add up to the call's MACs."""
    src = (EXAMPLES / example).read_text()
    try:
        m = symcount.parse(src, values={s: 7 for s in symcount.parse(src).symbols})
    except symcount.SymcountError:
        pytest.skip("needs other values")
    for _, row in m.walk(expand=True):
        for costs in row.call_costs:
            terms, labels = costs.get("macs_terms"), costs.get("macs_labels")
            if labels is not None:
                assert [len(t) for t in terms] == [len(n) for n in labels]
            if terms and costs.get("macs") is not None:
                assert D.total([D.prod(t) for t in terms]) == costs["macs"]


# the batch the model states: input(..., batch_size=32) ---------------------------------

STATED = "input(shape=(128, 20), batch_size=32) -> LSTM(100, return_sequences=true)"


def test_stated_batch_is_shown_where_keras_shows_it(capsys, golden):
    code, out, err = run(capsys, "summary", "-e", STATED)
    assert code == 0, err
    golden("stated_batch.summary.txt", out)
    assert "(32, 128, 100)" in out and "None" not in out
    _, csv, _ = run(capsys, "summary", "-e", STATED, "--format", "csv")
    assert '"(32, 128, 100)"' in csv
    _, md, _ = run(capsys, "summary", "-e", STATED, "--format", "markdown")
    assert "`(32, 128, 100)`" in md
    assert "(32, 128, 100)" in notebook.model_html(symcount.parse(STATED))
    _, plain, _ = run(capsys, "summary", "-e", "input(128, 20) -> LSTM(100)")
    assert "(None, 100)" in plain  # a model that states none: as before


@pytest.mark.parametrize(
    ("argv", "batch"), [([], 32), (["--batch", "2"], 2), (["--batch", "B"], "B")]
)
def test_stated_batch_counts_the_compute_unless_batch_is_given(capsys, argv, batch):
    _, out, _ = run(capsys, "summary", "-e", STATED, "--format", "json", "--compute", *argv)
    d = json.loads(out)
    per_sample = 128 * 4 * 100 * 120
    assert d["batch_size"] == 32 and d["compute"]["batch"] == batch
    assert d["macs"] == (per_sample * batch if isinstance(batch, int) else f"{per_sample}*B")
    _, out, _ = run(capsys, "diff", "-e", STATED, "--format", "json", *argv, "--compute")
    assert json.loads(out)["compute"]["batch"] == batch


def test_stated_batch_in_solve_and_the_api(capsys):
    src = "input(shape=(T, 20), batch_size=32) -> LSTM(100)"
    _, out, _ = run(capsys, "solve", "-e", src, "--count", "macs", "--budget", "1e9", "--for", "T")
    assert "batch 32" in out
    per_step = 4 * 100 * 120 * 32
    assert f"T = {10**9 // per_step}  " in out
    m = symcount.parse(src)
    assert (m.stated_batch, m.batch) == (32, 32)
    assert symcount.parse(src, batch=1).totals["macs"] * 32 == m.totals["macs"]
    assert (
        json.loads(formats.to_json(symcount.parse("input(3) -> Dense(2)"))).get("batch_size")
        is None
    )


@pytest.mark.parametrize(
    ("src", "message", "caret"),
    [
        ("input(4, batch_size=0) -> Dense(2)", "batch_size must be a positive integer, not 0", "^"),
        ("input(4, batch_size=2.5) -> Dense(2)", "batch_size must be an integer", "^^^"),
        ("input(4, batch_size=(2, 3)) -> Dense(2)", "batch_size must be a positive integer", "^"),
        (
            "a = input(4, batch_size=3)\nb = input(4, batch_size=5)\nAdd(a, b)",
            "batch_size=5, but another input states batch_size=3",
            "^",
        ),
    ],
)
def test_a_bad_batch_size_is_a_positioned_error(capsys, src, message, caret):
    code, out, err = run(capsys, "summary", "-e", src)
    assert code == 2 and out == ""
    assert message in err and "argument error" in err
    assert caret in err.splitlines()[-1] and "Traceback" not in err


def test_stated_batch_follows_set(capsys):
    src = "input(4, batch_size=B) -> Dense(2)"
    _, out, _ = run(capsys, "summary", "-e", src, "--set", "B=8", "--compute")
    assert "(8, 2)" in out and "batch 8" in out and "Total MACs: 64" in out
    m = symcount.parse(src).subs(B=3)
    assert m.stated_batch == 3 and m.batch == 3 and m.totals["macs"] == 24


CLI_GOLDEN = [
    # golden file, argv
    (
        "gpt2.solve.flops_budget.txt",
        ["solve", GPT2, "--count", "flops", "--budget", "1e12", "--for", "d",
         "--multiple-of", "64", *GPT2_SMALL, "--batch", "8"],
    ),
    ("mnist_cnn.explain.compute.txt", ["explain", MNIST, "--compute", "--batch", "2"]),
    ("lstm.diff.batch.txt", ["diff", "-e", "input(T, 6) -> LSTM(64)", "--batch", "B"]),
    ("mnist_cnn.summary.compute.md", ["summary", MNIST, "--compute", "--format", "markdown"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "argv"), CLI_GOLDEN, ids=[g[0] for g in CLI_GOLDEN])
def test_cli_golden(capsys, golden, name, argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert err == ""
    golden(name, out)
