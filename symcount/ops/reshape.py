"""Layers that only move, pad, crop or resample entries: flatten, reshape,
permute, repeat, padding and cropping, up-sampling, pixel and channel
shuffles. No weights."""

from __future__ import annotations

import math

from .. import dims as D
from .. import printing as P
from . import shapes as S
from .base import SPATIAL, Args, Entry, batch_axis, join, need_rank, op, positive, spatial_split
from .spec import Out, bad_arg, fail
from .tensor import torch_order


@op("flatten")
def flatten(x, a: Args, e: Entry) -> Out:
    """Merges axes start..end (batch counted as 0) into one; Keras's Flatten
    merges all but the batch (None if any axis is None)."""
    if getattr(a, "start", None) is None:
        if any(d is None for d in x):
            return Out((None,))
        if a.data_format == "channels_first" and len(x) > 1:
            x = (*x[1:], x[0])
        if not x:
            return Out((1,))
        n = D.prod(x)
        return Out((n,), steps=[S.product(x, n)] if len(x) > 1 else [])
    start = batch_axis(e, a, "start", x)
    end = batch_axis(e, a, "end", x)
    if start > end:
        e.arg_error(a, "start", "start_dim cannot come after end_dim")
    part = x[start : end + 1]
    merged = None if any(d is None for d in part) else D.prod(part)
    steps = [S.product(part, merged)] if merged is not None and len(part) > 1 else []
    return Out((*x[:start], merged, *x[end + 1 :]), steps=steps)


def _fmt(shape, text=P.expr):
    return "(" + ", ".join(text(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _infer(n, sizes, a: Args, e: Entry, key: str):
    """``sizes`` with its one -1 filled in so that they multiply to ``n``."""
    if sum(1 for d in sizes if d == -1) > 1:
        e.arg_error(a, key, e.message("one_unknown"))
    if any(d is None for d in sizes):
        e.arg_error(a, key, e.message("no_none"))
    known = D.prod(d for d in sizes if d != -1)
    if n is None:
        return tuple(None if d == -1 else d for d in sizes)
    if -1 in sizes:
        rest = D.div(n, known)
        symbolic_fraction = D.is_symbolic(rest) and getattr(rest, "is_integer", None) is False
        if (D.is_num(rest) and not D.is_int(rest)) or (
            e.flag("strict_reshape") and symbolic_fraction
        ):
            fail(e.message("indivisible", n=n, sizes=_fmt(sizes), raw=_fmt(sizes, str)))
        return tuple(rest if d == -1 else d for d in sizes)
    if D.equal(known, n) is False:
        fail(e.message("mismatch", n=n, sizes=_fmt(sizes), raw=_fmt(sizes, str), known=known))
    return tuple(sizes)


@op("reshape")
def reshape(x, a: Args, e: Entry) -> Out:
    """Same elements, new shape; one -1 takes what is left."""
    target = a.sizes
    if any(d is None for d in x):
        _infer(None, target, a, e, "sizes")
        return Out(tuple(None if d == -1 else d for d in target))
    return Out(_infer(D.prod(x), target, a, e, "sizes"))


@op("unflatten")
def unflatten(x, a: Args, e: Entry) -> Out:
    """Splits one axis (batch counted as 0) into sizes (one entry may be -1)."""
    i = batch_axis(e, a, "axis", x)
    return Out((*x[:i], *_infer(x[i], a.sizes, a, e, "sizes"), *x[i + 1 :]))


@op("permute")
def permute(x, a: Args, e: Entry) -> Out:
    """Reorders the axes; dims count from 1 (the batch axis is 0)."""
    order = a.dims if isinstance(a.dims, tuple) else (a.dims,)
    if e.flag("torch_dims"):  # torch's x.permute(0, 2, 1): the batch is dim 0
        order = torch_order(x, a, e, a.dims)
    if sorted(order) != list(range(1, len(x) + 1)):
        bad_arg(f"dims must be a permutation of 1..{len(x)} for this input; got {order}")
    return Out(tuple(x[i - 1] for i in order))


@op("repeat_vector")
def repeat_vector(x, a: Args, e: Entry) -> Out:
    """(features,) to (n, features)."""
    if len(x) != 1:
        fail(f"{e.name} expects an input of rank 2 (batch included); got rank {len(x) + 1}")
    return Out((a.n, x[0]))


@op("function")
def function(x, a: Args, e: Entry) -> Out:
    """Any function: no weights; give output_shape=(...) since symcount cannot run it."""
    if a.output_shape is None:
        fail(
            "Lambda can change the shape in any way: give output_shape=(...), e.g. "
            "Lambda(output_shape=(768,)) for taking the first token"
        )
    if any(d == -1 for d in a.output_shape):
        bad_arg("output_shape must not contain -1")
    return Out(tuple(a.output_shape))


# padding and cropping -----------------------------------------------------------


@op("pad")
def pad(x, a: Args, e: Entry) -> Out:
    """Adds (or, with crop or negative amounts, removes) entries before and
    after each spatial axis: Keras's ((before, after), ...) per spatial axis,
    PyTorch's flat (left, right, top, bottom, ...), last axis first."""
    rank, crop = a.rank, getattr(a, "crop", False)
    if e.flag("padding") != "explicit":
        spatial, c, fmt = spatial_split(x, a, e, rank)
        out = []
        for n, (b, end) in zip(spatial, a.padding, strict=True):
            if n is None:
                out.append(None)
            elif not crop:
                out.append(D.add(D.add(n, b), end))
            else:
                left = D.sub(D.sub(n, b), end)
                if D.known_nonpositive(left):
                    fail(f"cropping {b} + {end} from an axis of length {n} leaves nothing")
                out.append(left)
        return Out(join(tuple(out), c, fmt))
    kind = a.kind
    if kind in ("Zero", "Constant"):
        if len(x) < rank:
            fail(
                f"{e.name} pads the last {rank} axes; the input {P.shape(x)} has "
                f"{len(x)} (the batch axis is never padded)"
            )
    else:
        need_rank(e, x, (rank, rank + 1), "pad_rank", SPATIAL[rank])
    out = list(x)
    for j in range(rank):
        before, after = a.padding[2 * j], a.padding[2 * j + 1]
        i = len(x) - 1 - j
        n = x[i]
        if n is None:
            continue
        _check_pad(a, e, kind, n, before, after)
        out[i] = D.add(D.add(n, before), after)
    return Out(positive(e, tuple(out), zero_ok=kind in ("Zero", "Constant")))


def _check_pad(a: Args, e: Entry, kind: str, n, before, after):
    numeric = D.is_num(n) and D.is_num(before) and D.is_num(after)
    if numeric and n + min(before, 0) + min(after, 0) < 0:
        crops = f"crops more than the axis's length {n}"
        e.arg_error(a, "padding", f"negative padding ({before}, {after}) {crops}")
    limits(a, e, kind.lower(), n, (before, after), PAD_LIMITS)


PAD_LIMITS = {
    "reflection": "reflection padding must be smaller than the axis: {x} on an axis of length {n}",
    "circular": "circular padding of {x} on an axis of length {n} would wrap around more than once",
}


def limits(a: Args, e: Entry, mode: str, n, amounts, texts: dict[str, str]):
    """Reflecting pads less than the axis's length; wrapping around pads at most it."""
    for x in amounts:
        if not (D.is_num(x) and D.is_num(n)):
            continue
        if (mode in ("reflect", "reflection") and x >= n) or (mode == "circular" and x > n):
            e.arg_error(a, "padding", texts[mode].format(x=x, n=n))


# up-sampling and shuffles -------------------------------------------------------


def scaled(length, factor):
    """``floor(L * scale_factor)`` as torch computes it (in double precision
    for numbers, exactly for symbols)."""
    if length is None:
        return None
    if D.is_num(length) and D.is_num(factor):
        return math.floor(float(length) * float(factor))
    return D.floor(D.mul(length, factor))


LINEAR_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


@op("upsample")
def upsample(x, a: Args, e: Entry) -> Out:
    """Each spatial axis times an integer (Keras's UpSampling: repeats), or to
    a size, or times a scale factor, floored (PyTorch's Upsample)."""
    if e.flag("padding") != "explicit":
        spatial, c, fmt = spatial_split(x, a, e, a.rank)
        out = tuple(
            None if n is None else D.mul(n, s) for n, s in zip(spatial, a.size, strict=True)
        )
        return Out(positive(e, join(out, c, fmt)))
    ranks = getattr(a, "ranks", None)
    if ranks is not None and len(x) not in ranks:
        fail(f"{e.name} expects an input of shape (C, H, W); got {P.shape(x)}")
    if len(x) not in (2, 3, 4):
        fail(
            f"{e.name} expects an input of shape (C, L), (C, H, W) or (C, D, H, W); "
            f"got {P.shape(x)}"
        )
    return Out(_resample(x, a, e))


def _resample(x, a: Args, e: Entry):
    n = len(x) - 1
    mode, size, scale, align = a.mode, a.size, a.scale, a.align_corners
    if mode in LINEAR_MODES and LINEAR_MODES[mode] != n:
        need = SPATIAL[LINEAR_MODES[mode]]
        e.arg_error(a, "mode", f"mode={mode} needs an input of shape {need}; got {P.shape(x)}")
    if align is not None and mode not in LINEAR_MODES:
        why = "align_corners can only be set with the interpolating modes"
        e.arg_error(a, "align_corners", f"{why}: linear, bilinear, bicubic, trilinear")
    key = "size" if size is not None else "scale"
    if (size is None) == (scale is None):
        e.arg_error(a, key, "give exactly one of size and scale_factor")
    values = size if size is not None else scale
    if not isinstance(values, tuple):
        values = (values,) * n
    if len(values) != n:
        what = "size" if size is not None else "scale_factor"
        e.arg_error(a, key, f"{what} has {len(values)} entries but the input has {n} spatial axes")
    if size is not None:
        out = values
    else:
        out = tuple(scaled(d, s) for d, s in zip(x[1:], values, strict=True))
    # area is adaptive average pooling, which accepts a length-0 output
    return positive(e, (x[0], *out), zero_ok=mode == "area")


def _last3(x, e: Entry):
    if len(x) < 3:
        fail(f"{e.name} expects an input of shape (C, H, W); got {P.shape(x)}")
    return x[:-3], x[-3:]


def _div(d, r):
    """An unknown (None) length stays unknown: torch's lengths are concrete,
    so its divisibility check is for when the length is given."""
    return None if d is None else D.div(d, r)


@op("pixel_shuffle")
def pixel_shuffle(x, a: Args, e: Entry) -> Out:
    """(C*r^2, H, W) to (C, H*r, W*r), or back (unshuffle)."""
    lead, (c, h, w) = _last3(x, e)
    r = a.factor
    r2 = D.mul(r, r)
    if not a.inverse:
        if D.is_num(c) and D.is_num(r2) and c % r2:
            fail(f"the channels ({c}) must be divisible by upscale_factor squared ({r2})")
        out = (_div(c, r2), *(None if d is None else D.mul(d, r) for d in (h, w)))
        return Out((*lead, *out))
    for what, d in (("height", h), ("width", w)):
        if D.is_num(d) and D.is_num(r) and d % r:
            fail(f"the {what} ({d}) must be divisible by downscale_factor ({r})")
    out = (None if c is None else D.mul(c, r2), *(_div(d, r) for d in (h, w)))
    return Out((*lead, *out))


@op("channel_shuffle")
def channel_shuffle(x, a: Args, e: Entry) -> Out:
    """Reorders the channels of (C, *) in groups: same shape."""
    if len(x) < 2:
        fail(f"{e.name} expects an input of shape (C, L, ...); got {P.shape(x)}")
    c = x[0]
    if D.is_num(c) and D.is_num(a.groups) and c % a.groups:
        fail(f"the channels ({c}) must be divisible by groups ({a.groups})")
    return Out(tuple(x))
