"""What the torch rule families share: channels-first shapes, the input-size
check, and torch's own output-length arithmetic (ATen's formulas).

Shapes never include the batch axis. torch counts axes with the batch as 0
(``Flatten(start_dim=1)``, ``Softmax(dim=1)``); :func:`batch_axis` turns such
an index into one of the shape without the batch.
"""

from __future__ import annotations

import math

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError, ShapeError
from .spec import a, fail, need_known

KERNEL_LABELS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}
SPATIAL = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


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


def need_batched(shape, rank: int, layer: str, form: str | None = None):
    """The input's rank (batch excluded) must be ``rank``."""
    if len(shape) != rank:
        form = form or SPATIAL.get(rank - 1, "")
        got = P.shape(shape, batch=False)
        fail(
            f"{layer} expects an input of shape {form} (the batch axis not counted); got {got}"
            if form
            else f"{layer} expects an input of rank {rank} (batch excluded); got {got}"
        )


def batch_axis(dim: int, shape, p, name: str, *, layer: str) -> int:
    """torch's ``dim`` (batch = 0, negatives from the end) as an index into
    ``shape``; the batch axis itself is refused: shapes here exclude it."""
    full = len(shape) + 1
    if not -full <= dim < full:
        arg_error(
            p,
            name,
            f"{name}={dim} is out of range for an input of {full} axes "
            f"(batch included: {-full} to {full - 1})",
        )
    idx = dim + full if dim < 0 else dim
    if idx == 0:
        arg_error(
            p,
            name,
            f"{layer}: {name}={dim} is the batch axis; symcount's shapes leave the batch out, "
            "so a layer may not change it",
        )
    return idx - 1


def positive(values, layer: str, *, zero_ok: bool = False):
    for d in values:
        if d is None:
            continue
        bad = D.is_num(d) and (d < 0 if zero_ok else d < 1)
        if bad or (not zero_ok and D.known_nonpositive(d)):
            fail(
                f"{layer} would produce an axis of length {P.expr(d)}; "
                + ("lengths may not be negative" if zero_ok else "every length must be positive")
            )
    return values


def conv_length(length, kernel, stride, pad_total, dilation, *, what="input"):
    """``floor((L + pads - dilation*(k - 1) - 1) / stride) + 1`` (torch's Conv)."""
    if length is None:
        return None
    span = D.add(D.mul(dilation, D.sub(kernel, 1)), 1)
    padded = D.add(length, pad_total)
    if D.is_num(padded) and D.is_num(span) and span > padded:
        fail(
            f"the kernel spans {span} positions (dilation included) but the padded {what} "
            f"has only {padded}"
        )
    return D.add(D.floordiv(D.sub(padded, span), stride), 1)


def pool_length(length, kernel, stride, pad, dilation, ceil_mode: bool):
    """ATen's pooling_output_shape: floor (or ceil) of the conv formula, and with
    ceil_mode the last window must start inside the input or the left padding."""
    if length is None:
        return None
    span = D.add(D.mul(dilation, D.sub(kernel, 1)), 1)
    top = D.sub(D.add(length, D.mul(2, pad)), span)
    if ceil_mode:
        out = D.add(D.ceildiv(top, stride), 1)
        if D.is_num(out) and D.is_num(length):
            if (out - 1) * stride >= length + pad:
                out -= 1
        elif not (D.is_num(pad) and pad == 0 and D.is_num(stride) and stride == 1):
            last_start = D.mul(D.sub(out, 1), stride)
            out = D.sub(out, _ge(last_start, D.add(length, pad)))
    else:
        out = D.add(D.floordiv(top, stride), 1)
    return out


def _ge(x, y):
    """1 when x >= y else 0, exactly (SymPy Piecewise for symbols)."""
    sp = D.sp()
    return sp.Piecewise((1, sp.Ge(D.to_sympy(x), D.to_sympy(y))), (0, True))


def scaled(length, factor):
    """``floor(L * scale_factor)`` as torch computes it (in double precision
    for numbers, exactly for symbols)."""
    if length is None:
        return None
    if D.is_num(length) and D.is_num(factor):
        return math.floor(float(length) * float(factor))
    return D.floor(D.mul(length, factor))
