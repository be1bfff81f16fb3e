"""Samplers for torch's tensor methods (Transpose, Permute, View, Reshape),
taken into torch_cases.LAYERS, and the small modules that run them (they are
methods of a tensor, not torch.nn modules). Their dims count the batch as 0;
a case keeps the batch axis first, as symcount needs (the live tests check
that symcount refuses the others). Each sampler returns a case's
``args``/``kwargs``/``input_shape`` from its own seeded draw."""

from __future__ import annotations

import math
import random


def _coin(rng: random.Random, p: float = 0.5) -> bool:
    return rng.random() < p


def _shape(rng, lo=1, hi=6) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(rng.randint(1, 4))]


def _dim(rng, d: int, n: int) -> int:
    return d - n if _coin(rng, 0.3) else d


def _gen_transpose(rng, name):
    shape = _shape(rng)
    n = len(shape) + 1
    dims = [rng.randint(1, n - 1) for _ in range(2)]
    if _coin(rng, 0.1):
        dims[rng.randrange(2)] = n + rng.randint(0, 1)  # out of range: rejected
    dims = [_dim(rng, d, n) if d < n else d for d in dims]
    if _coin(rng, 0.3):
        return {"args": [], "kwargs": {"dim0": dims[0], "dim1": dims[1]}, "input_shape": shape}
    return {"args": dims, "kwargs": {}, "input_shape": shape}


def _gen_permute(rng, name):
    shape = _shape(rng)
    n = len(shape) + 1
    rest = list(range(1, n))
    rng.shuffle(rest)
    dims = [0, *rest]
    r = rng.random()
    if r < 0.08:
        dims = dims[:-1]  # too few: rejected
    elif r < 0.14 and n > 2:
        dims[-1] = dims[-2]  # repeated: rejected
    elif r < 0.2:
        dims[-1] = n  # out of range: rejected
    dims = [_dim(rng, d, n) if 0 < d < n else d for d in dims]
    return {"args": dims, "kwargs": {}, "input_shape": shape}


def _factor(rng, n: int, parts: int) -> list[int]:
    out = []
    for _ in range(parts - 1):
        d = rng.choice([d for d in range(1, n + 1) if n % d == 0])
        out.append(d)
        n //= d
    return [*out, n]


def _gen_view(rng, name):
    shape = _shape(rng)
    sizes = _factor(rng, math.prod(shape), rng.randint(1, 4))
    if _coin(rng, 0.4):
        sizes[rng.randrange(len(sizes))] = -1
    r = rng.random()
    if r < 0.07:
        sizes[rng.randrange(len(sizes))] += 1  # does not divide or match: rejected
    elif r < 0.12:
        sizes = [-1, -1, *sizes]  # two to infer: rejected
    return {"args": sizes, "kwargs": {}, "input_shape": shape}


SAMPLERS = {
    "Transpose": _gen_transpose,
    "Permute": _gen_permute,
    "View": _gen_view,
    "Reshape": _gen_view,
}


def module_class(name: str):
    """A torch.nn.Module that runs the tensor method ``name`` (None for a module's name)."""
    if name not in SAMPLERS:
        return None
    import torch

    class Method(torch.nn.Module):
        def __init__(self, *args, **kwargs):
            super().__init__()
            self.args, self.kwargs = args, kwargs

        def forward(self, x):
            if name == "Transpose":
                return x.transpose(*self.args, **self.kwargs)
            if name == "Permute":
                return x.permute(*self.args)
            # symcount's sizes are those after the batch, which is kept
            return getattr(x, name.lower())(x.shape[0], *self.args)

    Method.__name__ = name
    return Method
