"""Graphs: named tensors, merges, multi-input layers, blocks, residuals,
repeats, shared layers and tied weights."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import symcount
from symcount import dims as D
from symcount.errors import ArgumentError, ShapeError


def totals(text: str, **values) -> dict:
    return symcount.parse(text, values=values or None).to_dict()


@pytest.mark.parametrize(
    ("text", "shape", "params"),
    [
        ("a = input(4, 5)\nb = input(4, 3)\nConcatenate(a, b)", [4, 8], 0),
        ("a = input(4, 5)\nb = input(6, 5)\nConcatenate(a, b, axis=1)", [10, 5], 0),
        ("a = input(4, 5)\nb = input(4, 5)\nAdd(a, b) -> Dense(2)", [4, 2], 12),
        ("a = input(4, 5)\nb = input(4, 1)\nMultiply(a, b)", [4, 5], 0),
        ("a = input(4, 5)\nb = input(4, 5)\nc = input(4, 5)\nAverage(a, b, c)", [4, 5], 0),
        ("a = input(4, 5)\nb = input(4, 5)\nSubtract(a, b)", [4, 5], 0),
        ("a = input(8)\nb = input(8)\nDot(a, b, axes=1)", [1], 0),
        ("a = input(3, 8)\nb = input(5, 8)\nDot(a, b, axes=(2, 2))", [3, 5], 0),
        ("a = input(4, 5)\nb = input(4, 3)\nConcatenate()(a, b)", [4, 8], 0),
        ("a = input(t, u)\nb = input(t, v)\nConcatenate(a, b)", ["t", "u + v"], 0),
    ],
)
def test_merge_layers(text, shape, params):
    d = totals(text)
    assert d["layers"][-1]["output_shape"] == shape
    assert d["total"] == params


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a = input(4, 5)\nb = input(4, 3)\nAdd(a, b)", ["same shape", "axis 2"]),
        ("a = input(4, 5)\nb = input(6, 3)\nConcatenate(a, b)", ["agree on every axis", "axis 1"]),
        ("a = input(4, 5)\nb = input(4, 5, 2)\nConcatenate(a, b)", ["different ranks"]),
        ("a = input(4, 5)\nAdd(a)", ["takes 2 or more input tensors, got 1"]),
        ("a = input(4)\nb = input(4)\nc = input(4)\nSubtract(a, b, c)", ["takes 2 input"]),
        ("a = input(4)\na -> b", ["'b' is not a keras layer"]),
    ],
)
def test_merge_errors_are_positioned(text, words):
    with pytest.raises(symcount.SymcountError) as info:
        symcount.parse(text)
    msg = str(info.value)
    assert re.match(r"<input>:\d+:\d+: ", msg), msg
    assert "^" in msg
    for w in words:
        assert w in msg


def test_cross_attention_uses_each_inputs_width():
    # query (5, 8), value (7, 6): q 8*2*4+8, k 6*2*4+8, v 6*2*4+8, out 2*4*8+8
    d = totals("q = input(5, 8)\nv = input(7, 6)\nMultiHeadAttention(2, 4)(q, v)")
    assert d["layers"][0]["output_shape"] == [5, 8]
    assert d["total"] == 72 + 56 + 56 + 72
    k = totals(
        "q = input(5, 8)\nv = input(7, 6)\nk = input(7, 3)\nMultiHeadAttention(2, 4)(q, v, k)"
    )
    assert k["total"] == 72 + 32 + 56 + 72


def test_several_inputs_and_outputs():
    m = symcount.parse(
        "a = input(10)\nb = input(20)\nx = Concatenate(a, b) -> Dense(8)\n"
        "y1 = x -> Dense(1, name=score)\ny2 = x -> Dense(3, name=label)\noutput y1, y2"
    )
    assert m.input_shapes == [(10,), (20,)]
    assert m.outputs == [(1,), (3,)]
    assert m.total == 30 * 8 + 8 + 9 + 27


def test_blocks_with_defaults_keywords_and_nesting():
    text = """
block conv_bn(f, k=3, s=1) {
  Conv2D(f, k, strides=s, padding=same, use_bias=false) -> BatchNormalization
}
block stem(width) {
  conv_bn(width) -> conv_bn(2 * width, k=1, s=2)
}
input(32, 32, 3) -> stem(16) -> conv_bn(f=8, k=5)
"""
    m = symcount.parse(text)
    assert [r.name for r in m.rows] == ["stem", "conv_bn_2"]
    stem = m.rows[0]
    assert stem.group and [c.name for c in stem.children] == ["conv_bn", "conv_bn_1"]
    assert stem.output_shape == (16, 16, 32)
    first = 3 * 3 * 3 * 16 + 4 * 16
    second = 16 * 32 + 4 * 32
    assert stem.params == first + second
    assert m.rows[1].params == 5 * 5 * 32 * 8 + 4 * 8
    assert m.total == first + second + 5 * 5 * 32 * 8 + 32
    assert str(m.rows[1].formula.general) == "800*f + 4*f" or m.rows[1].formula.general


def test_block_formula_is_a_function_of_its_parameters():
    m = symcount.parse(
        "block conv_bn(f, k=3) { Conv2D(f, k, padding=same, use_bias=false) -> BatchNormalization }\n"
        "input(32, 32, 3) -> conv_bn(64)"
    )
    row = m.rows[0]
    assert row.formula.general == "3*f*k**2 + 4*f"
    assert row.params == 3 * 64 * 9 + 4 * 64


def _block_formulas(text: str) -> list:
    m = symcount.parse(text)
    return [(r.name, r.params, r.formula and r.formula.general) for r in m.rows if r.group]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a later `let` changes neither the first call's count nor its formula
        (
            "let w = 3\nblock b(f) { Dense(f * w) }\ninput(4) -> b(2)\nlet w = 5\n"
            "x = input(4) -> b(2)",
            [("b", 30, "15*f"), ("b_1", 50, "25*f")],
        ),
        # a name still free at the first call stays a symbol in its formula
        (
            "block b(f) { Dense(f * w) }\ninput(4) -> b(2)\nlet w = 5\nx = input(4) -> b(2)",
            [("b", 10 * D.symbol("w"), "5*f*w"), ("b_1", 50, "25*f")],
        ),
        # a shared layer first applied inside the block counts in that call only
        (
            "let enc = Dense(3)\nblock b(f) { enc -> Dense(f) }\n"
            "input(4) -> b(2) -> Dense(4) -> b(5)",
            [("b", 23, "4*f + 15"), ("b_1", 20, "4*f")],
        ),
        (
            "block b(layer, f) { layer -> Dense(f) }\ninput(4) -> b(Dense(3), 2)",
            [("b", 23, "4*f + 15")],
        ),
        # a block redefined later: the first call keeps the block it called
        (
            "block inner(f) { Dense(f * w) }\nblock outer(g) { inner(g) }\ninput(4) -> outer(2)\n"
            "block inner(f) { Dense(f) }\nlet w = 7\nx = input(4) -> outer(2)",
            [("outer", 10 * D.symbol("w"), "5*g*w"), ("outer_1", 10, "5*g")],
        ),
    ],
)
def test_block_formulas_see_what_the_call_saw(text, expected):
    # the formula is worked out on first use, after the whole model: it must
    # still describe the call as it was made
    assert _block_formulas(text) == expected


def test_a_numeric_model_of_blocks_does_not_import_sympy():
    # block formulas are worked out only when explain asks for them
    code = (
        "import sys, symcount\n"
        "from symcount.cli import main\n"
        "main(['summary', sys.argv[1], '--expand', '--format', 'json'])\n"
        "assert 'sympy' not in sys.modules, 'sympy was imported'\n"
        "main(['explain', sys.argv[1]])\n"
        "assert 'sympy' in sys.modules\n"
    )
    path = Path(__file__).resolve().parent.parent / "examples" / "resnet50.sc"
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "13*f**2 + 370*f" in done.stdout  # conv_block's formula, from explain


def test_block_input_is_named_input_inside_the_body():
    text = """
block proj(f) {
  shortcut = input -> Conv2D(f, 1, strides=2)
  main = input -> Conv2D(f, 3, strides=2, padding=same)
  Add(shortcut, main)
}
input(8, 8, 4) -> proj(6)
"""
    m = symcount.parse(text)
    assert m.rows[0].output_shape == (4, 4, 6)
    assert m.total == (4 * 6 + 6) + (9 * 4 * 6 + 6)


def test_residual_adds_the_input():
    m = symcount.parse("input(10, 16) -> residual { Dense(32) -> Dense(16) }")
    assert [r.type for r in m.rows] == ["Dense", "Dense", "Add"]
    assert m.total == 16 * 32 + 32 + 32 * 16 + 16
    with pytest.raises(ShapeError, match="same shape"):
        symcount.parse("input(10, 16) -> residual { Dense(32) }")


@pytest.mark.parametrize("n", [0, 1, 3])
def test_numeric_repeat_is_unrolled(n):
    m = symcount.parse(f"input(8) -> repeat {n} {{ Dense(8) }}")
    rows = [r for _, r in m.walk(expand=True) if not r.group]
    assert len(rows) == n
    assert m.total == n * 72


def test_symbolic_repeat_counts_first_pass_plus_steady_passes():
    m = symcount.parse(
        "input(T, f) -> LSTM(u, return_sequences=true) -> repeat n - 1 { LSTM(u, return_sequences=true) } -> Dense(1)"
    )
    u, f, n = D.symbol("u"), D.symbol("f"), D.symbol("n")
    expected = 4 * u * (f + u + 1) + (n - 1) * 4 * u * (2 * u + 1) + u + 1
    assert D.sp().expand(m.total - expected) == 0
    assert m.subs(f=6, u=64, n=2, T=100).total == 18176 + 33024 + 65


def test_symbolic_repeat_with_a_shape_changing_first_pass():
    m = symcount.parse("input(10) -> repeat L { Dense(u) }")
    u, L = D.symbol("u"), D.symbol("L")
    assert D.sp().expand(m.total - (10 * u + u + (L - 1) * (u * u + u))) == 0
    assert m.subs(u=4, L=3).total == symcount.parse("input(10) -> repeat 3 { Dense(4) }").total


def test_block_times_n_repeats_fresh_layers():
    m = symcount.parse("block mlp(w) { Dense(w) -> Dense(w) }\ninput(8) -> mlp(8) * 3")
    assert m.total == 6 * 72
    names = [r.name for _, r in m.walk(expand=True) if not r.group]
    assert len(set(names)) == 6


def test_symbolic_repeat_that_never_settles_names_the_axis():
    with pytest.raises(ShapeError) as info:
        symcount.parse("input(32, 32, 3) -> repeat n { Conv2D(8, 3) }")
    msg = str(info.value)
    assert "does not reach a fixed shape" in msg and "axis 1" in msg
    assert msg.splitlines()[0].startswith("<input>:1:21")


def test_shared_layer_counts_once_and_is_marked():
    m = symcount.parse(
        "let enc = LSTM(64)\na = input(10, 8) -> enc\nb = input(12, 8) -> enc\n"
        "Concatenate(a, b) -> Dense(1)"
    )
    lstm = m.row("lstm")
    assert lstm.calls == 2
    assert m.total == 4 * 64 * (8 + 64 + 1) + 129
    assert m.to_dict()["layers"][0]["calls"] == 2
    with pytest.raises(ShapeError, match="shared layer lstm was built") as info:
        symcount.parse("let enc = LSTM(4)\na = input(10, 8) -> enc\nb = input(10, 9) -> enc")
    assert str(info.value).startswith("<input>:3:21:")


def test_tied_embedding_counts_once():
    m = symcount.parse(
        "let wte = ReversibleEmbedding(V, d)\ninput(T) -> wte -> Dense(d) -> wte(reverse=true)"
    )
    V, d = D.symbol("V"), D.symbol("d")
    assert D.sp().expand(m.total - (V * d + d * d + d)) == 0
    assert m.outputs == [(D.symbol("T"), V)]
    untied = symcount.parse(
        "let wte = ReversibleEmbedding(V, d, tie_weights=false)\ninput(T) -> wte -> wte(reverse=true)"
    )
    assert D.sp().expand(untied.total - 2 * V * d) == 0


def test_lambda_needs_an_output_shape():
    assert totals("input(7, 16) -> Lambda(output_shape=(16,)) -> Dense(2)")["total"] == 34
    with pytest.raises(ShapeError, match="give output_shape"):
        symcount.parse("input(7, 16) -> Lambda")


def test_bare_input_outside_a_block_is_an_error():
    with pytest.raises(ArgumentError, match="needs a shape"):
        symcount.parse("input -> Dense(3)")


def test_block_argument_errors():
    base = "block b(f, k=3) { Dense(f) }\ninput(4) -> "
    with pytest.raises(ArgumentError, match="needs the argument 'f'"):
        symcount.parse(base + "b")
    with pytest.raises(ArgumentError, match="has no parameter 'g'"):
        symcount.parse(base + "b(4, g=1)")
    with pytest.raises(ArgumentError, match="takes 2 arguments"):
        symcount.parse(base + "b(1, 2, 3)")


def test_json_nests_block_layers_and_expand_lists_them():
    m = symcount.parse("block two { Dense(3) -> Dense(3) }\ninput(3) -> two")
    d = m.to_dict()
    assert d["layers"][0]["type"] == "two"
    assert [x["type"] for x in d["layers"][0]["layers"]] == ["Dense", "Dense"]
    assert [(depth, r.name) for depth, r in m.walk(expand=True)] == [
        (0, "two"),
        (1, "dense"),
        (1, "dense_1"),
    ]


def test_recursive_block_is_refused():
    with pytest.raises(symcount.LimitError, match="nested deeper"):
        symcount.parse("block b { b }\ninput(3) -> b")


# Live: the same graphs built in real Keras -------------------------------------------


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip(
        "keras", reason="real Keras is not installed: pip install -e '.[frameworks]'"
    )


def test_live_merges_cross_attention_and_shared_layers_match_keras():
    keras = _keras()
    L = keras.layers
    a, b = keras.Input((4, 5)), keras.Input((4, 3))
    cat = L.Concatenate()([a, b])
    q, v = keras.Input((5, 8)), keras.Input((7, 6))
    mha = L.MultiHeadAttention(2, 4)
    att = mha(q, v)
    enc = L.LSTM(16)
    s1, s2 = keras.Input((10, 8)), keras.Input((12, 8))
    shared = L.Concatenate()([enc(s1), enc(s2)])
    model = keras.Model([a, b, q, v, s1, s2], [cat, att, shared])
    ours = symcount.parse(
        "a = input(4, 5)\nb = input(4, 3)\ncat = Concatenate(a, b)\n"
        "q = input(5, 8)\nv = input(7, 6)\natt = MultiHeadAttention(2, 4)(q, v)\n"
        "let enc = LSTM(16)\ns1 = input(10, 8) -> enc\ns2 = input(12, 8) -> enc\n"
        "shared = Concatenate(s1, s2)\noutput cat, att, shared"
    )
    assert ours.total == model.count_params()
    assert ours.outputs == [tuple(t.shape[1:]) for t in model.outputs]
    assert ours.row("multi_head_attention").params == mha.count_params()
    assert ours.row("lstm").params == enc.count_params()
