"""explain's shape steps (ops/shapes.py, render/explain_shapes.py): each
formula explain prints for a convolution's or a pooling's output length is
evaluated here on its own (a tiny arithmetic reader, below) and must give
the length the real framework recorded (tests/reference/*_layers.json), for
every recorded case; the seeds' models' explain output is pinned in goldens.
"""

from __future__ import annotations

import ast
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest

import symcount
from symcount.ops.shapes import Step
from symcount.render.explain_shapes import formula, steps_json
from tests.differential import case_source as keras_source
from tests.torch_differential import case_source as torch_source

HERE = Path(__file__).parent
EXAMPLES = HERE.parent / "examples"
CODE = HERE / "python_code"

# --- a reader for the formulas explain prints (never Python's eval) -----------

FUNCS = {"floor": math.floor, "ceil": math.ceil, "max": max}
OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: Fraction(a) / Fraction(b),
}


def evaluate(text: str, names: dict | None = None):
    """The value of ``floor((100 - 3)/2) + 1``: integers, + - * /, floor,
    ceil, max and the ``names`` given; anything else fails the test."""

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and names and node.id in names:
            return names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            return OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return FUNCS[node.func.id](*(ev(a) for a in node.args))
        raise AssertionError(f"not a formula explain should print: {text!r}")

    return ev(ast.parse(text, mode="eval"))


def lengths(model) -> list[Step]:
    return [s for s in model.rows[0].shape_steps if isinstance(s, Step) and s.labels]


# --- the recorded reference cases ---------------------------------------------

WINDOWED = re.compile(
    r"^(Conv\dD(Transpose)?|DepthwiseConv\dD|SeparableConv\dD|(Max|Average)Pooling\dD)$"
)
TORCH_WINDOWED = re.compile(r"^(Conv\dd|ConvTranspose\dd|(Max|Avg|LP)Pool\dd)$")


def _cases(name: str, pattern: re.Pattern) -> list[dict]:
    cases = json.loads((HERE / "reference" / name).read_text())["cases"]
    return [c for c in cases if "error" not in c and pattern.match(c["layer"])]


KERAS = _cases("keras_layers.json", WINDOWED)
TORCH = _cases("torch_layers.json", TORCH_WINDOWED)


def _spatial(case: dict, torch: bool) -> list:
    out, rank = case["output_shape"], int(re.search(r"(\d)[dD]", case["layer"]).group(1))
    if isinstance(out[0], list):  # return_indices: (values, indices)
        out = out[0]
    if torch:
        return out[-rank:]
    if case["kwargs"].get("data_format") == "channels_first":
        return out[1:]
    return out[:-1]


def _check(case: dict, source: str, torch: bool):
    model = symcount.parse(source)
    steps = lengths(model)
    known = [n for n in _spatial(case, torch) if n is not None]  # None: an axis of unknown length
    assert len(steps) == len(known), source  # one formula per spatial axis of known length
    for step in steps:
        text = formula(step)
        assert evaluate(text) == step.value, f"{text} != {step.value}: {source}"
    assert [s.value for s in steps] == known, source


def test_the_reference_cases_cover_every_windowed_layer():
    assert len(KERAS) >= 400 and len(TORCH) >= 400
    layers = {c["layer"] for c in KERAS} | {c["layer"] for c in TORCH}
    assert {"Conv2D", "Conv1DTranspose", "MaxPooling3D", "Conv2d", "ConvTranspose3d"} <= layers


@pytest.mark.parametrize("case", KERAS, ids=[c["id"] for c in KERAS])
def test_keras_length_formula_gives_the_recorded_length(case):
    _check(case, keras_source(case), torch=False)


@pytest.mark.parametrize("case", TORCH, ids=[c["id"] for c in TORCH])
def test_torch_length_formula_gives_the_recorded_length(case):
    _check(case, torch_source(case), torch=True)


# --- the textbook forms -----------------------------------------------------------

FORMS = [
    # (model, the formulas of its first layer's steps)
    (
        "input(100, 95, 3) -> Conv2D(55, (3, 2), strides=(2, 1))",
        ["floor((100 - 3)/2) + 1", "95 - 2 + 1"],
    ),
    ("input(49, 3) -> Conv1D(4, 5, strides=3, padding='same')", ["ceil(49/3)"]),
    ("input(49, 3) -> Conv1D(4, 5, padding='same')", ["49"]),
    ("input(30, 3) -> Conv1D(4, 3, dilation_rate=2)", ["30 - 2*(3 - 1) - 1 + 1"]),
    (
        "convention torch; input(3, 32, 32) -> Conv2d(3, 16, 3, stride=2, padding=1, dilation=2)",
        ["floor((32 + 2*1 - 2*(3 - 1) - 1)/2) + 1"] * 2,
    ),
    ("input(24, 24, 8) -> MaxPooling2D(2)", ["floor((24 - 2)/2) + 1"] * 2),
    ("input(25, 8) -> MaxPooling1D(2, padding='same')", ["ceil(25/2)"]),
    ("input(H, W, 3) -> Conv2D(8, 3, strides=2)", ["floor((H - 3)/2) + 1", "floor((W - 3)/2) + 1"]),
    ("input(H, 3) -> Conv1D(8, 3, strides=s, padding='same')", ["ceil(H/s)"]),
    ("input(7, 3) -> Conv1DTranspose(2, 3, strides=2)", ["7*2 + max(3 - 2, 0)"]),
    (
        "convention torch; input(3, 7) -> ConvTranspose1d(3, 2, 3, stride=2, padding=1)",
        ["(7 - 1)*2 + 3 - 2*1"],
    ),
    (
        "convention torch; input(3, 4) -> MaxPool1d(2, stride=2, padding=1, ceil_mode=true)",
        ["ceil((4 + 2*1 - 2)/2) + 1"],
    ),
]


@pytest.mark.parametrize(("source", "texts"), FORMS, ids=[f[0] for f in FORMS])
def test_textbook_form(source, texts):
    assert [formula(s) for s in lengths(symcount.parse(source))] == texts


@pytest.mark.parametrize("h", [3, 4, 9, 10, 100, 101])
def test_symbolic_formula_is_the_numeric_one(h):
    """The symbolic steps, read with H = h, give the length the numbers do
    (and the chained pooling's text uses the conv's own form)."""
    sym = symcount.parse(
        "input(H, 3) -> Conv1D(8, 3, strides=2) -> MaxPooling1D(2, padding='same')"
    )
    num = symcount.parse(
        f"input({h}, 3) -> Conv1D(8, 3, strides=2) -> MaxPooling1D(2, padding='same')"
    )
    for srow, nrow in zip(sym.rows, num.rows, strict=True):
        (s,) = [x for x in srow.shape_steps if isinstance(x, Step)]
        (n,) = [x for x in nrow.shape_steps if isinstance(x, Step)]
        assert evaluate(formula(s), {"H": h}) == n.value
    assert formula(sym.rows[1].shape_steps[0]) == "ceil((floor((H - 3)/2) + 1)/2)"


def test_ceil_mode_drops_a_last_window_in_the_padding():
    # torch: length 4, padding 1, windows of 2 every 2: ceil(4/2) + 1 = 3 windows,
    # the last starting at 4, inside the input and its left padding: kept
    m = symcount.parse(
        "convention torch; input(3, 4) -> MaxPool1d(2, stride=2, padding=1, ceil_mode=true)"
    )
    (step,) = lengths(m)
    assert (formula(step), step.value, step.note) == ("ceil((4 + 2*1 - 2)/2) + 1", 3, "")
    # length 5: ceil(5/2) + 1 = 4, but the 4th would start at 6 >= 5 + 1, in the
    # right padding, and is dropped: 3, as torch reports
    m = symcount.parse(
        "convention torch; input(3, 5) -> MaxPool1d(2, stride=2, padding=1, ceil_mode=true)"
    )
    (step,) = lengths(m)
    assert (formula(step), step.value) == ("ceil((5 + 2*1 - 2)/2) + 1 - 1", 3)
    assert evaluate(formula(step)) == 3 and "ceil_mode" in step.note


# --- Flatten, Dense, Bidirectional, the sources ---------------------------------------


def test_flatten_is_the_product():
    m = symcount.load(EXAMPLES / "mnist_cnn.sc")
    (step,) = m.row("flatten").shape_steps
    assert (formula(step), step.value) == ("24*24*36", 20736)
    torch = symcount.parse("convention torch; input(3, 4, 5) -> Flatten(2)")
    assert formula(torch.rows[0].shape_steps[0]) == "4*5"


def test_dense_on_the_last_axis_and_its_source():
    m = symcount.parse("input(100, 64) -> Dense(32)")
    assert steps_json(m.rows[0]) == [
        {"size": "c_in", "value": 64, "from": "input_layer"},
        {
            "sizes": [],
            "formula": "(None, 100, 64) -> (None, 100, units=32)",
            "value": None,
            "note": "on the last axis; the others are kept",
        },
    ]
    torch = symcount.parse("convention torch; input(5, 7) -> Linear(3)")
    assert steps_json(torch.rows[0])[0] == {
        "size": "in_features",
        "value": 7,
        "from": "input_layer",
    }


def test_bidirectional_concatenates_the_features():
    m = symcount.load(EXAMPLES / "bilstm_bn.sc")
    features, time = m.rows[0].shape_steps
    assert (formula(features), features.value) == ("50 + 50", 100)
    assert time.labels == ("time steps",) and time.value == 128
    summed = symcount.parse(
        "input(5, 3) -> Bidirectional(LSTM(4, return_sequences=true), merge_mode='sum')"
    )
    assert summed.rows[0].shape_steps[0].value == 4


def test_steps_follow_set_values():
    m = symcount.parse("input(H, 3) -> Conv1D(8, 3, strides=2)").subs({"H": 101})
    (step,) = lengths(m)
    assert (formula(step), step.value) == ("floor((101 - 3)/2) + 1", 50)


# --- goldens: explain of the seeds' models ------------------------------------------------

GOLDEN = [
    # examples/mnist_cnn.sc's is tests/golden/mnist_cnn.explain.txt (test_cli.py)
    ("shapes.strided_convs.explain.txt", ["explain", str(EXAMPLES / "strided_convs.sc")]),
    ("shapes.bilstm_bn.explain.txt", ["explain", str(EXAMPLES / "bilstm_bn.sc")]),
    (
        "shapes.seed_mnist_cnn.explain.txt",
        ["explain", str(CODE / "seed_mnist_cnn.py"), "--input-shape", "28,28,1"],
    ),
    ("shapes.seed_bidirectional.explain.txt", ["explain", str(CODE / "seed_bidirectional.py")]),
    ("shapes.seed_keras2_flatten.explain.txt", ["explain", str(CODE / "seed_keras2_flatten.py")]),
    (
        "shapes.seed_convs.explain.txt",
        [
            "explain",
            str(CODE / "seed_convs.py"),
            "--input-shape",
            "28,28,1",
            "--set",
            "num_classes=10",
        ],
    ),
    ("shapes.seed_my_model.explain.txt", ["explain", str(CODE / "seed_my_model.py")]),
    (
        "shapes.torch_cnn.explain.txt",
        [
            "explain",
            "-e",
            "convention torch; input(3, 32, 32) -> Conv2d(3, 16, 3, stride=2, padding=1, dilation=2)"
            " -> MaxPool2d(3, stride=2, padding=1, ceil_mode=true) -> Flatten() -> Linear(10)",
        ],
    ),
]


@pytest.mark.parametrize(("name", "argv"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(capsys, golden, name, argv):
    from symcount import cli

    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    golden(name, out)


# --- JSON ----------------------------------------------------------------------------


def _cli(capsys, *argv):
    from symcount import cli

    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_explain_json_is_summary_json_with_the_steps(capsys):
    path = str(EXAMPLES / "strided_convs.sc")
    summary = json.loads(_cli(capsys, "summary", path, "--format", "json"))
    explained = json.loads(_cli(capsys, "explain", path, "--format", "json"))
    steps = [layer.pop("shape_steps") for layer in explained["layers"]]
    assert explained == summary  # the same contract, one field added
    assert steps[1] == [
        {"size": "c_in", "value": 55, "from": "conv2d"},
        {"sizes": ["h_out"], "formula": "ceil(49/3)", "value": 17, "note": "padding=same"},
        {"sizes": ["w_out"], "formula": "ceil(94/2)", "value": 47, "note": "padding=same"},
    ]
    one = json.loads(
        _cli(
            capsys,
            "explain",
            str(EXAMPLES / "mnist_cnn.sc"),
            "--format",
            "json",
            "--layer",
            "flatten",
        )
    )
    assert one["shape_steps"] == [{"sizes": [], "formula": "24*24*36", "value": 20736}]


def test_explain_json_of_blocks_lists_their_layers_steps(capsys):
    src = "block mlp(w) { Dense(w) -> Dense(w) }\ninput(8) -> repeat 2 { mlp(16) }"
    d = json.loads(_cli(capsys, "explain", "-e", src, "--format", "json"))
    inner = d["layers"][0]["layers"][0]["layers"][0]
    assert inner["shape_steps"] == [{"size": "c_in", "value": 8, "from": "input_layer"}]
