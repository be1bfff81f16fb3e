"""ZeroPadding, Cropping and UpSampling in 1, 2, 3 D. No weights."""

from __future__ import annotations

from .. import dims as D
from .common import check_dims, data_format_arg, join, split
from .registry import keras
from .spec import Out, a, fail, need_rank


def _zero_padding(rank):
    layer = f"ZeroPadding{rank}D"

    def zero_padding(shape, p):
        need_rank(shape, rank + 1, layer=layer)
        spatial, c = split(shape, p.data_format)
        out = tuple(
            None if n is None else D.add(D.add(n, b), e)
            for n, (b, e) in zip(spatial, p.padding, strict=True)
        )
        return Out(join(out, c, p.data_format))

    zero_padding.__doc__ = "Adds zeros before and after each spatial axis. No weights."
    default = 1 if rank < 3 else ((1, 1),) * 3
    keras.rule(layer, a("padding", "pads", _pads(default, rank), rank=rank), data_format_arg())(
        zero_padding
    )


def _cropping(rank):
    layer = f"Cropping{rank}D"

    def cropping(shape, p):
        need_rank(shape, rank + 1, layer=layer)
        spatial, c = split(shape, p.data_format)
        out = []
        for n, (b, e) in zip(spatial, p.cropping, strict=True):
            if n is None:
                out.append(None)
                continue
            left = D.sub(D.sub(n, b), e)
            if D.known_nonpositive(left):
                fail(f"cropping {b} + {e} from an axis of length {n} leaves nothing")
            out.append(left)
        return Out(join(tuple(out), c, p.data_format))

    cropping.__doc__ = "Removes entries before and after each spatial axis. No weights."
    default = {1: (1, 1), 2: ((0, 0), (0, 0)), 3: ((1, 1),) * 3}[rank]
    keras.rule(layer, a("cropping", "pads", _pads(default, rank), rank=rank), data_format_arg())(
        cropping
    )


def _upsampling(rank):
    layer = f"UpSampling{rank}D"

    def upsampling(shape, p):
        need_rank(shape, rank + 1, layer=layer)
        spatial, c = split(shape, getattr(p, "data_format", None))
        out = tuple(
            None if n is None else D.mul(n, s) for n, s in zip(spatial, p.size, strict=True)
        )
        return Out(check_dims(join(out, c, getattr(p, "data_format", None)), layer))

    upsampling.__doc__ = "Repeats each spatial entry size times. No weights."
    args = [a("size", "dims", (2,) * rank, rank=rank)]
    if rank > 1:
        args.append(data_format_arg())
    if rank == 2:
        args.append(
            a(
                "interpolation",
                "enum",
                "nearest",
                choices=("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"),
            )
        )
    keras.rule(layer, *args)(upsampling)


def _pads(value, rank):
    if rank == 1:
        return ((value, value),) if isinstance(value, int) else (tuple(value),)
    if isinstance(value, int):
        return ((value, value),) * rank
    return tuple(tuple(v) for v in value)


for _r in (1, 2, 3):
    _zero_padding(_r)
    _cropping(_r)
    _upsampling(_r)
