"""The renderers on their own: table drawing and wrapping, explain lines,
JSON / Markdown / CSV. Models are parsed, or built from rows for the cases
the language cannot produce yet (buffers, several outputs, formula overrides)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import symcount
from symcount.model import Model, Row
from symcount.ops.spec import Formula, W
from symcount.render import explain as E
from symcount.render import formats as F
from symcount.render import table as T

MNIST = "model mnist_cnn\ninput(28, 28, 1) -> Conv2D(24, 3) -> Conv2D(36, 3) -> Flatten -> Dense(128) -> Dense(10)"


@pytest.fixture(scope="module")
def mnist():
    return symcount.parse(MNIST)


def _model(rows, name=None, symbols=()):
    return Model(name=name, convention="keras", rows=rows, symbols=list(symbols))


def _dense_row(name, c_in, units, **kw):
    return Row(
        name,
        "Dense",
        (units,),
        [W("kernel", ("c_in", c_in), ("units", units)), W("bias", ("units", units))],
        **kw,
    )


# wrapping and column widths ---------------------------------------------------

WRAP_CASES = [
    # text, width, lines
    ("(None, 26, 26, 24)", 30, ["(None, 26, 26, 24)"]),
    ("(None, 26, 26, 24)", 10, ["(None, 26,", "26, 24)"]),
    ("4*u*(f + u + 1) + 2*v", 12, ["4*u*(f + u +", "1) + 2*v"]),
    ("abcdefghijklmnop", 5, ["abcde", "fghij", "klmno", "p"]),
    ("u**2 + u*(d + 1)", 8, ["u**2 +", "u*(d +", "1)"]),
    ("", 5, [""]),
]


@pytest.mark.parametrize(("text", "width", "lines"), WRAP_CASES)
def test_wrap(text, width, lines):
    got = T.wrap(text, width)
    assert got == lines
    assert all(len(x) <= width for x in got)
    assert "".join(got).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("natural", "available", "expected"),
    [
        ([31, 22, 13], 100, [31, 22, 13]),
        ([60, 22, 13], 80, [45, 22, 13]),
        ([40, 40, 40], 90, [30, 30, 30]),
        ([5, 5, 5], 3, [5, 5, 5]),  # already under the floor: left wider than asked
    ],
)
def test_fit_widths(natural, available, expected):
    assert T.fit_widths(natural, available) == expected


def test_table_lines_have_one_width():
    lines = T.draw(["a", "b"], [["x" * 50, "1"], ["y", "2" * 70]], align="lr", width=50)
    assert len({len(x) for x in lines}) == 1
    assert len(lines[0]) <= 50
    lines = T.draw(["a", "b"], [["x", "1"]], align="lr", box=T.ASCII)
    assert lines[0].startswith("+") and lines[1] == "| a | b |"


# summary ------------------------------------------------------------------------


def test_summary_text(mnist):
    lines = T.summary(mnist).splitlines()
    assert lines[0] == 'Model: "mnist_cnn"'
    assert (
        lines[2] == "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃"
    )
    assert "│ conv2d_1 (Conv2D)               │ (None, 24, 24, 36)     │         7,812 │" in lines
    assert lines[-3:] == [
        " Total params: 2,663,678 (10.16 MB)",  # Keras's sizes, float32
        " Trainable params: 2,663,678 (10.16 MB)",
        " Non-trainable params: 0 (0.00 B)",
    ]


def test_summary_unnamed_and_buffers():
    bn = Row(
        "bn",
        "BatchNorm2d",
        (8, 4, 4),
        [
            W("weight", ("c", 8)),
            W("bias", ("c", 8)),
            W("running_mean", ("c", 8), state=True),
            W("running_var", ("c", 8), state=True),
        ],
        state_as_buffers=True,
    )
    text = T.summary(_model([bn]))
    assert not text.startswith("Model:")
    assert " Buffers: 16" in text.splitlines()
    assert " Non-trainable params: 0 (0.00 B)" in text.splitlines()
    assert "Buffers" not in T.summary(_model([_dense_row("d", 3, 2)]))


def test_summary_several_outputs():
    row = Row("lstm", "LSTM", [(5,), (5,), (5,)], [])
    assert "[(None, 5), (None, 5), (None, 5)]" in T.summary(_model([row]))


def test_summary_symbolic_cells_print_the_expression():
    m = symcount.parse("input(t, f) -> LSTM(u)")
    text = T.summary(m)
    assert "│ 4*u*(f + u + 1) │" in text
    assert " Total params: 4*u*(f + u + 1)" in text.splitlines()
    symbols = [x for x in text.splitlines() if x.startswith(" Symbols: ")]
    assert symbols and {"f", "u"} <= set(symbols[0].split(": ")[1].split(", "))


# explain ------------------------------------------------------------------------

CHAIN_CASES = [
    # general, numbers, value, text
    (
        "(k_h*k_w*c_in + 1)*filters",
        "(3*3*24 + 1)*36",
        7812,
        "(k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812",
    ),
    ("filters", "36", 36, "filters = 36"),
    ("units", "1000", 1000, "units = 1,000"),
    ("4", "4", 4, "4"),
    ("0", "0", 0, "0"),
]


@pytest.mark.parametrize(("general", "numbers", "value", "text"), CHAIN_CASES)
def test_chain(general, numbers, value, text):
    assert E.chain(general, numbers, value) == text


def test_chain_symbolic():
    m = symcount.parse("input(t, f) -> LSTM(u)")
    f = E.formula_of(m.rows[0])
    assert E.chain(f.general, f.numbers, m.rows[0].params).endswith(" = 4*u*(f + u + 1)")
    assert E.chain(
        "(c_in + 1)*units", "(64 + 1)*u", symcount.parse("input(64) -> Dense(u)").total
    ) == ("(c_in + 1)*units = (64 + 1)*u = 65*u")


def test_explain_layer_block(mnist):
    lines = E.layer_lines(mnist.row("conv2d_1"))
    assert lines == [
        "conv2d_1 (Conv2D)  params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812",
        "  output (None, 24, 24, 36): h_out = w_out = 26 - 3 + 1 = 24",
        "  c_in = 24: the channels of conv2d's output",
        "  kernel  (3, 3, 24, 36)  k_h*k_w*c_in*filters = 3*3*24*36 = 7,776  trainable",
        "  bias    (36,)           filters = 36                              trainable",
    ]
    assert E.layer_lines(mnist.row("flatten")) == [
        "flatten (Flatten)  no weights; output (None, 20736): 24*24*36 = 20,736"
    ]


def test_explain_whole_model(mnist):
    text = E.explain(mnist)
    assert text.startswith('Model: "mnist_cnn"\n\nconv2d (Conv2D)  params = ')
    assert text.endswith("total = 240 + 7,812 + 2,654,336 + 1,290 = 2,663,678\n")


def test_explain_statuses():
    weights = [
        W("gamma", ("c", 4)),
        W("moving_mean", ("c", 4), state=True),
        W("alpha", ("c", 4), trainable=False),
    ]
    row = Row("bn", "BatchNormalization", (4,), weights)
    lines = E.layer_lines(row)
    assert lines[0].endswith("(4 trainable, 8 non-trainable)")
    assert lines[1] == "  output (None, 4)"  # a row whose op wrote no steps: its shape only
    assert lines[2].endswith("  trainable")
    assert lines[3].endswith("  non-trainable (moving statistics)")
    assert lines[4].endswith("  non-trainable")
    frozen = E.layer_lines(Row("bn", "BatchNormalization", (4,), weights, frozen=True))
    assert frozen[2].endswith("non-trainable (frozen: trainable=false)")
    assert frozen[3].endswith("non-trainable (moving statistics)")
    buffers = E.layer_lines(Row("bn", "BatchNorm1d", (4,), weights, state_as_buffers=True))
    assert "in buffers" in buffers[0]
    assert buffers[3].endswith("buffer (running statistics, not a parameter)")


def test_explain_formula_override_notes_and_children():
    fwd = _dense_row("forward_dense", 3, 2)
    bwd = _dense_row("backward_dense", 3, 2)
    parent = Row(
        "wrap",
        "Wrapper",
        (4,),
        [w.renamed("forward_") for w in fwd.weights]
        + [w.renamed("backward_") for w in bwd.weights],
        formula=Formula("2*((c_in + 1)*units)", "2*((3 + 1)*2)"),
        notes=["two copies"],
        children=[fwd, bwd],
        frozen=True,
    )
    lines = E.layer_lines(parent)
    assert lines[0] == "wrap (Wrapper)  params = 2*((c_in + 1)*units) = 2*((3 + 1)*2) = 16"
    assert lines[1] == "  output (None, 4)"
    assert lines[2] == "  forward_dense (Dense)  params = (c_in + 1)*units = (3 + 1)*2 = 8"
    assert lines[3] == "    output (None, 2)"
    assert lines[4].startswith("    kernel  (3, 2)  c_in*units = 3*2 = 6")
    assert lines[4].endswith(
        "non-trainable (frozen: trainable=false)"
    )  # inherited from the wrapper
    assert lines[6].startswith("  backward_dense (Dense)")
    assert lines[-1] == "  note: two copies"
    assert len(lines) == 11  # the wrapper's own (renamed) weights are not listed twice


def test_explain_sum_line_rules():
    rows = [_dense_row(f"d{i}", 2, 2) for i in range(3)] + [Row("f", "Flatten", (2,), [])]
    assert E.sum_line(_model(rows)) == "total = 6 + 6 + 6 = 18"
    assert E.sum_line(_model(rows[:1])) is None  # one term: nothing to add up
    many = [_dense_row(f"d{i}", 2, 2) for i in range(13)]
    assert E.sum_line(_model(many)) == "total = sum over 13 layers with weights = 78"
    m = symcount.parse("input(d) -> Dense(u) -> Dense(3)")
    assert E.sum_line(m) == "total = u*(d + 1) + (3*u + 3) = u*(d + 1) + 3*u + 3"


# machine-readable formats ---------------------------------------------------------


def test_json(mnist):
    text = F.to_json(mnist)
    assert text.endswith("\n") and text.count("\n") == 1
    assert json.loads(text) == mnist.to_dict()


def test_csv_round_trips(mnist):
    rows = list(csv.DictReader(io.StringIO(F.to_csv(mnist))))
    assert tuple(rows[0]) == F.CSV_COLUMNS
    assert rows[3] == {
        "name": "dense",
        "type": "Dense",
        "output_shape": "(None, 128)",
        "params": "2654336",
        "trainable": "2654336",
        "non_trainable": "0",
        "buffers": "0",
    }


def test_csv_symbolic():
    m = symcount.parse("input(t, f) -> LSTM(u)")
    rows = list(csv.DictReader(io.StringIO(F.to_csv(m))))
    assert rows[0]["params"] == "4*u*(f + u + 1)"
    assert rows[0]["output_shape"] == "(None, u)"


def test_markdown(mnist):
    lines = F.to_markdown(mnist).splitlines()
    assert lines[0] == "**Model:** `mnist_cnn`"
    assert "| Layer (type) | Output Shape | Param # |" in lines
    assert "| conv2d_1 (Conv2D) | `(None, 24, 24, 36)` | 7,812 |" in lines
    assert "- **Total params:** 2,663,678" in lines


def test_markdown_protects_expressions():
    m = symcount.parse("input(t, f) -> LSTM(u)")
    text = F.to_markdown(m)
    assert "| `4*u*(f + u + 1)` |" in text  # * would otherwise be emphasis
    assert "`f`, `u`" in text and "- **Symbols:** " in text


def test_renderers_do_not_need_sympy_for_numbers(mnist):
    import subprocess
    import sys

    code = (
        "import sys, symcount\n"
        "from symcount.render import table, explain, formats\n"
        f"m = symcount.parse({MNIST!r})\n"
        "table.summary(m); explain.explain(m); formats.to_json(m); formats.to_csv(m); formats.to_markdown(m)\n"
        "print('sympy' in sys.modules)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert p.stdout.strip() == "False", p.stderr
