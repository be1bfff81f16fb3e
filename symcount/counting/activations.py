"""Activation memory: what each call's outputs hold, and the estimates of
what training keeps of them (docs/activations.md).

The evaluator writes, beside each call's compute (``Out.costs``), the
entries of the call's outputs per sample (:data:`OUT`, and :data:`FIRST`,
its first output's), and for a transformer layer the two sizes the
Korthikanti et al. 2022 closed form is linear in (:data:`SH` = s*h,
:data:`AS2` = a*s**2). They are costs like MACs: counted per call on each
call's own shapes, multiplied by ``repeat`` and by ``Model.batched``, and
substituted by ``subs``; the quantities of :mod:`symcount.model.quantities`
turn them into bytes.

Korthikanti et al., "Reducing Activation Recomputation in Large Transformer
Models" (2022), section 4: one transformer layer (self-attention, an MLP of
hidden width 4h, two LayerNorms, dropout after attention and MLP), 16-bit
activations and 1-byte dropout masks, keeps s*b*h*(34 + 5*a*s/h) bytes for
its backward pass: attention 11sbh + 5as^2b, MLP 19sbh, LayerNorms 4sbh.

>>> from fractions import Fraction
>>> korthikanti(2048 * 12288, 96 * 2048**2)  # GPT-3 175B (s 2048, h 12288, a 96), b=1
2868903936
>>> korthikanti(10, 3, tensor_parallel=8) == 10 * (10 + Fraction(24, 8)) + Fraction(5 * 3, 8)
True
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from .. import dims as D

OUT = "out_entries"  # a call's output entries per sample, all its outputs
FIRST = "out_first"  # its first output's (torchinfo sizes a tuple of outputs by the first)
INDICES = "out_int64"  # entries of int64 outputs (a max pooling's return_indices)
KEPT = "torchinfo_kept"  # the entries torchinfo's training rule sizes a call by: see kept()
SH = "korthikanti_sh"  # s*h of a transformer layer call
AS2 = "korthikanti_as2"  # a*s**2 of a transformer layer call
BYTES = "korthikanti_bytes"  # the paper's bytes for that call, under the parallelism chosen
NOT_LAYER = "korthikanti_refused"  # 1 for an attention call that is not a transformer layer

# sys.getsizeof(tensor.untyped_storage()) - its nbytes, CPython 3.11 / torch 2.x:
# torchinfo's "Input size" is that getsizeof (tests/test_live_activations.py measures it)
STORAGE_OVERHEAD = 64

RECOGNISED = (
    "a transformer layer is torch's TransformerEncoderLayer with dim_feedforward = "
    "4*d_model, or a self-attention call (query, key and value of the same shape (s, h)) of "
    "Keras's MultiHeadAttention with num_heads*key_dim = h or of torch's MultiheadAttention, "
    "in a block (or the model) that holds two LayerNorms and a Dense or Linear of width 4h "
    "and no other attention call"
)


def numel(shape):
    """Entries of a per-sample shape; None if an axis is not known."""
    if any(d is None for d in shape):
        return None
    return D.prod(shape)


def output_entries(shape) -> tuple:
    """(all outputs' entries, the first output's) of an op's output shape."""
    if isinstance(shape, list):
        each = [numel(s) for s in shape]
        if not each:
            return 0, 0
        return (None if None in each else D.total(each)), each[0]
    n = numel(shape)
    return n, n


def with_outputs(costs: dict, out, type_: str, args, inputs) -> dict:
    """``costs`` with the call's output entries, and its transformer-layer
    sizes when it is one (see :data:`RECOGNISED`)."""
    shape = out.shape
    indices = getattr(args, "return_indices", False) is True and isinstance(shape, list)
    n, first = output_entries(shape[:-1] if indices else shape)
    extra = {OUT: n, FIRST: first, KEPT: kept(type_, args, inputs, first)}
    if indices:  # torch's indices are int64 whatever the model's dtype
        extra[INDICES] = numel(shape[-1])
    layer = transformer_layer(type_, args, inputs)
    if layer is not None:
        if layer is False:
            extra[NOT_LAYER] = 1
        else:
            s, h, a = layer
            extra[SH], extra[AS2] = _mul(s, h), _mul(a, s, s)
            known = extra[SH] is not None and extra[AS2] is not None
            extra[BYTES] = korthikanti(extra[SH], extra[AS2]) if known else None
    return {**costs, **extra}


def kept(type_: str, args, inputs, first):
    """The output entries torchinfo 1.8.0 counts for a call: those of the leaf
    modules (no submodules) it runs, the layer's own output when it is one. A
    torch layer that is a container has them inside: TransformerEncoderLayer's
    two Linears and two LayerNorms (s*(f + 3d), f its dim_feedforward),
    TransformerDecoderLayer's with a third LayerNorm (s*(f + 4d)), the stacks'
    layers and final norm; MultiheadAttention holds out_proj, which its forward
    never calls, so it is no leaf and no leaf of it runs: 0."""
    shapes = inputs if isinstance(inputs, list) else [inputs]
    if type_ == "MultiheadAttention":
        return 0
    if type_ in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        return _layer_kept(type_, args, shapes[0])
    if type_ in ("TransformerEncoder", "TransformerDecoder"):
        inner = args.encoder_layer if type_ == "TransformerEncoder" else args.decoder_layer
        each = _layer_kept(inner.type_name, inner.ns, shapes[0])
        return _sum(_mul(args.num_layers, each), _norm_kept(args.norm, shapes[0]))
    if type_ == "Transformer":
        src, tgt = shapes[0], shapes[-1]
        return _sum(
            _mul(args.num_encoder_layers, _layer_kept("TransformerEncoderLayer", args, src)),
            _numel_or_none(src),
            _mul(args.num_decoder_layers, _layer_kept("TransformerDecoderLayer", args, tgt)),
            _numel_or_none(tgt),
        )
    return first


def _layer_kept(type_: str, args, x):
    norms = 3 if type_ == "TransformerEncoderLayer" else 4
    if len(x) != 2:
        return None
    d = x[-1] if args.d_model is None else args.d_model  # d_model left out: the input's width
    return _mul(x[0], _sum(args.dim_feedforward, _mul(norms, d)))


def _norm_kept(norm, x):
    """A stack's final norm: its output, if it has parameters."""
    if norm is None or getattr(norm.ns, "elementwise_affine", True) is False:
        return 0
    return _numel_or_none(x)


def _numel_or_none(x):
    return numel(x) if len(x) == 2 else None


def _mul(*xs):
    if any(x is None for x in xs):
        return None
    out = 1
    for x in xs:
        out = D.mul(out, x)
    return out


def _sum(*xs):
    return None if any(x is None for x in xs) else D.total(list(xs))


def _same(a, b) -> bool:
    return a is not None and b is not None and D.sub(a, b) == 0


def transformer_layer(type_: str, args, inputs):
    """(s, h, a) of a transformer layer call; False for an attention call
    that is not one (cross-attention, a feed-forward width other than 4h);
    None for any other layer."""
    if type_ in ("TransformerDecoderLayer", "TransformerDecoder", "Transformer"):
        return False
    shapes = inputs if isinstance(inputs, list) else [inputs]
    if type_ == "TransformerEncoderLayer":
        x = shapes[0]
        h, a = x[-1] if args.d_model is None else args.d_model, args.nhead
        if len(x) != 2 or not _same(x[-1], h) or not _same(args.dim_feedforward, _mul(4, h)):
            return False
        return x[0], h, a
    if type_ in ("MultiHeadAttention", "MultiheadAttention"):
        x = shapes[0]
        if len(x) != 2 or any(tuple(map(str, s)) != tuple(map(str, x)) for s in shapes):
            return False  # cross-attention, or attention over several axes
        keras = type_ == "MultiHeadAttention"
        width = _mul(args.num_heads, args.key_dim) if keras else args.embed_dim
        if not _same(width, x[-1]):
            return False
        return x[0], x[-1], args.num_heads
    return None


def korthikanti(sh, as2, tensor_parallel=1, sequence_parallel=False, selective=False):
    """Bytes one transformer layer keeps, from s*h and a*s**2 (times the batch):
    sbh(34 + 5as/h) with no parallelism; sbh(10 + 24/t + 5as/(ht)) with tensor
    parallelism t; sbh(34/t + 5as/(ht)) with sequence parallelism too; and
    with selective recomputation (the 5as^2b attention terms recomputed)
    sbh(10 + 24/t), or sbh*34/t with sequence parallelism."""
    t = tensor_parallel
    attention = 0 if selective else D.div(D.mul(5, as2), t)
    if sequence_parallel:
        return D.add(D.div(D.mul(34, sh), t), attention)
    return D.total([D.mul(10, sh), D.div(D.mul(24, sh), t), attention])


# a model's activations under a choice of parallelism, and torchinfo's totals ---------


def parallel(model, tensor_parallel=1, sequence_parallel=False, selective=False):
    """``model`` (a :class:`symcount.model.Model`) with its transformer layers'
    bytes (``korthikanti_bytes``) counted under tensor parallelism of
    ``tensor_parallel`` devices (an int or a symbol's name), sequence
    parallelism, selective recomputation. The other counts do not change."""
    t = D.symbol(tensor_parallel) if isinstance(tensor_parallel, str) else tensor_parallel

    def costs(c):
        if SH not in c:
            return c
        return {**c, BYTES: korthikanti(c[SH], c[AS2], t, sequence_parallel, selective)}

    def row(r):
        return replace(
            r,
            children=[row(c) for c in r.children],
            call_costs=tuple(costs(c) for c in r.call_costs),
            _counts=None,
        )

    symbols = list(model.symbols)
    if D.is_symbolic(t):
        symbols += [s.name for s in t.free_symbols if s.name not in symbols]
    return replace(model, rows=[row(r) for r in model.rows], symbols=symbols, _totals=None)


NORMS = ("LayerNormalization", "LayerNorm")
MATMULS = ("Dense", "Linear", "EinsumDense")


def not_transformer_layers(model) -> list[tuple]:
    """(row, why) for each attention call that is not a transformer layer as
    the paper counts one (see :data:`RECOGNISED`): an attention call the
    evaluator did not recognise, or a self-attention call of a block that
    does not hold the rest of the layer (two LayerNorms and a Dense or
    Linear of width 4h, the innermost block around it that holds such a
    matmul having no other attention call)."""
    refused = []

    def visit(row, around):
        if row.group:
            for c in row.children:
                visit(c, [*around, row])
            return
        if any(NOT_LAYER in c for c in row.call_costs):
            refused.append((row, "not a self-attention of width heads*key_dim, or a decoder"))
        elif row.type in ("MultiHeadAttention", "MultiheadAttention") and any(
            SH in c for c in row.call_costs
        ):
            why = _layer_around(row, around)
            if why:
                refused.append((row, why))

    top = SimpleNamespace(name="the model", group=True, children=model.rows)  # a flat layer
    for r in model.rows:
        visit(r, [top])
    return refused


def _leaves(row):
    if row.group:
        for c in row.children:
            yield from _leaves(c)
    else:
        yield row


def _width(row):
    shape = row.output_shape
    return shape[-1] if isinstance(shape, tuple) and shape else None


def _layer_around(attention, around) -> str | None:
    h = _width(attention)
    for block in reversed(around):
        leaves = list(_leaves(block))
        if not any(r.type in MATMULS and _same(_width(r), _mul(4, h)) for r in leaves):
            continue
        if sum(r.type in ("MultiHeadAttention", "MultiheadAttention") for r in leaves) != 1:
            return f"{block.name} holds more than one attention call"
        if sum(r.type in NORMS for r in leaves) < 2:
            return f"{block.name} holds fewer than two LayerNorms"
        return None
    return "no block around it holds an MLP of width 4h"


def torchinfo_bytes(model) -> dict:
    """torchinfo 1.8.0's four memory figures for ``model``, in bytes: "Input
    size" (each input tensor's storage as sys.getsizeof sees it: its bytes
    and :data:`STORAGE_OVERHEAD`), "Forward/backward pass size" (the
    training_activation_bytes quantity), "Params size" (params by the
    model's dtype) and "Estimated Total Size", their sum. torchinfo's own
    "Params size" leaves out the parameters of a module that has submodules
    of its own (MultiheadAttention's in_proj): symcount counts them."""
    from .dtypes import nbytes

    size = nbytes(model.dtype)
    inputs = [D.mul(model.batch, numel(s)) for s in model.input_shapes]
    got = {
        "input": D.total([D.add(D.mul(size, n), STORAGE_OVERHEAD) for n in inputs]),
        "forward_backward": model.sum("training_activation_bytes"),
        "params": D.mul(size, model.sum("params")),
    }
    got["total"] = D.total(list(got.values()))
    return got


def torchinfo_lines(model) -> list[str]:
    """The lines torchinfo prints for those figures (MB = 10**6 bytes, two
    decimals, as its ``f"{bytes / 1e6:0.2f}"``): numeric models only."""
    b = torchinfo_bytes(model)
    names = {
        "input": "Input size (MB)",
        "forward_backward": "Forward/backward pass size (MB)",
        "params": "Params size (MB)",
        "total": "Estimated Total Size (MB)",
    }
    return [f"{names[k]}: {float(v) / 1e6:0.2f}" for k, v in b.items()]


def memory_json(model) -> dict:
    """The activation keys of the JSON "memory" object: integers for a
    numeric model, formulas as strings for a symbolic one."""
    from .. import printing as P

    keys = ["activation_bytes", "training_activation_bytes"]
    if any(SH in c for _, r in model.walk(expand=True) for c in r.call_costs):
        keys.append("korthikanti_bytes")
    return {k: P.json_value(model.sum(k)) for k in keys}
