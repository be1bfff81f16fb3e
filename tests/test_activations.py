"""Activation memory (docs/activations.md): each call's output bytes
(``activation_bytes``), torchinfo's training rule (``training_activation_bytes``),
and Korthikanti et al. 2022's closed form for transformer layers
(``korthikanti_bytes``), against hand counts and the paper's formula computed
here independently; per call, under repeats, batches, dtypes and substitution;
the options, the refusals, JSON and solve. tests/test_live_activations.py
checks the same figures against real torch and torchinfo.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import dims as D
from symcount.cli import run
from symcount.counting import activations as A

GPT2 = "examples/gpt2.sc"
GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}


def same(a, b) -> bool:
    return D.sp().expand(D.to_sympy(a) - D.to_sympy(b)) == 0


def counts(src: str, batch=1) -> tuple:
    t = symcount.parse(src).batched(batch).totals
    return t["activation_bytes"], t["training_activation_bytes"]


# (source, forward bytes, training bytes), batch 1, float32: 4 bytes an entry;
# training keeps 2 x the output of each call of a layer with parameters
CASES = [
    ("input(784) -> Dense(10)", 4 * 10, 8 * 10),
    (
        "input(784) -> Dense(128, activation=relu) -> Dropout(0.2) -> Dense(10)",
        4 * (128 + 128 + 10),
        8 * (128 + 10),
    ),
    ("input(5, 7) -> Dense(3) -> Flatten", 4 * (15 + 15), 8 * 15),
    # torch: ReLU and Flatten have no parameters; BatchNorm's weight and bias are
    # parameters (its running statistics are buffers)
    (
        "convention torch\ninput(3, 8, 8) -> Conv2d(3, 4, 3) -> BatchNorm2d(4) -> ReLU() "
        "-> Flatten() -> Linear(144, 2)",
        4 * (144 + 144 + 144 + 144 + 2),
        8 * (144 + 144 + 2),
    ),
    # a LayerNorm without its affine weights keeps nothing; a frozen Linear keeps its output
    (
        "convention torch\ninput(6) -> Linear(6, 4, trainable=false) "
        "-> LayerNorm(4, elementwise_affine=false)",
        4 * (4 + 4),
        8 * 4,
    ),
    # max pooling's indices are int64 whatever the dtype
    ("convention torch\ninput(3, 8, 8) -> MaxPool2d(2, return_indices=true)", 4 * 48 + 8 * 48, 0),
    # torch's LSTM: its output (batch_first: (T, H)); torchinfo keeps it
    ("convention torch\ninput(100, 6) -> LSTM(6, 64, batch_first=true)", 4 * 6400, 8 * 6400),
    # a container: TransformerEncoderLayer's output, and torchinfo's leaves inside
    # (two Linears of s*f and s*d, two LayerNorms)
    (
        "convention torch\ninput(10, 64) -> TransformerEncoderLayer(64, 4, 256, batch_first=true)",
        4 * 640,
        8 * 10 * (256 + 3 * 64),
    ),
    # MultiheadAttention is no leaf for torchinfo (out_proj is never called): nothing kept
    ("convention torch\ninput(10, 64) -> MultiheadAttention(64, 4, batch_first=true)", 4 * 640, 0),
]


@pytest.mark.parametrize("src,forward,training", CASES)
def test_hand_counts(src, forward, training):
    assert counts(src) == (forward, training)
    assert counts(src, 3) == (3 * forward, 3 * training)


def test_the_mnist_cnn():
    """COMPUTE.md: torchinfo's forward/backward 0.30 MB for the MNIST CNN."""
    m = symcount.load("examples/mnist_cnn.sc")
    assert m.totals["training_activation_bytes"] == 8 * (24 * 26 * 26 + 36 * 24 * 24 + 128 + 10)
    assert m.totals["training_activation_bytes"] == 296_784


def test_symbolic_batch_repeat_and_substitution():
    m = symcount.parse("input(d) -> repeat L { Dense(d) } -> Dense(u)").batched("B")
    B, L, d, u = (D.symbol(n) for n in "BLdu")
    assert same(m.totals["activation_bytes"], 4 * B * (L * d + u))
    assert same(m.totals["training_activation_bytes"], 8 * B * (L * d + u))
    assert m.subs(B=2, L=3, d=5, u=7).totals["activation_bytes"] == 4 * 2 * (15 + 7)
    assert "B" in m.symbols


def test_a_shared_layer_counts_each_call_on_its_own_shapes():
    src = """convention torch
let lin = Linear(8, 16)
a = input(5, 8) -> lin
b = input(T, 8) -> lin
output a, b"""
    m = symcount.parse(src)
    T = D.symbol("T")
    assert same(m.totals["activation_bytes"], 4 * 16 * (5 + T))
    assert same(m.row("linear").count("training_activation_bytes"), 8 * 16 * (5 + T))


@pytest.mark.parametrize("dtype,size", [("float32", 4), ("bfloat16", 2), ("float64", 8)])
def test_the_dtype(dtype, size):
    m = symcount.parse("input(784) -> Dense(10) -> ReLU").in_dtype(dtype)
    assert m.totals["activation_bytes"] == size * 20
    assert m.totals["training_activation_bytes"] == 2 * size * 10


def test_int4_halves_a_byte():
    m = symcount.parse("input(784) -> Dense(9)").in_dtype("int4")
    assert m.totals["activation_bytes"] == Fraction(9, 2)
    assert m.totals["training_activation_bytes"] == 9


def test_an_unknown_length_is_unknown():
    m = symcount.parse("input(None, 8) -> Dense(4)")
    assert m.totals["activation_bytes"] is None


def test_nothing_changes_unless_asked_for():
    m = symcount.parse("input(784) -> Dense(10)")
    assert "activation_bytes" not in m.to_dict()
    d = m.showing("activation_bytes").to_dict()
    assert d["activation_bytes"] == 40 and d["layers"][0]["activation_bytes"] == 40


# Korthikanti et al. 2022 --------------------------------------------------------------


def paper(s, b, h, a, t=1, sp=False, selective=False):
    """The paper's bytes per transformer layer (section 4, Table 2), from its text."""
    from fractions import Fraction as F

    if selective:
        return s * b * h * (F(34, t) if sp else 10 + F(24, t))
    if sp:
        return s * b * h * (F(34, t) + F(5 * a * s, h * t))
    if t == 1:
        return s * b * h * (34 + F(5 * a * s, h))
    return s * b * h * (10 + F(24, t) + F(5 * a * s, h * t))


def _value(v, values):
    if not D.is_symbolic(v):
        return v
    return D.normalize(v.subs({D.symbol(k): n for k, n in values.items()}))


GPT2_MODEL = symcount.load(GPT2)


@settings(max_examples=25, deadline=None)
@given(
    s=st.integers(1, 4096),
    b=st.integers(1, 64),
    a=st.integers(1, 64),
    head=st.integers(1, 128),
    layers=st.integers(1, 100),
    t=st.sampled_from([1, 2, 4, 8]),
    sp=st.booleans(),
    selective=st.booleans(),
)
def test_gpt2_against_the_paper(s, b, a, head, layers, t, sp, selective):
    """examples/gpt2.sc: T tokens (s), width d (h), h heads (a), L blocks."""
    m = A.parallel(GPT2_MODEL.batched("B"), "t", sp, selective)
    at = {"T": s, "B": b, "d": a * head, "h": a, "L": layers, "t": t, "V": 7}
    want = layers * paper(s, b, a * head, a, t, sp, selective)
    assert _value(m.totals["korthikanti_bytes"], at) == want
    numeric = A.parallel(GPT2_MODEL.batched(b), t, sp, selective)
    assert _value(numeric.totals["korthikanti_bytes"], at) == want


def test_gpt2_symbolic_form():
    m = GPT2_MODEL.batched("B")
    B, T, d, h, L = (D.symbol(n) for n in ("B", "T", "d", "h", "L"))
    got = m.totals["korthikanti_bytes"]
    assert same(got, L * T * B * d * (34 + 5 * h * T / d))


def test_gpt3_175b_from_the_papers_sizes():
    """a 96, s 2048, h 12288: 5as/h = 80 (the paper's section 5), so one layer
    keeps sbh(34 + 80) bytes, 2,868,903,936 at b = 1; under tensor
    parallelism 8, sbh(10 + 24/8 + 80/8) = 23 sbh."""
    m = symcount.load("examples/gpt3.sc").subs(L=96)
    sbh = 2048 * 12288
    assert 5 * 96 * 2048 // 12288 == 80
    assert m.totals["korthikanti_bytes"] == 96 * sbh * 114 == 96 * 2_868_903_936
    assert A.parallel(m, 8).totals["korthikanti_bytes"] == 96 * sbh * 23
    assert A.parallel(m, 8, True).totals["korthikanti_bytes"] == 96 * sbh * (34 + 80) // 8
    assert A.parallel(m, 8, True, True).totals["korthikanti_bytes"] == 96 * sbh * 34 // 8


def test_torch_encoder_layers_in_a_repeat():
    src = """convention torch
input(s, h) -> repeat L { TransformerEncoderLayer(h, a, 4 * h, batch_first=true) }"""
    m = symcount.parse(src).batched("b")
    at = {"s": 128, "h": 256, "a": 8, "L": 6, "b": 3}
    assert _value(m.totals["korthikanti_bytes"], at) == 6 * paper(128, 3, 256, 8)


@pytest.mark.parametrize(
    "src,why",
    [
        ("x = input(T, 64)\ny = input(S, 64)\nMultiHeadAttention(4, 16)(x, y)", "multi_head"),
        (
            "convention torch\ninput(10, 64) -> TransformerEncoderLayer(64, 4, 200, batch_first=true)",
            "transformerencoderlayer",
        ),
        ("input(10, 64) -> MultiHeadAttention(4, 8)", "multi_head"),
    ],
)
def test_not_a_transformer_layer_is_refused(src, why, capsys):
    assert run(["summary", "-e", src, "--activations", "korthikanti"]) == 2
    err = capsys.readouterr().err
    assert "is not a transformer layer as Korthikanti et al. count one" in err
    assert why in err


LAYER = """
block layer {{
  residual {{ LayerNormalization -> MultiHeadAttention(4, d / 4) }}
  residual {{ {norm}Dense({ff}) -> Dense(d) }}
}}
input(s, d) -> repeat L {{ layer }}"""


@pytest.mark.parametrize(
    "src,why",
    [
        (LAYER.format(norm="LayerNormalization -> ", ff="4 * d"), None),
        # one layer written flat: the model is the block around the attention
        (
            "input(s, d) -> LayerNormalization -> MultiHeadAttention(4, d / 4)"
            " -> LayerNormalization -> Dense(4 * d) -> Dense(d)",
            None,
        ),
        (LAYER.format(norm="", ff="4 * d"), "layer holds fewer than two LayerNorms"),
        (LAYER.format(norm="LayerNormalization -> ", ff="3 * d"), "no block around it"),
        (
            "input(s, d) -> LayerNormalization -> MultiHeadAttention(4, d / 4) -> "
            "MultiHeadAttention(4, d / 4) -> LayerNormalization -> Dense(4 * d) -> Dense(d)",
            "the model holds more than one attention call",
        ),
    ],
)
def test_the_rest_of_the_layer_is_read_from_the_block(src, why, capsys):
    code = run(["summary", "-e", src, "--activations", "korthikanti"])
    err = capsys.readouterr().err
    if why is None:
        assert code == 0
        got = symcount.parse(src).subs(s=64, d=32, L=3).totals["korthikanti_bytes"]
        assert got == (3 if "repeat" in src else 1) * paper(64, 1, 32, 4)
    else:
        assert code == 2 and why in err


def test_a_model_without_one_is_refused(capsys):
    assert run(["summary", "examples/mnist_cnn.sc", "--activations", "korthikanti"]) == 2
    assert "the model has no transformer layer" in capsys.readouterr().err


def test_the_parallel_options_need_korthikanti(capsys):
    assert run(["summary", "examples/mnist_cnn.sc", "--activations", "--tensor-parallel", "2"]) == 2
    assert "need --activations korthikanti" in capsys.readouterr().err


# outputs --------------------------------------------------------------------------------


def test_summary_text_and_json(capsys):
    assert run(["summary", "examples/mnist_cnn.sc", "--activations"]) == 0
    out = capsys.readouterr().out
    assert " Forward activations (bytes): 231,336" in out
    assert " Training activations (bytes, torchinfo's rule): 296,784" in out
    assert "Compute:" not in out  # bytes are no compute convention
    sets = [f"--set={k}={v}" for k, v in GPT2_SMALL.items()]
    argv = ["summary", GPT2, *sets, "--activations", "korthikanti", "--format", "json"]
    assert run(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["korthikanti_bytes"] == 12 * paper(1024, 1, 768, 12) == 1_075_838_976
    assert "training_activation_bytes" not in d
    argv = ["summary", GPT2, "--activations", "korthikanti", "--batch", "B"]
    argv += ["--tensor-parallel", "t", "--sequence-parallel", "--format", "json"]
    assert run(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["korthikanti_bytes"] == "L*(5*B*T**2*h/t + 34*B*T*d/t)"
    assert "t" in d["symbols"]


def test_memory_json():
    m = symcount.load(GPT2).subs(**GPT2_SMALL)
    assert A.memory_json(m) == {
        "activation_bytes": m.totals["activation_bytes"],
        "training_activation_bytes": 8 * (8 * 12 * 1024 * 768 + 3 * 1024 * 768 + 1024 * 50257),
        "korthikanti_bytes": 1_075_838_976,
    }
    assert set(A.memory_json(symcount.load("examples/mnist_cnn.sc"))) == {
        "activation_bytes",
        "training_activation_bytes",
    }
    assert A.memory_json(symcount.parse("input(n) -> Dense(3)").batched("B")) == {
        "activation_bytes": "12*B",
        "training_activation_bytes": "24*B",
    }


def test_the_batch_that_fits_80_gb():
    """GPT-2 small: torchinfo's rule keeps 8 bytes for each of 8LTd + 3Td + TV
    entries a sample (each block's LayerNorms, attention and Dense layers; the
    embeddings, the final LayerNorm, the tied output): 1,034,559,488 bytes."""
    m = symcount.load(GPT2).batched("B").subs(**GPT2_SMALL)
    per_sample = 8 * (8 * 12 * 1024 * 768 + 3 * 1024 * 768 + 1024 * 50257)
    assert per_sample == 1_034_559_488
    r = m.solve("B", count="training_activation_bytes", at_most=80 * 10**9)
    assert r.best.values == {"B": 80 * 10**9 // per_sample} == {"B": 77}
    assert r.best.count == 77 * per_sample
    r = A.parallel(m, 8).solve("B", count="korthikanti_bytes", at_most=80 * 10**9)
    per = 12 * paper(1024, 1, 768, 12, 8)
    assert r.best.values == {"B": int(80 * 10**9 // per)}


def test_solve_on_the_command_line(capsys):
    sets = [f"--set={k}={v}" for k, v in GPT2_SMALL.items() if k != "T"]
    argv = ["solve", GPT2, "--for", "T", "--count", "activation_bytes", "--at-most", "1B", *sets]
    assert run(argv) == 0
    # 4 bytes for each of 10 outputs of width d a block, 4 more (the embeddings, their
    # sum, the last LayerNorm) and the logits, a token
    per_token = 4 * (10 * 12 * 768 + 4 * 768 + 50257)
    assert f"T = {10**9 // per_token}  " in capsys.readouterr().out


def test_the_page_and_the_module_docstrings(monkeypatch):
    import doctest
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    page = doctest.testfile(str(root / "docs" / "activations.md"), module_relative=False)
    assert page.attempted >= 8 and page.failed == 0
    module = doctest.testmod(A)
    assert module.attempted >= 3 and module.failed == 0
