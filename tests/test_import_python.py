"""Pasted Keras and PyTorch code (symcount.importers): the seeds' snippets as
pasted give their threads' numbers; every Keras reference case written as
Keras code gives Keras's numbers; what is outside the subset is a positioned
error; nothing in the code is ever run."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.cli.importing import _numbers  # the rows without their places, as import checks them
from symcount.errors import SymcountError

HERE = Path(__file__).parent
CODE = HERE / "python_code"


def _load(name, **kw):
    return symcount.load(CODE / name, **kw)


# --- the seeds' snippets, as pasted, with the numbers their threads report ----------

SEEDS = [
    # file, options, per-layer params, total, trainable
    (
        "seed_mnist_cnn.py",
        {"input_shape": (28, 28, 1)},
        [240, 7812, 0, 2654336, 1290],
        2663678,
        2663678,
    ),
    ("seed_lstm.py", {}, [18176, 0, 33024, 4160, 4160, 390], 59910, 59910),
    ("seed_bidirectional.py", {}, [28400, 400, 0], 28800, 28600),
    ("seed_bn_keras.py", {}, [320, 128, 0, 13107300, 1010], 13108758, 13108694),
    (
        "seed_bn_torch.py",
        {"input_shape": (1, 64, 64)},
        [320, 0, 64, 0, 13107300, 1010],
        13108694,
        13108694,
    ),
    ("seed_my_model.py", {}, [0, 4736, 128, 0, 0, 0, 32769], 37633, 37569),
    ("seed_weight_regularizer.py", {}, [264710, 132355], 397065, 397065),
    (
        "seed_convs.py",
        {"input_shape": (224, 224, 3), "values": {"num_classes": 10}},
        [896, 18496, 73856, 1290],
        94538,
        94538,
    ),
]


@pytest.mark.parametrize(
    ("name", "kw", "params", "total", "trainable"), SEEDS, ids=[s[0] for s in SEEDS]
)
def test_seed_snippets_give_their_threads_numbers(name, kw, params, total, trainable):
    m = _load(name, **kw)
    assert [r.params for r in m.rows] == params
    assert (m.total, m.trainable) == (total, trainable)


def test_a_name_with_no_value_stays_a_symbol():
    m = _load("seed_keras2_flatten.py")  # img_rows, img_cols, nb_classes are never assigned
    assert str(m.rows[1].params) == "nb_classes*(img_cols*img_rows + 1)"
    assert (
        _load(
            "seed_keras2_flatten.py", values={"img_rows": 28, "img_cols": 28, "nb_classes": 10}
        ).total
        == 7850
    )
    m = _load("seed_lstm_bn.py")  # `self.model.add(...)` from inside a class, sizes as names
    assert str(m.rows[0].params) == "4*lstm1_size*(feature_dim + lstm1_size + 1)"
    assert m.subs(lstm1_size=50, feature_dim=20, seq_length=128).total == 14400


def test_the_notes_say_what_was_mapped_or_left_out():
    notes = _load("seed_weight_regularizer.py").notes
    assert "line 2: input_dim=514 read as input_shape=(514,)" in notes
    assert "line 2: W_regularizer= (Keras 2) left out: it holds no weights" in notes
    assert "line 2: init= (Keras 2) left out: it holds no weights" in notes


def test_layer_names_and_the_models_name_come_from_the_code():
    m = _load("seed_my_model.py")
    assert m.name == "myModel"
    assert [r.name for r in m.rows] == [
        "zero_padding2d",
        "conv0",
        "bn0",
        "activation",
        "max_pool",
        "flatten",
        "fc",
    ]
    torch = _load("seed_bn_torch.py", input_shape=(1, 64, 64))
    assert torch.convention == "torch"
    assert [r.name for r in torch.rows][-3:] == ["flatten", "fc1", "fc2"]
    assert torch.buffers == 65  # BatchNorm2d's running mean, variance and batch count


# --- every Keras reference case, written as the Keras code that made it -------------


def _py(v):
    if isinstance(v, dict) and "layer" in v:  # a wrapper's inner layer
        return _layer_code(v)
    if isinstance(v, list):
        return "(" + "".join(f"{_py(x)}, " for x in v) + ")"
    return repr(v)


def _layer_code(c) -> str:
    args = [_py(a) for a in c.get("args", [])] + [
        f"{k}={_py(v)}" for k, v in c.get("kwargs", {}).items()
    ]
    return f"layers.{c['layer']}({', '.join(args)})"


def _case_code(c) -> str:
    shapes = [c["input_shape"], *c.get("other_inputs", [])]
    names = ["q", "v", "k"][: len(shapes)]
    lines = ["import keras", "from keras import layers"]
    lines += [f"{n} = keras.Input(shape={_py(s)})" for n, s in zip(names, shapes, strict=True)]
    call_kw = "".join(f", {k}={v!r}" for k, v in c.get("call_kwargs", {}).items())
    attention = c["layer"] in (
        "Attention",
        "AdditiveAttention",
        "MultiHeadAttention",
        "GroupQueryAttention",
    )
    if attention:
        tensors = names if len(names) > 1 else [names[0], names[0]]
        applied = (
            f"({', '.join(tensors)}{call_kw})"
            if c["layer"] in ("GroupQueryAttention", "MultiHeadAttention")
            else f"([{', '.join(tensors)}]{call_kw})"
        )
    else:
        applied = f"({names[0]}{call_kw})"
    lines += [f"y = {_layer_code(c)}{applied}", f"model = keras.Model({names[0]}, y)"]
    return "\n".join(lines) + "\n"


CASES = json.loads((HERE / "reference" / "keras_layers.json").read_text())["cases"]


def _compare(c) -> list:
    """As tests/differential.py compares a case's .sc text, for its Keras code."""
    from tests.differential import flat_shapes

    code = _case_code(c)
    if "error" in c:
        try:
            symcount.parse_python(code)
        except SymcountError as e:
            assert e.span is not None, c["id"]
            return []
        return [f"Keras rejects it, symcount accepts: {code}"]
    try:
        got = symcount.parse_python(code).to_dict()["layers"][0]
    except SymcountError as e:
        return [] if "eager_error" in c else [f"symcount rejects what Keras accepts: {code}\n{e}"]
    want = {**c, "output_shape": flat_shapes(c["output_shape"])}
    return [
        f"{k}: {got[k]!r} vs Keras {want[k]!r}: {code}"
        for k in ("output_shape", "trainable", "non_trainable")
        if got[k] != want[k]
    ]


def test_every_keras_reference_case_read_from_keras_code():
    """3,090 cases of every Keras layer symcount knows, each written as the
    Keras code that made it: the shapes and counts Keras reported, and a
    positioned error where Keras refused the layer."""
    wrong = [p for c in CASES for p in _compare(c)]
    assert not wrong, f"{len(wrong)} differ; the first: {wrong[:5]}"
    assert len(CASES) > 3000


# --- every single-input PyTorch reference case, as an nn.Module of the user's ---------

TORCH = json.loads((HERE / "reference" / "torch_layers.json").read_text())["cases"]


def _torch_code(c) -> str:
    def value(v):
        if isinstance(v, dict) and "layer" in v:
            return layer(v)
        if isinstance(v, list):
            return "(" + "".join(f"{value(x)}, " for x in v) + ")"
        return repr(v)

    def layer(d):
        args = [value(a) for a in d.get("args", [])]
        args += [f"{k}={value(v)}" for k, v in d.get("kwargs", {}).items()]
        return f"nn.{d['layer']}({', '.join(args)})"

    return (
        "import torch\nfrom torch import nn\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        f"        self.layer = {layer(c)}\n\n"
        "    def forward(self, x):\n"
        "        return self.layer(x)\n\n"
        "model = Net()\n"
    )


def _torch_compare(c) -> list:
    code = _torch_code(c)
    shape = tuple(c["input_shape"])
    if "error" in c:
        try:
            symcount.parse_python(code, input_shape=shape)
        except SymcountError as e:
            assert e.span is not None, c["id"]
            return []
        return [f"torch rejects it, symcount accepts: {code}"]
    try:
        got = symcount.parse_python(code, input_shape=shape).to_dict()["layers"][-1]
    except SymcountError as e:
        return [f"symcount rejects what torch accepts: {code}\n{e}"]
    keys = ("output_shape", "trainable", "non_trainable", "buffers")
    return [f"{k}: {got[k]!r} vs torch {c[k]!r}: {code}" for k in keys if got[k] != c[k]]


def test_every_single_input_torch_reference_case_read_from_a_module():
    cases = [c for c in TORCH if not c.get("other_inputs") and not c.get("frozen")]
    wrong = [p for c in cases for p in _torch_compare(c)]
    assert not wrong, f"{len(wrong)} differ; the first: {wrong[:3]}"
    assert len(cases) > 3000


# --- what is outside the subset: a positioned error naming it --------------------------

ERRORS = [
    # code, (line, column), what the message says
    ("x = 1\nwhile x:\n    pass\n", (2, 1), "a 'while' statement is not read"),
    (
        "model = Sequential([Dense(4, input_shape=(3,)), Dense(2, kernel_regularizer=l2(0.1), units=f())])",
        (1, 92),
        "a call of a name symcount does not know",
    ),
    (
        "model = Sequential([Dense(4, input_shape=(3,)), Dence(2)])",
        (1, 49),
        "unknown layer or function 'Dence'",
    ),
    ("class Net(keras.Model):\n    pass\n", (1, 1), "a Keras Model subclass is not read"),
    ("model = Sequential([Dense(4, input_shape=(3,))]\n", (1, 19), "this is not valid Python"),
    ("x = 3\n", (1, 1), "found no model in the code"),
    ("model = Sequential([Dense(4)])\n", (1, 9), "does not state its input shape"),
    (
        "model = Sequential([Conv1D(4, f'{a}', input_shape=(3, 2))])\n",
        (1, 31),
        "argument 2 of Conv1D is an f-string",
    ),
    (
        "import os\nos.system('rm -rf /')\nmodel = Sequential([Dense(4, input_shape=(3,))])\n",
        (2, 1),
        "unknown layer or function 'system'",
    ),
    (
        "eval('1')\nmodel = Sequential([Dense(4, input_shape=(3,))])\n",
        (1, 1),
        "a call of a name symcount does not know",
    ),
    ("for i in range(10**9):\n    pass\n", (1, 10), "a range of more than 10,000 items"),
    ("def f(n):\n    return f(n)\nf(1)\n", (2, 12), "functions call each other more than 32 deep"),
]


@pytest.mark.parametrize(("code", "at", "says"), ERRORS, ids=[e[2][:30] for e in ERRORS])
def test_outside_the_subset_is_a_positioned_error(code, at, says):
    with pytest.raises(SymcountError) as e:
        symcount.parse_python(code)
    err = e.value
    assert says in err.message, err.message
    assert (err.span.line, err.span.column) == at, str(err)
    assert "^" in str(err)  # the caret under the culprit


def test_nothing_in_the_code_is_run(tmp_path):
    marker = tmp_path / "ran"
    code = (
        f"open({str(marker)!r}, 'w').write('x')\nmodel = Sequential([Dense(4, input_shape=(3,))])\n"
    )
    with pytest.raises(SymcountError):
        symcount.parse_python(code)
    assert not marker.exists()
    # a lambda or an unknown function as a value-only argument is read as a value, never called
    code = (
        "model = Sequential([Dense(4, input_shape=(3,), kernel_initializer=lambda s: open('x'))])"
    )
    assert symcount.parse_python(code).total == 16


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_a_model_or_a_positioned_error(text):
    with contextlib.suppress(SymcountError):
        symcount.parse_python(text, input_shape=(4,))


SEED_TEXT = (CODE / "seed_lstm.py").read_text()


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SEED_TEXT) - 1), st.integers(1, 20), st.text(max_size=5))
def test_a_damaged_seed_is_a_model_or_a_positioned_error(at, cut, insert):
    text = SEED_TEXT[:at] + insert + SEED_TEXT[at + cut :]
    with contextlib.suppress(SymcountError):
        symcount.parse_python(text)


# --- the CLI ---------------------------------------------------------------------------


def test_cli_reads_a_py_file_and_prints_the_notes(capsys):
    from symcount.cli import main

    assert main(["summary", str(CODE / "seed_weight_regularizer.py"), "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert 'dense,Dense,"(None, 514)",264710' in out
    assert "note: line 2: input_dim=514 read as input_shape=(514,)" in err


def test_cli_input_shape_and_python_from_stdin(capsys, monkeypatch):
    import io

    from symcount.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO((CODE / "seed_bn_torch.py").read_text()))
    assert main(["summary", "-", "--python", "--input-shape", "1,64,64", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 13108694 and out["convention"] == "torch"
    # fc1 states in_features=131072: a symbolic image size is checked against it, at the line
    assert main(["summary", str(CODE / "seed_bn_torch.py"), "--input-shape", "1,H,W"]) == 2
    err = capsys.readouterr().err
    assert (
        "seed_bn_torch.py:11:30: shape error: fc1 (Linear): in_features=131072 but the input has 32*H*W"
        in err
    )
    assert main(["summary", str(CODE / "seed_mnist_cnn.py"), "--input-shape", "28,x-1"]) == 2
    assert "--input-shape" in capsys.readouterr().err


# --- symcount import: the code saved as a model file, the same numbers -----------------


@pytest.mark.parametrize(
    "path", sorted((HERE.parent / "examples").glob("*.sc")), ids=lambda p: p.name
)
def test_the_printer_writes_every_example_back_with_the_same_numbers(path):
    from symcount.language.printer import to_text
    from symcount.language.syntax import parse_program

    text = path.read_text()
    again = to_text(parse_program(text))
    assert _numbers(symcount.parse(again)) == _numbers(symcount.parse(text))
    assert to_text(parse_program(again)) == again  # a fixed point


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if "error" not in c and "eager_error" not in c][::7],
    ids=lambda c: c["id"],
)
def test_import_of_keras_code_gives_a_model_file_with_its_numbers(case, capsys, monkeypatch):
    import io

    from symcount.cli import main

    code = _case_code(case)
    monkeypatch.setattr("sys.stdin", io.StringIO(code))
    assert main(["import", "-", "--python", "--flat"]) == 0  # row by row: --flat
    text = capsys.readouterr().out
    assert _numbers(symcount.parse(text)) == _numbers(symcount.parse_python(code))


def test_import_writes_the_file_and_the_torch_convention(tmp_path, capsys):
    from symcount.cli import main

    out = tmp_path / "cnn.sc"
    argv = [
        "import",
        str(HERE.parent / "examples" / "torch_bn_cnn.py"),
        "--input-shape",
        "1,64,64",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    assert "wrote" in capsys.readouterr().out
    text = out.read_text()
    assert (
        "convention torch" in text
        and "let fc1 = Linear(in_features=131072, out_features=100, name=fc1)" in text
    )
    assert symcount.load(out).total == 13108694


def test_a_hint_that_rewrites_the_model_text_is_dropped_for_pasted_code():
    # in a .sc file the advice is right (leave in_features out); pasted code has no such text
    sc = "convention torch\ninput(100) -> Linear(784, 10)"
    with pytest.raises(symcount.SymcountError) as e:
        symcount.parse(sc)
    assert e.value.hint == "leave in_features out to take it from the input: Linear(10)"
    code = "import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(784, 10))\n"
    with pytest.raises(symcount.SymcountError) as e:
        symcount.parse_python(code, input_shape=(100,))
    assert "in_features=784 but the input has 100 features" in e.value.message
    assert e.value.hint is None
