"""Attention as Llama, Mistral and T5 code computes it: the weightless
``torch.nn.functional.scaled_dot_product_attention`` applied to separate
q, k and v projections, and Hugging Face's rotary position embedding.

symcount's tensors are the projections as the Linear layers give them,
``(T, H*D)``: the code's ``.view(T, H, D).transpose(1, 2)`` into heads is
left implicit, so the attention op is told the head counts (num_heads and,
for grouped-query attention, num_key_value_heads) and splits the feature axis
itself. torch's rules are checked on the heads: the query's and key's head
widths equal, the key's and value's lengths equal; fewer key/value heads
need enable_gqa and must divide num_heads, else the head axes broadcast as
batch axes do (equal, or one of them 1); an attn_mask broadcasts to
(H, L, S). The output is what the code reshapes back, ``(T_q, H*D_v)``.

TiedLinear is the head whose weight is an Embedding's (tie_word_embeddings).
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from . import costs as C
from .base import Args, Entry, op
from .spec import Factor, Out, fail


def _heads(width, heads, what: str, key: str, a: Args, e: Entry):
    """A tensor's head width: its feature axis split into ``heads`` heads."""
    if width is None:
        fail(f"the {what}'s feature axis must be known to split it into heads")
    if D.is_num(width) and D.is_num(heads) and width % heads:
        name = e.arg_names.get(key, key)
        e.arg_error(a, key, f"the {what} has {width} features, not divisible by {name}={heads}")
    return D.div(width, heads)


def _seq(s, what: str):
    if len(s) != 2:
        fail(
            f"the {what} must be (L, num_heads*head_dim), the projection before .view into "
            f"heads; got {P.shape(s)}"
        )
    return s


def _mask(m, shape3, a: Args):
    """torch broadcasts attn_mask to (N, H, L, S); without the batch, (H, L, S)."""
    if a.causal:
        fail("an explicit attn_mask should not be set when is_causal=true (torch refuses both)")
    want = "(num_heads or 1, L or 1, S or 1) after the batch axis, as torch broadcasts it to "
    want += "(N, H, L, S)"
    if len(m) != 3:
        fail(f"the attn_mask must be {want}; got {P.shape(m)}")
    for got, need, what in zip(m, shape3, ("num_heads", "L", "S"), strict=True):
        if got is None or need is None:
            continue
        if D.equal(got, 1) is not True and D.equal(got, need) is False:
            fail(
                f"the attn_mask {P.shape(m)} does not broadcast to (num_heads, L, S) = "
                f"{P.shape(shape3)}: its {what} axis is {P.expr(got)}, not 1 or {P.expr(need)}"
            )


def _out_heads(h, hkv, a: Args, e: Entry):
    """The output's heads. With enable_gqa the key/value heads must divide the
    query heads (each serves a group); without it, torch broadcasts the head
    axes as it does batch axes: equal, or one of them 1."""
    if D.equal(hkv, h) is True:
        return h
    if a.gqa:
        if D.is_num(h) and D.is_num(hkv) and h % hkv:
            e.arg_error(
                a,
                "kv_heads",
                f"num_heads ({h}) must be divisible by num_key_value_heads ({hkv}): "
                "torch's grouped-query attention gives each key/value head a group of query heads",
            )
        return h
    if D.is_num(hkv) and hkv == 1:
        return h  # one key/value head for every query head (multi-query attention)
    if D.is_num(h) and h == 1:
        return hkv
    e.arg_error(
        a,
        "kv_heads",
        f"num_key_value_heads={P.expr(hkv)} and num_heads={P.expr(h)}: without enable_gqa, "
        "torch's function needs as many key/value heads as query heads (or one of them 1)",
        hint="add enable_gqa=true for grouped-query attention (or repeat the keys and values "
        "to num_heads, as Hugging Face's repeat_kv does)",
    )


@op("sdpa", inputs=(3, 4))
def sdpa(shapes, a: Args, e: Entry) -> Out:
    """softmax(q k^T * scale + mask) v on each head: no weights, output (L, H*D_v)."""
    q, k, v = (_seq(s, w) for s, w in zip(shapes, ("query", "key", "value"), strict=False))
    h = a.heads
    hkv = a.kv_heads if a.kv_heads is not None else h
    out_heads = _out_heads(h, hkv, a, e)
    d = _heads(q[1], h, "query", "heads", a, e)
    dk = _heads(k[1], hkv, "key", "kv_heads" if a.kv_heads is not None else "heads", a, e)
    dv = _heads(v[1], hkv, "value", "kv_heads" if a.kv_heads is not None else "heads", a, e)
    if D.equal(d, dk) is False:
        fail(
            f"the query's heads are {P.expr(d)} wide but the key's are {P.expr(dk)} "
            f"(query {P.shape(q)} in {P.expr(h)} heads, key {P.shape(k)} in {P.expr(hkv)})"
        )
    if k[0] is not None and v[0] is not None and D.equal(k[0], v[0]) is False:
        fail(
            f"the key and the value must have the same length; got {P.expr(k[0])} and "
            f"{P.expr(v[0])}"
        )
    if len(shapes) > 3:
        _mask(shapes[3], (out_heads, q[0], k[0]), a)
    gqa = D.equal(hkv, h) is not True
    notes = [
        f"{P.expr(h)} query heads of {P.expr(d)}"
        + (f", {P.expr(hkv)} key/value heads (grouped-query attention)" if gqa else "")
        + ("; causal" if a.causal else "")
    ]
    # on each output head: the scores q k^T (L*S*d) and the weighted values (L*S*d_v),
    # at full length (a causal mask halves the work a kernel may do, not this count)
    hl, lq, sk = Factor("heads", out_heads), Factor("L", q[0]), Factor("S", k[0])
    costs = C.macs(C.term(hl, lq, sk, Factor("E", d)), C.term(hl, lq, sk, Factor("E_v", dv)))
    return Out((q[0], D.mul(out_heads, dv)), [], notes=notes, costs=costs)


@op("rotary")
def rotary(x, a: Args, e: Entry) -> Out:
    """Rotates each head's pairs of features by the position: same shape; the
    inverse frequencies (head_dim/2 of them, and a copy) are buffers."""
    dim = a.dim
    if D.is_num(dim) and dim % 2:
        e.arg_error(a, "dim", f"head_dim must be even (the features rotate in pairs); got {dim}")
    if not x:
        fail(f"{e.name} needs a feature axis")
    # no check of the width against head_dim: Hugging Face's module reads only the
    # positions (model.rotary_emb(hidden_states, position_ids) on the embeddings),
    # and the queries' and keys' split into heads is the attention's
    half = D.floordiv(dim, 2) if D.is_num(dim) else D.div(dim, 2)
    note = "inv_freq and original_inv_freq are buffers (the rotation frequencies, as Hugging "
    note += "Face keeps them), not parameters"
    return Out(
        tuple(x),
        e.weights_of(*e.weights, state=True, what="rotary frequencies", half=half),
        notes=[note],
    )


@op("tied_linear")
def tied_linear(x, a: Args, e: Entry) -> Out:
    """An output projection whose weight is an Embedding's (tied): x @ table^T,
    to (..., num_embeddings). No weights of its own: the table is counted once,
    where the Embedding is."""
    table = a.table
    if table.type_name != "Embedding":
        e.arg_error(a, "table", f"{e.name} ties to an Embedding, not a {table.type_name}")
    evaluator = getattr(a.ctx, "ev", None)  # the model being read (None: a rule's probe)
    if evaluator is not None and evaluator.applied_row(table) is None:
        # its table would be counted nowhere (or, applied later, counted twice)
        e.arg_error(
            a,
            "table",
            f"{e.name} ties to {table.name}, which the model has not applied yet: its table is "
            "counted where the Embedding is applied",
            hint="bind it with let, apply it to the tokens, then tie the head to it: "
            "let shared = Embedding(V, d) ... TiedLinear(shared)",
        )
    vocab, dim = table.ns.num_embeddings, table.ns.embedding_dim
    if not x:
        fail(f"{e.name} needs a feature axis")
    if x[-1] is not None and D.equal(x[-1], dim) is False:
        fail(
            f"the input has {P.expr(x[-1])} features but {table.name}'s rows are "
            f"embedding_dim={P.expr(dim)} wide"
        )
    note = f"weight: {table.name}'s table ({P.expr(vocab)}, {P.expr(dim)}), tied: counted there"
    # the weights count once; the matmul per call
    named = Factor("embedding_dim", dim), Factor("num_embeddings", vocab)
    costs = C.macs(C.term(C.leading(x[:-1]), *named))
    return Out((*x[:-1], vocab), [], notes=[note], costs=costs)
