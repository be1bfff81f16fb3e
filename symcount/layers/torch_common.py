"""What the torch rules not yet moved to symcount.ops share: argument errors
at the argument, and the input-size argument (taken from the input when left
out, checked when given)."""

from __future__ import annotations

from ..conventions.torch import factory_args  # noqa: F401
from ..errors import ArgumentError, ShapeError
from ..ops.base import inferred


def span_of(p, name: str):
    return getattr(p, "_spans", {}).get(name)


def size_error(p, name: str, message: str, hint: str | None = None):
    raise ShapeError(message, span_of(p, name), hint=hint)


def arg_error(p, name: str, message: str, hint: str | None = None):
    raise ArgumentError(message, span_of(p, name), hint=hint)


def infer(p, name: str, actual, what: str, *, layer: str = ""):
    """The input-size argument ``name``: taken from the input when left out,
    checked against it when given (``in_features=784 but the input has 100
    features``)."""
    return inferred(name, getattr(p, name), actual, what, layer, span_of(p, name))
