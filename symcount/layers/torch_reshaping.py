"""torch.nn's modules that only move or resample entries: Flatten, Unflatten,
PixelShuffle, PixelUnshuffle, ChannelShuffle, Upsample and the padding
modules (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad).
No weights."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Out, a, fail
from .torch_common import arg_error, batch_axis, positive, scaled


@torch.rule("Flatten", a("start_dim", "axis", 1), a("end_dim", "axis", -1))
def flatten(shape, p):
    """Merges axes start_dim..end_dim (batch counted as 0) into one."""
    start = batch_axis(p.start_dim, shape, p, "start_dim", layer="Flatten")
    end = batch_axis(p.end_dim, shape, p, "end_dim", layer="Flatten")
    if start > end:
        arg_error(p, "start_dim", "start_dim cannot come after end_dim")
    part = shape[start : end + 1]
    merged = None if any(d is None for d in part) else D.prod(part)
    return Out((*shape[:start], merged, *shape[end + 1 :]))


@torch.rule("Unflatten", a("dim", "axis", REQUIRED), a("unflattened_size", "shape", REQUIRED))
def unflatten(shape, p):
    """Splits the axis dim into unflattened_size (one entry may be -1)."""
    i = batch_axis(p.dim, shape, p, "dim", layer="Unflatten")
    sizes = p.unflattened_size
    if sum(1 for d in sizes if d == -1) > 1:
        arg_error(p, "unflattened_size", "only one entry of unflattened_size may be -1")
    if any(d is None for d in sizes):
        arg_error(p, "unflattened_size", "unflattened_size cannot contain None")
    n = shape[i]
    known = D.prod(d for d in sizes if d != -1)
    if n is None:
        out = tuple(None if d == -1 else d for d in sizes)
    elif -1 in sizes:
        rest = D.div(n, known)
        if D.is_num(rest) and not D.is_int(rest):
            fail(f"unflattened_size {_fmt(sizes)} does not divide the axis of length {n}")
        out = tuple(rest if d == -1 else d for d in sizes)
    else:
        if D.equal(known, n) is False:
            fail(f"unflattened_size {_fmt(sizes)} does not multiply up to the axis length {n}")
        out = tuple(sizes)
    return Out((*shape[:i], *out, *shape[i + 1 :]))


def _fmt(sizes):
    return "(" + ", ".join(P.expr(d) for d in sizes) + ("," if len(sizes) == 1 else "") + ")"


def _last3(shape, layer):
    if len(shape) < 3:
        fail(f"{layer} expects an input of shape (C, H, W); got {P.shape(shape)}")
    return shape[:-3], shape[-3:]


@torch.rule("PixelShuffle", a("upscale_factor", "dim", REQUIRED))
def pixel_shuffle(shape, p):
    """(C*r^2, H, W) to (C, H*r, W*r)."""
    lead, (c, h, w) = _last3(shape, "PixelShuffle")
    r = p.upscale_factor
    r2 = D.mul(r, r)
    if D.is_num(c) and D.is_num(r2) and c % r2:
        fail(f"the channels ({c}) must be divisible by upscale_factor squared ({r2})")
    out = (D.div(c, r2), *(None if d is None else D.mul(d, r) for d in (h, w)))
    return Out((*lead, *out))


@torch.rule("PixelUnshuffle", a("downscale_factor", "dim", REQUIRED))
def pixel_unshuffle(shape, p):
    """(C, H*r, W*r) to (C*r^2, H, W)."""
    lead, (c, h, w) = _last3(shape, "PixelUnshuffle")
    r = p.downscale_factor
    for what, d in (("height", h), ("width", w)):
        if D.is_num(d) and D.is_num(r) and d % r:
            fail(f"the {what} ({d}) must be divisible by downscale_factor ({r})")
    out = (D.mul(c, D.mul(r, r)), *(None if d is None else D.div(d, r) for d in (h, w)))
    return Out((*lead, *out))


@torch.rule("ChannelShuffle", a("groups", "dim", REQUIRED))
def channel_shuffle(shape, p):
    """Reorders the channels of (C, *) in groups: same shape."""
    if len(shape) < 2:
        fail(f"ChannelShuffle expects an input of shape (C, L, ...); got {P.shape(shape)}")
    c = shape[0]
    if D.is_num(c) and D.is_num(p.groups) and c % p.groups:
        fail(f"the channels ({c}) must be divisible by groups ({p.groups})")
    return Out(tuple(shape))


MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
LINEAR_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _resample(shape, p, layer, *, mode, size, scale, align_corners):
    if len(shape) not in (2, 3, 4):
        fail(
            f"{layer} expects an input of shape (C, L), (C, H, W) or (C, D, H, W); "
            f"got {P.shape(shape)}"
        )
    n = len(shape) - 1
    if mode in LINEAR_MODES and LINEAR_MODES[mode] != n:
        need = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}[LINEAR_MODES[mode]]
        arg_error(p, "mode", f"mode={mode} needs an input of shape {need}; got {P.shape(shape)}")
    if align_corners is not None and mode not in LINEAR_MODES:
        arg_error(
            p,
            "align_corners",
            "align_corners can only be set with the interpolating modes: linear, bilinear, "
            "bicubic, trilinear",
        )
    if (size is None) == (scale is None):
        arg_error(
            p,
            "size" if size is not None else "scale_factor",
            "give exactly one of size and scale_factor",
        )
    values = size if size is not None else scale
    if not isinstance(values, tuple):
        values = (values,) * n
    if len(values) != n:
        what = "size" if size is not None else "scale_factor"
        arg_error(p, what, f"{what} has {len(values)} entries but the input has {n} spatial axes")
    if size is not None:
        out = values
    else:
        out = tuple(scaled(d, s) for d, s in zip(shape[1:], values, strict=True))
    # area is adaptive average pooling, which accepts a length-0 output
    return Out(positive((shape[0], *out), layer, zero_ok=mode == "area"))


@torch.rule(
    "Upsample",
    a("size", "sizes", None),
    a("scale_factor", "numbers", None),
    a("mode", "enum", "nearest", choices=MODES),
    a("align_corners", "bool", None, allow_none=True),
    a("recompute_scale_factor", "bool", None, allow_none=True),
)
def upsample(shape, p):
    """To size, or each spatial axis times scale_factor (floored). No weights."""
    return _resample(
        shape,
        p,
        "Upsample",
        mode=p.mode,
        size=p.size,
        scale=p.scale_factor,
        align_corners=p.align_corners,
    )


def _upsampling2d(layer, mode, align):
    def rule(shape, p):
        if len(shape) != 3:
            fail(f"{layer} expects an input of shape (C, H, W); got {P.shape(shape)}")
        return _resample(
            shape, p, layer, mode=mode, size=p.size, scale=p.scale_factor, align_corners=align
        )

    rule.__doc__ = f"Upsample(mode={mode}) on (C, H, W). No weights."
    torch.rule(layer, a("size", "sizes", None), a("scale_factor", "numbers", None))(rule)


_upsampling2d("UpsamplingNearest2d", "nearest", None)
_upsampling2d("UpsamplingBilinear2d", "bilinear", True)


PAD_KINDS = ("Zero", "Constant", "Reflection", "Replication", "Circular")


def _pad(rank, kind):
    layer = f"{kind}Pad{rank}d"

    def pad(shape, p):
        if kind == "Zero" or kind == "Constant":
            if len(shape) < rank:
                fail(
                    f"{layer} pads the last {rank} axes; the input {P.shape(shape)} has "
                    f"{len(shape)} (the batch axis is never padded)"
                )
        elif len(shape) not in (rank, rank + 1):
            fail(
                f"{layer} expects an input of shape {('(C, L)', '(C, H, W)', '(C, D, H, W)')[rank - 1]}"
                f"; got {P.shape(shape)}"
            )
        pads = p.padding  # torch's order: last axis first, (before, after) each
        out = list(shape)
        for j in range(rank):
            before, after = pads[2 * j], pads[2 * j + 1]
            i = len(shape) - 1 - j
            n = shape[i]
            if n is None:
                continue
            numeric = D.is_num(n) and D.is_num(before) and D.is_num(after)
            if numeric and n + min(before, 0) + min(after, 0) < 0:
                arg_error(
                    p,
                    "padding",
                    f"negative padding ({before}, {after}) crops more than the axis's length {n}",
                )
            for x in (before, after):
                if not (D.is_num(x) and D.is_num(n)):
                    continue
                if kind == "Reflection" and x >= n:
                    arg_error(
                        p,
                        "padding",
                        f"reflection padding must be smaller than the axis: {x} on an axis "
                        f"of length {n}",
                    )
                if kind == "Circular" and x > n:
                    arg_error(
                        p,
                        "padding",
                        f"circular padding of {x} on an axis of length {n} would wrap around "
                        "more than once",
                    )
            out[i] = D.add(D.add(n, before), after)
        return Out(positive(tuple(out), layer, zero_ok=kind in ("Zero", "Constant")))

    pad.__doc__ = (
        f"Pads the last {rank} axes; padding is an int or (left, right"
        + (", top, bottom" if rank > 1 else "")
        + (", front, back" if rank > 2 else "")
        + "), last axis first; negative values crop. No weights."
    )
    args = [a("padding", "ints", REQUIRED, rank=2 * rank)]
    if kind == "Constant":
        args.append(a("value", "number", REQUIRED))
    torch.rule(layer, *args)(pad)


for _r in (1, 2, 3):
    for _k in PAD_KINDS:
        _pad(_r, _k)
