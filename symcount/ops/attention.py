"""Multi-head attention: query, key and value projections into heads and an
output projection. Self-attention in a chain; cross-attention applied to
several tensors, in the order the convention's call takes them (Keras:
query, value, key; torch: query, key, value).

Keras's heads are key_dim wide (any width); torch's split embed_dim
(``split_embed``: key_dim = embed_dim/num_heads) and pack the three
projections into one in_proj when key and value have embed_dim features.
Which weights exist is the op's; their names, axes and order the table's.
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .base import Args, Entry, op
from .norm import refuse
from .spec import Copies, Factor, Out, Weight, bad_arg, fail, need_known


def _inputs(shapes, e: Entry):
    """(query, key, value) in the convention's call order, each checked."""
    names = e.flag("attention_inputs")  # ("query", "value", "key") under Keras
    given = dict(zip(names, shapes, strict=False))
    for name, s in given.items():
        if "attention_form" in e.convention.MESSAGES and len(s) != 2:
            refuse(e, "attention_form", what=f"the {name}", got=P.shape(s))
    second = given.get(names[1], shapes[0])
    third = given.get(names[2], second)
    rest = dict(zip(names[1:], (second, third), strict=True))
    q, k, v = shapes[0], rest["key"], rest["value"]
    if "attention_rank" in e.convention.MESSAGES and any(len(s) < 2 for s in (q, v, k)):
        refuse(e, "attention_rank")
    return q, k, v


def _split_embed(shapes, q, k, v, a: Args, e: Entry):
    """torch: embed_dim from the query (inferred or checked), split into the
    heads; kdim and vdim checked against the key and the value."""
    h = a.heads
    d = e.input_size(a, "d_q", q[1], "features", hint=f"{e.name}(num_heads={P.expr(h)})")
    if D.is_num(d) and D.is_num(h) and d % h:
        e.arg_error(a, "heads", f"embed_dim ({d}) must be divisible by num_heads ({h})")
    kdim = a.kdim if a.kdim is not None else d
    vdim = a.vdim if a.vdim is not None else d
    chain = " (in a chain, key and value are the incoming tensor)" if len(shapes) == 1 else ""
    for key, dim, t, what in (("kdim", kdim, k, "key"), ("vdim", vdim, v, "value")):
        if t[1] is not None and D.equal(dim, t[1]) is False:
            got = f"the {what} has {P.expr(t[1])} features{chain}"
            e.arg_error(a, key, f"{key}={P.expr(dim)} but {got}")
    if len(shapes) > 2 and D.equal(k[0], v[0]) is False:
        fail(f"key and value must have the same length; got {P.expr(k[0])} and {P.expr(v[0])}")
    return d, kdim, vdim


@op("attention", inputs=(1, 3))
def attention(shapes, a: Args, e: Entry) -> Out:
    """Projections of query, key and value into the heads, and back out."""
    q, k, v = _inputs(shapes, e)
    cross = len(shapes) > 1
    messages = e.convention.MESSAGES
    h = a.heads
    if e.flag("split_embed"):
        d_q, d_k, d_v = _split_embed(shapes, q, k, v, a, e)
        kd = vd = None  # the heads split embed_dim: its axes are embed_dim (inner)
        labels = ("d_q", "d_k", "d_v")
        out_dims, out_shape = [("d_q", d_q)], (q[0], d_q)
    else:
        d_q, d_v, d_k = (
            need_known(s[-1], f"the feature axis of the {w}")
            for s, w in ((q, "query"), (v, "value"), (k, "key"))
        )
        kd = ("key_dim", a.key_dim)
        vd = ("value_dim", a.value_dim) if a.value_dim is not None else kd
        labels = ("d_q", "d_k", "d_v") if cross else ("d", "d", "d")
        out_dims, out_shape = [(labels[0], d_q)], tuple(q)
        if a.output_shape is not None:
            if any(x in (None, -1) for x in a.output_shape):
                fail("output_shape must be fully known")
            many = len(a.output_shape) > 1
            out_dims = [
                (f"o_{i + 1}" if many else "d_out", x) for i, x in enumerate(a.output_shape)
            ]
            out_shape = (*q[:-1], *a.output_shape)
    values = dict(
        d_q=(labels[0], d_q), d_k=(labels[1], d_k), d_v=(labels[2], d_v), heads=h, kd=kd, vd=vd
    )
    values.update(out=out_dims, inner=d_q)  # torch's heads: one embed_dim axis
    present = {"q", "k", "v", "o"}
    if e.has("in_proj") and D.equal(d_k, d_q) is True and D.equal(d_v, d_q) is True:
        present = {"in_proj", "o"}  # torch packs the three into one (3*embed_dim, embed_dim)
    if a.bias:
        present |= {"q_bias", "k_bias", "v_bias", "in_bias", "o_bias"}
    if getattr(a, "bias_kv", False):
        present |= {"bias_k", "bias_v"}
    weights = e.weights_of(*(key for key in e.weights if key in present), **values)
    notes = []
    if not cross:
        notes.append(messages["attention_self"])
    elif "attention_cross" in messages:
        notes.append(messages["attention_cross"])
    if "attention_output" in messages:
        notes.append(messages["attention_output"])
    return Out(out_shape, weights, notes=notes)


# --- torch's Transformer layers (torch only: Keras has no such layers) ------


def _seq(s, what: str, e: Entry):
    if len(s) != 2:
        refuse(e, "attention_form", what=what, got=P.shape(s))
    return s


def _nhead(a: Args, e: Entry, d):
    h = a.nhead
    if D.is_num(d) and D.is_num(h) and d % h:
        e.arg_error(a, "nhead", f"embed_dim ({d}) must be divisible by nhead ({h})")


def layer_weights(e: Entry, a: Args, d) -> list:
    """An encoder or decoder layer's weights, as its table row lists them
    (the ``*_b`` biases only with bias=true)."""
    keys = (k for k in e.weights if a.bias or not k.endswith("_b"))
    return e.weights_of(*keys, d_model=d, ff=a.ff)


@op("transformer_layer", inputs=(1, 2))
def transformer_layer(shapes, a: Args, e: Entry) -> Out:
    """Self-attention (and, in a decoder, cross-attention on the memory), a
    feed-forward block (two Linears) and LayerNorms."""
    decoder = a.decoder  # shapes: (target, memory), or the target alone in a chain
    tgt = _seq(shapes[0] if decoder else shapes, "the target" if decoder else "the input", e)
    memory = _seq(shapes[1], "the memory", e) if decoder and len(shapes) > 1 else tgt
    d = e.input_size(a, "d_model", tgt[1], "features", hint=f"{e.name}(nhead={P.expr(a.nhead)})")
    _nhead(a, e, d)
    if memory[1] is not None and D.equal(memory[1], d) is False:
        fail(f"the memory has {P.expr(memory[1])} features but d_model is {P.expr(d)}")
    notes = ["memory: the incoming tensor (in a chain)"] if decoder and len(shapes) == 1 else []
    return Out(tuple(tgt), layer_weights(e, a, d), notes=notes)


def stacked(weights, n, prefix: str, label: str = "num_layers") -> list:
    """n deep copies of one layer: each weight gets a leading ``label`` axis."""
    return [
        Weight(f"{prefix}{w.name}", ((Factor(label, n),), *w.dims), w.trainable, w.state)
        for w in weights
    ]


@op("transformer_stack", inputs=(1, 2))
def transformer_stack(shapes, a: Args, e: Entry) -> Out:
    """num_layers copies of an encoder (decoder) layer, then an optional norm."""
    want = e.layer.extra["stacks"]
    if isinstance(shapes, tuple):
        shapes = [shapes]
    inner = a.layer
    if inner.type_name != want:
        bad_arg(f"{e.name} stacks a {want}, not {inner.type_name}")
    out = a.ctx.run(inner, shapes[0] if want.endswith("EncoderLayer") else shapes)
    weights = stacked(out.weights, a.count, "layers.*.")
    formula = Copies(tuple(out.weights), Factor("num_layers", a.count))
    if a.norm is not None:
        norm = a.ctx.run(a.norm, out.shape)
        weights += [w.renamed("norm.") for w in norm.weights]
        formula = None
    notes = [f"num_layers={P.expr(a.count)} copies of the {want}"]
    return Out(out.shape, weights, formula=formula, notes=notes)


@op("transformer", inputs=(1, 2))
def transformer(shapes, a: Args, e: Entry) -> Out:
    """An encoder (num_encoder_layers layers and a LayerNorm) and a decoder
    (num_decoder_layers layers and a LayerNorm); d_model is not inferred."""
    src = _seq(shapes[0], "the source", e)
    tgt = _seq(shapes[1], "the target", e) if len(shapes) > 1 else src
    d = a.d_model
    for what, s in (("source", src), ("target", tgt)):
        if s[1] is not None and D.equal(s[1], d) is False:
            got = f"the {what} has {P.expr(s[1])} features"
            e.arg_error(a, "d_model", f"d_model={P.expr(d)} but {got}")
    _nhead(a, e, d)
    weights = []
    for part, n in (("encoder", a.encoders), ("decoder", a.decoders)):
        inner = e.convention.entries()[e.layer.extra[part]]
        label = e.arg_names["encoders" if part == "encoder" else "decoders"]
        weights += stacked(layer_weights(inner, a, d), n, f"{part}.layers.*.", label)
        norm = (k for k in e.weights if k.startswith(part) and (a.bias or not k.endswith("_b")))
        weights += e.weights_of(*norm, d_model=d)
    notes = [] if len(shapes) > 1 else ["source and target: the incoming tensor (in a chain)"]
    return Out(tuple(tgt), weights, notes=notes)
