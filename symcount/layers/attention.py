"""MultiHeadAttention, as self-attention inside a chain."""

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
)
def multi_head_attention(shape, p):
    """Query, key and value projections (d, heads, key_dim or value_dim) and an output
    projection (heads, value_dim, d_out), each with a bias when use_bias."""
    if len(shape) < 2:
        fail("MultiHeadAttention needs an input of rank 3 or more (batch, sequence, features)")
    d = need_known(shape[-1], "the feature axis of the attention input")
    h, kd = p.num_heads, p.key_dim
    vd = p.value_dim if p.value_dim is not None else kd
    vd_label = "value_dim" if p.value_dim is not None else "key_dim"
    if p.output_shape is None:
        out_dims = [("d", d)]
        out_shape = tuple(shape)
    else:
        if any(x in (None, -1) for x in p.output_shape):
            fail("output_shape must be fully known")
        out_dims = [
            (f"o_{i + 1}" if len(p.output_shape) > 1 else "d_out", x)
            for i, x in enumerate(p.output_shape)
        ]
        out_shape = (*shape[:-1], *p.output_shape)
    weights = [
        W("query/kernel", ("d", d), ("num_heads", h), ("key_dim", kd)),
        W("key/kernel", ("d", d), ("num_heads", h), ("key_dim", kd)),
        W("value/kernel", ("d", d), ("num_heads", h), (vd_label, vd)),
        W("attention_output/kernel", ("num_heads", h), (vd_label, vd), *out_dims),
    ]
    if p.use_bias:
        weights[1:1] = [W("query/bias", ("num_heads", h), ("key_dim", kd))]
        weights[3:3] = [W("key/bias", ("num_heads", h), ("key_dim", kd))]
        weights[5:5] = [W("value/bias", ("num_heads", h), (vd_label, vd))]
        weights.append(W("attention_output/bias", *out_dims))
    return Out(
        out_shape,
        weights,
        notes=["self-attention: query, key and value all come from the incoming tensor"],
    )
