"""torch.nn's pooling: Max/Avg/LP pooling and their adaptive forms, 1, 2, 3 D.

Pooling acts on the last 1, 2 or 3 axes; the input is (C, *spatial) or,
as torch also accepts, just the spatial axes. No weights.
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Out, a, fail
from .torch_common import SPATIAL, arg_error, pool_length, positive


def _need_rank(shape, rank, layer):
    if len(shape) not in (rank, rank + 1):
        form = SPATIAL[rank]
        fail(f"{layer} expects an input of shape {form} (batch excluded); got {P.shape(shape)}")


def _windows(shape, p, rank, layer, *, dilation=None):
    _need_rank(shape, rank, layer)
    stride = p.stride if p.stride is not None else p.kernel_size
    dilation = dilation or (1,) * rank
    lead, spatial = shape[:-rank], shape[-rank:]
    out = []
    for n, k, s, pad, d in zip(spatial, p.kernel_size, stride, p.padding, dilation, strict=True):
        if D.is_num(pad) and D.is_num(k) and 2 * pad > k:
            arg_error(
                p,
                "padding",
                f"pad should be at most half of kernel size, but got pad={pad} and kernel_size={k}",
            )
        if rank == 3 and "Max" not in layer and D.is_num(n) and D.is_num(k) and n < k:
            fail(f"{layer}: the input ({n}) is smaller than the kernel ({k}) on an axis")
        length = pool_length(n, k, s, pad, d, p.ceil_mode)
        if D.is_num(length) and length < 1:
            fail(
                f"the window ({k}, dilation {d}, padding {pad}) does not fit in an axis of "
                f"length {n}: the output would have length {length}"
            )
        out.append(length)
    result = positive((*lead, *out), layer)
    if getattr(p, "return_indices", False):
        return [result, result]  # (values, indices)
    return result


def _max(rank):
    layer = f"MaxPool{rank}d"

    def pool(shape, p):
        return Out(_windows(shape, p, rank, layer, dilation=p.dilation))

    pool.__doc__ = "Max over kernel_size windows; stride defaults to kernel_size. No weights."
    torch.rule(
        layer,
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("stride", "dims", None, rank=rank),
        a("padding", "dims0", (0,) * rank, rank=rank),
        a("dilation", "dims", (1,) * rank, rank=rank),
        a("return_indices", "bool", False),
        a("ceil_mode", "bool", False),
    )(pool)


def _avg(rank):
    layer = f"AvgPool{rank}d"

    def pool(shape, p):
        return Out(_windows(shape, p, rank, layer))

    pool.__doc__ = "Average over kernel_size windows; stride defaults to kernel_size. No weights."
    args = [
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("stride", "dims", None, rank=rank),
        a("padding", "dims0", (0,) * rank, rank=rank),
        a("ceil_mode", "bool", False),
        a("count_include_pad", "bool", True),
    ]
    if rank > 1:
        args.append(a("divisor_override", "dim", None))
    torch.rule(layer, *args)(pool)


def _lp(rank):
    layer = f"LPPool{rank}d"

    def pool(shape, p):
        p.padding = (0,) * rank
        return Out(_windows(shape, p, rank, layer))

    pool.__doc__ = "Power-average over kernel_size windows (no padding). No weights."
    torch.rule(
        layer,
        a("norm_type", "number", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("stride", "dims", None, rank=rank),
        a("ceil_mode", "bool", False),
    )(pool)


def _adaptive(rank, kind):
    layer = f"Adaptive{kind}Pool{rank}d"

    def pool(shape, p):
        _need_rank(shape, rank, layer)
        size = p.output_size
        if not isinstance(size, tuple):
            size = (size,) * rank
        if len(size) != rank:
            arg_error(
                p, "output_size", f"output_size must be an integer or a tuple of {rank} entries"
            )
        if rank == 1 and None in size:
            arg_error(p, "output_size", f"{layer} needs a length, not None")
        lead, spatial = shape[:-rank], shape[-rank:]
        out = (*lead, *(n if s is None else s for n, s in zip(spatial, size, strict=True)))
        if getattr(p, "return_indices", False):
            return Out([out, out])
        return Out(out)

    pool.__doc__ = (
        f"{kind} pooling to a fixed output_size (None keeps an axis's length). No weights."
    )
    args = [a("output_size", "sizes", REQUIRED)]
    if kind == "Max":
        args.append(a("return_indices", "bool", False))
    torch.rule(layer, *args)(pool)


for _r in (1, 2, 3):
    _max(_r)
    _avg(_r)
    _lp(_r)
    _adaptive(_r, "Avg")
    _adaptive(_r, "Max")
