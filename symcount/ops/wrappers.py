"""Wrappers: Bidirectional and TimeDistributed run an inner layer (through
the evaluator's context, ``a.ctx.run``), and are counted from its result."""

from __future__ import annotations

import dataclasses

from .. import dims as D
from . import costs as C
from . import shapes as S
from .base import Args, Entry, need_rank, op
from .spec import Copies, Out, bad_arg, fail

RNN_TYPES = ("SimpleRNN", "LSTM", "GRU", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")


@op("bidirectional")
def bidirectional(shape, p: Args, e: Entry) -> Out:
    """Two copies of an RNN, one reading forward and one backward; outputs merged."""
    inner, ctx = p.layer, p.ctx
    back = p.backward_layer or inner
    for layer in (inner, back):
        if layer.type_name not in RNN_TYPES:
            kinds = ", ".join(RNN_TYPES)
            bad_arg(f"{e.name} wraps a recurrent layer ({kinds}), not {layer.type_name}")
    fwd_spec = dataclasses.replace(inner, name=f"forward_{inner.name}")
    bwd_spec = dataclasses.replace(
        back, name=f"backward_{back.name if p.backward_layer else inner.name}"
    )
    fwd = ctx.run(fwd_spec, shape)
    bwd = ctx.run(bwd_spec, shape)
    if isinstance(fwd.shape, list) or isinstance(bwd.shape, list):
        bad_arg("Bidirectional of a layer with return_state=true is not supported")
    steps: list = []
    if p.merge_mode is None:
        out_shape = [fwd.shape, bwd.shape]
    elif p.merge_mode == "concat":
        last = fwd.shape[-1]
        out_shape = (*fwd.shape[:-1], D.add(last, bwd.shape[-1]))
        steps = [S.concat(last, bwd.shape[-1], out_shape[-1], "(forward and backward joined)")]
        if len(out_shape) > 1:
            note = "(the time axis unchanged: each step gets both directions' outputs)"
            steps.append(S.unchanged("time steps", out_shape[0], note))
    else:
        if D.equal(fwd.shape[-1], bwd.shape[-1]) is False:
            fail(f"merge_mode={p.merge_mode} needs equal forward and backward sizes")
        out_shape = fwd.shape
        how = f"(merge_mode={p.merge_mode}: the two directions combined entry by entry)"
        steps = [S.unchanged("features", out_shape[-1], how)]
    weights = [w.renamed(f"{fwd_spec.name}/") for w in fwd.weights]
    weights += [w.renamed(f"{bwd_spec.name}/") for w in bwd.weights]
    # two copies of one formula, unless the backward layer is another
    formula = Copies(tuple(fwd.weights), 2) if p.backward_layer is None else None
    return Out(
        out_shape,
        weights,
        formula=formula,
        notes=["two copies of the layer: forward and backward"],
        children=[(fwd_spec, fwd), (bwd_spec, bwd)],
        costs=C.joined(fwd.costs, bwd.costs),
        steps=steps,
    )


@op("time_distributed")
def time_distributed(shape, p: Args, e: Entry) -> Out:
    """Applies one layer (one set of weights) to every time step."""
    if len(shape) < 2:
        need_rank(e, shape, (2,))
    inner = p.layer
    least = inner.rule.inputs[0]
    if least > 1:  # a merge: each step would need several tensors, and gets one
        bad_arg(
            f"{e.name} applies a layer to the steps of one tensor; {inner.type_name} "
            f"merges {least} or more tensors"
        )
    step = tuple(shape[1:])
    out = p.ctx.run(inner, [step] if inner.rule.inputs[1] > 1 else step)  # as the evaluator does
    if isinstance(out.shape, list):
        bad_arg("TimeDistributed of a layer with several outputs is not supported")
    return Out(
        (shape[0], *out.shape),
        out.weights,
        formula=out.formula,
        notes=out.notes,
        children=[(inner, out)],
        costs=C.scaled(shape[0], out.costs, "T"),  # one step's compute, on every step
    )
