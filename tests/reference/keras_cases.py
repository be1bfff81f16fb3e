"""Reference data from real Keras for symcount's shape / parameter-count formulas.

This module samples random (seeded) layer configurations, builds each one in
real Keras (torch backend) and records the output shape, the trainable and
non-trainable parameter counts and the individual weights.  See README.md in
this directory for the case format.

Keras is imported lazily (only inside functions), so importing this module is
cheap and works without Keras installed.

Regenerate with (from the repository root):

    .venv/bin/python -m tests.reference.keras_cases --seed 0 --per-layer 30 \
        --out tests/reference/keras_layers.json
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import re
import sys
import time
import warnings

from tests.reference import keras_attention_cases as attention
from tests.reference.keras_more_cases import SAMPLERS as MORE_SAMPLERS
from tests.reference.keras_rest_cases import SAMPLERS as REST_SAMPLERS
from tests.reference.params_cases import SAMPLERS as PARAMS_SAMPLERS
from tests.reference.params_cases import layer_class as application_layer
from tests.reference.sampling import coin as _coin
from tests.reference.sampling import compact as _compact
from tests.reference.sampling import factor_into as _factor_into

os.environ.setdefault("KERAS_BACKEND", "torch")

LAYERS: list[str] = [
    "Dense",
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "Flatten",
    "Reshape",
    "Permute",
    "RepeatVector",
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "PReLU",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "BatchNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "UnitNormalization",
    "RMSNormalization",
    "Embedding",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "Bidirectional",
    "TimeDistributed",
    "MultiHeadAttention",
    *MORE_SAMPLERS,
    *attention.SAMPLERS,
    *PARAMS_SAMPLERS,
    *REST_SAMPLERS,
]

RESULT_KEYS = (
    "output_shape",
    "trainable",
    "non_trainable",
    "weights",
    "error",
    "eager_error",
    "eager_output_shape",
)


# ---------------------------------------------------------------------------
# sampling helpers
# ---------------------------------------------------------------------------


def _rate(rng: random.Random) -> float:
    return round(rng.uniform(0.0, 0.9), 2)


def _per_dim(rng: random.Random, n: int, lo: int, hi: int, same_p: float = 0.5) -> list[int]:
    if _coin(rng, same_p):
        return [rng.randint(lo, hi)] * n
    return [rng.randint(lo, hi) for _ in range(n)]


def _data_format(rng: random.Random, kwargs: dict) -> str:
    """Maybe set data_format in kwargs; return the effective data format."""
    r = rng.random()
    if r < 0.35:
        return "channels_last"  # default, omitted
    df = "channels_last" if r < 0.6 else "channels_first"
    kwargs["data_format"] = df
    return df


def _with_channels(spatial: list, channels, df: str) -> list:
    return [*spatial, channels] if df == "channels_last" else [channels, *spatial]


def _maybe_use_bias(rng: random.Random, kwargs: dict) -> None:
    r = rng.random()
    if r < 0.45:
        kwargs["use_bias"] = False
    elif r < 0.7:
        kwargs["use_bias"] = True


def _maybe_activation(rng: random.Random, kwargs: dict, p: float = 0.1) -> None:
    if _coin(rng, p):
        kwargs["activation"] = "relu"


def _shape(rng: random.Random, rank: int, lo: int = 1, hi: int = 12, none_p: float = 0.0) -> list:
    return [None if _coin(rng, none_p) else rng.randint(lo, hi) for _ in range(rank)]


def _spatial_dims(rng, n, eff, padding, hi, none_p=0.0, too_small_p=0.04):
    """Spatial input dims; large enough for `eff` (effective kernel) under valid padding."""
    dims = []
    for i in range(n):
        if _coin(rng, none_p):
            dims.append(None)
            continue
        low = eff[i] if padding == "valid" else 1
        d = rng.randint(low, max(low, hi))
        if padding == "valid" and eff[i] > 1 and _coin(rng, too_small_p):
            d = rng.randint(1, eff[i] - 1)  # too small: expected to be rejected
        dims.append(d)
    return dims


def _strides_dilation(rng, n, allow_both_p=0.05, max_s=3, max_d=3):
    """Return (strides, dilation) per-dim lists, usually not both > 1."""
    r = rng.random()
    strides = [1] * n
    dilation = [1] * n
    if r < 0.35:
        pass
    elif r < 0.7:
        strides = _per_dim(rng, n, 1, max_s)
    elif r < 1.0 - allow_both_p:
        dilation = _per_dim(rng, n, 1, max_d)
    else:
        strides = _per_dim(rng, n, 2, max_s)
        dilation = _per_dim(rng, n, 2, max_d)
    return strides, dilation


# ---------------------------------------------------------------------------
# per-layer samplers: each returns (args, kwargs, input_shape)
# ---------------------------------------------------------------------------


def _gen_dense(rng, name):
    rank = rng.choice([1, 2, 3, 3])
    units = rng.randint(1, 32)
    kwargs = {}
    _maybe_use_bias(rng, kwargs)
    _maybe_activation(rng, kwargs)
    shape = [rng.randint(1, 16) for _ in range(rank)]
    if rank >= 2 and _coin(rng, 0.35):
        shape[0] = None  # e.g. unknown sequence length
    if rank == 3 and _coin(rng, 0.15):
        shape[1] = None
    if _coin(rng, 0.03):
        shape[-1] = None  # unknown feature dim: rejected (kernel shape undefined)
    return [units], kwargs, shape


def _gen_conv(rng, name):
    n = int(name[4])
    is3 = n == 3
    groups = 1 if _coin(rng, 0.65) else rng.choice([2, 3, 4])
    if groups > 1:
        in_ch = groups * rng.randint(1, 4)
        filters = groups * rng.randint(1, 6)
        if _coin(rng, 0.08):
            filters = groups * rng.randint(1, 6) + 1  # not divisible by groups
    else:
        in_ch = rng.randint(1, 16)
        filters = rng.randint(1, 32 if not is3 else 12)
    kernel = _per_dim(rng, n, 1, 3 if is3 else 5)
    strides, dilation = _strides_dilation(rng, n)
    paddings = ["valid", "same"] + (["causal"] if n == 1 else [])
    padding = rng.choice(paddings)
    if n > 1 and _coin(rng, 0.03):
        padding = "causal"  # only Conv1D supports it: rejected
    kwargs = {}
    if strides != [1] * n or _coin(rng, 0.2):
        kwargs["strides"] = _compact(strides, rng)
    if padding != "valid" or _coin(rng, 0.3):
        kwargs["padding"] = padding
    df = _data_format(rng, kwargs)
    if dilation != [1] * n or _coin(rng, 0.1):
        kwargs["dilation_rate"] = _compact(dilation, rng)
    if groups > 1:
        kwargs["groups"] = groups
    _maybe_use_bias(rng, kwargs)
    _maybe_activation(rng, kwargs)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    none_p = 0.25 if n == 1 else (0.08 if n == 2 else 0.0)
    spatial = _spatial_dims(
        rng, n, eff, "valid" if padding == "valid" else "same", hi=12 if n < 3 else 7, none_p=none_p
    )
    args = [filters, _compact(kernel, rng)]
    return args, kwargs, _with_channels(spatial, in_ch, df)


def _gen_conv_transpose(rng, name):
    n = int(name[4])
    is3 = n == 3
    in_ch = rng.randint(1, 16 if not is3 else 8)
    filters = rng.randint(1, 32 if not is3 else 12)
    kernel = _per_dim(rng, n, 1, 3 if is3 else 5)
    strides, dilation = _strides_dilation(rng, n, allow_both_p=0.04)
    padding = rng.choice(["valid", "same"])
    kwargs = {}
    if strides != [1] * n or _coin(rng, 0.2):
        kwargs["strides"] = _compact(strides, rng)
    if padding != "valid" or _coin(rng, 0.3):
        kwargs["padding"] = padding
    if max(strides) > 1 and _coin(rng, 0.55):
        op = [rng.randint(0, s - 1) for s in strides]
        if _coin(rng, 0.06):
            op = [s for s in strides]  # output_padding == stride: rejected
        kwargs["output_padding"] = _compact(op, rng)
    elif _coin(rng, 0.08):
        kwargs["output_padding"] = _compact([0] * n, rng)
    df = _data_format(rng, kwargs)
    if dilation != [1] * n or _coin(rng, 0.1):
        kwargs["dilation_rate"] = _compact(dilation, rng)
    _maybe_use_bias(rng, kwargs)
    _maybe_activation(rng, kwargs)
    none_p = 0.2 if n == 1 else (0.06 if n == 2 else 0.0)
    spatial = _spatial_dims(rng, n, [1] * n, "same", hi=10 if n < 3 else 6, none_p=none_p)
    args = [filters, _compact(kernel, rng)]
    return args, kwargs, _with_channels(spatial, in_ch, df)


def _gen_depthwise(rng, name):
    n = int(name[13])
    in_ch = rng.randint(1, 16)
    kernel = _per_dim(rng, n, 1, 5)
    strides, dilation = _strides_dilation(rng, n, allow_both_p=0.08)
    padding = rng.choice(["valid", "same"])
    kwargs = {}
    if strides != [1] * n or _coin(rng, 0.2):
        kwargs["strides"] = _compact(strides, rng)
    if padding != "valid" or _coin(rng, 0.3):
        kwargs["padding"] = padding
    if _coin(rng, 0.6):
        kwargs["depth_multiplier"] = rng.randint(1, 4)
    df = _data_format(rng, kwargs)
    if dilation != [1] * n or _coin(rng, 0.1):
        kwargs["dilation_rate"] = _compact(dilation, rng)
    _maybe_use_bias(rng, kwargs)
    _maybe_activation(rng, kwargs)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = _spatial_dims(rng, n, eff, padding, hi=12, none_p=0.2 if n == 1 else 0.05)
    return [_compact(kernel, rng)], kwargs, _with_channels(spatial, in_ch, df)


def _gen_separable(rng, name):
    n = int(name[13])
    in_ch = rng.randint(1, 16)
    filters = rng.randint(1, 32)
    kernel = _per_dim(rng, n, 1, 5)
    strides, dilation = _strides_dilation(rng, n, allow_both_p=0.08)
    padding = rng.choice(["valid", "same"])
    kwargs = {}
    if strides != [1] * n or _coin(rng, 0.2):
        kwargs["strides"] = _compact(strides, rng)
    if padding != "valid" or _coin(rng, 0.3):
        kwargs["padding"] = padding
    df = _data_format(rng, kwargs)
    if dilation != [1] * n or _coin(rng, 0.1):
        kwargs["dilation_rate"] = _compact(dilation, rng)
    if _coin(rng, 0.6):
        kwargs["depth_multiplier"] = rng.randint(1, 4)
    _maybe_use_bias(rng, kwargs)
    _maybe_activation(rng, kwargs)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = _spatial_dims(rng, n, eff, padding, hi=12, none_p=0.2 if n == 1 else 0.05)
    return [filters, _compact(kernel, rng)], kwargs, _with_channels(spatial, in_ch, df)


def _gen_pooling(rng, name):
    n = int(name[-2])
    is3 = n == 3
    pool = _per_dim(rng, n, 1, 3 if is3 else 4)
    padding = rng.choice(["valid", "same"])
    args, kwargs = [], {}
    if _coin(rng, 0.5):
        args.append(_compact(pool, rng))
    else:
        kwargs["pool_size"] = _compact(pool, rng)
    r = rng.random()
    if r < 0.3:
        pass  # strides default (None -> pool_size)
    elif r < 0.45:
        kwargs["strides"] = None
    else:
        kwargs["strides"] = _compact(_per_dim(rng, n, 1, 3), rng)
    if padding != "valid" or _coin(rng, 0.3):
        kwargs["padding"] = padding
    df = _data_format(rng, kwargs)
    in_ch = rng.randint(1, 16)
    spatial = _spatial_dims(
        rng,
        n,
        pool,
        padding,
        hi=12 if not is3 else 7,
        none_p=0.2 if n == 1 else 0.0,
        too_small_p=0.03,
    )
    return args, kwargs, _with_channels(spatial, in_ch, df)


def _gen_global_pooling(rng, name):
    n = int(name[-2])
    kwargs = {}
    df = _data_format(rng, kwargs)
    if _coin(rng, 0.6):
        kwargs["keepdims"] = _coin(rng, 0.6)
    in_ch = rng.randint(1, 16)
    spatial = _shape(rng, n, 1, 12 if n < 3 else 7, none_p=0.2 if n == 1 else 0.05)
    return [], kwargs, _with_channels(spatial, in_ch, df)


def _gen_flatten(rng, name):
    rank = rng.randint(1, 4)
    kwargs = {}
    if _coin(rng, 0.6):
        kwargs["data_format"] = rng.choice(["channels_last", "channels_first"])
    shape = _shape(rng, rank, 1, 8)
    if rank >= 2 and _coin(rng, 0.15):
        shape[rng.randrange(rank)] = None
    return [], kwargs, shape


def _gen_reshape(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 6)
    total = math.prod(shape)
    k = rng.randint(1, 4)
    target = _factor_into(rng, total, k)
    if _coin(rng, 0.45):
        target[rng.randrange(k)] = -1
    if _coin(rng, 0.06):
        # deliberately wrong size (no -1): expected to be rejected
        target = [d for d in target if d != -1] or [1]
        target[0] += 1
    return [target], {}, shape


def _gen_permute(rng, name):
    rank = rng.randint(2, 4)
    dims = list(range(1, rank + 1))
    rng.shuffle(dims)
    shape = _shape(rng, rank, 1, 10)
    if _coin(rng, 0.15):
        shape[rng.randrange(rank)] = None
    return [dims], {}, shape


def _gen_repeat_vector(rng, name):
    n = rng.randint(1, 10)
    shape = [rng.randint(1, 16)]
    if _coin(rng, 0.05):
        shape = [rng.randint(1, 5), rng.randint(1, 5)]  # rank-3 input: rejected
    return [n], {}, shape


def _gen_dropout(rng, name):
    rate = _rate(rng)
    if _coin(rng, 0.05):
        rate = rng.choice([0.0, 1.0])  # both accepted
    return [rate], {}, _shape(rng, rng.randint(1, 4), 1, 10, none_p=0.1)


def _gen_spatial_dropout(rng, name):
    n = int(name[-2])
    kwargs = {}
    df = "channels_last"
    if n > 1:
        df = _data_format(rng, kwargs)
    spatial = _shape(rng, n, 1, 10 if n < 3 else 6, none_p=0.1 if n == 1 else 0.0)
    return [_rate(rng)], kwargs, _with_channels(spatial, rng.randint(1, 16), df)


def _gen_gaussian_noise(rng, name):
    return [round(rng.uniform(0.01, 1.0), 2)], {}, _shape(rng, rng.randint(1, 4), 1, 10)


def _gen_activation(rng, name):
    act = rng.choice(["relu", "relu", "tanh", "sigmoid", "softmax", "gelu", "linear", "swish"])
    return [act], {}, _shape(rng, rng.randint(1, 4), 1, 10, none_p=0.1)


def _gen_relu(rng, name):
    kwargs = {}
    if _coin(rng, 0.3):
        kwargs["max_value"] = float(rng.choice([1, 6, 20]))
    if _coin(rng, 0.3):
        kwargs["negative_slope"] = round(rng.uniform(0.0, 0.5), 2)
    if _coin(rng, 0.2):
        kwargs["threshold"] = round(rng.uniform(0.0, 1.0), 2)
    return [], kwargs, _shape(rng, rng.randint(1, 4), 1, 10, none_p=0.1)


def _gen_leaky_relu(rng, name):
    kwargs = {}
    if _coin(rng, 0.7):
        kwargs["negative_slope"] = round(rng.uniform(0.0, 0.5), 2)
    return [], kwargs, _shape(rng, rng.randint(1, 4), 1, 10, none_p=0.1)


def _gen_softmax(rng, name):
    rank = rng.randint(1, 4)
    kwargs = {}
    if _coin(rng, 0.8):
        ax = rng.randint(1, rank)
        kwargs["axis"] = ax if _coin(rng, 0.5) else ax - rank - 1
    return [], kwargs, _shape(rng, rank, 1, 10, none_p=0.1)


def _gen_prelu(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 10)
    kwargs = {}
    if _coin(rng, 0.6):
        k = rng.randint(1, rank)
        kwargs["shared_axes"] = sorted(rng.sample(range(1, rank + 1), k))
    if rank >= 2 and _coin(rng, 0.15):
        # None dims are fine only when shared
        shared = kwargs.get("shared_axes", [])
        cand = list(shared)
        if _coin(rng, 0.25):
            cand = [a for a in range(1, rank + 1) if a not in shared]  # rejected
        if cand:
            shape[rng.choice(cand) - 1] = None
    return [], kwargs, shape


def _pad_spec(rng, n, lo, hi, allow_pairs=True):
    """padding/cropping spec: int, per-dim list, or list of [before, after] pairs."""
    r = rng.random()
    if r < 0.3:
        v = rng.randint(lo, hi)
        return v, [[v, v]] * n
    if r < 0.6 or not allow_pairs:
        v = [rng.randint(lo, hi) for _ in range(n)]
        return v, [[x, x] for x in v]
    pairs = [[rng.randint(lo, hi), rng.randint(lo, hi)] for _ in range(n)]
    return pairs, pairs


def _gen_zero_padding(rng, name):
    n = int(name[-2])
    kwargs = {}
    args = []
    if n == 1:
        spec = rng.randint(0, 4) if _coin(rng, 0.4) else [rng.randint(0, 4), rng.randint(0, 4)]
    else:
        spec, _ = _pad_spec(rng, n, 0, 3)
    if _coin(rng, 0.9):
        if _coin(rng, 0.5):
            args.append(spec)
        else:
            kwargs["padding"] = spec
    df = _data_format(rng, kwargs)
    spatial = _shape(rng, n, 1, 10 if n < 3 else 6, none_p=0.1 if n == 1 else 0.03)
    return args, kwargs, _with_channels(spatial, rng.randint(1, 8), df)


def _gen_cropping(rng, name):
    n = int(name[-2])
    kwargs = {}
    args = []
    if n == 1:
        if _coin(rng, 0.4):
            spec = rng.randint(0, 3)
            pairs = [[spec, spec]]
        else:
            spec = [rng.randint(0, 3), rng.randint(0, 3)]
            pairs = [spec]
    else:
        spec, pairs = _pad_spec(rng, n, 0, 3)
    use_default = _coin(rng, 0.1)
    if use_default:
        pairs = [[1, 1]] * n
    elif _coin(rng, 0.5):
        args.append(spec)
    else:
        kwargs["cropping"] = spec
    df = "channels_last"
    if n > 1:
        df = _data_format(rng, kwargs)
    spatial = []
    for a, b in pairs:
        need = a + b + 1
        d = rng.randint(need, need + 8)
        if _coin(rng, 0.04):
            d = max(1, a + b)  # nothing (or less) left: expected to be rejected
        if n == 1 and _coin(rng, 0.1):
            d = None
        spatial.append(d)
    return args, kwargs, _with_channels(spatial, rng.randint(1, 8), df)


def _gen_upsampling(rng, name):
    n = int(name[-2])
    kwargs = {}
    args = []
    size = _per_dim(rng, n, 1, 3 if n < 3 else 2)
    if _coin(rng, 0.85):
        val = size[0] if n == 1 else _compact(size, rng)
        if _coin(rng, 0.5):
            args.append(val)
        else:
            kwargs["size"] = val
    df = "channels_last"
    if n > 1:
        df = _data_format(rng, kwargs)
    if n == 2 and _coin(rng, 0.5):
        kwargs["interpolation"] = rng.choice(
            ["nearest", "bilinear", "bicubic", "area", "lanczos3", "lanczos5"]
        )
    spatial = _shape(rng, n, 1, 8 if n < 3 else 5, none_p=0.1 if n == 1 else 0.0)
    return args, kwargs, _with_channels(spatial, rng.randint(1, 8), df)


def _axis_repr(rng, ax: int, rank: int) -> int:
    """ax is a positive axis (1..rank) of the full (batched) tensor."""
    return ax if _coin(rng, 0.5) else ax - rank - 1


def _gen_batchnorm(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 12)
    kwargs = {}
    if _coin(rng, 0.7):
        ax = rng.randint(1, rank)
        r = rng.random()
        if r < 0.03:
            kwargs["axis"] = rank + 1  # out of range: rejected
        elif r < 0.06:
            kwargs["axis"] = 0  # the batch axis: rejected
        else:
            kwargs["axis"] = _axis_repr(rng, ax, rank)
    if _coin(rng, 0.5):
        kwargs["center"] = _coin(rng)
    if _coin(rng, 0.5):
        kwargs["scale"] = _coin(rng)
    if rank >= 2 and _coin(rng, 0.15):
        ax = kwargs.get("axis", -1)
        norm_ax = ax if ax > 0 else ax + rank + 1
        norm_ax = norm_ax if 1 <= norm_ax <= rank else rank
        others = [i for i in range(1, rank + 1) if i != norm_ax]
        if others:
            shape[rng.choice(others) - 1] = None
    return [], kwargs, shape


def _gen_layernorm(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 10)
    kwargs = {}
    axes = [rank]
    r = rng.random()
    if r < 0.25:
        pass
    elif r < 0.6:
        ax = rng.randint(1, rank)
        axes = [ax]
        kwargs["axis"] = _axis_repr(rng, ax, rank)
    else:
        k = rng.randint(1, rank)
        axes = sorted(rng.sample(range(1, rank + 1), k))
        kwargs["axis"] = [_axis_repr(rng, a, rank) for a in axes]
        if _coin(rng, 0.25):
            # the same axis twice (positive and negative spelling): Keras accepts it
            kwargs["axis"] = [axes[0], axes[0] - rank - 1]
    if _coin(rng, 0.5):
        kwargs["center"] = _coin(rng)
    if _coin(rng, 0.5):
        kwargs["scale"] = _coin(rng)
    if _coin(rng, 0.3):
        kwargs["rms_scaling"] = _coin(rng, 0.7)
    others = [i for i in range(1, rank + 1) if i not in axes]
    if others and _coin(rng, 0.2):
        shape[rng.choice(others) - 1] = None
    return [], kwargs, shape


def _gen_groupnorm(rng, name):
    rank = rng.randint(1, 4)
    kwargs = {}
    groups = rng.randint(1, 6)
    ax = rank
    if rank >= 2 and _coin(rng, 0.35):
        ax = rng.randint(1, rank)
        kwargs["axis"] = _axis_repr(rng, ax, rank)
    shape = _shape(rng, rank, 1, 8)
    shape[ax - 1] = groups * rng.randint(1, 4)
    if _coin(rng, 0.06) and groups > 1:
        shape[ax - 1] = groups * rng.randint(1, 3) + 1  # not divisible: rejected
    r = rng.random()
    if r < 0.75:
        kwargs["groups"] = groups
    elif r < 0.87:
        kwargs["groups"] = -1  # one group per channel (instance normalisation)
    else:
        shape[ax - 1] = 32 * rng.randint(1, 2)  # default groups=32
    if _coin(rng, 0.5):
        kwargs["center"] = _coin(rng)
    if _coin(rng, 0.5):
        kwargs["scale"] = _coin(rng)
    others = [i for i in range(1, rank + 1) if i != ax]
    if others and _coin(rng, 0.15):
        shape[rng.choice(others) - 1] = None
    return [], kwargs, shape


def _gen_unitnorm(rng, name):
    rank = rng.randint(1, 4)
    kwargs = {}
    if _coin(rng, 0.7):
        if _coin(rng, 0.6):
            kwargs["axis"] = _axis_repr(rng, rng.randint(1, rank), rank)
        else:
            axes = sorted(rng.sample(range(1, rank + 1), rng.randint(1, rank)))
            kwargs["axis"] = [_axis_repr(rng, a, rank) for a in axes]
    return [], kwargs, _shape(rng, rank, 1, 10, none_p=0.1)


def _gen_rmsnorm(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 10)
    kwargs = {}
    axes = [rank]
    if _coin(rng, 0.7):
        if _coin(rng, 0.6):
            ax = rng.randint(1, rank)
            axes = [ax]
            kwargs["axis"] = _axis_repr(rng, ax, rank)
        else:
            axes = sorted(rng.sample(range(1, rank + 1), rng.randint(1, rank)))
            kwargs["axis"] = [_axis_repr(rng, a, rank) for a in axes]
            if _coin(rng, 0.12):
                kwargs["axis"] = [axes[0], axes[0] - rank - 1]  # same axis twice
    others = [i for i in range(1, rank + 1) if i not in axes]
    if others and _coin(rng, 0.2):
        shape[rng.choice(others) - 1] = None
    return [], kwargs, shape


def _gen_embedding(rng, name):
    rank = rng.randint(1, 2)
    shape = _shape(rng, rank, 1, 12)
    if _coin(rng, 0.3):
        shape[rng.randrange(rank)] = None
    kwargs = {}
    if _coin(rng, 0.2):
        kwargs["mask_zero"] = _coin(rng)
    return [rng.randint(1, 60), rng.randint(1, 32)], kwargs, shape


def _rnn_config(rng, kind):
    kwargs = {}
    if _coin(rng, 0.7):
        kwargs["return_sequences"] = _coin(rng)
    _maybe_use_bias(rng, kwargs)
    if kind == "GRU" and _coin(rng, 0.75):
        kwargs["reset_after"] = _coin(rng)
    return [rng.randint(1, 24)], kwargs


def _gen_rnn(rng, name):
    args, kwargs = _rnn_config(rng, name)
    t = None if _coin(rng, 0.25) else rng.randint(1, 10)
    return args, kwargs, [t, rng.randint(1, 16)]


def _gen_convlstm(rng, name):
    n = int(name[-2])
    in_ch = rng.randint(1, 6)
    filters = rng.randint(1, 8)
    kernel = _per_dim(rng, n, 1, 3)
    strides, dilation = _strides_dilation(rng, n, allow_both_p=0.05, max_s=2, max_d=2)
    padding = rng.choice(["valid", "same"])
    kwargs = {}
    if strides != [1] * n or _coin(rng, 0.2):
        kwargs["strides"] = _compact(strides, rng)
    if padding != "valid" or _coin(rng, 0.3):
        kwargs["padding"] = padding
    df = _data_format(rng, kwargs)
    if dilation != [1] * n or _coin(rng, 0.1):
        kwargs["dilation_rate"] = _compact(dilation, rng)
    if _coin(rng, 0.7):
        kwargs["return_sequences"] = _coin(rng)
    _maybe_use_bias(rng, kwargs)
    eff = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    spatial = _spatial_dims(rng, n, eff, padding, hi=8 if n == 1 else 6, too_small_p=0.02)
    t = None if _coin(rng, 0.1) else rng.randint(1, 4)
    return [filters, _compact(kernel, rng)], kwargs, [t, *_with_channels(spatial, in_ch, df)]


def _gen_bidirectional(rng, name):
    kind = rng.choice(["SimpleRNN", "LSTM", "GRU"])
    inner_args, inner_kwargs = _rnn_config(rng, kind)
    inner = {"layer": kind, "args": inner_args, "kwargs": inner_kwargs}
    kwargs = {}
    r = rng.random()
    if r > 0.15:
        kwargs["merge_mode"] = rng.choice(["concat", "sum", "mul", "ave", None])
    t = None if _coin(rng, 0.25) else rng.randint(1, 10)
    return [inner], kwargs, [t, rng.randint(1, 12)]


_TD_INNER = [
    "Dense",
    "Dense",
    "Conv1D",
    "Conv2D",
    "Flatten",
    "MaxPooling1D",
    "MaxPooling2D",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling2D",
    "Dropout",
    "BatchNormalization",
    "LayerNormalization",
    "Embedding",
]


def _gen_time_distributed(rng, name):
    for _ in range(100):
        kind = rng.choice(_TD_INNER)
        args, kwargs, inner_shape = _SAMPLERS[kind](rng, kind)
        # inner layers see (batch*T, *inner_shape); keep total input rank 2..4
        if 1 <= len(inner_shape) <= 3:
            break
    t = None if _coin(rng, 0.2) else rng.randint(1, 6)
    inner = {"layer": kind, "args": args, "kwargs": kwargs}
    return [inner], {}, [t, *inner_shape]


def _gen_mha(rng, name):
    num_heads = rng.randint(1, 4)
    key_dim = rng.randint(1, 8)
    kwargs = {}
    if _coin(rng, 0.4):
        kwargs["value_dim"] = rng.randint(1, 8)
    _maybe_use_bias(rng, kwargs)
    r = rng.random()
    if r < 0.3:
        kwargs["output_shape"] = rng.randint(1, 16)
    elif r < 0.5:
        kwargs["output_shape"] = [rng.randint(1, 6) for _ in range(rng.randint(1, 2))]
    d = rng.randint(1, 16)
    if _coin(rng, 0.75):
        shape = [None if _coin(rng, 0.25) else rng.randint(1, 10), d]
    else:
        shape = [rng.randint(1, 5), rng.randint(1, 5), d]
    args = [num_heads, key_dim]
    return args, kwargs, shape


_SAMPLERS = {
    "Dense": _gen_dense,
    "Flatten": _gen_flatten,
    "Reshape": _gen_reshape,
    "Permute": _gen_permute,
    "RepeatVector": _gen_repeat_vector,
    "Dropout": _gen_dropout,
    "GaussianNoise": _gen_gaussian_noise,
    "Activation": _gen_activation,
    "ReLU": _gen_relu,
    "LeakyReLU": _gen_leaky_relu,
    "Softmax": _gen_softmax,
    "PReLU": _gen_prelu,
    "BatchNormalization": _gen_batchnorm,
    "LayerNormalization": _gen_layernorm,
    "GroupNormalization": _gen_groupnorm,
    "UnitNormalization": _gen_unitnorm,
    "RMSNormalization": _gen_rmsnorm,
    "Embedding": _gen_embedding,
    "SimpleRNN": _gen_rnn,
    "LSTM": _gen_rnn,
    "GRU": _gen_rnn,
    "Bidirectional": _gen_bidirectional,
    "TimeDistributed": _gen_time_distributed,
    "MultiHeadAttention": _gen_mha,
}
for _n in (1, 2, 3):
    _SAMPLERS[f"Conv{_n}D"] = _gen_conv
    _SAMPLERS[f"Conv{_n}DTranspose"] = _gen_conv_transpose
    _SAMPLERS[f"ZeroPadding{_n}D"] = _gen_zero_padding
    _SAMPLERS[f"Cropping{_n}D"] = _gen_cropping
    _SAMPLERS[f"UpSampling{_n}D"] = _gen_upsampling
    for _p in ("MaxPooling", "AveragePooling"):
        _SAMPLERS[f"{_p}{_n}D"] = _gen_pooling
        _SAMPLERS[f"Global{_p}{_n}D"] = _gen_global_pooling
    if _n < 3:
        _SAMPLERS[f"DepthwiseConv{_n}D"] = _gen_depthwise
        _SAMPLERS[f"SeparableConv{_n}D"] = _gen_separable
    _SAMPLERS[f"ConvLSTM{_n}D"] = _gen_convlstm
    _SAMPLERS[f"SpatialDropout{_n}D"] = _gen_spatial_dropout
_SAMPLERS.pop("ConvLSTM3D")
_SAMPLERS.update(MORE_SAMPLERS)
_SAMPLERS.update(attention.SAMPLERS)
_SAMPLERS.update(PARAMS_SAMPLERS)
_SAMPLERS.update(REST_SAMPLERS)
del _n, _p

assert set(_SAMPLERS) == set(LAYERS), set(_SAMPLERS) ^ set(LAYERS)


def sample_cases(seed: int, per_layer: int) -> list[dict]:
    """`per_layer` seeded random cases for each layer in LAYERS (no results).

    Each layer draws from its own ``random.Random`` seeded with ``f"{seed}/{layer}"``
    (string seeds are hashed deterministically by `random`), so a layer's cases do
    not change when other layers are added, and ``per_layer=k`` is a prefix of
    ``per_layer=k+1``.
    """
    cases = []
    for name in LAYERS:
        rng = random.Random(f"{seed}/{name}")
        for i in range(per_layer):
            args, kwargs, shape, *extra = _SAMPLERS[name](rng, name)
            case = {
                "id": f"{name}-{i:04d}",
                "layer": name,
                "args": args,
                "kwargs": kwargs,
                "input_shape": shape,
            }
            # the attention samplers' other inputs and call keywords, where drawn
            case.update({k: v for k, v in (extra[0] if extra else {}).items() if v})
            cases.append(case)
    return cases


# ---------------------------------------------------------------------------
# building in real Keras
# ---------------------------------------------------------------------------

_INT_INPUT_LAYERS = {"Embedding", "CategoryEncoding"}


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    return keras


def _to_keras_value(v):
    """JSON value -> Keras argument: lists become tuples, layer dicts become layers."""
    if isinstance(v, dict) and "layer" in v:
        return build_layer(v)
    if isinstance(v, list):
        return tuple(_to_keras_value(x) for x in v)
    return v


def build_layer(spec: dict):
    """Construct (not build) a Keras layer from {"layer", "args", "kwargs"}."""
    keras = _keras()
    cls = getattr(keras.layers, spec["layer"], None) or application_layer(spec["layer"])
    args = [_to_keras_value(a) for a in spec.get("args", [])]
    kwargs = {k: _to_keras_value(v) for k, v in spec.get("kwargs", {}).items()}
    return cls(*args, **kwargs)


def _int_input(spec: dict) -> bool:
    if spec["layer"] in _INT_INPUT_LAYERS:
        return True
    if spec["layer"] in ("TimeDistributed", "Bidirectional", "SpectralNormalization") and spec.get(
        "args"
    ):
        inner = spec["args"][0]
        return isinstance(inner, dict) and _int_input(inner)
    return False


def _shape_list(shape) -> list:
    return [None if d is None else int(d) for d in shape]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STR_SET = re.compile(r"\{('[^'{}]*'(?:, '[^'{}]*')+)\}")
_WRAPPER = re.compile(r"^Exception encountered when calling [\w.]+\(\)\.\s*")


def _clean_message(msg: str) -> str:
    """Strip ANSI colour codes, Keras' "Exception encountered when calling X.call()."
    wrapper and the trailing "Arguments received by ..." block; collapse whitespace."""
    msg = _ANSI.sub("", msg)
    msg = msg.split("Arguments received by")[0]
    msg = " ".join(msg.split())
    # Python sets print in hash order; sort "{'a', 'b'}" so the file is reproducible.
    msg = _STR_SET.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", msg)
    return _WRAPPER.sub("", msg)


def keras_reference(case: dict, check_eager: bool = True) -> dict:
    """Build `case` in real Keras; return a copy of the case with results added.

    Results come from Keras' symbolic (functional) build, i.e. what
    ``model.summary()`` reports.  With ``check_eager`` the case is additionally run
    eagerly on a zero tensor (None dims -> 16, batch 2); if that raises, the
    optional key "eager_error" is added, and if its output shape contradicts the
    symbolic one, "eager_output_shape" is added.  Neither changes the other fields.
    """
    keras = _keras()
    out = {k: copy.deepcopy(v) for k, v in case.items() if k not in RESULT_KEYS}
    # Reset Keras' name counters so weight paths are deterministic.
    keras.backend.clear_session(free_memory=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = build_layer(case)
            dtype = "int32" if _int_input(case) else "float32"
            x = keras.Input(shape=tuple(case["input_shape"]), dtype=dtype)
            others = [keras.Input(shape=tuple(s)) for s in case.get("other_inputs", [])]
            y = _call(layer, case, x, others)
    except Exception as e:  # Keras rejected the configuration
        out["error"] = f"{type(e).__name__}: {_clean_message(str(e))[:200]}"
        return out

    out["output_shape"] = _output_shapes(y)
    out["trainable"] = int(sum(math.prod(w.shape) for w in layer.trainable_weights))
    out["non_trainable"] = int(sum(math.prod(w.shape) for w in layer.non_trainable_weights))
    weights = []
    for w in layer.weights:
        path = getattr(w, "path", None) or w.name
        parts = path.split("/")
        weights.append(
            {
                "name": parts[-1],
                "shape": [int(d) for d in w.shape],
                "trainable": bool(w.trainable),
                # path inside the layer (layer's own name stripped), e.g.
                # "forward_lstm/lstm_cell/kernel" for Bidirectional
                "path": "/".join(parts[1:]) if len(parts) > 1 else parts[0],
            }
        )
    out["weights"] = weights
    if check_eager:
        try:
            eager = eager_output_shape(case)
        except Exception as e:
            out["eager_error"] = f"{type(e).__name__}: {_clean_message(str(e))[:200]}"
        else:
            if not _shapes_agree(out["output_shape"], eager):
                out["eager_output_shape"] = eager
    return out


def _call(layer, case: dict, x, others: list):
    if case["layer"] in attention.SAMPLERS:
        return attention.call(layer, case, [x, *others])
    # MultiHeadAttention: self-attention (query = value = x)
    return layer(x, x) if case["layer"] == "MultiHeadAttention" else layer(x)


def eager_output_shape(case: dict, fill: int = 16):
    """Diagnostic: run a fresh layer eagerly on zeros (None dims -> `fill`, batch 2).

    Returns the output shape(s) without the batch axis, in the same form as
    "output_shape".  Used by keras_reference to compare Keras' symbolic shape
    inference with what the torch kernels actually produce.
    """
    keras = _keras()
    keras.backend.clear_session(free_memory=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = build_layer(case)
        dtype = "int32" if _int_input(case) else "float32"
        x, *others = (
            keras.ops.zeros((2, *(fill if d is None else d for d in s)), dtype=dtype)
            for s in [case["input_shape"], *case.get("other_inputs", [])]
        )
        y = _call(layer, case, x, others)
    return _output_shapes(y)


def _output_shapes(y):
    """A tensor's shape without the batch axis; a list of them (nested as
    Keras nests them: a stacked cell's states) for several outputs."""
    if isinstance(y, (list, tuple)):
        return [_output_shapes(t) for t in y]
    return _shape_list(y.shape[1:])


def _shapes_agree(symbolic, eager) -> bool:
    if symbolic and isinstance(symbolic[0], list):
        return len(symbolic) == len(eager) and all(
            _shapes_agree(s, e) for s, e in zip(symbolic, eager, strict=True)
        )
    return len(symbolic) == len(eager) and all(
        s is None or s == e for s, e in zip(symbolic, eager, strict=True)
    )


def _dump(doc: dict, path: str) -> None:
    """Write JSON with one case per line (valid JSON, diff-friendly, compact)."""
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f" {json.dumps(k)}: {json.dumps(v)},")
    lines.append(' "cases": [')
    body = [json.dumps(c, separators=(",", ":")) for c in doc["cases"]]
    lines.append(",\n".join("  " + b for b in body))
    lines.append(" ]")
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--per-layer", type=int, default=30)
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "keras_layers.json"))
    p.add_argument("--layers", nargs="*", help="restrict to these layer names")
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument(
        "--no-eager",
        action="store_true",
        help="skip the eager run of each valid case (no eager_error / eager_output_shape keys)",
    )
    a = p.parse_args(argv)

    keras = _keras()
    t0 = time.time()
    cases = sample_cases(a.seed, a.per_layer)
    if a.layers:
        cases = [c for c in cases if c["layer"] in set(a.layers)]
    results = []
    stats: dict[str, list[int]] = {}
    eager_notes = []
    for c in cases:
        r = keras_reference(c, check_eager=not a.no_eager)
        results.append(r)
        s = stats.setdefault(c["layer"], [0, 0])
        s[1 if "error" in r else 0] += 1
        if "eager_error" in r or "eager_output_shape" in r:
            eager_notes.append(r)
    doc = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "seed": a.seed,
        "per_layer": a.per_layer,
        "cases": results,
    }
    _dump(doc, a.out)
    dt = time.time() - t0

    if not a.quiet:
        for name, (ok, err) in stats.items():
            print(f"{name:24s} valid={ok:3d} error={err:3d}")
        for r in eager_notes:
            what = r.get("eager_error") or f"eager shape {r['eager_output_shape']}"
            print(f"  eager: {r['id']} {r['kwargs']} {r['input_shape']}: {what[:120]}")
        n_err = sum(s[1] for s in stats.values())
        print(
            f"{len(results)} cases ({len(results) - n_err} valid, {n_err} errors) "
            f"-> {a.out} in {dt:.1f}s [keras {keras.__version__}, {doc['backend']}]",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
