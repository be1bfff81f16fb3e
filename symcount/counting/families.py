"""The op family a call's layer type runs (``dense`` for Keras's Dense and
torch's Linear): the presets and the options write a rule once per family,
whatever each framework calls its layers."""

from __future__ import annotations

from functools import cache

from .. import dims as D
from . import Call


@cache
def _ops(convention: str) -> dict[str, str]:
    from ..conventions import convention_of

    return {name: row.op for name, row in convention_of(convention).LAYERS.items()}


def family(call: Call) -> str | None:
    """The op the call's layer type runs, or None for a type the tables lack."""
    return _ops(call.convention).get(call.type)


def first_axis(shape):
    """The first axis of a call's (first) input: a sequence's positions."""
    s = shape[0] if isinstance(shape, list) else shape
    return s[0] if s else 1


# Arithmetic on sizes where one may be unknown (None: a sequence of unknown
# length): an unknown part makes the count unknown, never an error or a 0.


def _known(vals) -> bool:
    return all(v is not None for v in vals)


def mul(*vals):
    return D.prod(vals) if _known(vals) else None


def total(vals):
    vals = list(vals)
    return D.total(vals) if _known(vals) else None


def add(a, b):
    return total((a, b))


def sub(a, b):
    return D.sub(a, b) if _known((a, b)) else None


def div(a, b):
    return D.div(a, b) if _known((a, b)) else None


def prod(vals):
    vals = list(vals)
    return D.prod(vals) if _known(vals) else None
