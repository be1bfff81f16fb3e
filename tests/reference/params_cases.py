"""Samplers for keras.applications' ConvNeXt layers (LayerScale,
StochasticDepth), taken into keras_cases.LAYERS; they are not in
keras.layers, so :data:`APPLICATION_LAYERS` says where Keras keeps them.
Each sampler returns ``(args, kwargs, input_shape)`` from its own seeded draw."""

from __future__ import annotations

import random

from tests.reference.sampling import coin

# layer -> the module of keras.applications that defines it
APPLICATION_LAYERS = {
    "LayerScale": "keras.src.applications.convnext",
    "StochasticDepth": "keras.src.applications.convnext",
}


def _shape(rng: random.Random, last: int) -> list:
    lead = [None if coin(rng, 0.1) else rng.randint(1, 8) for _ in range(rng.randint(0, 3))]
    return [*lead, last]


def _gen_layer_scale(rng, name):
    dim = rng.choice([1, 2, 4, 8, 16, 96])
    last = dim if coin(rng, 0.75) else rng.choice([1, 3, 8])  # 1 broadcasts; others are refused
    init = rng.choice([1e-6, 1e-5, 0.1, 1.0])
    if coin(rng, 0.4):
        return [init], {"projection_dim": dim}, _shape(rng, last)
    return [init, dim], {}, _shape(rng, last)


def _gen_stochastic_depth(rng, name):
    return [round(rng.uniform(0.0, 0.5), 2)], {}, _shape(rng, rng.randint(1, 16))


SAMPLERS = {
    "LayerScale": _gen_layer_scale,
    "StochasticDepth": _gen_stochastic_depth,
}


def layer_class(name: str):
    """The class of a keras.applications layer (None for any other name)."""
    import importlib

    module = APPLICATION_LAYERS.get(name)
    return getattr(importlib.import_module(module), name) if module else None
