"""torch.nn's MultiheadAttention and the Transformer layers.

In a chain, attention is self-attention (query = key = value = the incoming
tensor) and a decoder layer's memory is the incoming tensor too; applied to
tensors, ``MultiheadAttention(8)(q, k, v)`` and
``TransformerDecoderLayer(512, 8)(tgt, memory)`` take them separately.
Inputs are (L, E), the batch axis not counted.
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Factor, Formula, Out, W, Weight, a, bad_arg, fail
from .torch_common import arg_error, factory_args, infer


def _seq(shape, what: str):
    if len(shape) != 2:
        fail(f"{what} must be (L, E): a sequence of feature vectors; got {P.shape(shape)}")
    return shape


def _heads(p, e, name="num_heads"):
    h = getattr(p, name)
    if D.is_num(e) and D.is_num(h) and e % h:
        arg_error(p, name, f"embed_dim ({e}) must be divisible by {name} ({h})")


def mha_weights(e, kdim, vdim, bias: bool, add_bias_kv: bool, prefix: str = "") -> list[Weight]:
    """MultiheadAttention's parameters, in torch's order."""
    same = D.equal(kdim, e) is True and D.equal(vdim, e) is True
    E = ("embed_dim", e)
    if same:
        weights = [W(f"{prefix}in_proj_weight", [("3", 3), E], E)]
    else:
        weights = [
            W(f"{prefix}q_proj_weight", E, E),
            W(f"{prefix}k_proj_weight", E, ("kdim", kdim)),
            W(f"{prefix}v_proj_weight", E, ("vdim", vdim)),
        ]
    if bias:
        weights.append(W(f"{prefix}in_proj_bias", [("3", 3), E]))
    if add_bias_kv:
        weights += [W(f"{prefix}bias_k", ("1", 1), ("1", 1), E)]
        weights += [W(f"{prefix}bias_v", ("1", 1), ("1", 1), E)]
    weights.append(W(f"{prefix}out_proj.weight", E, E))
    if bias:
        weights.append(W(f"{prefix}out_proj.bias", E))
    return weights


@torch.rule(
    "MultiheadAttention",
    a("embed_dim", "dim", REQUIRED),
    a("num_heads", "dim", REQUIRED),
    a("dropout", "number", 0.0),
    a("bias", "bool", True),
    a("add_bias_kv", "bool", False),
    a("add_zero_attn", "bool", False),
    a("kdim", "dim", None),
    a("vdim", "dim", None),
    a("batch_first", "bool", False),
    *factory_args(),
    infer="embed_dim",
    inputs=(1, 3),
    call_kwargs=("need_weights", "attn_mask", "key_padding_mask", "average_attn_weights"),
)
def multihead_attention(shapes, p):
    """in_proj (3*embed_dim, embed_dim) (or q/k/v projections when kdim or vdim differ),
    in_proj_bias, out_proj (embed_dim, embed_dim) and its bias; bias_k and bias_v."""
    q = _seq(shapes[0], "the query")
    k = _seq(shapes[1], "the key") if len(shapes) > 1 else q
    v = _seq(shapes[2], "the value") if len(shapes) > 2 else k
    e = infer(
        p, "embed_dim", q[1], "features", layer=f"MultiheadAttention(num_heads={p.num_heads})"
    )
    _heads(p, e)
    kdim = p.kdim if p.kdim is not None else e
    vdim = p.vdim if p.vdim is not None else e
    for name, dim, t in (("kdim", kdim, k), ("vdim", vdim, v)):
        if t[1] is not None and D.equal(dim, t[1]) is False:
            what = "key" if name == "kdim" else "value"
            arg_error(
                p,
                name,
                f"{name}={P.expr(dim)} but the {what} has {P.expr(t[1])} features"
                + (
                    " (in a chain, key and value are the incoming tensor)"
                    if len(shapes) == 1
                    else ""
                ),
            )
    if len(shapes) > 2 and D.equal(k[0], v[0]) is False:
        fail(f"key and value must have the same length; got {P.expr(k[0])} and {P.expr(v[0])}")
    weights = mha_weights(e, kdim, vdim, p.bias, p.add_bias_kv)
    notes = []
    if len(shapes) == 1:
        notes.append("self-attention: query, key and value are the incoming tensor")
    notes.append("output: the attention output (L, embed_dim); the attention weights not shown")
    return Out((q[0], e), weights, notes=notes)


def _layer_norm(name, e, bias):
    out = [W(f"{name}.weight", ("d_model", e))]
    if bias:
        out.append(W(f"{name}.bias", ("d_model", e)))
    return out


def _feed_forward(e, ff, bias):
    out = [W("linear1.weight", ("dim_feedforward", ff), ("d_model", e))]
    if bias:
        out.append(W("linear1.bias", ("dim_feedforward", ff)))
    out.append(W("linear2.weight", ("d_model", e), ("dim_feedforward", ff)))
    if bias:
        out.append(W("linear2.bias", ("d_model", e)))
    return out


def _relabel(weights, old="embed_dim", new="d_model"):
    out = []
    for w in weights:
        dims = tuple(
            tuple(Factor(new if f.label == old else f.label, f.value) for f in dim)
            for dim in w.dims
        )
        out.append(Weight(w.name, dims, w.trainable, w.state))
    return out


def encoder_layer_weights(e, ff, bias) -> list[Weight]:
    weights = _relabel(mha_weights(e, e, e, bias, False, "self_attn."))
    weights += _feed_forward(e, ff, bias)
    weights += _layer_norm("norm1", e, bias) + _layer_norm("norm2", e, bias)
    return weights


def decoder_layer_weights(e, ff, bias) -> list[Weight]:
    weights = _relabel(mha_weights(e, e, e, bias, False, "self_attn."))
    weights += _relabel(mha_weights(e, e, e, bias, False, "multihead_attn."))
    weights += _feed_forward(e, ff, bias)
    for i in (1, 2, 3):
        weights += _layer_norm(f"norm{i}", e, bias)
    return weights


LAYER_ARGS = (
    a("d_model", "dim", REQUIRED),
    a("nhead", "dim", REQUIRED),
    a("dim_feedforward", "dim", 2048),
    a("dropout", "number", 0.1),
    a("activation"),
    a("layer_norm_eps", "number", 1e-5),
    a("batch_first", "bool", False),
    a("norm_first", "bool", False),
    a("bias", "bool", True),
    *factory_args(),
)
LAYER_CALL = ("src_mask", "src_key_padding_mask", "is_causal", "tgt_mask", "memory_mask")


@torch.rule(
    "TransformerEncoderLayer",
    *LAYER_ARGS,
    infer="d_model",
    call_kwargs=LAYER_CALL,
)
def transformer_encoder_layer(shape, p):
    """Self-attention (4 d_model^2 + 4 d_model), a feed-forward block (two Linears)
    and two LayerNorms."""
    src = _seq(shape, "the input")
    e = infer(p, "d_model", src[1], "features", layer=f"TransformerEncoderLayer(nhead={p.nhead})")
    _heads(p, e, "nhead")
    return Out(tuple(src), encoder_layer_weights(e, p.dim_feedforward, p.bias))


@torch.rule(
    "TransformerDecoderLayer",
    *LAYER_ARGS,
    infer="d_model",
    inputs=(1, 2),
    call_kwargs=LAYER_CALL,
)
def transformer_decoder_layer(shapes, p):
    """Self-attention, cross-attention on the memory, a feed-forward block and
    three LayerNorms."""
    tgt = _seq(shapes[0], "the target")
    memory = _seq(shapes[1], "the memory") if len(shapes) > 1 else tgt
    e = infer(p, "d_model", tgt[1], "features", layer=f"TransformerDecoderLayer(nhead={p.nhead})")
    _heads(p, e, "nhead")
    if memory[1] is not None and D.equal(memory[1], e) is False:
        fail(f"the memory has {P.expr(memory[1])} features but d_model is {P.expr(e)}")
    notes = [] if len(shapes) > 1 else ["memory: the incoming tensor (in a chain)"]
    return Out(tuple(tgt), decoder_layer_weights(e, p.dim_feedforward, p.bias), notes=notes)


def _stacked(weights, n, prefix: str, label: str = "num_layers") -> list[Weight]:
    """n deep copies of one layer: each weight gets a leading ``label`` axis."""
    return [
        Weight(f"{prefix}{w.name}", ((Factor(label, n),), *w.dims), w.trainable, w.state)
        for w in weights
    ]


def _stack(kind: str):
    layer_type = f"Transformer{kind}Layer"

    def stack(shapes, p, ctx):
        if isinstance(shapes, tuple):
            shapes = [shapes]
        inner = getattr(p, f"{kind.lower()}_layer")
        if inner.type_name != layer_type:
            bad_arg(f"Transformer{kind} stacks a {layer_type}, not {inner.type_name}")
        inner.uses += 1
        out = ctx.run(inner, shapes[0] if kind == "Encoder" else shapes)
        weights = _stacked(out.weights, p.num_layers, "layers.*.")
        if p.norm is not None:
            norm = ctx.run(p.norm, out.shape)
            weights += [w.renamed("norm.") for w in norm.weights]
        from ..formula import derive  # formula imports this package: import late

        f = derive(out.weights)
        inner_g = f"({f.general})" if "+" in f.general else f.general
        inner_n = f"({f.numbers})" if "+" in f.numbers else f.numbers
        formula = None
        if p.norm is None:
            formula = Formula(f"num_layers*{inner_g}", f"{P.expr(p.num_layers)}*{inner_n}")
        return Out(
            out.shape,
            weights,
            formula=formula,
            notes=[f"num_layers={P.expr(p.num_layers)} copies of the {layer_type}"],
        )

    stack.__doc__ = f"num_layers copies of a {layer_type}, then an optional norm."
    args = [
        a(f"{kind.lower()}_layer", "layer", REQUIRED),
        a("num_layers", "dim", REQUIRED),
        a("norm", "layer", None, allow_none=True),
    ]
    if kind == "Encoder":
        args += [a("enable_nested_tensor", "bool", True), a("mask_check", "bool", True)]
    torch.rule(
        f"Transformer{kind}",
        *args,
        inputs=(1, 1) if kind == "Encoder" else (1, 2),
        call_kwargs=LAYER_CALL,
    )(stack)


_stack("Encoder")
_stack("Decoder")


@torch.rule(
    "Transformer",
    a("d_model", "dim", 512),
    a("nhead", "dim", 8),
    a("num_encoder_layers", "dim", 6),
    a("num_decoder_layers", "dim", 6),
    a("dim_feedforward", "dim", 2048),
    a("dropout", "number", 0.1),
    a("activation"),
    a("custom_encoder"),
    a("custom_decoder"),
    a("layer_norm_eps", "number", 1e-5),
    a("batch_first", "bool", False),
    a("norm_first", "bool", False),
    a("bias", "bool", True),
    *factory_args(),
    inputs=(1, 2),
    call_kwargs=LAYER_CALL,
)
def transformer(shapes, p):
    """An encoder (num_encoder_layers layers and a LayerNorm) and a decoder
    (num_decoder_layers layers and a LayerNorm); d_model is not inferred."""
    src = _seq(shapes[0], "the source")
    tgt = _seq(shapes[1], "the target") if len(shapes) > 1 else src
    e, ff = p.d_model, p.dim_feedforward
    for what, s in (("source", src), ("target", tgt)):
        if s[1] is not None and D.equal(s[1], e) is False:
            arg_error(
                p, "d_model", f"d_model={P.expr(e)} but the {what} has {P.expr(s[1])} features"
            )
    _heads(p, e, "nhead")
    n_enc, n_dec = p.num_encoder_layers, p.num_decoder_layers
    encoder = encoder_layer_weights(e, ff, p.bias)
    weights = _stacked(encoder, n_enc, "encoder.layers.*.", "num_encoder_layers")
    weights += _layer_norm("encoder.norm", e, p.bias)
    decoder = decoder_layer_weights(e, ff, p.bias)
    weights += _stacked(decoder, n_dec, "decoder.layers.*.", "num_decoder_layers")
    weights += _layer_norm("decoder.norm", e, p.bias)
    notes = [] if len(shapes) > 1 else ["source and target: the incoming tensor (in a chain)"]
    return Out(tuple(tgt), weights, notes=notes)
