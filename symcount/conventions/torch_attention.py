"""Attention as Llama, Mistral and T5 code writes it under ``convention torch``
(ops/sdpa.py): torch's weightless attention function, which torch.nn has no
module for, and Hugging Face's rotary embedding module. Merged into
:class:`~symcount.conventions.torch.Torch`'s LAYERS."""

from __future__ import annotations

from .base import layer

SDPA_LAYERS = {
    "ScaledDotProductAttention": layer(
        "sdpa",
        "num_heads>heads:dim! num_key_value_heads>kv_heads:dim? dropout_p:number=0.0",
        "is_causal>causal:bool=false scale:number? enable_gqa>gqa:bool=false",
        doc="torch.nn.functional.scaled_dot_product_attention on (query, key, value[, "
        "attn_mask]), each projection (L, heads*head_dim) split into num_heads (query) and "
        "num_key_value_heads (key, value) heads; output (L_q, num_heads*head_dim_v). No weights.",
    ),
    "RotaryEmbedding": layer(
        "rotary",
        "head_dim>dim:dim! base:number=10000.0 max_position_embeddings:dim?",
        labels={"half": "head_dim/2"},
        weights="inv_freq(half) original_inv_freq(half)",
        doc="Hugging Face's rotary position embedding (LlamaRotaryEmbedding), applied to "
        "queries or keys (L, heads*head_dim): same shape; buffers inv_freq and "
        "original_inv_freq, head_dim/2 each. Share one (let) as a model does.",
    ),
    "TiedLinear": layer(
        "tied_linear",
        "embedding>table:layer!",
        doc="A bias-free Linear whose weight is an Embedding's table (lm_head.weight = "
        "shared.weight, as tie_word_embeddings ties them): output (..., num_embeddings); "
        "no weights of its own, the table counted once, in the Embedding.",
    ),
}
