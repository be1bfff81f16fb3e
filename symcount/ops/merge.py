"""Merges: several tensors in, one out (elementwise, concatenation, dot). No weights."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from . import costs as C
from . import parameter
from .base import Args, Entry, batch_axis, op, resolve_axis
from .spec import Out, bad_arg, fail

MANY = (2, 99)


def _show(shapes) -> str:
    return ", ".join(P.shape(s) for s in shapes)


def _same_rank(shapes):
    if len({len(s) for s in shapes}) > 1:
        fail(f"inputs have different ranks: {_show(shapes)}")


@op("elementwise", inputs=MANY)
def elementwise(shapes, a: Args, e: Entry) -> Out:
    """Keras's elementwise merge shape: equal axes, or 1 against anything."""
    if any(parameter.is_parameter(s) for s in shapes):  # broadcast, the batch axis included
        return Out(parameter.broadcast(shapes, e))
    _same_rank(shapes)
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, (x, y) in enumerate(zip(out, s, strict=True)):
            if x is None or y is None:
                out[i] = None
            elif D.is_num(x) and x == 1:
                out[i] = y
            elif D.is_num(y) and y == 1:
                continue
            elif D.equal(x, y) is False:
                fail(f"inputs must have the same shape: {_show(shapes)} differ on axis {i + 1}")
    return Out(tuple(out))


@op("concat", inputs=MANY)
def concat(shapes, a: Args, e: Entry) -> Out:
    """Joins its inputs along one axis (batch counted as 0); the other axes must
    agree. Unknown (None) lengths stay unknown when joined."""
    if any(parameter.is_parameter(s) for s in shapes):  # each expanded over the batch
        shapes = parameter.expanded(shapes, e)
    _same_rank(shapes)
    if e.flag("arg_spans") is False:  # Keras: a bad axis is a shape error at the layer
        idx = resolve_axis(a.axis, len(shapes[0]), e.name)
    else:
        idx = batch_axis(e, a, "axis", shapes[0])
    along = f"{e.arg_names['axis']} {a.axis}"
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, (x, y) in enumerate(zip(out, s, strict=True)):
            if i == idx:
                out[i] = None if x is None or y is None else D.add(x, y)
            elif x is None:
                out[i] = y
            elif y is not None and D.equal(x, y) is False:
                fail(
                    f"inputs must agree on every axis but {along}: "
                    f"{_show(shapes)} differ on axis {i + 1}"
                )
    return Out(tuple(out))


@op("dot", inputs=(2, 2))
def dot(shapes, a: Args, e: Entry) -> Out:
    """Dot product of two tensors along axes (batch axis kept). No weights."""
    s1, s2 = (list(s) for s in shapes)
    axes = a.axes if isinstance(a.axes, tuple) else (a.axes, a.axes)
    if len(axes) != 2:
        bad_arg("axes must be an integer or a pair of integers")
    i1 = resolve_axis(axes[0], len(s1), e.name)
    i2 = resolve_axis(axes[1], len(s2), e.name)
    if D.equal(s1[i1], s2[i2]) is False:
        fail(
            f"{e.name}: axis {axes[0]} of the first input ({s1[i1]}) and axis {axes[1]} of the "
            f"second ({s2[i2]}) must have the same length"
        )
    s1_len = s1.pop(i1)
    s2.pop(i2)
    out = s1 + s2
    # every output entry is a dot product along the contracted axis
    return Out(tuple(out) if out else (1,), costs=C.macs(C.term(out, s1_len)))
