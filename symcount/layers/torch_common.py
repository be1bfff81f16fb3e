"""What the torch rules not yet moved to symcount.ops share: argument errors
at the argument, and the input-size argument (taken from the input when left
out, checked when given)."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError, ShapeError
from .spec import a, need_known


def factory_args():
    """Accepted on every torch module: placement and precision, never counts."""
    return (a("device"), a("dtype"))


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
    given = getattr(p, name)
    if given is None:
        return need_known(actual, f"the input's {what} (to infer {name})")
    if actual is None:
        return given
    same = D.equal(given, actual)
    if same is True:
        return given
    hint = f"leave {name} out to take it from the input" + (f": {layer}" if layer else "")
    if same is False:
        size_error(
            p, name, f"{name}={P.expr(given)} but the input has {P.expr(actual)} {what}", hint
        )
    size_error(
        p,
        name,
        f"{name}={P.expr(given)} but the input has {P.expr(actual)} {what}, and they "
        "are not equal for every value of the symbols",
        hint,
    )
