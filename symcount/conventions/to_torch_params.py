"""The PyTorch equivalents of a Keras Parameter and LayerScale, for ``symcount
diff``: a bare ``nn.Parameter`` of the same shape (and ``x * gamma``)."""

from __future__ import annotations

from ..ops.base import Args
from ..ops.spec import W
from .to_torch import Equivalent, to_torch, value_text


def _zeros(shape) -> str:
    return ", ".join(value_text(d) for d in shape)


@to_torch("parameter")
def _parameter(x, a: Args, name: str):
    shape = a.shape if isinstance(a.shape, tuple) else (a.shape,)
    axes = [(f"d_{i + 1}", d) for i, d in enumerate(shape)]
    return Equivalent(f"nn.Parameter(torch.zeros({_zeros(shape)}))", weights=[W("weight", *axes)])


@to_torch("layer_scale")
def _layer_scale(x, a: Args, name: str):
    text = f"x * nn.Parameter(torch.full(({value_text(a.dim)},), {value_text(a.init_values)}))"
    return Equivalent(text, weights=[W("gamma", ("dim", a.dim))])
