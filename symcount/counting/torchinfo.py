"""torchinfo 1.8.0's "Mult-Adds" (``summary(...).total_mult_adds``), per call.

torchinfo does not trace operations: a forward hook on every module reads the
module's own parameters and its output's size (``LayerInfo.calculate_macs``)
and the total sums the leaf modules (those with no child module) that ran.
For each parameter of a leaf, by its name in the module:

- ``weight`` or ``bias`` of a module whose class name contains "Conv":
  its entries x the output's batch and spatial positions (channels left out);
- ``weight`` or ``bias`` of any other module: its entries x the output's
  first axis (the batch) — a Linear on a sequence counts once, not per token
  (torchinfo #77), a norm counts its affine parameters, an Embedding its table;
- another name holding "weight" or "bias" (a recurrent layer's
  ``weight_ih_l0``): its entries x the output's first two axes (batch and
  steps; a cell's batch and hidden size);
- anything else (a buffer, ``bias_k``): nothing.

Work without parameters (attention's matmuls, pooling, activations) is never
counted. MultiheadAttention is not a leaf (it holds ``out_proj``) and calls
its out_proj's weight directly, so no hook sees it: 0, in the transformer
layers too, where only the feed-forward Linears and the LayerNorms count.

The rules read a call's sizes only (per sample; the batch multiplies later),
so they hold for symbolic sizes. A torch layer whose first output axis is
the sequence (``batch_first=False``) has torchinfo take the sequence for the
batch: at batch 1 the count is torchinfo's, at batch B torchinfo's does not
grow with B while symcount's does (docs/compute.md says so).
"""

from __future__ import annotations

from ..ops.costs import term, total
from . import Call, Counting, costs, register

# a module whose parameters are a MultiheadAttention's: never seen by a hook
_ATTENTION = ("self_attn", "multihead_attn")
_STACKS = {"TransformerEncoder": "encoder_layer", "TransformerDecoder": "decoder_layer"}
_CONTAINERS = {"TransformerEncoderLayer", "TransformerDecoderLayer", "Transformer", *_STACKS}


def _first(shape):
    """The first of several outputs (torchinfo sizes a tuple by its first tensor)."""
    return shape[0] if isinstance(shape, list) else shape


def _leaf_positions(call: Call, pname: str):
    """Per-sample positions a top-level leaf's parameter ``pname`` is counted at."""
    out = _first(call.output)
    if pname in ("weight", "bias"):
        return tuple(out[1:]) if "Conv" in call.type else ()
    if "weight" in pname or "bias" in pname:
        return tuple(out[:1])  # with the batch: the output's first two axes
    return None


def _batch_first(call: Call) -> bool:
    inner = _STACKS.get(call.type)
    args = getattr(call.args, inner).ns if inner else call.args
    return bool(getattr(args, "batch_first", False))


def _stream_length(call: Call, owner: str):
    """The sequence length of the stream a transformer's leaf reads: the
    encoder's (its source) or the decoder's (the target)."""
    inputs = call.inputs if isinstance(call.inputs, list) else [call.inputs]
    if call.type == "Transformer" and owner.startswith("encoder."):
        return inputs[0][0]
    return _first(call.output)[0]


def _container_positions(call: Call, owner: str):
    """A transformer's Linear or LayerNorm inside: the output's first axis,
    the batch, or the sequence when it is first (batch_first=False)."""
    if any(part in _ATTENTION for part in owner.split(".")):
        return None
    return () if _batch_first(call) else (_stream_length(call, owner),)


def _tied(call: Call) -> dict:
    """A head tied to an Embedding is an nn.Linear whose weight is the table:
    its own parameter to torchinfo, counted once a sample (symcount counts the
    table's entries where the Embedding is)."""
    table = call.args.embedding.ns
    t = term(table.num_embeddings, table.embedding_dim)
    return costs(macs=t.value, terms=[t.factors])


def mult_adds(call: Call) -> dict:
    """torchinfo's Mult-Adds of one call of a torch layer."""
    if call.type == "MultiheadAttention":
        return costs(macs=0)
    if call.type == "TiedLinear":
        return _tied(call)
    terms = []
    for w in call.weights:
        if w.state:  # a buffer: not in named_parameters()
            continue
        owner, _, pname = w.name.rpartition(".")
        if call.type in _CONTAINERS:
            positions = _container_positions(call, owner) if owner else None
        else:
            positions = _leaf_positions(call, pname)
        if positions is not None:
            terms.append(term(*w.shape, *positions))
    if not terms:
        return costs(macs=0)
    return costs(macs=total(*terms), terms=[t.factors for t in terms])


TORCHINFO = register(
    Counting(
        "torchinfo",
        "torchinfo 1.8.0 mult-adds: each leaf module's parameters x its output's batch "
        "(and spatial positions for convs, steps for RNNs); no attention matmuls",
        reproduces="torchinfo 1.8.0 summary(model, input_size=...).total_mult_adds "
        "(MNIST CNN 7,317,578)",
        fallback=mult_adds,
        conventions=("torch",),
    )
)

__all__ = ["TORCHINFO", "mult_adds"]
