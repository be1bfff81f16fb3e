"""PyTorch's tables (see torch.py): attention and the Transformer layers.
Arguments are spec strings (:func:`symcount.ops.spec.parse_args`)."""

from __future__ import annotations

from .base import Layer, layer, weight_table
from .torch_core import FACTORY

# --- attention (ops/attention.py) -------------------------------------------------

ATTENTION_MESSAGES = {
    "attention_form": "{what} must be (L, E): a sequence of feature vectors; got {got}",
    "attention_self": "self-attention: query, key and value are the incoming tensor",
    "attention_output": "output: the attention output (L, embed_dim); the attention weights "
    "not shown",
}
LAYER_CALL = ("src_mask", "src_key_padding_mask", "is_causal", "tgt_mask", "memory_mask")


def _attention_weights(prefix: str = "", e: str = "inner") -> dict:
    """MultiheadAttention's parameters in torch's order (prefix: self_attn.)."""
    return {
        f"{prefix}in_proj": f"{prefix}in_proj_weight(3*{e}, {e})",
        f"{prefix}in_bias_b": f"{prefix}in_proj_bias(3*{e})",
        f"{prefix}o": f"{prefix}out_proj.weight({e}, {e})",
        f"{prefix}o_bias_b": f"{prefix}out_proj.bias({e})",
    }


def _norms(*names: str) -> dict:
    return {
        f"{n}{b}": f"{n}.{w}(d_model)" for n in names for b, w in (("", "weight"), ("_b", "bias"))
    }


FEED_FORWARD = weight_table(
    "l1=linear1.weight(ff, d_model) l1_b=linear1.bias(ff) "
    "l2=linear2.weight(d_model, ff) l2_b=linear2.bias(d_model)"
)
TRANSFORMER_ARGS = "dim_feedforward>ff:dim=2048 dropout:number=0.1 activation"
LAYER_TAIL = "layer_norm_eps:number=1e-5 batch_first:bool=false norm_first:bool=false"
LAYER_TAIL += f" bias:bool=true {FACTORY}"


def _transformer_layer(decoder: bool, doc: str) -> Layer:
    attention = _attention_weights("self_attn.", "d_model")
    if decoder:
        attention |= _attention_weights("multihead_attn.", "d_model")
    return layer(
        "transformer_layer",
        f"d_model:dim! nhead:dim! {TRANSFORMER_ARGS} {LAYER_TAIL}",
        fixed={"decoder": decoder},
        weights={
            **attention,
            **FEED_FORWARD,
            **_norms(*("norm1", "norm2", "norm3")[: 2 + decoder]),
        },
        infer="d_model",
        inputs=(1, 2) if decoder else (1, 1),
        call_kwargs=LAYER_CALL,
        doc=doc,
    )


def _stack(kind: str) -> Layer:
    inner = f"{kind.lower()}_layer"
    more = "enable_nested_tensor:bool=true mask_check:bool=true" if kind == "Encoder" else ""
    return layer(
        "transformer_stack",
        f"{inner}>layer:layer! num_layers>count:dim! norm:layer? {more}",
        inputs=(1, 1) if kind == "Encoder" else (1, 2),
        call_kwargs=LAYER_CALL,
        extra={"stacks": f"Transformer{kind}Layer"},
        doc=f"num_layers copies of a Transformer{kind}Layer, then an optional norm.",
    )


ATTENTION_LAYERS = {
    "MultiheadAttention": layer(
        "attention",
        "embed_dim>d_q:dim! num_heads>heads:dim! dropout:number=0.0 bias:bool=true",
        "add_bias_kv>bias_kv:bool=false add_zero_attn:bool=false kdim:dim vdim:dim",
        f"batch_first:bool=false {FACTORY}",
        labels={"inner": "embed_dim", "d_q": "embed_dim", "d_k": "kdim", "d_v": "vdim"},
        flags={"split_embed": True},
        weights="in_proj=in_proj_weight(3*inner, d_q) q=q_proj_weight(inner, d_q) "
        "k=k_proj_weight(inner, d_k) v=v_proj_weight(inner, d_v) in_bias=in_proj_bias(3*inner) "
        "bias_k(1, 1, inner) bias_v(1, 1, inner) o=out_proj.weight(inner, inner) "
        "o_bias=out_proj.bias(inner)",
        infer="embed_dim",
        call_kwargs=("need_weights", "attn_mask", "key_padding_mask", "average_attn_weights"),
        doc="in_proj (3*embed_dim, embed_dim) (or q/k/v projections when kdim or vdim differ), "
        "in_proj_bias, out_proj (embed_dim, embed_dim) and its bias; bias_k and bias_v.",
    ),
    "TransformerEncoderLayer": _transformer_layer(
        False,
        "Self-attention (4 d_model^2 + 4 d_model), a feed-forward block (two Linears) and two "
        "LayerNorms.",
    ),
    "TransformerDecoderLayer": _transformer_layer(
        True,
        "Self-attention, cross-attention on the memory, a feed-forward block and three LayerNorms.",
    ),
    "TransformerEncoder": _stack("Encoder"),
    "TransformerDecoder": _stack("Decoder"),
    "Transformer": layer(
        "transformer",
        "d_model:dim=512 nhead:dim=8 num_encoder_layers>encoders:dim=6",
        f"num_decoder_layers>decoders:dim=6 {TRANSFORMER_ARGS} custom_encoder custom_decoder",
        LAYER_TAIL,
        weights=_norms("encoder.norm", "decoder.norm"),
        extra={"encoder": "TransformerEncoderLayer", "decoder": "TransformerDecoderLayer"},
        call_kwargs=LAYER_CALL,
    ),
}
