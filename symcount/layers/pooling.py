"""Pooling: Max/Average in 1, 2, 3 D and their global forms. No weights."""

from __future__ import annotations

from .common import check_dims, data_format_arg, join, pool_length, split
from .registry import keras
from .spec import Out, a, need_rank

PADDINGS = ("valid", "same")
SHORT = {"Max": "Max", "Average": "Avg"}  # Keras's aliases: MaxPool2D, AvgPool2D


def _pool(rank, kind):
    layer = f"{kind}Pooling{rank}D"

    def pool(shape, p):
        need_rank(shape, rank + 1, layer=layer)
        spatial, c = split(shape, p.data_format)
        strides = p.strides if p.strides is not None else p.pool_size
        out = tuple(
            pool_length(n, k, s, p.padding)
            for n, k, s in zip(spatial, p.pool_size, strides, strict=True)
        )
        return Out(check_dims(join(out, c, p.data_format), layer))

    pool.__doc__ = f"{kind} over pool_size windows; strides default to pool_size. No weights."
    keras.rule(
        layer,
        a("pool_size", "dims", (2,) * rank, rank=rank),
        a("strides", "dims", None, rank=rank),
        a("padding", "enum", "valid", choices=PADDINGS),
        data_format_arg(),
        aliases=(f"{SHORT[kind]}Pool{rank}D",),
    )(pool)


def _global(rank, kind):
    layer = f"Global{kind}Pooling{rank}D"

    def global_pool(shape, p):
        need_rank(shape, rank + 1, layer=layer)
        spatial, c = split(shape, p.data_format)
        if p.keepdims:
            return Out(join((1,) * len(spatial), c, p.data_format))
        return Out((c,))

    global_pool.__doc__ = f"{kind} over all spatial axes: (channels,), or keepdims. No weights."
    keras.rule(
        layer,
        data_format_arg(),
        a("keepdims", "bool", False),
        aliases=(f"Global{SHORT[kind]}Pool{rank}D",),
    )(global_pool)


for _r in (1, 2, 3):
    for _k in ("Max", "Average"):
        _pool(_r, _k)
        _global(_r, _k)
