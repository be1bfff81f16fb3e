"""torch.nn's Conv1d/2d/3d and ConvTranspose1d/2d/3d, channels first."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Out, W, a
from .torch_common import (
    KERNEL_LABELS,
    SPATIAL,
    arg_error,
    conv_length,
    factory_args,
    infer,
    need_batched,
    positive,
)

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _groups(p, c_in):
    g = p.groups
    for what, n in (("in_channels", c_in), ("out_channels", p.out_channels)):
        if D.is_num(n) and D.is_num(g) and n % g:
            arg_error(p, "groups", f"{what} ({n}) must be divisible by groups ({g})")
    return g


def _in_factor(c_in, g):
    return (
        ("in_channels", c_in) if D.is_num(g) and g == 1 else ("in_channels/groups", D.div(c_in, g))
    )


def _kernel(rank, kernel):
    return [(label, k) for label, k in zip(KERNEL_LABELS[rank], kernel, strict=True)]


def _pads(p, rank):
    """(left, right) per spatial axis, as torch pads for padding= int, tuple,
    'valid' or 'same' (odd totals put the extra on the right)."""
    if p.padding == "valid":
        return [(0, 0)] * rank
    if p.padding == "same":
        if any(not (D.is_num(s) and s == 1) for s in p.stride):
            arg_error(p, "padding", "padding='same' is not supported for strided convolutions")
        out = []
        for k, d in zip(p.kernel_size, p.dilation, strict=True):
            total = D.mul(d, D.sub(k, 1))
            left = D.floordiv(total, 2)
            out.append((left, D.sub(total, left)))
        return out
    return [(x, x) for x in p.padding]


def _check_mode(p, spatial, pads):
    mode = p.padding_mode
    if mode in ("zeros", "replicate"):
        return
    for n, (left, right) in zip(spatial, pads, strict=True):
        for x in (left, right):
            if not (D.is_num(n) and D.is_num(x)):
                continue
            if mode == "reflect" and x >= n:
                arg_error(
                    p,
                    "padding",
                    f"padding_mode='reflect' needs padding smaller than the input: "
                    f"padding {x} on an axis of length {n}",
                )
            if mode == "circular" and x > n:
                arg_error(
                    p,
                    "padding",
                    f"padding_mode='circular' pads at most the input's length: "
                    f"padding {x} on an axis of length {n} would wrap around more than once",
                )


def _conv(rank):
    layer = f"Conv{rank}d"

    def conv(shape, p):
        need_batched(shape, rank + 1, layer)
        c_in = infer(
            p,
            "in_channels",
            shape[0],
            "channels",
            layer=f"{layer}({P.expr(p.out_channels)}, ...)",
        )
        g = _groups(p, c_in)
        pads = _pads(p, rank)
        spatial = shape[1:]
        _check_mode(p, spatial, pads)
        out = tuple(
            conv_length(n, k, s, D.add(lo, hi), d, what=f"input axis of length {n}")
            for n, k, s, d, (lo, hi) in zip(
                spatial, p.kernel_size, p.stride, p.dilation, pads, strict=True
            )
        )
        weights = [
            W(
                "weight",
                ("out_channels", p.out_channels),
                _in_factor(c_in, g),
                *_kernel(rank, p.kernel_size),
            )
        ]
        if p.bias:
            weights.append(W("bias", ("out_channels", p.out_channels)))
        return Out(positive((p.out_channels, *out), layer), weights)

    conv.__doc__ = (
        f"weight (out_channels, in_channels/groups, *kernel_size) and bias (out_channels); "
        f"input {SPATIAL[rank]}."
    )
    torch.rule(
        layer,
        a("in_channels", "dim", REQUIRED),
        a("out_channels", "dim", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("stride", "dims", (1,) * rank, rank=rank),
        a("padding", "padding", (0,) * rank, rank=rank, choices=("same", "valid")),
        a("dilation", "dims", (1,) * rank, rank=rank),
        a("groups", "dim", 1),
        a("bias", "bool", True),
        a("padding_mode", "enum", "zeros", choices=PADDING_MODES),
        *factory_args(),
        infer="in_channels",
    )(conv)


def _conv_transpose(rank):
    layer = f"ConvTranspose{rank}d"

    def conv_transpose(shape, p):
        need_batched(shape, rank + 1, layer)
        c_in = infer(
            p,
            "in_channels",
            shape[0],
            "channels",
            layer=f"{layer}({P.expr(p.out_channels)}, ...)",
        )
        if p.padding_mode != "zeros":
            arg_error(p, "padding_mode", f'Only "zeros" padding mode is supported for {layer}')
        g = _groups(p, c_in)
        out = []
        for i, n in enumerate(shape[1:]):
            k, s, pad = p.kernel_size[i], p.stride[i], p.padding[i]
            d, op = p.dilation[i], p.output_padding[i]
            if D.is_num(op) and D.is_num(s) and D.is_num(d) and op >= max(s, d):
                arg_error(
                    p,
                    "output_padding",
                    f"output padding must be smaller than either stride or dilation: "
                    f"output_padding {op}, stride {s}, dilation {d}",
                )
            if n is None:
                out.append(None)
                continue
            length = D.add(D.sub(D.mul(D.sub(n, 1), s), D.mul(2, pad)), D.mul(d, D.sub(k, 1)))
            out.append(D.add(D.add(length, op), 1))
        weights = [
            W(
                "weight",
                ("in_channels", c_in),
                ("out_channels", p.out_channels)
                if D.is_num(g) and g == 1
                else ("out_channels/groups", D.div(p.out_channels, g)),
                *_kernel(rank, p.kernel_size),
            )
        ]
        if p.bias:
            weights.append(W("bias", ("out_channels", p.out_channels)))
        # torch accepts a transpose whose output has length 0 (not a negative one)
        return Out(positive((p.out_channels, *out), layer, zero_ok=True), weights)

    conv_transpose.__doc__ = (
        f"weight (in_channels, out_channels/groups, *kernel_size) and bias (out_channels); "
        f"input {SPATIAL[rank]}. Output (L - 1)*stride - 2*padding + dilation*(k - 1) "
        "+ output_padding + 1."
    )
    torch.rule(
        layer,
        a("in_channels", "dim", REQUIRED),
        a("out_channels", "dim", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("stride", "dims", (1,) * rank, rank=rank),
        a("padding", "dims0", (0,) * rank, rank=rank),
        a("output_padding", "dims0", (0,) * rank, rank=rank),
        a("groups", "dim", 1),
        a("bias", "bool", True),
        a("dilation", "dims", (1,) * rank, rank=rank),
        a("padding_mode", "enum", "zeros", choices=PADDING_MODES),
        *factory_args(),
        infer="in_channels",
    )(conv_transpose)


for _r in (1, 2, 3):
    _conv(_r)
    _conv_transpose(_r)
