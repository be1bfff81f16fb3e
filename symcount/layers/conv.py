"""Convolutions: Conv, ConvTranspose, DepthwiseConv and SeparableConv in 1, 2, 3 D."""

from __future__ import annotations

from .. import dims as D
from .common import (
    CONV_VALUE_ARGS,
    channels_of,
    check_dims,
    conv_length,
    data_format_arg,
    deconv_length,
    divisible,
    join,
    split,
    value_args,
)
from .registry import keras
from .spec import REQUIRED, Out, W, a, bad_arg, need_rank

KERNEL_LABELS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}
PADDINGS = ("valid", "same")


def _common_checks(p, layer):
    strides, dilation = p.strides, p.dilation_rate
    if any(D.is_num(s) and s > 1 for s in strides) and any(D.is_num(d) and d > 1 for d in dilation):
        bad_arg("strides > 1 is not supported together with dilation_rate > 1")


def _spatial(shape, p, rank, layer, kernel):
    need_rank(shape, rank + 1, layer=layer)
    spatial, c_in = split(shape, p.data_format)
    c_in = channels_of(shape, p.data_format, layer)
    out = tuple(
        conv_length(n, k, s, d, p.padding, what=f"input axis of length {n}")
        for n, k, s, d in zip(spatial, kernel, p.strides, p.dilation_rate, strict=True)
    )
    return c_in, out


def _kernel_dims(rank, kernel):
    return [(label, k) for label, k in zip(KERNEL_LABELS[rank], kernel, strict=True)]


def _conv(rank):
    layer = f"Conv{rank}D"

    def conv(shape, p):
        _common_checks(p, layer)
        if p.padding == "causal" and rank != 1:
            bad_arg("padding=causal is only for Conv1D")
        c_in, out = _spatial(shape, p, rank, layer, p.kernel_size)
        divisible(
            p.filters, p.groups, f"filters ({p.filters}) must be divisible by groups ({p.groups})"
        )
        divisible(
            c_in, p.groups, f"input channels ({c_in}) must be divisible by groups ({p.groups})"
        )
        grouped = ("(c_in/groups)", D.div(c_in, p.groups))
        c_dim = ("c_in", c_in) if p.groups == 1 else grouped
        weights = [W("kernel", *_kernel_dims(rank, p.kernel_size), c_dim, ("filters", p.filters))]
        if p.use_bias:
            weights.append(W("bias", ("filters", p.filters)))
        return Out(check_dims(join(out, p.filters, p.data_format), layer), weights)

    conv.__doc__ = f"A kernel (kernel_size, c_in/groups, filters) and a bias (filters); {rank}-D."
    paddings = ("valid", "same", "causal") if rank == 1 else PADDINGS
    keras.rule(
        layer,
        a("filters", "dim", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("strides", "dims", (1,) * rank, rank=rank),
        a("padding", "enum", "valid", choices=paddings),
        data_format_arg(),
        a("dilation_rate", "dims", (1,) * rank, rank=rank),
        a("groups", "dim", 1),
        a("activation"),
        a("use_bias", "bool", True),
        ignored=CONV_VALUE_ARGS,
        aliases=(f"Convolution{rank}D",),
    )(conv)


def _conv_transpose(rank):
    layer = f"Conv{rank}DTranspose"

    def conv_transpose(shape, p):
        _common_checks(p, layer)
        need_rank(shape, rank + 1, layer=layer)
        spatial, _ = split(shape, p.data_format)
        c_in = channels_of(shape, p.data_format, layer)
        op = p.output_padding
        if op is not None:
            for o, s in zip(op, p.strides, strict=True):
                if D.is_num(o) and D.is_num(s) and o >= s:
                    bad_arg(f"output_padding ({o}) must be smaller than strides ({s})")
        out = tuple(
            deconv_length(n, k, s, d, p.padding, None if op is None else op[i])
            for i, (n, k, s, d) in enumerate(
                zip(spatial, p.kernel_size, p.strides, p.dilation_rate, strict=True)
            )
        )
        weights = [
            W("kernel", *_kernel_dims(rank, p.kernel_size), ("filters", p.filters), ("c_in", c_in))
        ]
        if p.use_bias:
            weights.append(W("bias", ("filters", p.filters)))
        # Keras accepts a transpose whose output has length 0, so we do too.
        return Out(join(out, p.filters, p.data_format), weights)

    conv_transpose.__doc__ = (
        f"A kernel (kernel_size, filters, c_in) and a bias (filters); {rank}-D."
    )
    keras.rule(
        layer,
        a("filters", "dim", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("strides", "dims", (1,) * rank, rank=rank),
        a("padding", "enum", "valid", choices=PADDINGS),
        a("output_padding", "dims0", None, rank=rank),
        data_format_arg(),
        a("dilation_rate", "dims", (1,) * rank, rank=rank),
        a("activation"),
        a("use_bias", "bool", True),
        ignored=CONV_VALUE_ARGS,
        aliases=(f"Convolution{rank}DTranspose",),
    )(conv_transpose)


def _depthwise(rank):
    layer = f"DepthwiseConv{rank}D"

    def depthwise(shape, p):
        c_in, out = _spatial(shape, p, rank, layer, p.kernel_size)
        dm = p.depth_multiplier
        weights = [
            W(
                "kernel",
                *_kernel_dims(rank, p.kernel_size),
                ("c_in", c_in),
                ("depth_multiplier", dm),
            )
        ]
        if p.use_bias:
            weights.append(W("bias", ("c_in", c_in), ("depth_multiplier", dm)))
        return Out(check_dims(join(out, D.mul(c_in, dm), p.data_format), layer), weights)

    depthwise.__doc__ = "One kernel_size filter per input channel (times depth_multiplier)."
    keras.rule(
        layer,
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("strides", "dims", (1,) * rank, rank=rank),
        a("padding", "enum", "valid", choices=PADDINGS),
        a("depth_multiplier", "dim", 1),
        data_format_arg(),
        a("dilation_rate", "dims", (1,) * rank, rank=rank),
        a("activation"),
        a("use_bias", "bool", True),
        ignored=value_args("depthwise", "bias"),
    )(depthwise)


def _separable(rank):
    layer = f"SeparableConv{rank}D"

    def separable(shape, p):
        c_in, out = _spatial(shape, p, rank, layer, p.kernel_size)
        dm = p.depth_multiplier
        weights = [
            W(
                "depthwise_kernel",
                *_kernel_dims(rank, p.kernel_size),
                ("c_in", c_in),
                ("depth_multiplier", dm),
            ),
            W(
                "pointwise_kernel",
                *[("1", 1)] * rank,
                [("c_in", c_in), ("depth_multiplier", dm)],
                ("filters", p.filters),
            ),
        ]
        if p.use_bias:
            weights.append(W("bias", ("filters", p.filters)))
        return Out(check_dims(join(out, p.filters, p.data_format), layer), weights)

    separable.__doc__ = "A depthwise kernel per channel, then a 1x1 pointwise kernel to filters."
    keras.rule(
        layer,
        a("filters", "dim", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("strides", "dims", (1,) * rank, rank=rank),
        a("padding", "enum", "valid", choices=PADDINGS),
        data_format_arg(),
        a("dilation_rate", "dims", (1,) * rank, rank=rank),
        a("depth_multiplier", "dim", 1),
        a("activation"),
        a("use_bias", "bool", True),
        ignored=value_args("depthwise", "pointwise", "bias"),
        aliases=(f"SeparableConvolution{rank}D",),
    )(separable)


for _r in (1, 2, 3):
    _conv(_r)
    _conv_transpose(_r)
for _r in (1, 2):
    _depthwise(_r)
    _separable(_r)
