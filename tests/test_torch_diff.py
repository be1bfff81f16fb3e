"""``symcount diff``: a Keras-vocabulary model beside its torch.nn equivalent.

The golden file answers the seed's BatchNorm question ("Keras 128 with 64
non-trainable; PyTorch 64"); the table pins each classic difference as a
formula. The live test (tests/test_live_torch.py) builds every equivalent in
real PyTorch and checks its counts."""

from __future__ import annotations

from pathlib import Path

import pytest

import symcount
from symcount.cli import main
from symcount.cli.diff import difference, equivalent, translate

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_the_seed_batchnorm_question(golden, capsys):
    assert main(["diff", str(EXAMPLES / "torch_vs_keras_bn.sc")]) == 0
    out = capsys.readouterr().out
    golden("torch_diff_bn.txt", out.replace(str(EXAMPLES), "examples"))
    # the answer, in numbers: Keras 128 (64 non-trainable); PyTorch 64 and 64 + 1 buffers
    keras = symcount.load(EXAMPLES / "torch_vs_keras_bn.sc")
    torch = translate((EXAMPLES / "torch_vs_keras_bn.sc").read_text())
    k, t = keras.row("batch_normalization"), torch.row("batch_normalization")
    assert (k.params, k.non_trainable) == (128, 64)
    assert (t.params, t.non_trainable, t.buffers) == (64, 0, 65)
    assert (keras.total, keras.non_trainable) == (13_108_758, 64)
    assert (torch.total, torch.buffers) == (13_108_694, 65)  # the question's torchsummary total
    assert "128 (64 non-trainable)" in out and "64 (buffers: 65)" in out
    assert "num_batches_tracked 1 (buffer)" in out


# (Keras layer on an input, its PyTorch equivalent, PyTorch - Keras, PyTorch buffers)
CASES = [
    ("input(t, f) -> LSTM(u)", "LSTM(f, u, batch_first=true)", "4*u", 0),
    ("input(t, f) -> SimpleRNN(u)", "RNN(f, u, batch_first=true)", "u", 0),
    ("input(t, f) -> GRU(u)", "GRU(f, u, batch_first=true)", 0, 0),
    ("input(t, f) -> GRU(u, reset_after=false)", "GRU(f, u, batch_first=true)", "3*u", 0),
    ("input(t, f) -> LSTM(u, use_bias=false)", "LSTM(f, u, bias=false, batch_first=true)", 0, 0),
    (
        "input(t, f) -> Bidirectional(LSTM(u))",
        "LSTM(f, u, bidirectional=true, batch_first=true)",
        "8*u",
        0,
    ),
    ("input(h, w, c) -> BatchNormalization", "BatchNorm2d(c)", "-2*c", "2*c + 1"),
    ("input(l, c) -> BatchNormalization", "BatchNorm1d(c)", "-2*c", "2*c + 1"),
    (
        "input(c) -> BatchNormalization(center=false)",
        "BatchNorm1d(c, bias=false)",
        "-2*c",
        "2*c + 1",
    ),
    ("input(f) -> Dense(u)", "Linear(f, u)", 0, 0),
    ("input(h, w, c) -> Conv2D(k, 3)", "Conv2d(c, k, 3)", 0, 0),
    (
        "input(9, 9, 3) -> Conv2D(8, 3, strides=2, padding=same)",
        "Conv2d(3, 8, 3, stride=2, padding=1)",
        0,
        0,
    ),
    ("input(9, 9, 4) -> DepthwiseConv2D(3)", "Conv2d(4, 4, 3, groups=4)", 0, 0),
    (
        "input(9, 9, 4) -> SeparableConv2D(8, 3)",
        "Conv2d(4, 4, 3, groups=4, bias=false) -> Conv2d(4, 8, 1)",
        0,
        0,
    ),
    (
        "input(9, 9, 4) -> Conv2DTranspose(2, 3, strides=2)",
        "ConvTranspose2d(4, 2, 3, stride=2)",
        0,
        0,
    ),
    ("input(t) -> Embedding(v, d)", "Embedding(v, d)", 0, 0),
    ("input(t, d) -> LayerNormalization", "LayerNorm(d)", 0, 0),
    ("input(8, 8, 3) -> LayerNormalization(axis=(1, 2))", "LayerNorm((8, 8))", 0, 0),
    ("input(d, d, 3) -> RMSNormalization(axis=(1, 2))", "RMSNorm((d, d))", 0, 0),
    (
        "input(d, d, 3) -> LayerNormalization(axis=(1, 2), rms_scaling=true)",
        "RMSNorm((d, d))",
        0,
        0,
    ),
    ("input(h, w, c) -> GroupNormalization(4)", "GroupNorm(4, c)", 0, 0),
    ("input(h, w, c) -> PReLU(shared_axes=(1, 2))", "PReLU(num_parameters=c)", 0, 0),
    (
        "input(10, 64) -> MultiHeadAttention(8, 8)",
        "MultiheadAttention(64, 8, batch_first=true)",
        0,
        0,
    ),
    ("input(7, 7, 3) -> MaxPooling2D(2)", "MaxPool2d(2)", 0, 0),
    ("input(7, 7, 3) -> GlobalAveragePooling2D", "AdaptiveAvgPool2d(1) -> Flatten()", 0, 0),
]


@pytest.mark.parametrize(("source", "text", "diff", "buffers"), CASES, ids=[c[0] for c in CASES])
def test_equivalent_and_difference(source, text, diff, buffers):
    keras = symcount.parse(source).rows[-1]
    torch = translate(source).rows[-1]
    assert equivalent(torch).text == text
    d = difference(torch.params, keras.params)
    assert (d if isinstance(d, int) else str(d)) == diff
    assert (torch.buffers if isinstance(torch.buffers, int) else str(torch.buffers)) == buffers


def test_norm_over_equal_axes_keeps_every_axis():
    """Two axes of the same length are a (8, 8) normalized_shape, not LayerNorm(8)."""
    src = "input(8, 8, 3) -> LayerNormalization(axis=(1, 2))"
    keras, torch = symcount.parse(src).rows[-1], translate(src).rows[-1]
    assert (keras.params, torch.params) == (128, 128)
    assert equivalent(torch).modules[0].args == ((8, 8),)
    nn = pytest.importorskip("torch.nn")
    assert sum(p.numel() for p in nn.LayerNorm((8, 8)).parameters()) == 128
    assert sum(p.numel() for p in nn.RMSNorm((8, 8)).parameters()) == 64
    rms = translate("input(8, 8, 3) -> RMSNormalization(axis=(1, 2))").rows[-1]
    assert rms.params == 64


@pytest.mark.parametrize(
    ("source", "text", "shape"),
    [
        ("input(h, w, c) -> BatchNormalization(axis=1)", "BatchNorm2d(h)", ("h", "w", "c")),
        ("input(h, w, c) -> BatchNormalization(axis=-3)", "BatchNorm2d(h)", ("h", "w", "c")),
        ("input(h, w, c) -> GroupNormalization(2, axis=-2)", "GroupNorm(2, w)", ("w", "h", "c")),
        (
            "input(h, w, c) -> LayerNormalization(axis=(-1, 1))",
            "LayerNorm((h, c))",
            ("w", "h", "c"),
        ),
        ("input(h, w, c) -> RMSNormalization(axis=(3, -3))", "RMSNorm((h, c))", ("w", "h", "c")),
    ],
)
def test_keras_axes_count_the_batch_as_zero(source, text, shape):
    """The normalized axes (negative from the end) are moved to where torch wants them."""
    eq = equivalent(translate(source).rows[-1])
    assert (eq.text, tuple(str(d) for d in eq.modules[0].shape)) == (text, shape)


def test_layers_without_an_equivalent_are_named_and_left_out(capsys):
    src = "input(5, 8, 8, 3) -> ConvLSTM2D(4, 3) -> Flatten -> Dense(2)"
    assert main(["diff", "-e", src]) == 0
    out = capsys.readouterr().out
    assert "No PyTorch equivalent (left out of the difference):" in out
    assert "conv_lstm2d (ConvLSTM2D): torch.nn has no module for ConvLSTM2D" in out
    assert "PyTorch - Keras: 0 params, leaving out the layers without an equivalent" in out


def test_attention_whose_heads_torch_cannot_express_is_named():
    torch = translate("input(10, 64) -> MultiHeadAttention(4, 8)")
    eq = equivalent(torch.rows[-1])
    assert eq.missing and "embed_dim/num_heads" in eq.why


def test_blocks_repeats_and_graphs_pair_row_by_row(capsys):
    src = (
        "input(T, f) -> LSTM(u, return_sequences=true) -> "
        "repeat n - 1 { LSTM(u, return_sequences=true) } -> Dense(1)"
    )
    assert main(["diff", "-e", src]) == 0
    out = capsys.readouterr().out
    assert "PyTorch - Keras: 4*n*u params" in out  # one extra bias vector per LSTM, n LSTMs
    assert "and 1 more like it: 4*n*u in all" in out


def test_frozen_layers_are_frozen_in_both():
    src = "input(4) -> Dense(3, trainable=false)"
    k, t = symcount.parse(src).rows[-1], translate(src).rows[-1]
    assert (k.non_trainable, t.non_trainable, t.trainable) == (15, 15, 0)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["diff", "-e", "convention torch; input(4) -> Linear(2)"],
            "<expr>:1:12: argument error: diff compares a model written in Keras vocabulary",
        ),
        (["diff", "-e", "input(4) -> Dense(2)", "--convention", "torch"], "Keras vocabulary"),
        (["diff", "-e", "input(4) -> Dense(2"], "<expr>:1:20: syntax error"),
        (["diff", "-e", "input(4) -> Dense(v)", "--set", "w=3"], "no free symbol 'w'"),
    ],
)
def test_mistakes_exit_2_with_one_message(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


@pytest.mark.parametrize("width", ["0", "-5", "x"])
def test_width_must_be_a_positive_integer(width, capsys):
    assert main(["diff", "-e", "input(4) -> Dense(2)", "--width", width]) == 2
    err = capsys.readouterr().err
    assert f"argument --width: {width!r} " in err and "Traceback" not in err


def test_width_wraps_the_table(capsys):
    assert main(["diff", "-e", "input(t, f) -> LSTM(u)", "--width", "80"]) == 0
    table = capsys.readouterr().out.split("\n Keras:")[0].splitlines()
    assert (max(len(line) for line in table), len(table)) == (80, 8)  # 101 wide unwrapped


def test_a_torch_file_gets_a_caret_under_its_convention(capsys):
    assert main(["diff", str(EXAMPLES / "torch_lstm.sc")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"{EXAMPLES / 'torch_lstm.sc'}:8:12: argument error:")
    assert lines[1:3] == ["    convention torch", "               ^^^^^"]


KERAS_EXAMPLES = [
    p for p in sorted(EXAMPLES.glob("*.sc")) if "convention torch" not in p.read_text()
]


@pytest.mark.parametrize("path", KERAS_EXAMPLES, ids=[p.name for p in KERAS_EXAMPLES])
def test_every_keras_example_has_a_diff(path, capsys):
    assert main(["diff", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\n PyTorch - Keras: " in out
    keras, torch = symcount.load(path), translate(path.read_text())
    assert len(list(keras.walk(expand=True))) == len(list(torch.walk(expand=True)))


def test_json_output(capsys):
    import json

    assert main(["diff", str(EXAMPLES / "torch_vs_keras_bn.sc"), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    bn = next(r for r in d["rows"] if r["name"] == "batch_normalization")
    assert (bn["torch"], bn["keras_params"], bn["keras_non_trainable"]) == (
        "BatchNorm2d(32)",
        128,
        64,
    )
    assert (bn["torch_params"], bn["torch_buffers"], bn["difference"]) == (64, 65, -64)
    assert d["keras"] == {"total": 13_108_758, "trainable": 13_108_694, "non_trainable": 64}
    assert d["torch"] == {"total": 13_108_694, "trainable": 13_108_694, "frozen": 0, "buffers": 65}
    assert d["difference"] == -64
    assert main(["diff", "-e", "input(t, f) -> LSTM(u)", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["rows"][0]["difference"], d["difference"], d["symbols"]) == (
        "4*u",
        "4*u",
        ["t", "f", "u"],
    )
    src = "input(5, 8, 8, 3) -> ConvLSTM2D(4, 3) -> Flatten -> Dense(2)"
    assert main(["diff", "-e", src, "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert (row["torch"], row["difference"], row["keras_params"]) == (None, None, 1024)
    assert row["no_equivalent"] == "torch.nn has no module for ConvLSTM2D"
