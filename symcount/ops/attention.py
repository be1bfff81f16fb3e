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
from . import costs as C
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
    if e.flag("split_embed"):  # h heads of d_q/h: h*(d_q/h) = d_q per pair of positions
        # torch's add_bias_kv and add_zero_attn each append a key (and value) row
        extra = int(bool(getattr(a, "bias_kv", False))) + int(bool(a.add_zero_attn))
        keys = k[0] if extra == 0 or k[0] is None else D.add(k[0], extra)
        s = "S" if cross else "L"  # torch's target and source lengths
        names = dict(tq="L", tk=s, tv=s, d_q=e.labels.get("d_q", "embed_dim"), d_k="kdim")
        names.update(d_v="vdim", kd=names["d_q"], vd=names["d_q"], out=names["d_q"])
        costs = _heads_macs(
            q[0], k[0], d_q, d_k, d_v, d_q, d_q, 1, [("", d_q)], keys=keys, names=names
        )
    else:
        vdim = a.value_dim if a.value_dim is not None else a.key_dim
        t = ("T_q", "T_k", "T_v") if cross else ("T", "T", "T")
        names = dict(zip(("tq", "tk", "tv"), t, strict=True))
        names.update(zip(("d_q", "d_k", "d_v"), labels, strict=True))
        names.update(h=e.labels.get("heads", "heads"), kd=kd[0], vd=vd[0])
        costs = _heads_macs(
            q[:-1], k[:-1], d_q, d_k, d_v, a.key_dim, vdim, h, out_dims, a, v, names=names
        )
    return Out(out_shape, weights, notes=notes, costs=costs)


def _axes(label, t) -> tuple:
    """Positions as labelled factors: ``T``, or ``T_1*T_2`` over several axes."""
    if not isinstance(t, tuple):
        return (Factor(label, t),)
    if len(t) == 1:
        return (Factor(label, t[0]),)
    return tuple(Factor(f"{label}_{i + 1}", x) for i, x in enumerate(t))


def _heads_macs(
    tq, tk, d_q, d_k, d_v, kd, vd, h, out_dims, a=None, v=None, kv_heads=None, keys=None,
    names=None,
):  # fmt: skip
    """Attention's multiply-accumulates: the query, key, value and output
    projections, and on each head the scores (Q K^T, every query against every
    key, at full length) and the weighted values (A V). ``tq``/``tk``: the
    query's and key's positions (an axis or a tuple); ``kv_heads``: the key and
    value projections' heads where fewer (grouped-query); ``keys``: the keys
    the scores see, where more than the key's positions (torch's extra rows).
    ``names``: each size's label in explain (tq, tk, tv, d_q, d_k, d_v, h, kvh,
    kd, vd, out: the output's axes where out_dims leaves them unnamed)."""
    kvh = h if kv_heads is None else kv_heads
    tv = tk if v is None else v[:-1]
    outs = [x for _, x in out_dims]
    if names is not None:
        n = names
        keys = None if keys is None or keys is tk else Factor(f"{n['tk']} + extra", keys)
        tq, tk, tv = _axes(n["tq"], tq), _axes(n["tk"], tk), _axes(n["tv"], tv)
        d_q, d_k, d_v = (Factor(n[k], x) for k, x in (("d_q", d_q), ("d_k", d_k), ("d_v", d_v)))
        kd, vd = Factor(n["kd"], kd), Factor(n["vd"], vd)
        heads = n.get("h")
        h = (
            ()
            if heads is None and D.is_num(h) and h == 1
            else h
            if heads is None
            else Factor(heads, h)
        )
        kvh = h if kv_heads is None else Factor(n.get("kvh", "kv_heads"), kv_heads)
        outs = [Factor(lab or n.get("out", "d_out"), x) for lab, x in out_dims]
    pairs = _pairs(tq, tk if keys is None else keys, a)
    return C.macs(
        C.term(tq, d_q, h, kd),
        C.term(tk, d_k, kvh, kd),
        C.term(tv, d_v, kvh, vd),
        C.term(h, pairs, kd),
        C.term(h, pairs, vd),
        C.term(tq, h, vd, outs),
    )


def _pairs(tq, tk, a):
    """How many (query, key) pairs the scores have: every query position
    against every key position, or, with Keras's attention_axes, against the
    key's positions along those axes only (the other axes pair one to one)."""
    axes = getattr(a, "attention_axes", None) if a is not None else None
    if not isinstance(tq, tuple) or axes is None:
        return C.term(tq, tk)
    full = len(tq) + 2  # the batch, the positions, the features
    picked = {x + full if x < 0 else x for x in (axes if isinstance(axes, tuple) else (axes,))}
    if any(not 1 <= x <= len(tq) for x in picked):
        return None  # an axis Keras would refuse: no count
    along = [x - 1 for x in sorted(picked)]
    others = [tq[i] for i in range(len(tq)) if i not in along]
    return C.term(others, [tq[i] for i in along], [tk[i] for i in along])


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
    costs = _layer_costs(d, a.ff, tgt[0], memory[0] if decoder else None)
    return Out(tuple(tgt), layer_weights(e, a, d), notes=notes, costs=costs)


def _layer_costs(d, ff, t, s=None) -> dict:
    """An encoder layer on t positions (a decoder's: cross-attention on s more):
    self-attention 4*t*d^2 + 2*t^2*d, and the feed-forward block 2*t*d*ff,
    labelled as torch names the sizes."""
    one = [("", d)]
    names = dict(
        tq="T", tk="T", tv="T", **dict.fromkeys(("d_q", "d_k", "d_v", "kd", "vd", "out"), "d_model")
    )
    parts = [_heads_macs(t, t, d, d, d, d, d, 1, one, names=names)]
    ff_term = C.term(2, Factor("T", t), Factor("d_model", d), Factor("dim_feedforward", ff))
    parts.append(C.macs(ff_term))
    if s is not None:
        cross = {**names, "tk": "S", "tv": "S"}
        parts.append(_heads_macs(t, s, d, d, d, d, d, 1, one, names=cross))
    return C.joined(*parts)


def _layer_macs(d, ff, t, s=None):
    """The layer's MACs (:func:`_layer_costs`)."""
    return _layer_costs(d, ff, t, s)[C.MACS]


def stacked(weights, n, prefix: str, label: str = "num_layers") -> list:
    """n deep copies of one layer: each weight gets a leading ``label`` axis."""
    return [
        Weight(f"{prefix}{w.name}", ((Factor(label, n),), *w.dims), w.trainable, w.state, w.what)
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
    costs = C.scaled(a.count, out.costs, "num_layers")  # the norm's work is not a matmul
    formula = Copies(tuple(out.weights), Factor("num_layers", a.count))
    if a.norm is not None:
        norm = a.ctx.run(a.norm, out.shape)
        weights += [w.renamed("norm.") for w in norm.weights]
        formula = None
    notes = [f"num_layers={P.expr(a.count)} copies of the {want}"]
    return Out(out.shape, weights, formula=formula, notes=notes, costs=costs)


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
    enc = _layer_macs(d, a.ff, src[0])
    dec = _layer_macs(d, a.ff, tgt[0], src[0])
    costs = C.macs(C.term(a.encoders, enc), C.term(a.decoders, dec))
    return Out(tuple(tgt), weights, notes=notes, costs=costs)


# --- Keras's grouped-query and score attention (Keras only) ------------------


def _keras_tensors(shapes, e: Entry, rank: int, exact: bool):
    """(query, key, value), each of ``rank`` axes (or more, unless ``exact``;
    batch excluded), and whether a key was given: Keras calls these
    (query, value[, key])."""
    for what, s in zip(e.flag("attention_inputs"), shapes, strict=False):
        if len(s) < rank or (exact and len(s) > rank):
            fail(
                f"the {what} must have rank {rank + 1}{'' if exact else ' or more'} "
                f"(batch, sequence, features); got {P.shape(s)}"
            )
    q, k, v = _inputs(shapes, e)
    return q, k, v, len(shapes) > 2


def _cross_labels(cross: bool) -> dict:
    return (
        dict(d_q="d_q", d_k="d_k", d_v="d_v")
        if cross
        else dict.fromkeys(("d_q", "d_k", "d_v"), "d")
    )


def _text(dim) -> str:
    return "None" if dim is None else P.expr(dim)


def _scores_wanted(a: Args) -> bool:
    return a.ctx is not None and a.ctx.call_kwargs.get("return_attention_scores") is True


@op("grouped_query_attention", inputs=(1, 3))
def grouped_query_attention(shapes, a: Args, e: Entry) -> Out:
    """Query projections into num_query_heads heads, key and value projections
    into num_key_value_heads heads (each shared by a group of query heads), all
    head_dim wide, and an output projection back to the query's features."""
    q, k, v, keyed = _keras_tensors(shapes, e, 2, exact=True)
    u, kv = a.query_heads, a.kv_heads
    names = e.arg_names
    if D.is_num(u) and D.is_num(kv) and u % kv:
        e.arg_error(
            a,
            "kv_heads",
            f"{names['query_heads']} ({u}) must be divisible by "
            f"{names['kv_heads']} ({kv}): each key/value head serves a group of query heads",
        )
    if a.flash is True and a.dropout:
        e.arg_error(a, "dropout", "dropout must be 0.0 when flash_attention is true (Keras's rule)")
    d_q, d_v, d_k = (
        need_known(s[-1], f"the feature axis of the {w}")
        for s, w in ((q, "query"), (v, "value"), (k, "key"))
    )
    if D.equal(d_q, d_v) is False:
        fail(
            f"the query and the value must have the same number of features (Keras's rule); "
            f"got {P.expr(d_q)} and {P.expr(d_v)}"
        )
    if keyed and D.equal(v[0], k[0]) is False:
        fail(
            "the value and the key must have the same length (Keras's rule: every axis "
            f"but the last equal); got {_text(v[0])} and {_text(k[0])}"
        )
    lab = _cross_labels(len(shapes) > 1)
    present = {"q", "k", "v", "o"} | ({"g"} if a.gate else set())
    if a.bias:
        present |= {f"{x}_bias" for x in present}
    values = {key: (lab[key], dim) for key, dim in (("d_q", d_q), ("d_k", d_k), ("d_v", d_v))}
    keys = (key for key in e.weights if key in present)
    weights = e.weights_of(*keys, **values, query_heads=u, kv_heads=kv, head_dim=a.head_dim)
    notes = [e.message("attention_self" if len(shapes) == 1 else "attention_cross")]
    if not (D.is_num(u) and D.is_num(kv)):
        notes.append(f"{names['query_heads']} must be a multiple of {names['kv_heads']}")
    out = tuple(q)
    hd = a.head_dim
    t = ("T_q", "T_k", "T_k") if len(shapes) > 1 else ("T", "T", "T")
    names = dict(zip(("tq", "tk", "tv"), t, strict=True), out=lab["d_q"])
    names.update(lab, h=e.labels.get("query_heads", "query_heads"))
    names.update(kvh=e.labels.get("kv_heads", "kv_heads"), kd=e.labels.get("head_dim", "head_dim"))
    names["vd"] = names["kd"]
    costs = _heads_macs(q[0], k[0], d_q, d_k, d_v, hd, hd, u, [("", d_q)], kv_heads=kv, names=names)
    if a.gate:  # a gate projection of the query, as wide as the query heads
        gate = C.term(Factor(t[0], q[0]), Factor(lab["d_q"], d_q), Factor(names["h"], u))
        costs = C.joined(costs, C.macs(C.term(gate, Factor(names["kd"], hd))))
    if _scores_wanted(a):
        return Out([out, (u, q[0], k[0])], weights, notes=notes, costs=costs)
    return Out(out, weights, notes=notes, costs=costs)


def _broadcasts(x, y) -> bool:
    """Whether two axes can meet in an elementwise operation (equal, or one is 1)."""
    if x is None or y is None:
        return True
    return not (D.equal(x, y) is False and D.equal(x, 1) is False and D.equal(y, 1) is False)


@op("score_attention", inputs=(1, 3))
def score_attention(shapes, a: Args, e: Entry) -> Out:
    """Scores of each query against each key (a dot product, or additive:
    tanh of their sum, summed), softmaxed, weigh the values: the output has the
    query's axes and the value's features. Its only weights are scales."""
    q, k, v, _ = _keras_tensors(shapes, e, 2, exact=False)
    if len({len(q), len(k), len(v)}) > 1:
        got = ", ".join(map(P.shape, shapes))
        fail(f"the query, value and key must have the same rank; got {got}")
    additive = a.mode in ("concat", "additive")  # AdditiveAttention fixes mode="additive"
    # the value's rows are weighed by the scores over the key's rows: the same count
    if None not in (k[-2], v[-2]) and D.equal(k[-2], v[-2]) is False:
        fail(
            f"the key and the value must have the same length; got {_text(k[-2])} and {_text(v[-2])}"
        )
    if additive and not _broadcasts(q[-1], k[-1]):
        fail(
            "additive scores add the query and the key: their last axes must be equal (or 1); "
            f"got {P.expr(q[-1])} and {P.expr(k[-1])}"
        )
    if not additive and None not in (q[-1], k[-1]) and D.equal(q[-1], k[-1]) is False:
        fail(
            "dot-product scores need the query and the key to have the same number of features; "
            f"got {P.expr(q[-1])} and {P.expr(k[-1])}"
        )
    for i, dim in enumerate(q[:-2]):  # leading axes: the key's and value's broadcast to q's
        for what, t in (("key", k), ("value", v)):
            if (
                None not in (t[i], dim)
                and D.equal(t[i], dim) is False
                and D.equal(t[i], 1) is False
            ):
                fail(
                    f"axis {i + 1} of the {what} ({_text(t[i])}) must be the query's ({_text(dim)}) or 1"
                )
    present = {"scale"} if a.scale else set()
    if a.mode == "concat":
        present.add("concat")
    d_q = None
    if "scale" in present and a.mode == "additive":
        d_q = need_known(
            q[-1], "the feature axis of the query (the scale has one entry per feature)"
        )
    lab = _cross_labels(len(shapes) > 1)
    weights = e.weights_of(*(key for key in e.weights if key in present), d_q=(lab["d_q"], d_q))
    out = (*q[:-1], v[-1])
    # the weighted values are a matmul; dot-product scores too (additive ones are element-wise)
    tq, tv = _axes("T_q", q[:-1]), Factor("T_v", k[-2])
    av = C.term(tq, tv, Factor("d_v", v[-1]))
    costs = C.macs(av) if additive else C.macs(C.term(tq, tv, Factor("d_q", q[-1])), av)
    if _scores_wanted(a):
        return Out([out, (*q[:-1], k[-2])], weights, costs=costs)
    return Out(out, weights, costs=costs)
