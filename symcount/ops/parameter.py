"""Bare parameters, and how they meet batched tensors.

A parameter (torch's ``nn.Parameter``, the weight a Keras layer makes with
``add_weight``) is a tensor with weights and no batch axis: ViT's
``cls_token`` (1, 1, 768), ConvNeXt's layer scale (dim,). It meets a batched
tensor as torch's and keras.ops' broadcasting puts it: right-aligned against
the tensor's full shape, the batch included, so a leading axis of 1 is
broadcast over the batch (``x + pos_embed`` with pos_embed (1, 197, 768))
and a shorter shape over the leading axes (``x * gamma``). torch.cat does not
broadcast: a parameter joined to tensors has their number of axes, its first
one 1 (what ``cls_token.expand(B, -1, -1)`` makes of it, implied here).

Also Keras's LayerScale (keras.applications' ConvNeXt): ``x * gamma``.
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .base import Args, Entry, op
from .spec import Out, W, fail


class ParameterShape(tuple):
    """A parameter as a tensor. The tuple is how it meets a batch, as every
    shape here leaves the batch out: its leading 1 is the batch's axis
    ((1, 1, 768) is (1, 768)); a shape without one is broadcast over the
    batch as it is ((768,)). ``full`` is its own shape."""

    full: tuple

    def __new__(cls, full):
        full = tuple(full)
        view = full[1:] if full and D.is_num(full[0]) and full[0] == 1 else full
        obj = super().__new__(cls, view)
        obj.full = full
        return obj

    def __reduce__(self):
        return (ParameterShape, (self.full,))


# The ops that take a parameter as an input: the merges. Any other layer
# takes batched tensors only (see :func:`check_inputs`).
TAKES_PARAMETERS = frozenset({"elementwise", "concat"})


def is_parameter(shape) -> bool:
    return isinstance(shape, ParameterShape)


def check_inputs(rule, shapes) -> str | None:
    """Why a layer cannot take these inputs (a parameter where a batched
    tensor is needed), or None."""
    if not any(isinstance(s, ParameterShape) for s in shapes):
        return None
    entry = getattr(rule.fn, "entry", None)
    if entry is not None and entry.layer.op in TAKES_PARAMETERS:
        return None
    return (
        f"{rule.name} takes batched tensors, and a Parameter has no batch axis: combine it "
        "with a tensor first, through a merge (Add, Multiply, Concatenate, ...)"
    )


@op("parameter", inputs=(0, 0))
def parameter(x, a: Args, e: Entry) -> Out:
    """A learnable tensor of the given shape, named by the layer (cls_token);
    no input. It meets a batch by broadcasting (see Add, Multiply, Concatenate)."""
    shape = a.shape if isinstance(a.shape, tuple) else (a.shape,)
    spec = getattr(a.ctx, "spec", None)
    name = spec.name if spec is not None else "weight"
    axes = [(f"d_{i + 1}", d) for i, d in enumerate(shape)]
    trainable = getattr(a, "requires_grad", True)
    notes = [] if len(shape) else ["a scalar: one value"]
    what = "" if trainable else "frozen: requires_grad=false"
    weight = W(name, *axes, trainable=trainable, what=what)
    return Out(ParameterShape(shape), [weight], notes=notes)


# broadcasting ---------------------------------------------------------------------

BATCH = type("Batch", (), {"__repr__": lambda self: "B"})()  # the batch axis, in a full shape


def full(shape) -> tuple:
    """A tensor's shape with its batch axis in front; a parameter's own shape."""
    return shape.full if isinstance(shape, ParameterShape) else (BATCH, *shape)


def _text(shape, e: Entry) -> str:
    batch = "None" if e.convention.name == "keras" else "B"
    items = [batch if d is BATCH else P.expr(d) for d in shape]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def broadcast(shapes, e: Entry):
    """The shape of an elementwise operation on ``shapes``, some of them
    parameters, broadcast right-aligned with the batch axis included; a
    parameter again when none is batched."""
    batched = [s for s in shapes if not isinstance(s, ParameterShape)]
    if len({len(s) for s in batched}) > 1:
        fail(f"inputs have different ranks: {', '.join(P.shape(s) for s in batched)}")
    fulls = [full(s) for s in shapes]
    n = max(len(f) for f in fulls)
    out = [1] * n
    for k, f in enumerate(fulls):
        for j, d in enumerate(f):
            i = n - len(f) + j
            out[i] = _meet(out[i], d, i, fulls[: k + 1], e)
    if not batched:
        return ParameterShape(out)
    if out[0] is not BATCH:
        fail(
            e.message(
                "parameter_rank",
                shapes=" and ".join(_text(f, e) for f in fulls),
                n=n,
                rank=len(batched[0]) + 1,
            )
        )
    return tuple(out[1:])


def _meet(x, y, i: int, fulls, e: Entry):
    """One axis of a broadcast: equal lengths, or 1 against anything."""
    if D.is_num(y) and y == 1:
        return x
    if D.is_num(x) and x == 1:
        return y
    if x is BATCH or y is BATCH:
        if x is y:
            return x
        fail(e.message("parameter_batch", d=P.expr(y if x is BATCH else x), i=i))
    if x is None or y is None:
        return None
    if D.equal(x, y) is False:
        shapes = " and ".join(_text(f, e) for f in fulls)
        fail(e.message("broadcast", a=P.expr(x), b=P.expr(y), i=i, shapes=shapes))
    return x


def expanded(shapes, e: Entry) -> list:
    """Concatenation's inputs with each parameter expanded over the batch: it
    must have the tensors' number of axes (the batch's included), the first 1."""
    batched = [s for s in shapes if not isinstance(s, ParameterShape)]
    if not batched:
        fail(f"{e.name} joins a Parameter to batched tensors; here every input is a Parameter")
    rank = len(batched[0]) + 1
    out = []
    for s in shapes:
        if isinstance(s, ParameterShape):
            f = s.full
            if len(f) != rank or not (D.is_num(f[0]) and f[0] == 1):
                fail(e.message("parameter_join", shape=_text(f, e), rank=rank))
            s = tuple(f[1:])
        out.append(s)
    return out


# --- LayerScale (keras.applications.convnext) ----------------------------------------


@op("layer_scale")
def layer_scale(x, a: Args, e: Entry) -> Out:
    """x * gamma: one learned scale per entry of the last axis (projection_dim)."""
    shape = broadcast([tuple(x), ParameterShape((a.dim,))], e)
    return Out(shape, e.weights_of("gamma", dim=a.dim))


# Each convention's messages for the above (merged into its MESSAGES).
KERAS_MESSAGES = {
    "broadcast": "Cannot broadcast shape, the failure dim has value {a}, which cannot be "
    "broadcasted to {b}. Input shapes are: {shapes}",
    "parameter_batch": "a Parameter's axis of length {d} meets the batch axis; it must be 1 "
    "there, to be broadcast over the batch",
    "parameter_rank": "{shapes}: a Parameter with more axes than the batched tensor ({rank}, "
    "the batch included) would put axes before the batch",
    "parameter_join": "a Parameter joined to batched tensors must have their {rank} axes (the "
    "batch's included), the first of length 1 (broadcast over the batch, as "
    "ops.broadcast_to does); got {shape}",
}
TORCH_MESSAGES = {
    **KERAS_MESSAGES,
    "broadcast": "The size of tensor a ({a}) must match the size of tensor b ({b}) at "
    "non-singleton dimension {i} (shapes {shapes})",
    "parameter_join": "torch.cat does not broadcast: a Parameter joined to batched tensors "
    "must have their {rank} axes (the batch's included), the first of length 1 (expanded "
    "over the batch, as cls_token.expand(B, -1, -1)); got {shape}",
}
