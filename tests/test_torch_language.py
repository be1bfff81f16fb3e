"""``convention torch`` as a user writes it: LANGUAGE.md's torch examples, the
input-size rule (left out: inferred, the other positionals shift left; given:
checked, a mismatch is one positioned error), buffers and frozen parameters,
symbolic formulas, and the shipped torch examples' published counts."""

from __future__ import annotations

from pathlib import Path

import pytest

import symcount
from symcount.errors import ArgumentError, ShapeError

EXAMPLES = Path(__file__).parent.parent / "examples"
T = "convention torch\n"

# (source, {to_dict() key: value}, {per-layer key: [values]})
CASES = [
    # LANGUAGE.md: under convention torch, LSTM(u) on f features gives 4*u*(f + u + 2)
    ("input(t, f) -> LSTM(u)", {"total": "4*u*(f + u + 2)"}, {"output_shape": [["t", "u"]]}),
    # the input size left out and given: the same module
    ("input(784) -> Linear(10)", {"total": 7850}, {"output_shape": [[10]]}),
    ("input(784) -> Linear(784, 10)", {"total": 7850}, {}),
    ("input(784) -> Linear(in_features=784, out_features=10)", {"total": 7850}, {}),
    ("input(784) -> Linear(10, bias=false)", {"total": 7840}, {}),
    ("input(1, 28, 28) -> Conv2d(32, 3)", {"total": 320}, {"output_shape": [[32, 26, 26]]}),
    ("input(1, 28, 28) -> Conv2d(1, 32, 3)", {"total": 320}, {"output_shape": [[32, 26, 26]]}),
    (
        "input(1, 28, 28) -> Conv2d(32, 3, stride=2)",
        {"total": 320},
        {"output_shape": [[32, 13, 13]]},
    ),
    ("input(1, 28, 28) -> Conv2d(1, 32, 3, 2)", {"total": 320}, {"output_shape": [[32, 13, 13]]}),
    (
        "input(1, 28, 28) -> Conv2d(32, 3, padding=same, padding_mode=reflect)",
        {"total": 320},
        {"output_shape": [[32, 28, 28]]},
    ),
    ("input(100, 6) -> LSTM(64)", {"total": 18432}, {"output_shape": [[100, 64]]}),
    ("input(100, 6) -> LSTM(input_size=6, hidden_size=64)", {"total": 18432}, {}),
    ("input(100, 6) -> LSTM(6, 64, 2)", {"total": 18432 + 33280}, {}),
    (
        "input(100, 6) -> LSTM(64, batch_first=true, bidirectional=true)",
        {"total": 2 * 18432},
        {"output_shape": [[100, 128]]},
    ),
    ("input(100, 6) -> LSTM(64, proj_size=16)", {"total": 4 * 64 * (6 + 16 + 2) + 16 * 64}, {}),
    # GRU is Keras's reset_after=true: 3 gate blocks, two biases
    ("input(t, f) -> GRU(u)", {"total": "3*u*(f + u + 2)"}, {}),
    ("input(t, f) -> RNN(u, bias=false)", {"total": "u*(f + u)"}, {}),
    # running statistics are buffers: 2*c + 1 (num_batches_tracked), never parameters
    ("input(c, h, w) -> BatchNorm2d", {"total": "2*c", "buffers": "2*c + 1"}, {}),
    ("input(c, h, w) -> BatchNorm2d(affine=false)", {"total": 0, "buffers": "2*c + 1"}, {}),
    ("input(c, h, w) -> BatchNorm2d(track_running_stats=false)", {"buffers": 0}, {}),
    ("input(c, l) -> InstanceNorm1d", {"total": 0, "buffers": 0}, {}),
    ("input(8, 5) -> InstanceNorm1d(affine=true, track_running_stats=true)", {"buffers": 17}, {}),
    # trainable=false: frozen parameters (requires_grad=False), buffers unchanged
    (
        "input(32, 4, 4) -> BatchNorm2d(trainable=false)",
        {"total": 64, "trainable": 0, "non_trainable": 64, "buffers": 65},
        {},
    ),
    # attention: embed_dim inferred; kdim/vdim give separate projections
    ("input(L, e) -> MultiheadAttention(num_heads=h)", {"total": "4*e*(e + 1)"}, {}),
    (
        "q = input(5, 8); k = input(7, 3); v = input(7, 4)\n"
        "MultiheadAttention(8, 2, kdim=3, vdim=4)(q, k, v)",
        {"total": 216},
        {},
    ),
    ("input(10, 512) -> TransformerEncoderLayer(nhead=8)", {"total": 3152384}, {}),
    ("input(10, 512) -> TransformerDecoderLayer(512, 8)", {"total": 4204032}, {}),
    # torch counts axes with the batch as 0: Flatten() keeps it, start_dim=2 keeps C too
    ("input(3, 4, 5) -> Flatten", {}, {"output_shape": [[60]]}),
    ("input(3, 4, 5) -> Flatten(2)", {}, {"output_shape": [[3, 20]]}),
    ("input(60) -> Unflatten(1, (3, -1))", {}, {"output_shape": [[3, 20]]}),
    ("input(8, 4, 4) -> PixelShuffle(2)", {}, {"output_shape": [[2, 8, 8]]}),
    ("input(3, 4, 5) -> Upsample(scale_factor=2)", {}, {"output_shape": [[3, 8, 10]]}),
    ("input(3, 4, 5) -> ZeroPad2d((1, 2, 3, 4))", {}, {"output_shape": [[3, 11, 8]]}),
    ("input(3, 4, 5) -> Identity -> Dropout(0.5) -> GELU", {"total": 0}, {}),
]


@pytest.mark.parametrize(("source", "totals", "layers"), CASES, ids=[c[0][:48] for c in CASES])
def test_torch_convention(source, totals, layers):
    d = symcount.parse(T + source).to_dict()
    assert d["convention"] == "torch"
    for key, want in totals.items():
        assert d[key] == want, key
    rows = [r for r in d["layers"] if r["type"] != "InputLayer"]
    for key, want in layers.items():
        assert [r[key] for r in rows] == want, key


def test_transformer_stacks_get_a_leading_layers_axis():
    """Each stacked weight has one leading num_*layers axis (counts: real torch's
    nn.Transformer(16, 2, 2, 3, 32) and nn.TransformerEncoder(..., 3))."""
    row = symcount.parse(T + "input(10, 16) -> Transformer(16, 2, 2, 3, 32)").rows[-1]
    assert row.params == 14_544
    by_name = {w.name: w for w in row.weights}
    enc = by_name["encoder.layers.*.self_attn.in_proj_weight"]
    dec = by_name["decoder.layers.*.multihead_attn.in_proj_bias"]
    assert (enc.shape, enc.dims[0][0].label) == ((2, 48, 16), "num_encoder_layers")
    assert (dec.shape, dec.dims[0][0].label) == ((3, 48), "num_decoder_layers")
    assert by_name["encoder.norm.weight"].shape == (16,)
    assert by_name["decoder.layers.*.linear1.weight"].dims[1][0].label == "dim_feedforward"
    src = (
        "input(10, 16) -> TransformerEncoder(TransformerEncoderLayer(16, 2, dim_feedforward=32), 3)"
    )
    row = symcount.parse(T + src).rows[-1]
    assert row.params == 6_672
    w = row.weights[0]
    assert (w.name, w.shape, w.dims[0][0].label) == (
        "layers.*.self_attn.in_proj_weight",
        (3, 48, 16),
        "num_layers",
    )
    assert w.dims[1][1].label == "d_model"  # MultiheadAttention's embed_dim, relabelled


@pytest.mark.parametrize(
    ("layer", "form"),
    [("MaxPool1d(2)", "(C, L)"), ("AvgPool2d(2)", "(C, H, W)"), ("MaxPool3d(2)", "(C, D, H, W)")],
)
def test_pooling_names_the_shape_it_expects(layer, form):
    with pytest.raises(ShapeError) as info:
        symcount.parse(T + f"input(2, 3, 4, 5, 6) -> {layer}")
    want = f"expects an input of shape {form} (batch excluded); got (None, 2, 3, 4, 5, 6)"
    assert want in str(info.value)


def test_convention_flag_overrides_the_file():
    src = "input(t, f) -> LSTM(u)"
    assert symcount.parse(src).to_dict()["total"] == "4*u*(f + u + 1)"
    assert symcount.parse(src, convention="torch").to_dict()["total"] == "4*u*(f + u + 2)"


# (source, error class, line:col, words, caret): a given input size is checked
ERRORS = [
    (
        "input(1, 28, 28) -> Conv2d(3, 32, 3)",
        ShapeError,
        "2:28",
        ["in_channels=3 but the input has 1 channels", "leave in_channels out"],
        "^",
    ),
    (
        "input(784) -> Linear(100, 10)",
        ShapeError,
        "2:22",
        ["in_features=100 but the input has 784 features", "Linear(10)"],
        "^^^",
    ),
    (
        "input(100, 6) -> LSTM(input_size=8, hidden_size=64)",
        ShapeError,
        "2:23",
        ["input_size=8 but the input has 6 features"],
        "^",
    ),
    (
        "input(32, 4, 4) -> BatchNorm2d(16)",
        ShapeError,
        "2:32",
        ["num_features=16 but the input has 32 channels"],
        "^^",
    ),
    (
        "input(10, 64) -> MultiheadAttention(32, 8)",
        ShapeError,
        "2:37",
        ["embed_dim=32 but the input has 64 features"],
        "^^",
    ),
    (
        "input(10, 64) -> LayerNorm(32)",
        ArgumentError,
        "2:28",
        ["normalized_shape=(32,) but the input's last axes are (64,)"],
        "^^",
    ),
    (
        "input(1, 28, 28) -> Conv2d(32, 3, stride=2, padding=same)",
        ArgumentError,
        "2:45",
        ["padding='same' is not supported for strided convolutions"],
        "^",
    ),
    (
        "input(10, 64) -> Linear(10, in_features=64)",
        ArgumentError,
        "2:29",
        ["'in_features' both by position and by keyword"],
        "^",
    ),
    (
        "input(5, 4) -> LSTM(8, proj_size=(3, 4))",  # torch: proj_size must be an int
        ArgumentError,
        "2:24",
        ["LSTM: proj_size must be an integer"],
        "^^^^^^^^^^^^^^^^",
    ),
]


@pytest.mark.parametrize(
    ("source", "cls", "where", "words", "caret"), ERRORS, ids=[c[0][:40] for c in ERRORS]
)
def test_input_size_mismatch_is_one_positioned_error(source, cls, where, words, caret):
    text = T + source
    with pytest.raises(cls) as info:
        symcount.parse(text, filename="model.sc")
    message = str(info.value)
    first, *rest = message.splitlines()
    assert first.startswith(f"model.sc:{where}: "), message
    for w in words:
        assert w in message, message
    line, col = map(int, where.split(":"))
    assert rest[0] == "    " + text.splitlines()[line - 1]
    assert rest[1].startswith("    " + " " * (col - 1) + caret), message


# The shipped torch-vocabulary examples and their published counts
# (torchvision's resnet50(), torchinfo's README LSTMNet).
EXAMPLE_COUNTS = [
    ("torch_resnet50.sc", {"total": 25_557_032, "trainable": 25_557_032, "buffers": 53_173}),
    ("torch_lstm.sc", {"total": 3_784_580}),
]


@pytest.mark.parametrize(("name", "want"), EXAMPLE_COUNTS, ids=[e[0] for e in EXAMPLE_COUNTS])
def test_torch_examples(name, want):
    d = symcount.load(EXAMPLES / name).to_dict()
    assert d["convention"] == "torch"
    for key, value in want.items():
        assert d[key] == value, key


def test_torchinfo_lstm_row():
    rows = symcount.load(EXAMPLES / "torch_lstm.sc").to_dict()["layers"]
    assert [(r["type"], r["params"]) for r in rows] == [
        ("Embedding", 6_000),
        ("LSTM", 3_768_320),
        ("Linear", 10_260),
    ]


def test_every_torch_example_is_in_torch_vocabulary_or_a_diff_example():
    for path in sorted(EXAMPLES.glob("torch_*.sc")):
        model = symcount.load(path)
        assert model.total != 0, path


def test_torch_summary_follows_torchinfo(golden, capsys):
    """Under convention torch the table prints shapes as torch summaries do
    ([-1, C, ...], the batch as -1), "--" for a layer without parameters, and
    the buffers after the totals."""
    from symcount.cli import main

    src = "convention torch; input(3, 8, 8) -> Conv2d(4, 3) -> BatchNorm2d -> ReLU -> Flatten"
    assert main(["summary", "-e", src]) == 0
    golden("torch_cnn.summary.txt", capsys.readouterr().out)
    assert main(["summary", str(EXAMPLES / "torch_lstm.sc")]) == 0
    out = capsys.readouterr().out
    assert "│ lstm (LSTM)                     │ [-1, 100, 512]" in out
    assert (
        " Total params: 3,784,580\n Trainable params: 3,784,580\n Non-trainable params: 0\n" in out
    )


@pytest.mark.parametrize(
    ("layer", "first_line"),
    [
        ("BatchNorm2d", "params = 2*num_features = 2*c  (2*c + 1 in buffers)"),
        ("BatchNorm2d(affine=false)", "params = 0  (2*c + 1 in buffers)"),
        ("InstanceNorm2d(affine=true)", "params = 2*num_features = 2*c"),
    ],
)
def test_explain_leaves_buffers_out_of_the_params_formula(layer, first_line, capsys):
    from symcount.cli import main

    assert main(["explain", "-e", f"convention torch; input(c, h, w) -> {layer}"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.split("  ", 1)[1] == first_line


def test_a_keras_model_does_not_load_the_torch_rules():
    """torch.nn's rules register on first use of convention torch (start-up)."""
    import subprocess
    import sys

    code = (
        "import sys, symcount; symcount.parse('input(3) -> Dense(2)'); "
        "print(any(m.startswith('symcount.conventions.torch') for m in sys.modules)); "
        "symcount.parse('convention torch; input(3) -> Linear(2)'); "
        "print('symcount.conventions.torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_layers_command_says_the_input_size_may_be_left_out(capsys):
    from symcount.cli import main

    assert main(["layers", "--convention", "torch", "Conv2d"]) == 0
    out = capsys.readouterr().out
    assert "in_channels   dim; taken from the input when left out" in out
    assert "out_channels  dim; required" in out
