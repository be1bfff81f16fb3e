"""Merge layers: several tensors in, one out. No weights."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .common import resolve_axis
from .registry import keras
from .spec import Out, a, bad_arg, fail

MANY = (2, 99)


def _show(shape) -> str:
    return P.shape(shape)


def _broadcast(shapes, layer: str) -> tuple:
    """Keras's elementwise merge shape: equal axes, or 1 against anything."""
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        fail(f"inputs have different ranks: {', '.join(_show(s) for s in shapes)}")
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
                fail(
                    f"inputs must have the same shape: {', '.join(_show(s) for s in shapes)} "
                    f"differ on axis {i + 1}"
                )
    return tuple(out)


def _elementwise(name: str, doc: str, inputs=MANY):
    def rule(shapes, p):
        return Out(_broadcast(shapes, name))

    rule.__doc__ = doc
    keras.rule(name, inputs=inputs)(rule)


_elementwise("Add", "Elementwise sum of its inputs. No weights.")
_elementwise("Subtract", "The first input minus the second. No weights.", inputs=(2, 2))
_elementwise("Multiply", "Elementwise product. No weights.")
_elementwise("Average", "Elementwise mean. No weights.")
_elementwise("Maximum", "Elementwise maximum. No weights.")
_elementwise("Minimum", "Elementwise minimum. No weights.")


@keras.rule("Concatenate", a("axis", "axis", -1), inputs=MANY)
def concatenate(shapes, p):
    """Joins its inputs along axis; the other axes must agree. No weights."""
    return join(shapes, lambda rank: resolve_axis(p.axis, rank, "Concatenate"), f"axis {p.axis}")


def join(shapes, index_of, along: str) -> Out:
    """Concatenation's shape rule, shared by both conventions: ``index_of(rank)``
    finds the joined axis (Keras's ``axis``, torch's ``dim``), named ``along``
    in errors. Unknown (None) lengths stay unknown when joined."""
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        fail(f"inputs have different ranks: {', '.join(_show(s) for s in shapes)}")
    idx = index_of(len(shapes[0]))
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
                    f"{', '.join(_show(s) for s in shapes)} differ on axis {i + 1}"
                )
    return Out(tuple(out))


@keras.rule("Dot", a("axes", "axes", -1), a("normalize", "bool", False), inputs=(2, 2))
def dot(shapes, p):
    """Dot product of two tensors along axes (batch axis kept). No weights."""
    s1, s2 = (list(s) for s in shapes)
    axes = p.axes if isinstance(p.axes, tuple) else (p.axes, p.axes)
    if len(axes) != 2:
        bad_arg("axes must be an integer or a pair of integers")
    i1 = resolve_axis(axes[0], len(s1), "Dot")
    i2 = resolve_axis(axes[1], len(s2), "Dot")
    if D.equal(s1[i1], s2[i2]) is False:
        fail(
            f"Dot: axis {axes[0]} of the first input ({s1[i1]}) and axis {axes[1]} of the "
            f"second ({s2[i2]}) must have the same length"
        )
    s1.pop(i1)
    s2.pop(i2)
    out = s1 + s2
    return Out(tuple(out) if out else (1,))
