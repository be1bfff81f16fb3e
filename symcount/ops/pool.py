"""Pooling of every rank: windows (max, average, power-average), global and
adaptive. No weights."""

from __future__ import annotations

from .. import dims as D
from . import shapes as S
from .base import SPATIAL, Args, Entry, join, layout, need_rank, op, positive, spatial_split
from .spec import Out, fail


def pool_length(length, kernel, stride, pad, dilation=1, ceil_mode=False):
    """One output axis. ``pad``: Keras's padding mode (compute_pooling_output_shape),
    or the padding on each side, as ATen's pooling_output_shape: floor (or ceil)
    of the conv formula, and with ceil_mode the last window must start inside
    the input or the left padding."""
    if length is None:
        return None
    if pad == "valid":
        if D.is_num(length) and D.is_num(kernel) and kernel > length:
            fail(f"pool size {kernel} is larger than the input length {length}; use padding=same")
        return D.add(D.floordiv(D.sub(length, kernel), stride), 1)
    if pad == "same":
        return D.add(D.floordiv(D.sub(length, 1), stride), 1)
    span = D.add(D.mul(dilation, D.sub(kernel, 1)), 1)
    top = D.sub(D.add(length, D.mul(2, pad)), span)
    if not ceil_mode:
        return D.add(D.floordiv(top, stride), 1)
    out = D.add(D.ceildiv(top, stride), 1)
    if D.is_num(out) and D.is_num(length):
        if (out - 1) * stride >= length + pad:
            out -= 1
    elif not (D.is_num(pad) and pad == 0 and D.is_num(stride) and stride == 1):
        last_start = D.mul(D.sub(out, 1), stride)
        out = D.sub(out, _ge(last_start, D.add(length, pad)))
    return out


def _ge(x, y):
    """1 when x >= y else 0, exactly (SymPy Piecewise for symbols)."""
    sp = D.sp()
    return sp.Piecewise((1, sp.Ge(D.to_sympy(x), D.to_sympy(y))), (0, True))


def _axes(x, a: Args, e: Entry):
    """(the axes before the spatial ones, spatial axes, how to put them back).
    PyTorch pools the last ``rank`` axes of (C, *spatial) or of *spatial alone."""
    rank = a.rank
    if e.flag("padding") == "explicit":
        need_rank(e, x, (rank, rank + 1), "pool_rank", SPATIAL[rank])
        lead = tuple(x[:-rank])
        return x[-rank:], lambda out: (*lead, *out)
    spatial, c, fmt = spatial_split(x, a, e, rank)
    return spatial, lambda out: join(out, c, fmt)


@op("pool")
def pool(x, a: Args, e: Entry) -> Out:
    """Max, average or power-average over windows; strides default to the window."""
    spatial, rebuild = _axes(x, a, e)
    strides = a.strides if a.strides is not None else a.kernel
    if e.flag("padding") != "explicit":
        out = tuple(
            pool_length(n, k, s, a.padding)
            for n, k, s in zip(spatial, a.kernel, strides, strict=True)
        )
        ones, modes = (1,) * a.rank, (a.padding,) * a.rank
        steps = S.lengths(S.out_labels(a.rank), spatial, a.kernel, strides, ones, modes, out)
        return Out(positive(e, rebuild(out)), steps=steps)
    dilation = getattr(a, "dilation", None) or (1,) * a.rank
    out = []
    for n, k, s, pad, d in zip(spatial, a.kernel, strides, a.padding, dilation, strict=True):
        if D.is_num(pad) and D.is_num(k) and 2 * pad > k:
            got = f"pad={pad} and kernel_size={k}"
            e.arg_error(a, "padding", f"pad should be at most half of kernel size, but got {got}")
        if a.rank == 3 and a.kind != "max" and D.is_num(n) and D.is_num(k) and n < k:
            fail(f"{e.name}: the input ({n}) is smaller than the kernel ({k}) on an axis")
        length = pool_length(n, k, s, pad, d, a.ceil_mode)
        if D.is_num(length) and length < 1:
            fail(
                f"the window ({k}, dilation {d}, padding {pad}) does not fit in an axis of "
                f"length {n}: the output would have length {length}"
            )
        out.append(length)
    result = positive(e, rebuild(out))
    labels = S.out_labels(a.rank)
    pads = a.padding
    steps = S.lengths(labels, spatial, a.kernel, strides, dilation, pads, out, ceil=a.ceil_mode)
    if a.ceil_mode:
        _last_window(steps, spatial, a.kernel, strides, pads, dilation)
    if getattr(a, "return_indices", False):
        return Out([result, result], steps=steps)  # (values, indices)
    return Out(result, steps=steps)


def _last_window(steps, spatial, kernel, strides, pads, dilation):
    """ceil_mode's correction, said where it applies: a last window that would
    start in the right padding is dropped (ATen's pooling_output_shape)."""
    axes = [
        x for x in zip(spatial, kernel, strides, pads, dilation, strict=True) if x[0] is not None
    ]
    for step, (n, k, s, p, d) in zip(steps, axes, strict=True):
        if all(D.is_num(v) for v in (n, k, s, p, d, step.value)):
            plain = -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1
            if plain != step.value:
                step.parts += (" - 1",)
                step.note = "(ceil_mode: the last window would start in the padding, so is dropped)"


@op("global_pool")
def global_pool(x, a: Args, e: Entry) -> Out:
    """Over all spatial axes: (channels,), or ones where they were (keepdims)."""
    spatial, c, fmt = spatial_split(x, a, e, a.rank)
    if a.keepdims:
        return Out(join((1,) * len(spatial), c, fmt))
    return Out((c,))


@op("adaptive_pool")
def adaptive_pool(x, a: Args, e: Entry) -> Out:
    """To a fixed output size per spatial axis (None keeps an axis's length)."""
    rank = a.rank
    keras = hasattr(a, "data_format")  # Keras: batched only, and its data_format
    if keras:
        need_rank(e, x, (rank + 1,))
    else:
        need_rank(e, x, (rank, rank + 1), "pool_rank", SPATIAL[rank])
    size = a.size
    if not isinstance(size, tuple):
        size = (size,) * rank
    if len(size) != rank:
        e.arg_error(a, "size", f"output_size must be an integer or a tuple of {rank} entries")
    if rank == 1 and None in size:
        e.arg_error(a, "size", f"{e.name} needs a length, not None")
    if keras and layout(a, e) == "channels_last":
        return Out((*size, x[-1]))
    lead, spatial = x[:-rank], x[-rank:]
    out = (*lead, *(n if s is None else s for n, s in zip(spatial, size, strict=True)))
    if getattr(a, "return_indices", False):
        return Out([out, out])
    return Out(out)
