"""MultiHeadAttention: self-attention inside a chain, cross-attention when
applied to several tensors (``mha(query, value[, key])``)."""

from __future__ import annotations

from .common import DENSE_VALUE_ARGS
from .registry import keras
from .spec import REQUIRED, Out, W, a, fail, need_known


@keras.rule(
    "MultiHeadAttention",
    a("num_heads", "dim", REQUIRED),
    a("key_dim", "dim", REQUIRED),
    a("value_dim", "dim", None),
    a("dropout", "number", 0.0),
    a("use_bias", "bool", True),
    a("output_shape", "shape", None),
    a("attention_axes", "axes", None),
    ignored=DENSE_VALUE_ARGS | {"seed", "flash_attention"},
    inputs=(1, 3),
    call_kwargs={"attention_mask", "use_causal_mask", "query_mask", "value_mask", "key_mask"},
)
def multi_head_attention(shapes, p):
    """Query, key and value projections (d, heads, key_dim or value_dim) and an output
    projection (heads, value_dim, d_out), each with a bias when use_bias."""
    query = shapes[0]
    value = shapes[1] if len(shapes) > 1 else query
    key = shapes[2] if len(shapes) > 2 else value
    if any(len(s) < 2 for s in (query, value, key)):
        fail("MultiHeadAttention needs inputs of rank 3 or more (batch, sequence, features)")
    cross = len(shapes) > 1
    d_q = need_known(query[-1], "the feature axis of the query")
    d_v = need_known(value[-1], "the feature axis of the value")
    d_k = need_known(key[-1], "the feature axis of the key")
    q_label, k_label, v_label = ("d_q", "d_k", "d_v") if cross else ("d", "d", "d")
    h, kd = p.num_heads, p.key_dim
    vd = p.value_dim if p.value_dim is not None else kd
    vd_label = "value_dim" if p.value_dim is not None else "key_dim"
    if p.output_shape is None:
        out_dims = [(q_label, d_q)]
        out_shape = tuple(query)
    else:
        if any(x in (None, -1) for x in p.output_shape):
            fail("output_shape must be fully known")
        out_dims = [
            (f"o_{i + 1}" if len(p.output_shape) > 1 else "d_out", x)
            for i, x in enumerate(p.output_shape)
        ]
        out_shape = (*query[:-1], *p.output_shape)
    weights = [
        W("query/kernel", (q_label, d_q), ("num_heads", h), ("key_dim", kd)),
        W("key/kernel", (k_label, d_k), ("num_heads", h), ("key_dim", kd)),
        W("value/kernel", (v_label, d_v), ("num_heads", h), (vd_label, vd)),
        W("attention_output/kernel", ("num_heads", h), (vd_label, vd), *out_dims),
    ]
    if p.use_bias:
        weights[1:1] = [W("query/bias", ("num_heads", h), ("key_dim", kd))]
        weights[3:3] = [W("key/bias", ("num_heads", h), ("key_dim", kd))]
        weights[5:5] = [W("value/bias", ("num_heads", h), (vd_label, vd))]
        weights.append(W("attention_output/bias", *out_dims))
    note = (
        "cross-attention: the query from the first input, key and value from the others"
        if cross
        else "self-attention: query, key and value all come from the incoming tensor"
    )
    return Out(out_shape, weights, notes=[note])
