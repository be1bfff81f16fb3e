"""Keras's GroupQueryAttention, Attention and AdditiveAttention without Keras:
counts as formulas, the outputs, and each of Keras's shape rules as an error
at the layer, naming the rule (the live tests check them against Keras)."""

from __future__ import annotations

import pytest
import sympy

import symcount

Q8_V8 = "q = input(5, 8)\nv = input(7, 8)\n"

# (source, total, output shape(s))
COUNTS = [
    (
        "input(T, d) -> GroupQueryAttention(h, H, K)",
        "2*H*d*h + H*h + 2*K*d*h + 2*K*h + d",
        ("T", "d"),
    ),
    (
        "input(T, d) -> GroupedQueryAttention(h, H, K, use_bias=false)",
        "2*H*d*h + 2*K*d*h",
        ("T", "d"),
    ),
    (
        "input(T, d) -> GroupQueryAttention(h, H, K, use_gate=true)",
        "3*H*d*h + 2*H*h + 2*K*d*h + 2*K*h + d",
        ("T", "d"),
    ),
    (Q8_V8 + "k = input(7, 3)\nGroupQueryAttention(4, 4, 2)(q, v, k)", 384, (5, 8)),
    (
        Q8_V8 + "GroupQueryAttention(4, 4, 2)(q, v, return_attention_scores=true)",
        424,
        [(5, 8), (4, 5, 7)],
    ),
    ("input(T, d) -> Attention()", 0, ("T", "d")),
    ('input(T, d) -> Attention(use_scale=true, score_mode="concat")', 2, ("T", "d")),
    ("q = input(5, 8)\nv = input(7, 6)\nk = input(7, 8)\nAttention()(q, v, k)", 0, (5, 6)),
    (
        "q = input(3, 5, 8)\nv = input(1, 7, 8)\nAttention()(q, v, use_causal_mask=true)",
        0,
        (3, 5, 8),
    ),
    ("input(T, d) -> AdditiveAttention()", "d", ("T", "d")),
    ("input(T, d) -> AdditiveAttention(use_scale=false)", 0, ("T", "d")),
    (
        "q = input(5, 1)\nv = input(7, 6)\nAdditiveAttention()(q, v, return_attention_scores=true)",
        1,
        [(5, 6), (5, 7)],
    ),
]


def _shape(shape):
    if isinstance(shape, list):
        return [_shape(s) for s in shape]
    return tuple(str(d) if not isinstance(d, int) else d for d in shape)


@pytest.mark.parametrize(("src", "total", "shape"), COUNTS)
def test_counts_and_outputs(src, total, shape):
    model = symcount.parse(src)
    names = {x.name: x for x in getattr(model.total, "free_symbols", ())}  # symcount's symbols
    assert sympy.expand(model.total - sympy.sympify(total, locals=names)) == 0
    assert _shape(model.rows[-1].output_shape) == _shape(shape)


def test_both_spellings_are_named_as_keras_names_the_class():
    m = symcount.parse(
        "input(5, 8) -> GroupQueryAttention(4, 4, 2) -> GroupedQueryAttention(4, 2, 1)"
    )
    assert [r.name for r in m.rows] == ["grouped_query_attention", "grouped_query_attention_1"]


# (source, the text the error names, the text under the caret)
ERRORS = [
    (
        "input(5, 8) -> GroupQueryAttention(4, 3, 2)",
        "must be divisible by num_key_value_heads",
        "GroupQueryAttention(4, 3, 2)",
    ),
    (
        Q8_V8.replace("(7, 8)", "(7, 6)") + "GroupQueryAttention(4, 4, 2)(q, v)",
        "the same number of features (Keras's rule)",
        "GroupQueryAttention(4, 4, 2)",
    ),
    (
        Q8_V8 + "k = input(6, 8)\nGroupQueryAttention(4, 4, 2)(q, v, k)",
        "the same length",
        "GroupQueryAttention(4, 4, 2)",
    ),
    (
        Q8_V8 + "k = input(None, 8)\nGroupQueryAttention(4, 4, 2)(q, v, k)",
        "got 7 and None",
        "GroupQueryAttention(4, 4, 2)",
    ),
    (
        "input(3, 5, 8) -> GroupQueryAttention(4, 4, 2)",
        "must have rank 3 (batch",
        "GroupQueryAttention(4, 4, 2)",
    ),
    (
        "input(5, 8) -> GroupQueryAttention(4, 4, 2, dropout=0.1, flash_attention=true)",
        "dropout must be 0.0",
        "GroupQueryAttention(4, 4, 2, dropout=0.1, flash_attention=true)",
    ),
    (
        "input(5, None) -> GroupQueryAttention(4, 4, 2)",
        "must be known",
        "GroupQueryAttention(4, 4, 2)",
    ),
    (
        "q = input(5, 8)\nv = input(7, 6)\nAttention()(q, v)",
        "dot-product scores need the query and the key",
        "Attention()",
    ),
    (
        'q = input(5, 8)\nv = input(7, 6)\nAttention(score_mode="concat")(q, v)',
        "must be equal (or 1)",
        'Attention(score_mode="concat")',
    ),
    (
        "q = input(5, 8)\nv = input(7, 6)\nk = input(6, 8)\nAttention()(q, v, k)",
        "the key and the value must have the same length",
        "Attention()",
    ),
    (
        "q = input(3, 5, 8)\nv = input(2, 7, 8)\nAttention()(q, v)",
        "must be the query's (3) or 1",
        "Attention()",
    ),
    ("q = input(3, 5, 8)\nv = input(7, 8)\nAttention()(q, v)", "the same rank", "Attention()"),
    ("input(8) -> Attention()", "rank 3 or more", "Attention()"),
    (
        "q = input(5, 8)\nv = input(7, 6)\nAdditiveAttention()(q, v)",
        "must be equal (or 1)",
        "AdditiveAttention()",
    ),
    ("input(5, None) -> AdditiveAttention()", "one entry per feature", "AdditiveAttention()"),
]


@pytest.mark.parametrize(("src", "named", "culprit"), ERRORS)
def test_each_rule_is_an_error_at_the_layer(src, named, culprit):
    with pytest.raises(symcount.SymcountError) as info:
        symcount.parse(src)
    e = info.value
    assert named in e.message
    line = src.split("\n")[e.span.line - 1]
    assert line[e.span.column - 1 :].startswith(culprit)


def test_an_unknown_call_keyword_names_those_it_takes():
    with pytest.raises(symcount.SymcountError, match="return_attention_scores, use_causal_mask"):
        symcount.parse("q = input(5, 8)\nAttention()(q, return_scores=true)")
