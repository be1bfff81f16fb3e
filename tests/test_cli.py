"""The ``symcount`` command: in-process through ``cli.main(argv)``, and a few
runs through a real subprocess (``python -m symcount``)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symcount import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MNIST = str(EXAMPLES / "mnist_cnn.sc")
MNIST_TEXT = (
    "input(28, 28, 1) -> Conv2D(24, 3) -> Conv2D(36, 3) -> Flatten -> Dense(128) -> Dense(10)"
)
SYMBOLIC = "model sym_mlp\ninput(d) -> Dense(u) -> Dense(u, use_bias=false) -> Dense(10)\n"


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# examples: the numbers Keras prints (one row per example file) ------------------

EXAMPLE_TOTALS = [
    # file, total, trainable, non_trainable, --set
    ("mnist_cnn.sc", 2_663_678, 2_663_678, 0, []),
    ("stacked_lstm.sc", 59_910, 59_910, 0, []),
    ("stacked_lstm_symbolic.sc", 59_910, 59_910, 0, ["--set", "u=64"]),
    ("bilstm_bn.sc", 28_800, 28_600, 200, []),
    ("happy_model.sc", 37_633, 37_569, 64, []),
    ("strided_convs.sc", 20_330, 20_330, 0, []),
    ("simple_rnn.sc", 120, 120, 0, []),
    ("mlp.sc", 397_065, 397_065, 0, []),
    ("lstm_symbolic.sc", 12, 12, 0, ["--set", "u=1", "--set", "f=1"]),
]

EXAMPLE_LAYERS = [
    # file, [(name, output_shape, params), ...]
    (
        "mnist_cnn.sc",
        [
            ("conv2d", [26, 26, 24], 240),
            ("conv2d_1", [24, 24, 36], 7812),
            ("flatten", [20736], 0),
            ("dense", [128], 2_654_336),
            ("dense_1", [10], 1290),
        ],
    ),
    (
        "stacked_lstm.sc",
        [
            ("lstm", [100, 64], 18_176),
            ("dropout", [100, 64], 0),
            ("lstm_1", [64], 33_024),
            ("dense", [64], 4160),
            ("dense_1", [64], 4160),
            ("dense_2", [6], 390),
        ],
    ),
    (
        "bilstm_bn.sc",
        [
            ("bidirectional", [128, 100], 28_400),
            ("batch_normalization", [128, 100], 400),
            ("dropout", [128, 100], 0),
        ],
    ),
    (
        "happy_model.sc",
        [
            ("zero_padding2d", [70, 70, 3], 0),
            ("conv0", [64, 64, 32], 4736),
            ("bn0", [64, 64, 32], 128),
            ("activation", [64, 64, 32], 0),
            ("max_pool", [32, 32, 32], 0),
            ("flatten", [32768], 0),
            ("fc", [1], 32_769),
        ],
    ),
    ("strided_convs.sc", [("conv2d", [49, 94, 55], 1045), ("conv2d_1", [17, 47, 35], 19_285)]),
    ("simple_rnn.sc", [("simple_rnn", [10], 120)]),
    ("mlp.sc", [("dense", [514], 264_710), ("dense_1", [257], 132_355)]),
]


@pytest.mark.parametrize(("name", "total", "trainable", "non_trainable", "sets"), EXAMPLE_TOTALS)
def test_example_totals(capsys, name, total, trainable, non_trainable, sets):
    code, out, err = run(capsys, "summary", str(EXAMPLES / name), "--format", "json", *sets)
    assert code == 0, err
    d = json.loads(out)
    assert (d["total"], d["trainable"], d["non_trainable"]) == (total, trainable, non_trainable)


@pytest.mark.parametrize(("name", "layers"), EXAMPLE_LAYERS)
def test_example_layers(capsys, name, layers):
    code, out, err = run(capsys, "summary", str(EXAMPLES / name), "--format", "json")
    assert code == 0, err
    got = [(x["name"], x["output_shape"], x["params"]) for x in json.loads(out)["layers"]]
    assert got == [(n, s, p) for n, s, p in layers]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.sc")))
def test_every_example_has_a_header_and_explains(capsys, name):
    text = (EXAMPLES / name).read_text()
    assert text.startswith("#"), "each example starts with a comment quoting its source"
    code, out, err = run(capsys, "explain", str(EXAMPLES / name))
    assert code == 0, err
    assert "Total params:" in out


def test_symbolic_examples_stay_symbolic(capsys):
    code, out, _ = run(capsys, "summary", str(EXAMPLES / "lstm_symbolic.sc"), "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["total"] == "4*u*(f + u + 1)"
    assert d["layers"][0]["output_shape"] == ["u"]
    code, out, _ = run(
        capsys, "summary", str(EXAMPLES / "stacked_lstm_symbolic.sc"), "--format", "json"
    )
    d = json.loads(out)
    assert d["symbols"] == ["u"]
    assert d["layers"][0]["output_shape"] == [100, "u"]
    assert isinstance(d["total"], str) and "u" in d["total"]


# golden outputs --------------------------------------------------------------------

GOLDEN = [
    # golden file, argv
    ("mnist_cnn.summary.txt", ["summary", MNIST]),
    ("mnist_cnn.explain.txt", ["explain", MNIST]),
    ("mnist_cnn.summary.json", ["summary", MNIST, "--format", "json"]),
    ("mnist_cnn.summary.md", ["summary", MNIST, "--format", "markdown"]),
    ("mnist_cnn.summary.csv", ["summary", MNIST, "--format", "csv"]),
    ("mnist_cnn.summary.ascii.txt", ["summary", MNIST, "--ascii"]),
    ("sym_mlp.summary.txt", ["summary", "-e", SYMBOLIC]),
    ("sym_mlp.explain.txt", ["explain", "-e", SYMBOLIC]),
    ("sym_mlp.summary.json", ["summary", "-e", SYMBOLIC, "--format", "json"]),
    ("stacked_lstm_symbolic.summary.txt", ["summary", str(EXAMPLES / "stacked_lstm_symbolic.sc")]),
]


@pytest.mark.parametrize(("name", "argv"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(capsys, golden, name, argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert err == ""
    golden(name, out)


def test_json_is_exactly_to_dict(capsys):
    import symcount

    code, out, _ = run(capsys, "summary", MNIST, "--format", "json")
    assert code == 0
    assert out == json.dumps(symcount.load(MNIST).to_dict()) + "\n"
    assert out.count("\n") == 1  # one line, for jq and grep


def test_csv_header(capsys):
    code, out, _ = run(capsys, "summary", "-e", MNIST_TEXT, "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "name,type,output_shape,params,trainable,non_trainable,buffers"
    assert lines[2] == 'conv2d_1,Conv2D,"(None, 24, 24, 36)",7812,7812,0,0'
    assert len(lines) == 6


# explain -----------------------------------------------------------------------------


def test_explain_mnist_shows_the_7812_derivation(capsys):
    code, out, _ = run(capsys, "explain", MNIST)
    assert code == 0
    assert (
        "conv2d_1 (Conv2D)  params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812"
        in out.splitlines()
    )
    assert "k_h*k_w*c_in*filters = 3*3*24*36 = 7,776  trainable" in out
    flatten = "flatten (Flatten)  no weights; output (None, 20736): 24*24*36 = 20,736"
    assert flatten in out.splitlines()
    assert "total = 240 + 7,812 + 2,654,336 + 1,290 = 2,663,678" in out.splitlines()


def test_explain_one_layer(capsys):
    code, out, _ = run(capsys, "explain", MNIST, "--layer", "dense")
    assert code == 0
    assert out.splitlines()[0] == (
        "dense (Dense)  params = (c_in + 1)*units = (20736 + 1)*128 = 2,654,336"
    )
    assert "Total params" not in out
    assert out.splitlines()[1:3] == [
        "  output (None, 128)",
        "  c_in = 20,736: the features of flatten's output",
    ]
    assert len(out.splitlines()) == 5  # the layer, its shape, c_in's source, kernel, bias


def test_explain_unknown_layer_has_a_hint(capsys):
    code, out, err = run(capsys, "explain", MNIST, "--layer", "conv2d_2")
    assert code == 2
    assert out == ""
    assert "no layer 'conv2d_2'" in err
    assert "did you mean 'conv2d_1'?" in err


def test_explain_bidirectional_shows_both_copies(capsys):
    code, out, err = run(capsys, "explain", str(EXAMPLES / "bilstm_bn.sc"))
    assert code == 0, err
    lines = out.splitlines()
    assert any(x.startswith("bidirectional (Bidirectional)  params = ") for x in lines)
    assert any(
        x.startswith("  forward_lstm (LSTM)  params = ") and x.endswith("14,200") for x in lines
    )
    assert any(x.startswith("  backward_lstm (LSTM)  params = ") for x in lines)
    assert "non-trainable (moving statistics)" in out


def test_explain_symbolic_value_is_the_expression(capsys):
    code, out, _ = run(capsys, "explain", "-e", "input(t, f) -> LSTM(u)")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("lstm (LSTM)  params = ")
    assert first.endswith("= 4*u*(f + u + 1)")


# input sources and --set ------------------------------------------------------------


def test_stdin(capsys, monkeypatch):
    code, out, err = run(
        capsys, "summary", "-", "--format", "json", stdin=MNIST_TEXT, monkeypatch=monkeypatch
    )
    assert code == 0, err
    assert json.loads(out)["total"] == 2_663_678


def test_inline_and_file_agree(capsys):
    _, a, _ = run(capsys, "summary", "-e", MNIST_TEXT, "--format", "csv")
    _, b, _ = run(capsys, "summary", MNIST, "--format", "csv")
    assert a == b


def test_set_substitutes(capsys):
    argv = ["-e", "input(t, f) -> LSTM(u, return_sequences=true)", "--set", "u=64", "--set", "f=6"]
    code, out, _ = run(capsys, "summary", *argv, "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["total"] == 18_176
    assert d["symbols"] == ["t"]  # left free: it is in the output shape
    assert d["layers"][0]["output_shape"] == ["t", 64]


@pytest.mark.parametrize(
    "sets",
    [["--set", "u=64,f=6"], ["--set", "u=64, f=6"], ["--set", "u=64", "--set", "f=6,u=64"]],
)
def test_set_takes_comma_separated_values(capsys, sets):
    argv = ["-e", "input(t, f) -> LSTM(u, return_sequences=true)", *sets, "--format", "json"]
    code, out, _ = run(capsys, "summary", *argv)
    assert code == 0
    assert json.loads(out)["total"] == 18_176


@pytest.mark.parametrize(
    "value, message",
    [
        ("u=64,f=x", "'u=64,f=x': the value of f must be an integer, e.g. --set f=64"),
        ("u=64,", "'u=64,' is not NAME=INTEGER (e.g. --set u=64, or --set u=64,f=6 for two)"),
        ("u=64,f=0", "'u=64,f=0': f must be a positive integer (symbols are sizes)"),
    ],
)
def test_a_bad_value_in_a_set_list_is_named(capsys, value, message):
    code, _, err = run(capsys, "summary", "-e", "input(f) -> Dense(u)", "--set", value)
    assert code == 2
    assert err.strip().splitlines()[-1] == f"symcount summary: error: argument --set: {message}"


def test_set_twice_same_value_is_fine(capsys):
    code, _, _ = run(
        capsys, "summary", "-e", "input(3) -> Dense(u)", "--set", "u=2", "--set", "u=2"
    )
    assert code == 0


def test_wide_symbolic_cells_wrap_inside_the_table(capsys):
    text = "input(d) -> " + " -> ".join(
        f"Dense(u{i} + v{i} + w{i} + x{i} + y{i})" for i in range(4)
    )
    code, out, _ = run(capsys, "summary", "-e", text, "--width", "60")
    assert code == 0
    table = [x for x in out.splitlines() if x[:1] in "┏┃┡│├└"]
    assert table and all(len(x) == len(table[0]) for x in table)
    assert len(table[0]) <= 60


def test_summary_shows_trainable_column_for_frozen_layers(capsys):
    code, out, _ = run(capsys, "summary", "-e", "input(4) -> Dense(3, trainable=false) -> Dense(2)")
    assert code == 0
    assert "Trainable" in out
    assert " Non-trainable params: 15 (60.00 B)" in out.splitlines()


def test_layers_lists_known_types(capsys):
    code, out, _ = run(capsys, "layers")
    assert code == 0
    assert "Conv2D(filters, kernel_size, strides=1, padding=valid" in out
    assert "Dense(units" in out
    code, out, _ = run(capsys, "layers", "Dense")
    assert code == 0
    assert out.startswith("Dense(units")
    code, _, err = run(capsys, "layers", "Dens")
    assert code == 2
    assert "did you mean 'Dense'?" in err


def test_version_and_help(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("symcount ")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "summary" in out and "explain" in out and "examples:" in out
    code, out, _ = run(capsys, "summary", "--help")
    assert code == 0
    assert "--set NAME=INT" in out and "symcount summary examples/mnist_cnn.sc" in out


# errors: exit 2, one message with file:line:col and a caret, no traceback ---------

SOURCE_ERRORS = [
    # label, source, (line, col), words in the message
    ("typo in a layer", "input(28, 28, 1)\nConv2d(24, 3)\n", (2, 1), ["did you mean 'Conv2D'?"]),
    # inside brackets a newline continues the statement: the error is at the next line
    ("missing parenthesis", "input(28, 28, 1)\nConv2D(24, 3\nFlatten\n", (3, 1), ["syntax error"]),
    (
        "missing parenthesis at the end",
        "input(28, 28, 1)\nConv2D(24, 3",
        (2, None),
        ["syntax error"],
    ),
    (
        "unknown keyword",
        "input(28, 28, 1)\nConv2D(24, 3, filtres=3)\n",
        (2, 15),
        ["'filtres'", "did you mean 'filters'?"],
    ),
    ("kernel too big", "input(2, 2, 1)\nConv2D(24, 3)\n", (2, 1), ["shape error", "kernel"]),
]


@pytest.mark.parametrize(
    ("label", "source", "where", "words"), SOURCE_ERRORS, ids=[e[0] for e in SOURCE_ERRORS]
)
def test_source_errors(capsys, tmp_path, label, source, where, words):
    path = tmp_path / "model.sc"
    path.write_text(source)
    code, out, err = run(capsys, "summary", str(path))
    assert code == 2
    assert out == ""
    line, col = where
    head = err.splitlines()[0]
    assert head.startswith(f"{path}:{line}:" + (f"{col}:" if col else ""))
    assert "^" in err
    assert "Traceback" not in err
    for w in words:
        assert w in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["summary", "-e", "input(3) -> Dense(u)", "--set", "u=abc"],
            ["--set", "must be an integer"],
        ),
        (["summary", "-e", "input(3) -> Dense(u)", "--set", "u"], ["NAME=INTEGER"]),
        (["summary", "-e", "input(3) -> Dense(u)", "--set", "u=0"], ["positive"]),
        (["summary", "-e", "input(3) -> Dense(u)", "--set", "u=1", "--set", "u=2"], ["twice"]),
        (["summary", "-e", "input(3) -> Dense(u)", "--set", "v=1"], ["no free symbol 'v'"]),
        (["summary", "/nonexistent/model.sc"], ["cannot read /nonexistent/model.sc"]),
        (["summary"], ["no model"]),
        (["summary", MNIST, "-e", "input(1)"], ["not both"]),
        (["summary", MNIST, "--format", "yaml"], ["invalid choice"]),
        (["frobnicate"], ["invalid choice"]),
        ([], ["usage:"]),
    ],
)
def test_usage_errors(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    for w in words:
        assert w in err


def test_unreadable_file(capsys, tmp_path):
    path = tmp_path / "binary.sc"
    path.write_bytes(b"\xff\xfe\x00input(3)")
    code, out, err = run(capsys, "summary", str(path))
    assert code == 2
    assert out == ""
    assert "cannot read" in err
    assert "Traceback" not in err


def test_error_from_inline_text_names_it(capsys):
    code, _, err = run(capsys, "summary", "-e", "input(3) -> Dense(4) -> Dens(2)")
    assert code == 2
    assert err.startswith("<expr>:1:25: ")
    assert "    input(3) -> Dense(4) -> Dens(2)\n" in err


# real processes ---------------------------------------------------------------------


def _cmd(*argv):
    return [sys.executable, "-m", "symcount", *argv]


def test_subprocess_summary_matches_in_process(capsys):
    _, expected, _ = run(capsys, "summary", MNIST)
    p = subprocess.run(
        _cmd("summary", MNIST), capture_output=True, text=True, encoding="utf-8", check=False
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout == expected


def test_subprocess_stdin_and_error():
    p = subprocess.run(
        _cmd("summary", "-", "--format", "json"),
        input=MNIST_TEXT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["total"] == 2_663_678
    p = subprocess.run(
        _cmd("explain", "-e", "input(28, 28, 1) -> Conv2D(24, 3, filtres=3)"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert p.returncode == 2
    assert p.stdout == ""
    assert "<expr>:1:" in p.stderr and "^" in p.stderr and "Traceback" not in p.stderr


def test_subprocess_broken_pipe_is_quiet():
    # the reader is gone before anything is written
    p = subprocess.Popen(_cmd("summary", MNIST), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    _, err = p.communicate(timeout=60)
    assert p.returncode in (0, cli.EXIT_BROKEN_PIPE)
    assert b"Traceback" not in err and b"Error" not in err


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
def test_subprocess_ctrl_c_exits_130_quietly():
    p = subprocess.Popen(
        _cmd("summary", "-"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    time.sleep(1.0)  # let it start and block on standard input
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == cli.EXIT_INTERRUPTED
    assert out == b""
    assert b"Traceback" not in err


def test_cli_does_not_import_sympy_for_a_numeric_model():
    code = (
        "import sys; from symcount import cli; import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert cli.main(['summary', {MNIST!r}]) == 0\n"
        "print('sympy' in sys.modules)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_lark_is_imported_without_the_regex_module():
    # lark imports `regex` whenever it is installed, for an option symcount
    # never uses (syntax._import_lark); it stays importable for everyone else
    code = (
        "import sys; from symcount import cli; import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert cli.main(['summary', {MNIST!r}]) == 0\n"
        "print('lark' in sys.modules, 'regex' in sys.modules)\n"
        "import importlib.util\n"
        "print(importlib.util.find_spec('regex') is None or __import__('regex') is not None)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["True", "False", "True"]


RESNET = str(Path(__file__).resolve().parent.parent / "examples" / "torch_resnet50.sc")


def _names(out: str) -> list[str]:
    # the cell's own padding is one space: more is the indentation of an opened block
    return [line.split("|")[1][1:].rstrip() for line in out.splitlines() if line.startswith("| ")][
        1:
    ]


@pytest.mark.parametrize(
    "args, rows, levels",
    [
        (["--depth", "0"], 11, 1),
        ([], 11, 1),
        (["--depth", "1"], 19, 2),  # each layer(...) opened: its down block, then its repeat
        (["--depth", "2"], 51, 3),
        (["--depth", "50"], 215, 5),
        (["--expand"], 215, 5),
    ],
)
def test_depth_opens_blocks_so_many_levels(capsys, args, rows, levels):
    code, out, _ = run(capsys, "summary", RESNET, "--ascii", *args)
    assert code == 0
    names = _names(out)
    assert len(names) == rows
    # two spaces of indentation a level
    assert {(len(n) - len(n.lstrip())) // 2 for n in names} == set(range(levels))
    assert " Total params: 25,557,032" in out.splitlines()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--depth", "-1"], "argument --depth: '-1' must be positive"),
        (["--depth", "x"], "argument --depth: 'x' is not an integer"),
        (["--depth", "1", "--expand"], "argument --expand: not allowed with argument --depth"),
    ],
)
def test_depth_mistakes(capsys, args, message):
    code, _, err = run(capsys, "summary", RESNET, *args)
    assert code == 2
    assert err.strip().splitlines()[-1].endswith(message)


def test_print_model_is_its_summary_table():
    import symcount

    m = symcount.load(RESNET)
    assert str(m) == symcount.render.table.summary(m)
    assert str(m).splitlines()[-4:] == [
        " Total params: 25,557,032",
        " Trainable params: 25,557,032",
        " Non-trainable params: 0",
        " Buffers: 53,173",
    ]
    assert m.summary(depth=2, ascii=True) == symcount.render.table.summary(m, depth=2, ascii=True)
    assert max(d for d, _ in m.walk(depth=2)) == 2
    assert max(d for d, _ in m.walk(depth=0)) == 0
    assert len(list(m.walk(depth=64))) == len(list(m.walk(expand=True)))


def test_depth_opens_the_latex_table_too(capsys):
    rows = {}
    for args in (["--depth", "0"], ["--depth", "1"], ["--expand"]):
        code, out, _ = run(capsys, "summary", RESNET, "--latex", *args)
        assert code == 0
        rows[args[-1]] = sum(1 for line in out.splitlines() if line.rstrip().endswith(r"\\"))
    assert rows["0"] < rows["1"] < rows["--expand"]
    assert rows["1"] - rows["0"] == 19 - 11  # the rows --depth 1 opens in the text table
