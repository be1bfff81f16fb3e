"""symcount's torch attention ops without any framework: ScaledDotProductAttention
(shapes, torch's head rules, positioned errors), RotaryEmbedding (buffers, shared
once), TiedLinear, the honest message for them under Keras, and the recorded
reference cases' coverage of every option (tests/reference/torch_layers.json,
made by real torch: tests/reference/torch_attention_cases.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symcount
from symcount.conventions import rules_for
from symcount.conventions.framework_layers import KERAS, TORCH
from symcount.conventions.own_layers import OWN_LAYERS
from symcount.errors import ArgumentError, ShapeError, SymcountError

HEAD = "convention torch; q = input(L, H*D); k = input(S, Hkv*D); v = input(S, Hkv*E)"


def parse(text: str):
    return symcount.parse(f"convention torch\n{text}")


def error(text: str) -> SymcountError:
    with pytest.raises(SymcountError) as e:
        symcount.parse(text)
    return e.value


def under(text: str, e: SymcountError) -> str:
    """What the error's caret is under (one-line sources)."""
    assert e.span.line == e.span.end_line == 1
    return text[e.span.column - 1 : e.span.end_column - 1]


@pytest.mark.parametrize(
    ("call", "shape"),
    [
        ("ScaledDotProductAttention(H)(q, q, q)", "(L, D*H)"),
        ("ScaledDotProductAttention(H, Hkv, enable_gqa=true)(q, k, v)", "(L, E*H)"),
        ("ScaledDotProductAttention(H, num_key_value_heads=Hkv, enable_gqa=true)(q, k, k)",
         "(L, D*H)"),
        ("ScaledDotProductAttention(num_heads=H, is_causal=true)(q, q, q)", "(L, D*H)"),
        ("ScaledDotProductAttention(H, scale=1, dropout_p=0.1)(q, q, q)", "(L, D*H)"),
    ],
)  # fmt: skip
def test_symbolic_shapes_and_no_weights(call, shape):
    model = symcount.parse(f"{HEAD}; {call}")
    row = model.rows[-1]
    assert (str(tuple(row.output_shape)), row.params, row.weights) == (shape, 0, [])


@given(
    h=st.integers(1, 8),
    groups=st.integers(1, 4),
    d=st.integers(1, 16),
    dv=st.integers(1, 16),
    lq=st.integers(1, 9),
    lk=st.integers(1, 9),
)
def test_grouped_query_attention_is_query_length_by_query_heads_times_value_width(
    h, groups, d, dv, lq, lk
):
    hq = h * groups
    m = parse(
        f"q = input({lq}, {hq * d}); k = input({lk}, {h * d}); v = input({lk}, {h * dv})\n"
        f"ScaledDotProductAttention({hq}, {h}, enable_gqa=true)(q, k, v)"
    )
    assert tuple(m.output_shape) == (lq, hq * dv)
    assert m.total == 0


@pytest.mark.parametrize(
    ("h", "hkv", "out"),
    [(4, 4, 4), (4, 1, 4), (1, 3, 3)],  # torch broadcasts heads: equal, or one of them 1
)
def test_without_enable_gqa_heads_broadcast_as_torch_does(h, hkv, out):
    m = parse(
        f"q = input(5, {h * 2}); k = input(6, {hkv * 2}); v = input(6, {hkv * 3})\n"
        f"ScaledDotProductAttention({h}, {hkv})(q, k, v)"
    )
    assert tuple(m.output_shape) == (5, out * 3)


CALLS = "convention torch; q = input(5, 32); k = input(7, 32); v = input(7, 24); "
CALLS += "m = input(3, 5, 7); m2 = input(5, 7); m3 = input(1, 5, 7); s = input(6, 32); "
CALLS += "let f = Linear(3); "


@pytest.mark.parametrize(
    ("call", "kind", "culprit", "words"),
    [
        ("ScaledDotProductAttention(4, 2)(q, k, v)", ArgumentError, "2",
         "num_key_value_heads=2 differs|without enable_gqa"),
        ("ScaledDotProductAttention(4, 3, enable_gqa=true)(q, k, v)", ArgumentError, "3",
         "must be divisible by num_key_value_heads (3)"),
        ("ScaledDotProductAttention(5)(q, k, v)", ArgumentError, "5",
         "the query has 32 features, not divisible by num_heads=5"),
        ("ScaledDotProductAttention(num_heads=8)(q, k, s)", ShapeError,
         "ScaledDotProductAttention", "the key and the value must have the same length"),
        ("ScaledDotProductAttention(4)(q, v, v)", ShapeError, "ScaledDotProductAttention",
         "the query's heads are 8 wide but the key's are 6"),
        ("ScaledDotProductAttention(4)(q, k, k, m)", ShapeError,
         "ScaledDotProductAttention", "its num_heads axis is 3, not 1 or 4"),
        ("ScaledDotProductAttention(4)(q, k, k, m2)", ShapeError,
         "ScaledDotProductAttention", "the attn_mask must be (num_heads or 1, L or 1, S or 1)"),
        ("ScaledDotProductAttention(4, is_causal=true)(q, k, k, m3)", ShapeError,
         "ScaledDotProductAttention", "should not be set when is_causal=true"),
        ("ScaledDotProductAttention(4)(q, k)", ShapeError, "ScaledDotProductAttention(4)(q, k)",
         "takes 3 to 4 input tensors, got 2"),
        ("RotaryEmbedding(7)(q)", ArgumentError, "7", "head_dim must be even"),
        ("TiedLinear(f)(q)", ArgumentError, "f", "ties to an Embedding, not a Linear"),
    ],
)  # fmt: skip
def test_mistakes_are_positioned_errors(call, kind, culprit, words):
    text = CALLS + call
    e = error(text)
    assert isinstance(e, kind), e
    assert under(text, e).startswith(culprit), (under(text, e), str(e))
    assert any(w in e.message for w in words.split("|")), e.message


def test_the_mask_broadcasts_to_heads_and_lengths():
    for mask in ("(4, 5, 7)", "(1, 5, 7)", "(4, 1, 1)", "(1, 1, 7)"):
        text = f"{CALLS}mask = input{mask}; ScaledDotProductAttention(4)(q, k, k, mask)"
        m = symcount.parse(text)
        assert tuple(m.output_shape) == (5, 32)


def test_rotary_keeps_the_shape_and_keeps_its_frequencies_as_buffers():
    m = parse("input(T, H*D) -> RotaryEmbedding(D)")
    row = m.rows[-1]
    assert [(w.name, str(w.shape[0]), w.state) for w in row.weights] == [
        ("inv_freq", "D/2", True),
        ("original_inv_freq", "D/2", True),
    ]
    assert (m.total, str(m.totals["buffers"]), str(m.output_shape)) == (0, "D", "(T, D*H)")
    assert parse("input(5, 256) -> RotaryEmbedding(128)").totals["buffers"] == 128


def test_a_shared_rotary_module_counts_once():
    # as Llama keeps one: called on the embeddings, then shared by every block
    text = (
        "let rope = RotaryEmbedding(D)\nx = input(T, H*D)\np = x -> rope\n"
        "block b { q = input -> Linear(H*D) -> rope\nAdd(input, q) }\nx -> repeat {n} {{ b }}"
    )
    for n in ("3", "L"):
        m = parse(text.replace("{n}", n).replace("{{", "{").replace("}}", "}"))
        assert str(m.totals["buffers"]) == "D"


def test_tied_linear_takes_the_embeddings_table():
    m = parse("let e = Embedding(V, d)\nx = input(T) -> e -> Linear(d)\nx -> TiedLinear(e)")
    assert str(m.output_shape) == "(T, V)"
    assert str(m.total) == str(
        symcount.parse("convention torch; input(T) -> Embedding(V, d) -> Linear(d)").total
    )
    e = error(
        "convention torch; let e = Embedding(9, 4); x = input(3) -> e -> Linear(5); x -> TiedLinear(e)"
    )
    assert "the input has 5 features but embedding's rows are embedding_dim=4 wide" in e.message


@pytest.mark.parametrize(
    "text",
    [
        "input(3) -> Embedding(9, 4) -> TiedLinear(Embedding(9, 4))",  # another, never applied
        "let e = Embedding(9, 4); input(3, 4) -> TiedLinear(e) -> Linear(4); input(3) -> e",
    ],
)
def test_a_head_tied_to_an_embedding_not_yet_applied_is_refused(text):
    # its table would be counted nowhere, or twice
    e = error(f"convention torch; {text}")
    assert isinstance(e, ArgumentError)
    assert "which the model has not applied yet" in e.message
    assert under(f"convention torch; {text}", e).startswith(("Embedding(9, 4)", "e"))


def test_own_layers_lists_every_torch_row_its_framework_lacks():
    torch, keras = rules_for("torch"), rules_for("keras")
    own = set(torch.rules) - TORCH - KERAS - set(keras.rules)
    assert {"torch": frozenset(own)} == OWN_LAYERS


@pytest.mark.parametrize("name", ["ScaledDotProductAttention", "RotaryEmbedding", "TiedLinear"])
def test_under_keras_they_say_where_they_belong_without_a_look_alike(name):
    e = error(f"input(4, 8) -> {name}")
    assert e.message.endswith(
        f"`{name}` is a layer of symcount's convention torch, not a keras layer"
    )
    assert e.hint == "it is used under `convention torch`"  # never "did you mean 'Embedding'?"


AXES = ["4", "8", "None", "n"]
QUERIES = [f"{a}, {b}" for a in AXES for b in AXES] + ["4", "4, 8, 2"]
KEYS = ["4, 8", "None, 8", "n, 8", "4, None", "6, n"]


def test_unknown_and_symbolic_axes_end_in_a_model_or_an_error():
    """As tests/test_unknown_axes.py does for every other layer: rendered, or
    symcount's own error, never a traceback."""
    from symcount.render import explain, formats, table

    ran = 0
    for q in QUERIES:
        for kv in KEYS:
            for mask in ("", ", m"):
                text = (
                    "convention torch; let e = Embedding(9, 4); t = input(3) -> e\n"
                    f"q = input({q}); kv = input({kv}); m = input(2, None, n)\n"
                    f"ScaledDotProductAttention(2)(q, kv, kv{mask}) -> Linear(4) -> TiedLinear(e)"
                )
                try:
                    model = symcount.parse(text)
                    table.summary(model), explain.explain(model), formats.to_json(model)
                except SymcountError:
                    continue
                ran += 1
    assert ran > 40  # the sweep reaches the math


# --- the recorded reference cases cover every option ------------------------------

CASES = json.loads((Path(__file__).parent / "reference" / "torch_layers.json").read_text())["cases"]
SDPA = [c for c in CASES if c["layer"] == "ScaledDotProductAttention"]
ROTARY = [c for c in CASES if c["layer"] == "RotaryEmbedding"]


def kw(case, key, default=None):
    return case["kwargs"].get(key, default)


@pytest.mark.parametrize(
    ("what", "pred"),
    [
        ("grouped-query", lambda c: kw(c, "enable_gqa") and kw(c, "num_key_value_heads") != (c["args"] or [kw(c, "num_heads")])[0]),
        ("is_causal", lambda c: kw(c, "is_causal") is True),
        ("scale", lambda c: kw(c, "scale") is not None),
        ("dropout_p", lambda c: kw(c, "dropout_p") is not None),
        ("attn_mask", lambda c: len(c["other_inputs"]) == 3),
        ("a mask that broadcasts", lambda c: len(c["other_inputs"]) == 3 and 1 in c["other_inputs"][2]),
        ("cross-attention lengths", lambda c: c["other_inputs"][0][0] != c["input_shape"][0]),
    ],
)  # fmt: skip
def test_attention_cases_cover(what, pred):
    assert len([c for c in SDPA if "error" not in c and pred(c)]) >= 2, what


def test_attention_and_rotary_cases_include_refusals():
    rejected = Counter(c["layer"] for c in SDPA + ROTARY if "error" in c)
    assert rejected["ScaledDotProductAttention"] >= 4
    assert rejected["RotaryEmbedding"] >= 1
    assert len([c for c in ROTARY if "error" not in c and kw(c, "base")]) >= 2
