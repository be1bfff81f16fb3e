"""LANGUAGE.md's reference examples and the language features, through the API."""

from __future__ import annotations

import pytest

import symcount

VQA_FREE = "visual question answering needs graphs (issue 3)"

# (source, expected: dict of to_dict() keys, per-layer shapes or params where given)
REFERENCE = [
    (
        "input(28,28,1) -> Conv2D(24,3) -> Conv2D(36,3) -> Flatten -> Dense(128) -> Dense(10)",
        {"total": 2663678, "trainable": 2663678, "non_trainable": 0},
        {
            "output_shape": [[26, 26, 24], [24, 24, 36], [20736], [128], [10]],
            "params": [240, 7812, 0, 2654336, 1290],
        },
    ),
    (
        "input(100, 6) -> LSTM(64, return_sequences=true) -> Dropout(0.5) -> LSTM(64) "
        "-> Dense(64) -> Dense(64) -> Dense(6)",
        {"total": 59910},
        {"params": [18176, 0, 33024, 4160, 4160, 390]},
    ),
    ("input(t, f) -> LSTM(u)", {"total": "4*u*(f + u + 1)", "symbols": ["t", "f", "u"]}, {}),
    ("input(3, 1) -> SimpleRNN(10)", {"total": 120}, {}),
    (
        "input(128, 20) -> Bidirectional(LSTM(50, return_sequences=true)) -> BatchNormalization "
        "-> Dropout(0.2)",
        {"total": 28800, "trainable": 28600, "non_trainable": 200},
        {"params": [28400, 400, 0], "output_shape": [[128, 100]] * 3},
    ),
    (
        "input(64, 64, 3) -> ZeroPadding2D(3) -> Conv2D(32, 7, name=conv0) -> "
        "BatchNormalization(axis=3) -> Activation(relu) -> MaxPooling2D(2) -> Flatten -> "
        "Dense(1, activation=sigmoid)",
        {"total": 37633, "non_trainable": 64, "trainable": 37569},
        {
            "params": [0, 4736, 128, 0, 0, 0, 32769],
            "output_shape": [
                [70, 70, 3],
                [64, 64, 32],
                [64, 64, 32],
                [64, 64, 32],
                [32, 32, 32],
                [32768],
                [1],
            ],
        },
    ),
    (
        "input(100, 95, 3) -> Conv2D(55, (3, 2), strides=(2, 1)) -> "
        "Conv2D(35, (5, 2), strides=(3, 2), padding=same)",
        {"total": 20330},
        {"output_shape": [[49, 94, 55], [17, 47, 35]]},
    ),
    ("input(514) -> Dense(514) -> Dense(257)", {"total": 397065}, {}),
]


@pytest.mark.parametrize(
    ("source", "totals", "layers"), REFERENCE, ids=[r[0][:50] for r in REFERENCE]
)
def test_reference_examples(source, totals, layers):
    d = symcount.parse(source).to_dict()
    for key, want in totals.items():
        assert d[key] == want, key
    for key, want in layers.items():
        assert [layer[key] for layer in d["layers"]] == want, key


def test_json_contract_shape():
    d = symcount.parse(
        "model mnist_cnn\ninput(28, 28, 1)\nConv2D(24, 3)\nFlatten\nDense(u)"
    ).to_dict()
    assert list(d) == [
        "model",
        "convention",
        "symbols",
        "layers",
        "total",
        "trainable",
        "non_trainable",
        "buffers",
    ]
    assert d["model"] == "mnist_cnn" and d["convention"] == "keras" and d["symbols"] == ["u"]
    assert d["layers"][0] == {
        "name": "conv2d",
        "type": "Conv2D",
        "output_shape": [26, 26, 24],
        "params": 240,
        "trainable": 240,
        "non_trainable": 0,
        "buffers": 0,
        "inputs": ["input_layer"],
        "source": {"line": 3, "column": 1},
    }
    assert [(x["inputs"], x["source"]["line"]) for x in d["layers"][1:]] == [
        (["conv2d"], 4),
        (["flatten"], 5),
    ]
    assert d["layers"][2]["params"] == "16225*u"
    assert d["total"] == "16225*u + 240"


def test_newline_chains_and_one_line_chains_agree():
    lines = "input(28, 28, 1)\nConv2D(24, 3)\nConv2D(36, 3)\nFlatten\nDense(128)\nDense(10)\n"
    one = "input(28, 28, 1) -> Conv2D(24, 3) -> Conv2D(36, 3) -> Flatten -> Dense(128) -> Dense(10)"
    a, b = symcount.parse(lines).to_dict(), symcount.parse(one).to_dict()
    # the same layers and edges; only where each call is written differs
    assert [x.pop("source")["line"] for x in a["layers"]] == [2, 3, 4, 5, 6]
    assert [x.pop("source")["line"] for x in b["layers"]] == [1] * 5
    assert a == b


@pytest.mark.parametrize(
    "source",
    [
        "input(28, 28, 1) ->\n  Conv2D(24, 3)",
        "input(28, 28, 1)\n  -> Conv2D(24, 3)",
        "input(28, 28, 1); Conv2D(24, 3)",
        "input(28, 28, 1) -> Conv2D(\n  24,\n  3,\n)",
        "Input(shape=(28, 28, 1)) -> Conv2D(24, 3)",
        "Input((28, 28, 1)) -> Conv2D(24, 3)",
        "Conv2D(24, 3, input_shape=(28, 28, 1))",
        "Conv2D(filters=24, kernel_size=(3, 3), input_shape=[28, 28, 1])",
        '# a comment\ninput(28, 28, 1)  # trailing\nConv2D(24, 3, padding="valid")',
        "let c = 24\ninput(28, 28, 1) -> Conv2D(c, 3)",
        "let k = 3; let h = 28\ninput(h, h, 1) -> Conv2D(2 * 12, k)",
        "input(28, 28, 1) \\\n -> Conv2D(24, 3)",
    ],
)
def test_equivalent_spellings(source):
    d = symcount.parse(source).to_dict()
    assert d["layers"][0]["output_shape"] == [26, 26, 24]
    assert d["total"] == 240


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("7 + 3", 10),
        ("7 - 3", 4),
        ("7 * 3", 21),
        ("12 / 4", 3),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 5", 32),
        ("2 ^ 5", 32),
        ("-2 + 5", 3),
        ("ceil(7 / 2)", 4),
        ("floor(7 / 2)", 3),
        ("min(4, 9, 6)", 4),
        ("max(4, 9, 6)", 9),
        ("50_257", 50257),
        ("(1 + 2) * 3", 9),
        ("2 * 3 ** 2", 18),
        ("1e3", 1000),
        ("0.5 * 8", 4),
    ],
)
def test_arithmetic(expr, value):
    d = symcount.parse(f"let n = {expr}\ninput(n) -> Dense(1, use_bias=false)").to_dict()
    assert d["total"] == value


def test_symbolic_arithmetic_keeps_floor_and_ceil_exact():
    d = symcount.parse("input(n) -> Dense(ceil(n / 2)) -> Dense(n // 3)").to_dict()
    assert d["layers"][0]["output_shape"] == ["ceiling(n/2)"]
    assert d["layers"][1]["output_shape"] == ["floor(n/3)"]
    m = symcount.parse("input(n) -> Dense(ceil(n / 2)) -> Dense(n // 3)", values={"n": 7})
    assert [r.output_shape for r in m.rows] == [(4,), (2,)]


def test_none_dims_print_as_none_and_counts_do_not_depend_on_them():
    d = symcount.parse("input(None, 64) -> LSTM(32, return_sequences=true) -> Dense(8)").to_dict()
    assert d["layers"][0]["output_shape"] == [None, 32]
    assert d["total"] == 4 * 32 * (64 + 32 + 1) + 32 * 8 + 8


def test_wrappers_take_layer_positionally_or_as_layer_keyword():
    a = symcount.parse("input(10, 8) -> Bidirectional(LSTM(4))").to_dict()
    b = symcount.parse("input(10, 8) -> Bidirectional(layer=LSTM(4))").to_dict()
    assert a["total"] == b["total"] == 2 * 4 * 4 * (8 + 4 + 1)
    t = symcount.parse("input(10, 8) -> TimeDistributed(layer=Dense(3))").to_dict()
    assert t["layers"][0]["output_shape"] == [10, 3] and t["total"] == 27


def test_generated_names_follow_keras():
    d = symcount.parse(
        "input(10, 8) -> Bidirectional(LSTM(4, return_sequences=true)) -> LSTM(4) -> Dense(2) "
        "-> Dense(2) -> PReLU -> BatchNormalization"
    ).to_dict()
    assert [x["name"] for x in d["layers"]] == [
        "bidirectional",
        "lstm_1",
        "dense",
        "dense_1",
        "p_re_lu",
        "batch_normalization",
    ]


def test_explicit_names_and_frozen_layers():
    d = symcount.parse(
        'input(5) -> Dense(3, name=enc, trainable=false) -> Dense(2, name="out")'
    ).to_dict()
    assert [x["name"] for x in d["layers"]] == ["enc", "out"]
    assert d["layers"][0]["trainable"] == 0 and d["layers"][0]["non_trainable"] == 18
    assert d["trainable"] == 8 and d["non_trainable"] == 18 and d["total"] == 26


def test_model_convention_symbols_statements():
    m = symcount.parse("model m1\nconvention keras\nsymbols u, f\ninput(f) -> Dense(u)")
    assert (m.name, m.convention, m.symbols) == ("m1", "keras", ["u", "f"])


def test_named_tensors_continue():
    d = symcount.parse("x = input(4) -> Dense(3)\nx -> Dense(2)").to_dict()
    assert [layer["params"] for layer in d["layers"]] == [15, 8]


def test_set_values_bind_symbols_before_evaluation():
    m = symcount.parse("input(t, f) -> LSTM(u)", values={"u": 64, "f": 6})
    assert m.total == 18176 and m.symbols == ["t"]
    assert m.rows[0].output_shape == (64,)


def test_subs_after_evaluation_equals_binding_before():
    text = "input(h, w, c) -> Conv2D(f, k, strides=2, padding=same) -> Flatten -> Dense(u)"
    values = {"h": 32, "w": 30, "c": 3, "f": 16, "k": 3, "u": 10}
    assert (
        symcount.parse(text).subs(values).to_dict() == symcount.parse(text, values=values).to_dict()
    )


def test_counts_are_factored_like_the_formula():
    assert str(symcount.parse("input(t, f) -> Bidirectional(LSTM(u))").total) == "8*u*(f + u + 1)"
    assert str(symcount.parse("input(t, f) -> GRU(u)").total) == "3*u*(f + u + 2)"
    assert str(symcount.parse("input(h, w, c) -> Conv2D(f, k)").total) == "f*(c*k**2 + 1)"


def test_load_reads_a_file(tmp_path):
    p = tmp_path / "m.sc"
    p.write_text("input(514) -> Dense(514) -> Dense(257)\n")
    assert symcount.load(p).total == 397065
    with pytest.raises(symcount.SymcountError, match="cannot read"):
        symcount.load(tmp_path / "missing.sc")
