"""symcount import's folding (symcount/language/fold.py): the folded model
file gives the flat one's totals and output shape, parses back, and folding
it again changes nothing; for the shipped examples, the reference cases,
the seeds' code and random programs. Goldens: tests/golden/fold_*.sc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount.cli import main
from symcount.cli.importing import fold_program
from symcount.importers import read_keras_json, read_python
from symcount.language import ast as A
from symcount.language.printer import to_text
from symcount.language.syntax import parse_program
from tests.differential import case_source
from tests.test_import_python import SEEDS, _case_code
from tests.torch_differential import case_source as torch_case_source

HERE = Path(__file__).parent
EXAMPLES = HERE.parent / "examples"
GOLDEN = HERE / "golden"


def _same(a, b) -> bool:
    """Totals equal, exactly: numbers, or formulas whose difference is 0."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        import sympy

        try:
            if sympy.expand(sympy.sympify(x) - sympy.sympify(y)) != 0:
                return False
        except (TypeError, sympy.SympifyError):
            return False
    return True


def _symbolic_totals(model) -> tuple:
    return (model.total, model.trainable, model.non_trainable, model.buffers, model.output_shape)


def check(program: A.Program, convention: str = "keras", values=None) -> str:
    """Folds ``program``: the text parses back with the flat one's totals and
    output shape, and folding that text again writes the same text."""
    if convention == "torch" and not isinstance(program.statements[0], A.ConventionStmt):
        stmt = A.ConventionStmt("torch", program.span, span=program.span)  # as import writes it
        program = A.Program((stmt, *program.statements), span=program.span)
    folded = fold_program(program, convention)
    text = to_text(folded)
    if folded == program:
        return text
    flat = symcount.parse(to_text(program), values=values)
    again = symcount.parse(text, values=values)
    assert _same(_symbolic_totals(again), _symbolic_totals(flat)), text
    assert to_text(fold_program(parse_program(text), convention)) == text
    return text


def _lines(text: str) -> int:
    return text.count("\n")


# --- the shipped examples -----------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.sc")), ids=lambda p: p.name)
def test_every_sc_example_folds_to_its_numbers(path):
    program = parse_program(path.read_text())
    conv = (
        "torch"
        if any(isinstance(s, A.ConventionStmt) and s.name == "torch" for s in program.statements)
        else "keras"
    )
    check(program, conv)


PYTHON = [
    (EXAMPLES / "keras_lstm.py", {}),
    (EXAMPLES / "torch_bn_cnn.py", {"input_shape": (1, 64, 64)}),
    *[(HERE / "python_code" / f, o) for f, o, *_ in SEEDS],
]


@pytest.mark.parametrize("path, options", PYTHON, ids=lambda x: getattr(x, "name", ""))
def test_every_python_example_and_seed_folds_to_its_numbers(path, options):
    read = {k: v for k, v in options.items() if k != "values"}
    program, conv, _ = read_python(path.read_text(), **read)
    check(program, conv, values=options.get("values"))


def test_the_json_example_folds_to_its_numbers():
    program, _ = read_keras_json((EXAMPLES / "small_cnn.json").read_text())
    check(program)


# --- the reference cases ---------------------------------------------------------------


def _cases(name):
    return [
        c for c in json.loads((HERE / "reference" / name).read_text())["cases"] if "error" not in c
    ]


def test_every_reference_case_folds_to_its_numbers():
    """One layer each: nothing repeats, and folding leaves each as it is (or
    gives its numbers): as .sc text, Keras and PyTorch, and as Keras code."""
    for case in _cases("keras_layers.json"):
        check(parse_program(case_source(case)))
    for case in _cases("torch_layers.json"):
        check(parse_program(torch_case_source(case)), "torch")
    for case in _cases("keras_layers.json")[::5]:
        if "eager_error" not in case:
            check(read_python(_case_code(case))[0])


# --- random programs ---------------------------------------------------------------------

LAYERS = [
    "Dense(8)",
    "Dense(4)",
    "Dense(8, use_bias=false)",
    "BatchNormalization",
    "Dropout(0.5)",
    "Activation(relu)",
    "LayerNormalization",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LAYERS), min_size=1, max_size=24), st.sampled_from([3, 8]))
def test_random_chains_fold_to_their_numbers(layers, width):
    text = f"input({width}) -> " + " -> ".join(layers)
    check(parse_program(text))


@st.composite
def functional(draw):
    """A Keras-like flat program: one statement a layer, with residual adds
    (of width 8) and branches that meet in a Concatenate."""
    lines, last, n = ["x0 = input(8)"], "x0", 0

    def new():
        nonlocal n
        n += 1
        return f"x{n}"

    for kind in draw(st.lists(st.sampled_from(["dense", "res", "branch", "norm"]), max_size=14)):
        u = draw(st.sampled_from([8, 16]))
        if kind == "dense":
            a = new()
            lines.append(f'{a} = Dense(8, name="d{n}")({last})')
        elif kind == "norm":
            a = new()
            lines.append(f"{a} = BatchNormalization()({last})")
        elif kind == "res":
            a, b, c = new(), new(), new()
            lines += [
                f"{a} = Dense({u})({last})",
                f"{b} = Dense(8)({a})",
                f"{c} = Add()({last}, {b})",
            ]
        else:
            a, b, c, d = new(), new(), new(), new()
            lines += [
                f"{a} = Dense({u})({last})",
                f"{b} = Dense(4)({last})",
                f"{c} = Concatenate()([{a}, {b}])",
                f"{d} = Dense(8)({c})",
            ]
        last = f"x{n}"
    return "\n".join([*lines, f"output {last}"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(functional())
def test_random_functional_programs_fold_to_their_numbers(text):
    check(parse_program(text))


# --- what folding writes ------------------------------------------------------------------


def test_runs_become_repeats_and_names_inside_are_dropped():
    text = check(
        parse_program(
            'input(8) -> Dense(8, name="a") -> Dense(8, name="b") -> Dense(8, name="c") -> Dense(2, name="out")'
        )
    )
    assert text == 'input(8) -> Dense(8) * 3 -> Dense(2, name="out")\n'
    text = check(
        parse_program(
            "input(8) -> Dense(8) -> Dropout(0.5) -> Dense(8) -> Dropout(0.5) -> Dense(1)"
        )
    )
    assert "repeat 2 {\n    Dense(8) -> Dropout(0.5)\n  }" in text


def test_a_stretch_that_recurs_with_other_numbers_is_a_block_with_parameters():
    conv = "Conv2D({f}, 3, strides={s}, padding=same) -> BatchNormalization -> Activation(relu)"
    chain = " -> ".join(conv.format(f=f, s=s) for f, s in [(16, 1), (32, 2), (64, 2)])
    text = check(parse_program(f"input(32, 32, 3) -> {chain} -> Flatten -> Dense(10)"))
    assert "block block1(filters, strides) {" in text
    assert "-> block1(16, 1)\n  -> block1(32, 2)\n  -> block1(64, 2)\n" in text


def test_a_multiple_of_a_parameter_is_written_so():
    unit = "Conv2D({f}, 1) -> Conv2D({f}, 3, padding=same) -> Conv2D({g}, 1)"
    chain = " -> ".join(unit.format(f=f, g=4 * f) for f in (8, 16, 32))
    text = check(parse_program(f"input(16, 16, 8) -> {chain}"))
    assert "Conv2D(4 * filters, 1)" in text


def test_a_residual_stretch_of_a_functional_program_is_a_block():
    lines = ["x0 = input(8)"]
    for i in range(3):
        lines += [
            f"a{i} = Dense(16)(x{i})",
            f"b{i} = Dense(8)(a{i})",
            f"x{i + 1} = Add()(x{i}, b{i})",
        ]
    text = check(parse_program("\n".join([*lines, "output x3"])))
    # the tensors inside are t1, t2, ...: the program has x0, x1, ... already
    assert "block block1() {\n  t1 = input -> Dense(16) -> Dense(8)\n  Add()(input, t1)\n}" in text
    assert "block1 * 3" in text


def test_a_folded_file_says_names_are_symcounts(tmp_path, capsys):
    assert main(["import", str(EXAMPLES / "keras_lstm.py")]) == 0
    out = capsys.readouterr().out
    assert "symcount import --flat keeps every layer's own" in out
    assert main(["import", str(EXAMPLES / "keras_lstm.py"), "--flat"]) == 0
    flat = capsys.readouterr().out
    assert "--flat" not in flat and flat.count("Dense(64") == 2


# --- goldens ----------------------------------------------------------------------------

LOOP = """\
from tensorflow import keras
from tensorflow.keras import layers


def conv_block(x, filters, strides):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


inputs = keras.Input(shape=(32, 32, 3))
x = conv_block(inputs, 32, 1)
x = conv_block(x, 64, 2)
x = conv_block(x, 128, 2)
x = layers.GlobalAveragePooling2D()(x)
for _ in range(3):
    x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs)
"""

GOLDENS = [
    ("fold_keras_lstm.sc", [str(EXAMPLES / "keras_lstm.py")]),
    ("fold_torch_bn_cnn.sc", [str(EXAMPLES / "torch_bn_cnn.py"), "--input-shape", "1,64,64"]),
    ("fold_small_cnn.sc", [str(EXAMPLES / "small_cnn.json")]),
    ("fold_loop.sc", ["loop.py"]),
]


@pytest.mark.parametrize("name, argv", GOLDENS, ids=[g[0] for g in GOLDENS])
def test_golden_exports(name, argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "loop.py").write_text(LOOP)
    assert main(["import", *argv, "-o", "out.sc"]) == 0
    capsys.readouterr()
    text = (tmp_path / "out.sc").read_text().replace(str(EXAMPLES), "examples")
    assert text == (GOLDEN / name).read_text()
    model = symcount.parse(text)
    assert (
        model.total
        == {
            "fold_keras_lstm.sc": 59910,
            "fold_torch_bn_cnn.sc": 13108694,
            "fold_small_cnn.sc": 3786,
            "fold_loop.sc": 111370,
        }[name]
    )


TORCH_BLOCKS = """\
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.bn1(self.conv1(x))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.b1 = Block(16)
        self.b2 = Block(16)
        self.b3 = Block(16)
        self.fc = nn.Linear(16 * 8 * 8, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.b3(self.b2(self.b1(x)))
        return self.fc(x.view(x.size(0), -1))
"""


def test_a_torch_module_used_three_times_is_one_block():
    """Each copy's modules are lets of their own (conv1, conv1_1, ...): written
    where they are used, the copies are one block; the stem keeps its name."""
    program, conv, _ = read_python(TORCH_BLOCKS, input_shape=(3, 8, 8))
    text = check(program, conv)
    assert (
        "block block1() {\n  x1 = input -> Conv2d(16, 16, 3, padding=1) -> BatchNorm2d(16)" in text
    )
    assert "-> Conv2d(3, 16, 3, padding=1, name=stem)\n  -> block1 * 3\n" in text
    assert "let " not in text


def test_a_layer_bound_once_is_written_where_it_is_used_unless_a_body_uses_it():
    from symcount.language.fold import inline_lets

    one = parse_program("let d = Dense(3, name=d)\ninput(3) -> d -> Dense(3)")
    assert to_text(inline_lets(one)) == "input(3) -> Dense(3, name=d) -> Dense(3)\n"
    for text in (
        "let d = Dense(3)\nblock b { d }\ninput(3) -> b -> b",  # made once, used at each call
        "let d = Dense(3)\ninput(3) -> d -> d",  # shared
        "let x = input(3)\nx -> Dense(3)",  # a tensor
    ):
        assert inline_lets(parse_program(text)) == parse_program(text)
        check(parse_program(text))
