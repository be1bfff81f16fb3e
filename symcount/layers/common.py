"""What the Keras rules not yet moved to symcount.ops share (the arithmetic lives in ops)."""

from __future__ import annotations

from .. import dims as D
from ..conventions.keras import (  # noqa: F401
    CONV_VALUE_ARGS,
    DATA_FORMATS,
    DENSE_VALUE_ARGS,
    data_format_arg,
    value_args,
)
from ..ops.base import join, resolve_axis, split  # noqa: F401
from ..ops.conv import conv_length, deconv_length  # noqa: F401
from ..ops.pool import pool_length  # noqa: F401
from .spec import bad_arg, fail


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
