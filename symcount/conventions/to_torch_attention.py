"""``symcount diff``'s equivalents of Keras's GroupQueryAttention, Attention
and AdditiveAttention, registered in :data:`.to_torch.TO_TORCH`;
:mod:`.equivalents` imports this module (from to_torch.py the import would
be a cycle).

torch.nn has no grouped-query or additive attention module: a model writes
its q, k, v and output projections as Linear layers around
``F.scaled_dot_product_attention``. Only grouped-query attention with as many
key/value heads as query heads, head_dim * heads = the query's features and
no gate, has a module with the same weights: MultiheadAttention.
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from ..ops.base import Args
from .to_torch import multihead_attention, none, op_text, to_torch

NO_GQA = (
    "torch.nn has no grouped-query attention module (models write the q, k, v and output "
    "projections as Linear layers and call F.scaled_dot_product_attention(..., enable_gqa=True))"
)


@to_torch("grouped_query_attention")
def _grouped_query_attention(shapes, a: Args, name: str):
    query = shapes[0]
    u, kv, e = a.query_heads, a.kv_heads, query[-1]
    if a.gate:
        return none(f"use_gate: {NO_GQA}")
    if D.equal(u, kv) is not True:
        return none(
            f"{NO_GQA}; with num_key_value_heads = num_query_heads it is MultiheadAttention"
        )
    if D.equal(D.mul(u, a.head_dim), e) is not True:
        return none(
            f"torch's heads are embed_dim/num_heads wide; here head_dim*num_query_heads = "
            f"{P.expr(D.mul(u, a.head_dim))} for embed_dim {P.expr(e)}"
        )
    return multihead_attention(shapes, u, a.bias)


@to_torch("score_attention")
def _score_attention(shapes, a: Args, name: str):
    if a.mode == "additive":
        return none("torch.nn has no additive (Bahdanau) attention")
    if a.mode == "concat":
        return none("score_mode='concat': torch.nn has no such attention")
    if a.scale:
        return none(
            "use_scale: a learned scale; torch's F.scaled_dot_product_attention takes a fixed one"
        )
    # Keras's dot-product scores are not divided by sqrt(d): torch's scale=1.0
    return op_text("F.scaled_dot_product_attention(query, key, value, scale=1.0)")
