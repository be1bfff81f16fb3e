"""Shape arithmetic shared by layer families (Keras 3's own formulas)."""

from __future__ import annotations

from .. import dims as D
from ..conventions.keras import (  # noqa: F401
    CONV_VALUE_ARGS,
    DATA_FORMATS,
    DENSE_VALUE_ARGS,
    data_format_arg,
    value_args,
)
from ..ops.norm import resolve_axis  # noqa: F401  (merge and diff use it)
from .spec import bad_arg, fail


def split(shape: tuple, data_format: str | None) -> tuple[tuple, object]:
    """(spatial dims, channels) of a shape without the batch axis."""
    if data_format == "channels_first":
        return tuple(shape[1:]), shape[0]
    return tuple(shape[:-1]), shape[-1]


def join(spatial, channels, data_format: str | None) -> tuple:
    if data_format == "channels_first":
        return (channels, *spatial)
    return (*spatial, channels)


def conv_length(length, kernel, stride, dilation, padding: str, what="input"):
    """Keras's compute_conv_output_shape for one axis."""
    if length is None:
        return None
    if padding == "valid":
        span = D.add(D.mul(dilation, D.sub(kernel, 1)), 1)
        if D.is_num(length) and D.is_num(span) and span > length:
            fail(
                f"kernel spans {span} positions (dilation included) but the {what} has only "
                f"{length}; use a smaller kernel or padding=same"
            )
        out = D.add(D.floordiv(D.sub(length, span), stride), 1)
    else:  # same and causal
        out = D.add(D.floordiv(D.sub(length, 1), stride), 1)
    return out


def deconv_length(length, kernel, stride, dilation, padding: str, output_padding):
    """Keras's deconv_output_length."""
    if length is None:
        return None
    k = D.add(kernel, D.mul(D.sub(kernel, 1), D.sub(dilation, 1)))
    if output_padding is None:
        if padding == "valid":
            return D.add(D.mul(length, stride), D.maximum(D.sub(k, stride), 0))
        return D.mul(length, stride)
    pad = D.floordiv(k, 2) if padding == "same" else 0
    return D.add(D.sub(D.add(D.mul(D.sub(length, 1), stride), k), D.mul(2, pad)), output_padding)


def pool_length(length, pool, stride, padding: str):
    """Keras's compute_pooling_output_shape for one axis."""
    if length is None:
        return None
    if padding == "valid":
        if D.is_num(length) and D.is_num(pool) and pool > length:
            fail(f"pool size {pool} is larger than the input length {length}; use padding=same")
        return D.add(D.floordiv(D.sub(length, pool), stride), 1)
    return D.add(D.floordiv(D.sub(length, 1), stride), 1)


def check_dims(shape, layer: str):
    for d in shape:
        if d is not None and D.known_nonpositive(d):
            fail(f"{layer} would produce a dimension of {d}; every dimension must be positive")
    return shape


def channels_of(shape, data_format, layer: str):
    _, c = split(shape, data_format)
    if c is None:
        fail(f"{layer} needs a known number of channels, but the channel axis is None")
    return c


def divisible(value, by, message: str):
    if D.is_num(value) and D.is_num(by) and value % by != 0:
        bad_arg(message)
