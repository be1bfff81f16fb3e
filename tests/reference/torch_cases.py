"""Reference data from real PyTorch for symcount's ``convention torch``.

Samples random (seeded) configurations of torch.nn modules, builds each one
in real PyTorch, runs it forward on zeros (batch 2, in training mode, as a
fresh module is) and records the output shape without the batch axis, the
parameters (trainable and frozen, as ``requires_grad`` says), the buffers and
every named tensor. When torch rejects a configuration (at construction or in
the forward pass) the case records the error instead. See README.md here.

PyTorch is imported lazily (only inside functions): importing this module is
cheap and works without torch installed.

Regenerate with (from the repository root):

    .venv/bin/python -m tests.reference.torch_cases --seed 0 --per-layer 32 \\
        --out tests/reference/torch_layers.json
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import sys
import time
import warnings

from tests.reference import torch_attention_cases as _attention
from tests.reference.sampling import coin as _coin
from tests.reference.sampling import compact as _compact
from tests.reference.sampling import factor_into as _factor
from tests.reference.torch_params_cases import SAMPLERS as PARAMS_SAMPLERS
from tests.reference.torch_params_cases import module_class as tensor_method

ACTIVATIONS = [
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "ELU",
    "CELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Softsign",
    "Tanhshrink",
    "LogSigmoid",
    "Softplus",
    "Hardswish",
    "Hardsigmoid",
    "Hardshrink",
    "Softshrink",
    "Hardtanh",
    "Threshold",
    "RReLU",
]

LAYERS: list[str] = [
    "Linear",
    "Bilinear",
    *[f"Conv{n}d" for n in (1, 2, 3)],
    *[f"ConvTranspose{n}d" for n in (1, 2, 3)],
    *[f"MaxPool{n}d" for n in (1, 2, 3)],
    *[f"AvgPool{n}d" for n in (1, 2, 3)],
    *[f"LPPool{n}d" for n in (1, 2, 3)],
    *[f"Adaptive{k}Pool{n}d" for k in ("Avg", "Max") for n in (1, 2, 3)],
    *[f"BatchNorm{n}d" for n in (1, 2, 3)],
    *[f"InstanceNorm{n}d" for n in (1, 2, 3)],
    "LayerNorm",
    "GroupNorm",
    "RMSNorm",
    "LocalResponseNorm",
    "Embedding",
    "RNN",
    "LSTM",
    "GRU",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
    "Flatten",
    "Unflatten",
    "Identity",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
    *ACTIVATIONS,
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "Softmax2d",
    "GLU",
    "PReLU",
    "PixelShuffle",
    "PixelUnshuffle",
    "ChannelShuffle",
    "Upsample",
    "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
    *[
        f"{k}Pad{n}d"
        for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
        for n in (1, 2, 3)
    ],
    *PARAMS_SAMPLERS,
]

RESULT_KEYS = ("output_shape", "trainable", "non_trainable", "buffers", "weights", "error")

# Modules whose input is (T, N, F) unless batch_first (torch's sequence layout).
SEQUENCE_FIRST = {
    "RNN",
    "LSTM",
    "GRU",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
}


# ---------------------------------------------------------------------------
# sampling helpers
# ---------------------------------------------------------------------------


def _per_dim(rng, n, lo, hi, same_p=0.5) -> list[int]:
    if _coin(rng, same_p):
        return [rng.randint(lo, hi)] * n
    return [rng.randint(lo, hi) for _ in range(n)]


def _shape(rng, rank, lo=1, hi=8) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(rank)]


def _bias(rng, kwargs, key="bias"):
    if _coin(rng, 0.4):
        kwargs[key] = _coin(rng, 0.4)


def _size_first(rng, name, size, rest, *, p_omit=0.5, p_kw=0.15, p_wrong=0.04):
    """(args, kwargs, omit) for a module whose first argument is the input size;
    ``rest``: the next required arguments as (name, value) pairs. Positional
    usually, sometimes all by keyword; ``omit`` marks the input size for
    symcount to leave out (inferred); sometimes it is deliberately wrong
    (torch must reject it)."""
    wrong = _coin(rng, p_wrong)
    value = size + rng.randint(1, 3) if wrong else size
    omit = None if wrong or not _coin(rng, p_omit) else name
    if _coin(rng, p_kw):
        return [], {name: value, **dict(rest)}, omit
    return [value, *(v for _, v in rest)], {}, omit


def _freeze(rng, case):
    if _coin(rng, 0.1):
        case["frozen"] = True


# ---------------------------------------------------------------------------
# per-module samplers: each returns a dict with args, kwargs, input_shape
# (and optionally omit)
# ---------------------------------------------------------------------------


def _gen_linear(rng, name):
    rank = rng.choice([1, 1, 2, 3])
    shape = _shape(rng, rank, 1, 12)
    kwargs = {}
    _bias(rng, kwargs)
    args, kw, omit = _size_first(
        rng, "in_features", shape[-1], [("out_features", rng.randint(1, 32))]
    )
    return {"args": args, "kwargs": {**kw, **kwargs}, "input_shape": shape, "omit": omit}


def _gen_bilinear(rng, name):
    f = rng.randint(1, 8)
    shape = [*_shape(rng, rng.randint(0, 1), 1, 5), f]
    kwargs = {}
    _bias(rng, kwargs)
    f2 = f + 1 if _coin(rng, 0.05) else f
    case = {"args": [f, f2, rng.randint(1, 8)], "kwargs": kwargs, "input_shape": shape}
    if _coin(rng, 0.5):  # a second input of its own width (in2_features)
        f2 = rng.randint(1, 8)
        case["args"][1] = f2
        case["other_inputs"] = [[*shape[:-1], f2]]
    return case


def _strides_dilation(rng, n):
    r = rng.random()
    strides, dilation = [1] * n, [1] * n
    if r < 0.35:
        pass
    elif r < 0.7:
        strides = _per_dim(rng, n, 1, 3)
    elif r < 0.92:
        dilation = _per_dim(rng, n, 1, 3)
    else:
        strides = _per_dim(rng, n, 1, 3)
        dilation = _per_dim(rng, n, 1, 2)
    return strides, dilation


def _gen_conv(rng, name):
    n = int(name[-2])
    groups = 1 if _coin(rng, 0.7) else rng.choice([2, 3])
    in_ch = groups * rng.randint(1, 4)
    out_ch = groups * rng.randint(1, 5)
    if groups > 1 and _coin(rng, 0.06):
        out_ch += 1  # not divisible by groups: rejected
    kernel = _per_dim(rng, n, 1, 3 if n == 3 else 5)
    strides, dilation = _strides_dilation(rng, n)
    kwargs = {}
    r = rng.random()
    if r < 0.3:
        pads = [0] * n
    elif r < 0.5:
        pads = [0] * n
        kwargs["padding"] = "valid"
    elif r < 0.65:
        pads = None
        kwargs["padding"] = "same"
        if any(s > 1 for s in strides) and not _coin(rng, 0.15):
            strides = [1] * n  # same with strides > 1 is rejected: keep a few
    else:
        pads = _per_dim(rng, n, 0, 2)
        kwargs["padding"] = _compact(pads, rng)
    if strides != [1] * n or _coin(rng, 0.15):
        kwargs["stride"] = _compact(strides, rng)
    if dilation != [1] * n or _coin(rng, 0.1):
        kwargs["dilation"] = _compact(dilation, rng)
    if groups > 1:
        kwargs["groups"] = groups
    _bias(rng, kwargs)
    if _coin(rng, 0.25):
        kwargs["padding_mode"] = rng.choice(["zeros", "reflect", "replicate", "circular"])
    spatial = []
    for i in range(n):
        eff = dilation[i] * (kernel[i] - 1) + 1
        pad = 0 if pads is None else 2 * pads[i]
        low = max(1, eff - pad) if pads is not None else 1
        d = rng.randint(low, max(low, 9 if n < 3 else 6))
        if pads is not None and eff - pad > 1 and _coin(rng, 0.03):
            d = rng.randint(1, eff - pad - 1)  # too small: rejected
        if kwargs.get("padding_mode") in ("reflect", "circular"):
            d = max(d, 3)  # reflect needs padding < length (a few still fail)
        spatial.append(d)
    args, kw, omit = _size_first(
        rng,
        "in_channels",
        in_ch,
        [("out_channels", out_ch), ("kernel_size", _compact(kernel, rng))],
    )
    return {
        "args": args,
        "kwargs": {**kw, **kwargs},
        "input_shape": [in_ch, *spatial],
        "omit": omit,
    }


def _gen_conv_transpose(rng, name):
    n = int(name[-2])
    groups = 1 if _coin(rng, 0.75) else 2
    in_ch = groups * rng.randint(1, 4)
    out_ch = groups * rng.randint(1, 5)
    kernel = _per_dim(rng, n, 1, 3 if n == 3 else 4)
    strides = _per_dim(rng, n, 1, 3) if _coin(rng, 0.5) else [1] * n
    dilation = _per_dim(rng, n, 1, 2) if _coin(rng, 0.25) else [1] * n
    kwargs = {}
    if strides != [1] * n or _coin(rng, 0.1):
        kwargs["stride"] = _compact(strides, rng)
    if _coin(rng, 0.4):
        kwargs["padding"] = _compact(_per_dim(rng, n, 0, 2), rng)
    if _coin(rng, 0.4):
        op = [rng.randint(0, max(s, d) - 1) for s, d in zip(strides, dilation, strict=True)]
        if _coin(rng, 0.08):
            op = [max(s, d) for s, d in zip(strides, dilation, strict=True)]  # rejected
        kwargs["output_padding"] = _compact(op, rng)
    if groups > 1:
        kwargs["groups"] = groups
    _bias(rng, kwargs)
    if dilation != [1] * n:
        kwargs["dilation"] = _compact(dilation, rng)
    if _coin(rng, 0.04):
        kwargs["padding_mode"] = "reflect"  # rejected
    spatial = _shape(rng, n, 1, 8 if n < 3 else 5)
    pads = kwargs.get("padding", 0)
    pads = pads if isinstance(pads, list) else [pads] * n
    ops = kwargs.get("output_padding", 0)
    ops = ops if isinstance(ops, list) else [ops] * n
    for i in range(n):
        out = (
            (spatial[i] - 1) * strides[i] - 2 * pads[i] + dilation[i] * (kernel[i] - 1) + ops[i] + 1
        )
        if out == 0:
            # torch accepts a length-0 output or not depending on the backend
            # (even the number of threads): keep such cases out of the sample
            spatial[i] += 1
    args, kw, omit = _size_first(
        rng,
        "in_channels",
        in_ch,
        [("out_channels", out_ch), ("kernel_size", _compact(kernel, rng))],
    )
    return {
        "args": args,
        "kwargs": {**kw, **kwargs},
        "input_shape": [in_ch, *spatial],
        "omit": omit,
    }


def _gen_pool(rng, name):
    n = int(name[-2])
    kind = name[:2]  # Ma, Av, LP
    kernel = _per_dim(rng, n, 1, 3 if n == 3 else 4)
    args, kwargs = [], {}
    if kind == "LP":
        args.append(rng.choice([1, 2, 3.0]))
    k_value = kernel[0] if name == "LPPool1d" else _compact(kernel, rng)  # torch: an int
    if _coin(rng, 0.8):
        args.append(k_value)
    else:
        kwargs["kernel_size"] = k_value
    strides = None
    r = rng.random()
    if r < 0.4:
        pass
    elif r < 0.5:
        kwargs["stride"] = None
    else:
        strides = _per_dim(rng, n, 1, 3)
        kwargs["stride"] = _compact(strides, rng)
    dilation = [1] * n
    pads = [0] * n
    if kind != "LP" and _coin(rng, 0.4):
        pads = [rng.randint(0, k // 2) for k in kernel]
        if _coin(rng, 0.05):
            pads = [k // 2 + 1 for k in kernel]  # too much padding: rejected
        kwargs["padding"] = _compact(pads, rng)
    if kind == "Ma" and _coin(rng, 0.3):
        dilation = _per_dim(rng, n, 1, 2)
        kwargs["dilation"] = _compact(dilation, rng)
    if _coin(rng, 0.35):
        kwargs["ceil_mode"] = _coin(rng, 0.7)
    if kind == "Ma" and _coin(rng, 0.1):
        kwargs["return_indices"] = True
    if kind == "Av":
        if _coin(rng, 0.3):
            kwargs["count_include_pad"] = _coin(rng)
        if n > 1 and _coin(rng, 0.15):
            kwargs["divisor_override"] = rng.randint(1, 4)
    spatial = []
    for i in range(n):
        eff = dilation[i] * (kernel[i] - 1) + 1
        low = max(1, eff - 2 * pads[i])
        d = rng.randint(low, max(low, 10 if n < 3 else 6))
        if low > 1 and _coin(rng, 0.03):
            d = rng.randint(1, low - 1)  # too small: rejected
        spatial.append(d)
    lead = [] if _coin(rng, 0.15) else [rng.randint(1, 6)]
    return {"args": args, "kwargs": kwargs, "input_shape": [*lead, *spatial]}


def _gen_adaptive(rng, name):
    n = int(name[-2])
    kwargs = {}
    none_p = 0.03 if n == 1 else 0.15  # None (keep the length) is for 2-D and 3-D only
    size = [None if _coin(rng, none_p) else rng.randint(1, 6) for _ in range(n)]
    if n == 1 or (_coin(rng, 0.3) and None not in size):
        value = size[0]
        if n > 1:
            size = [value] * n
    else:
        value = size
    args = [value] if _coin(rng, 0.8) else []
    if not args:
        kwargs["output_size"] = value
    if "Max" in name and _coin(rng, 0.15):
        kwargs["return_indices"] = True
    lead = [] if _coin(rng, 0.15) else [rng.randint(1, 6)]
    return {"args": args, "kwargs": kwargs, "input_shape": [*lead, *_shape(rng, n, 1, 9)]}


def _gen_batchnorm(rng, name):
    n = int(name[-2])
    c = rng.randint(1, 16)
    if n == 1:
        shape = [c] if _coin(rng, 0.4) else [c, rng.randint(1, 8)]
    else:
        shape = [c, *_shape(rng, n, 1, 6 if n == 2 else 4)]
    kwargs = {}
    if _coin(rng, 0.3):
        kwargs["affine"] = _coin(rng, 0.4)
    if _coin(rng, 0.3):
        kwargs["track_running_stats"] = _coin(rng, 0.4)
    if _coin(rng, 0.2):
        kwargs["momentum"] = rng.choice([None, 0.15, 0.01])
    if _coin(rng, 0.15):
        kwargs["bias"] = _coin(rng, 0.3)
    if _coin(rng, 0.1):
        kwargs["eps"] = 1e-3
    args, kw, omit = _size_first(rng, "num_features", c, [], p_wrong=0.06)
    return {"args": args, "kwargs": {**kw, **kwargs}, "input_shape": shape, "omit": omit}


def _gen_instancenorm(rng, name):
    n = int(name[-2])
    c = rng.randint(1, 12)
    while True:
        spatial = _shape(rng, n, 1, 7 if n < 3 else 4)
        if math.prod(spatial) > 1:
            break
    kwargs = {}
    if _coin(rng, 0.4):
        kwargs["affine"] = _coin(rng, 0.6)
    if _coin(rng, 0.3):
        kwargs["track_running_stats"] = _coin(rng, 0.6)
    if _coin(rng, 0.1):
        kwargs["bias"] = False
    args, kw, omit = _size_first(rng, "num_features", c, [], p_wrong=0.08)
    return {"args": args, "kwargs": {**kw, **kwargs}, "input_shape": [c, *spatial], "omit": omit}


def _gen_layernorm(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 6)
    k = rng.randint(1, rank) if _coin(rng, 0.4) else 1
    normalized = shape[rank - k :]
    if _coin(rng, 0.05):
        normalized = [*normalized[:-1], normalized[-1] + 1]  # rejected
    kwargs = {}
    if name == "LayerNorm":
        if _coin(rng, 0.3):
            kwargs["elementwise_affine"] = _coin(rng, 0.5)
        if _coin(rng, 0.4):
            kwargs["bias"] = _coin(rng, 0.4)
    else:
        if _coin(rng, 0.3):
            kwargs["elementwise_affine"] = _coin(rng, 0.5)
        if _coin(rng, 0.2):
            kwargs["eps"] = 1e-6
    value = normalized[0] if len(normalized) == 1 and _coin(rng, 0.6) else normalized
    omit = (
        "normalized_shape"
        if len(normalized) == 1 and normalized == shape[-1:] and _coin(rng)
        else None
    )
    if _coin(rng, 0.15):
        return {
            "args": [],
            "kwargs": {"normalized_shape": value, **kwargs},
            "input_shape": shape,
            "omit": omit,
        }
    return {"args": [value], "kwargs": kwargs, "input_shape": shape, "omit": omit}


def _gen_groupnorm(rng, name):
    g = rng.randint(1, 4)
    c = g * rng.randint(1, 4)
    given = c
    if _coin(rng, 0.05):
        given = c + 1  # not divisible (or wrong): rejected
    shape = [c, *_shape(rng, rng.randint(0, 2), 1, 5)]
    kwargs = {}
    if _coin(rng, 0.3):
        kwargs["affine"] = _coin(rng, 0.5)
    if _coin(rng, 0.15):
        kwargs["bias"] = False
    omit = "num_channels" if given == c and _coin(rng) else None
    if _coin(rng, 0.2):
        kwargs["num_channels"] = given
        return {"args": [g], "kwargs": kwargs, "input_shape": shape, "omit": omit}
    return {"args": [g, given], "kwargs": kwargs, "input_shape": shape, "omit": omit}


def _gen_lrn(rng, name):
    return {
        "args": [rng.randint(1, 5)],
        "kwargs": {"alpha": 1e-3} if _coin(rng, 0.2) else {},
        "input_shape": _shape(rng, rng.randint(2, 4), 1, 6),
    }


def _gen_embedding(rng, name):
    num, dim = rng.randint(1, 60), rng.randint(1, 32)
    kwargs = {}
    if _coin(rng, 0.3):
        kwargs["padding_idx"] = rng.randint(-num, num - 1)
        if _coin(rng, 0.1):
            kwargs["padding_idx"] = num  # out of range: rejected
    if _coin(rng, 0.15):
        kwargs["max_norm"] = 1.0
    if _coin(rng, 0.1):
        kwargs["sparse"] = True
    return {
        "args": [num, dim],
        "kwargs": kwargs,
        "input_shape": _shape(rng, rng.randint(1, 3), 1, 8),
    }


def _gen_rnn(rng, name):
    f, h = rng.randint(1, 12), rng.randint(1, 20)
    kwargs = {}
    layers = rng.choice([1, 1, 2, 3])
    if layers > 1 or _coin(rng, 0.1):
        kwargs["num_layers"] = layers
    if name == "RNN" and _coin(rng, 0.3):
        kwargs["nonlinearity"] = rng.choice(["tanh", "relu"])
    _bias(rng, kwargs)
    if _coin(rng, 0.4):
        kwargs["batch_first"] = _coin(rng)
    if layers > 1 and _coin(rng, 0.3):
        kwargs["dropout"] = 0.2
    if _coin(rng, 0.4):
        kwargs["bidirectional"] = _coin(rng, 0.7)
    if name == "LSTM" and h > 1 and _coin(rng, 0.3):
        kwargs["proj_size"] = rng.randint(1, h - 1)
        if _coin(rng, 0.1):
            kwargs["proj_size"] = h  # rejected
    args, kw, omit = _size_first(rng, "input_size", f, [("hidden_size", h)])
    return {
        "args": args,
        "kwargs": {**kw, **kwargs},
        "input_shape": [rng.randint(1, 8), f],
        "omit": omit,
    }


def _gen_cell(rng, name):
    f, h = rng.randint(1, 12), rng.randint(1, 20)
    kwargs = {}
    _bias(rng, kwargs)
    if name == "RNNCell" and _coin(rng, 0.3):
        kwargs["nonlinearity"] = rng.choice(["tanh", "relu"])
    args, kw, omit = _size_first(rng, "input_size", f, [("hidden_size", h)])
    return {"args": args, "kwargs": {**kw, **kwargs}, "input_shape": [f], "omit": omit}


def _gen_mha(rng, name):
    heads = rng.randint(1, 4)
    e = heads * rng.randint(1, 4)
    if _coin(rng, 0.05):
        e += 1 if heads > 1 else 0  # not divisible: rejected
    kwargs = {}
    _bias(rng, kwargs)
    if _coin(rng, 0.25):
        kwargs["add_bias_kv"] = True
    if _coin(rng, 0.15):
        kwargs["add_zero_attn"] = True
    if _coin(rng, 0.15):
        kwargs["kdim"] = e if _coin(rng, 0.7) else e + 1  # a different kdim fails in self-attention
    if _coin(rng, 0.1):
        kwargs["vdim"] = e
    if _coin(rng, 0.3):
        kwargs["batch_first"] = _coin(rng)
    args, kw, omit = _size_first(rng, "embed_dim", e, [("num_heads", heads)])
    case = {
        "args": args,
        "kwargs": {**kw, **kwargs},
        "input_shape": [rng.randint(1, 6), e],
        "omit": omit,
    }
    if _coin(rng, 0.4):
        # cross-attention: key and value of their own length and widths (kdim, vdim)
        s = rng.randint(1, 6)
        kdim = rng.randint(1, 9) if _coin(rng, 0.7) else e
        vdim = rng.randint(1, 9) if _coin(rng, 0.7) else e
        for key, dim in (("kdim", kdim), ("vdim", vdim)):
            if dim != e or _coin(rng, 0.3):
                case["kwargs"][key] = dim
        if _coin(rng, 0.05):
            kdim += 1  # the key is not kdim wide: rejected
        case["other_inputs"] = [[s, kdim], [s, vdim]]
    return case


def _transformer_kwargs(rng, kwargs):
    kwargs["dim_feedforward"] = rng.randint(1, 24)
    kwargs["dropout"] = 0.0
    if _coin(rng, 0.2):
        kwargs["activation"] = "gelu"
    if _coin(rng, 0.3):
        kwargs["batch_first"] = _coin(rng)
    if _coin(rng, 0.2):
        kwargs["norm_first"] = True
    if _coin(rng, 0.2):
        kwargs["bias"] = False


def _gen_transformer_layer(rng, name):
    heads = rng.randint(1, 3)
    d = heads * rng.randint(1, 4)
    if heads > 1 and _coin(rng, 0.05):
        d += 1  # rejected
    kwargs = {}
    _transformer_kwargs(rng, kwargs)
    args, kw, omit = _size_first(rng, "d_model", d, [("nhead", heads)])
    case = {
        "args": args,
        "kwargs": {**kw, **kwargs},
        "input_shape": [rng.randint(1, 5), d],
        "omit": omit,
    }
    if name == "TransformerDecoderLayer" and _coin(rng, 0.5):
        case["other_inputs"] = [[rng.randint(1, 5), d]]  # a memory of its own length
    return case


def _gen_transformer_stack(rng, name):
    inner = "TransformerEncoderLayer" if name == "TransformerEncoder" else "TransformerDecoderLayer"
    heads = rng.randint(1, 3)
    d = heads * rng.randint(1, 4)
    ikw = {}
    _transformer_kwargs(rng, ikw)
    ikw.pop("batch_first", None)
    kwargs = {}
    if _coin(rng, 0.4):
        kwargs["norm"] = {"layer": "LayerNorm", "args": [d], "kwargs": {}}
    if name == "TransformerEncoder":
        kwargs["enable_nested_tensor"] = False
    layer = {"layer": inner, "args": [d, heads], "kwargs": ikw}
    return {
        "args": [layer, rng.randint(1, 3)],
        "kwargs": kwargs,
        "input_shape": [rng.randint(1, 5), d],
    }


def _gen_transformer(rng, name):
    heads = rng.randint(1, 3)
    d = heads * rng.randint(1, 3)
    kwargs = {
        "d_model": d,
        "nhead": heads,
        "num_encoder_layers": rng.randint(1, 2),
        "num_decoder_layers": rng.randint(1, 2),
    }
    _transformer_kwargs(rng, kwargs)
    case = {"args": [], "kwargs": kwargs, "input_shape": [rng.randint(1, 4), d]}
    if _coin(rng, 0.5):
        case["other_inputs"] = [[rng.randint(1, 4), d]]  # a target of its own length
    return case


def _axis_pair(rng, rank):
    """(start, end) in torch's counting (batch = 0), sometimes negative."""
    s = rng.randint(1, rank)
    e = rng.randint(s, rank)
    if _coin(rng, 0.05):
        s, e = e + 1, e  # start after end (when possible): rejected
        if s > rank:
            s = rank
    full = rank + 1
    if _coin(rng, 0.3):
        s -= full
    if _coin(rng, 0.4):
        e -= full
    return s, e


def _gen_flatten(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 6)
    kwargs = {}
    r = rng.random()
    if r < 0.3:
        return {"args": [], "kwargs": {}, "input_shape": shape}
    s, e = _axis_pair(rng, rank)
    if r < 0.6:
        return {"args": [s, e], "kwargs": kwargs, "input_shape": shape}
    return {"args": [], "kwargs": {"start_dim": s, "end_dim": e}, "input_shape": shape}


def _gen_unflatten(rng, name):
    rank = rng.randint(1, 3)
    shape = _shape(rng, rank, 1, 12)
    i = rng.randrange(rank)
    sizes = _factor(rng, shape[i], rng.randint(1, 3))
    if _coin(rng, 0.3):
        sizes[rng.randrange(len(sizes))] = -1
    if _coin(rng, 0.05):
        sizes = [d for d in sizes if d != -1] or [1]
        sizes[0] += 1  # rejected
    dim = i + 1 if _coin(rng, 0.6) else i + 1 - (rank + 1)
    return {"args": [dim, sizes], "kwargs": {}, "input_shape": shape}


def _gen_identity(rng, name):
    args = [rng.randint(1, 9)] if _coin(rng, 0.2) else []
    return {"args": args, "kwargs": {}, "input_shape": _shape(rng, rng.randint(1, 4), 1, 8)}


def _gen_dropout(rng, name):
    p = round(rng.uniform(0.0, 0.9), 2)
    if _coin(rng, 0.04):
        p = 1.5  # rejected
    args, kwargs = ([p], {}) if _coin(rng, 0.6) else ([], {"p": p})
    if _coin(rng, 0.1):
        kwargs["inplace"] = False
    rank = rng.randint(1, 2) if name == "Dropout1d" else rng.randint(1, 4)
    if name in ("Dropout2d", "Dropout3d"):
        rank = rng.choice([int(name[-2]) + 1, int(name[-2]) + 1, 2])
    return {"args": args, "kwargs": kwargs, "input_shape": _shape(rng, rank, 1, 6)}


_ACT_KWARGS = {
    "LeakyReLU": lambda r: {"negative_slope": round(r.uniform(0, 0.5), 2)},
    "ELU": lambda r: {"alpha": round(r.uniform(0.1, 2), 2)},
    "CELU": lambda r: {"alpha": round(r.uniform(0.1, 2), 2)},
    "GELU": lambda r: {"approximate": r.choice(["none", "tanh"])},
    "Softplus": lambda r: {"beta": 2.0, "threshold": 10.0},
    "Hardshrink": lambda r: {"lambd": 0.3},
    "Softshrink": lambda r: {"lambd": 0.3},
    "Hardtanh": lambda r: (
        {"min_val": 0.5, "max_val": 0.1} if r.random() < 0.1 else {"min_val": -2.0, "max_val": 2.0}
    ),
    "RReLU": lambda r: {"lower": 0.1, "upper": 0.2},
}


def _gen_activation(rng, name):
    args, kwargs = [], {}
    if name == "Threshold":
        args = [0.1, 20.0]
    elif name in _ACT_KWARGS and _coin(rng, 0.5):
        kwargs = _ACT_KWARGS[name](rng)
    elif _coin(rng, 0.1) and name not in (
        "Sigmoid",
        "Tanh",
        "Softsign",
        "Tanhshrink",
        "LogSigmoid",
        "GELU",
        "Softplus",
        "Hardshrink",
        "Softshrink",
    ):
        kwargs["inplace"] = False
    return {"args": args, "kwargs": kwargs, "input_shape": _shape(rng, rng.randint(1, 4), 1, 6)}


def _gen_softmax(rng, name):
    rank = rng.randint(1, 4)
    full = rank + 1
    kwargs = {}
    r = rng.random()
    if r < 0.8:
        d = rng.randint(0, rank)
        if _coin(rng, 0.4):
            d -= full
        if _coin(rng, 0.04):
            d = full  # out of range: rejected
        kwargs["dim"] = d
    return {"args": [], "kwargs": kwargs, "input_shape": _shape(rng, rank, 1, 6)}


def _gen_softmax2d(rng, name):
    return {"args": [], "kwargs": {}, "input_shape": _shape(rng, rng.choice([2, 3, 3]), 1, 6)}


def _gen_glu(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 4)
    i = rng.randrange(rank)
    shape[i] = 2 * rng.randint(1, 4)
    if _coin(rng, 0.06):
        shape[i] += 1  # odd: rejected
    d = i + 1 if _coin(rng, 0.6) else i + 1 - (rank + 1)
    if d == -1 and _coin(rng, 0.5):
        return {"args": [], "kwargs": {}, "input_shape": shape}
    return {"args": [d], "kwargs": {}, "input_shape": shape}


def _gen_prelu(rng, name):
    rank = rng.randint(1, 4)
    shape = _shape(rng, rank, 1, 6)
    kwargs = {}
    if _coin(rng, 0.6):
        kwargs["num_parameters"] = shape[0] if _coin(rng, 0.9) else shape[0] + 1
    if _coin(rng, 0.2):
        kwargs["init"] = 0.1
    return {"args": [], "kwargs": kwargs, "input_shape": shape}


def _gen_pixel_shuffle(rng, name):
    r = rng.randint(1, 3)
    c, h, w = rng.randint(1, 3), rng.randint(1, 5), rng.randint(1, 5)
    lead = [rng.randint(1, 3)] if _coin(rng, 0.15) else []
    if name == "PixelShuffle":
        shape = [*lead, c * r * r, h, w]
        if r > 1 and _coin(rng, 0.05):
            shape[-3] += 1  # rejected
    else:
        shape = [*lead, c, h * r, w * r]
        if r > 1 and _coin(rng, 0.05):
            shape[-1] += 1  # rejected
    return {"args": [r], "kwargs": {}, "input_shape": shape}


def _gen_channel_shuffle(rng, name):
    g = rng.randint(1, 4)
    shape = [g * rng.randint(1, 4), *_shape(rng, rng.randint(1, 2), 1, 5)]
    if g > 1 and _coin(rng, 0.05):
        shape[0] += 1  # rejected
    return {"args": [g], "kwargs": {}, "input_shape": shape}


def _gen_upsample(rng, name):
    if name == "Upsample":
        n = rng.randint(1, 3)
        mode = rng.choice(
            ["nearest", "nearest", "nearest-exact", "area"]
            + [{1: "linear", 2: "bilinear", 3: "trilinear"}[n]] * 2
            + (["bicubic"] if n == 2 else [])
        )
        if _coin(rng, 0.04):
            mode = "bilinear" if n != 2 else "trilinear"  # wrong rank: rejected
    else:
        n = 2
        mode = None
    shape = [rng.randint(1, 4), *_shape(rng, n, 1, 6)]
    kwargs = {}
    if mode is not None and mode != "nearest":
        kwargs["mode"] = mode
    r = rng.random()
    if r < 0.4:
        sizes = _per_dim(rng, n, 1, 10)
        kwargs["size"] = _compact(sizes, rng)
    else:
        factors = [rng.choice([1, 2, 3, 0.5, 1.5, 2.5]) for _ in range(n)]
        if _coin(rng, 0.4):
            factors = [factors[0]] * n
        kwargs["scale_factor"] = (
            factors[0] if len(set(factors)) == 1 and _coin(rng, 0.6) else factors
        )
    if _coin(rng, 0.03):
        kwargs["size"] = 4
        kwargs["scale_factor"] = 2  # both: rejected
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and _coin(rng, 0.4):
        kwargs["align_corners"] = _coin(rng)
    elif name == "Upsample" and _coin(rng, 0.03):
        kwargs["align_corners"] = True  # only for interpolating modes: rejected unless one
    return {"args": [], "kwargs": kwargs, "input_shape": shape}


def _gen_pad(rng, name):
    n = int(name[-2])
    kind = name[: name.index("Pad")]
    if _coin(rng, 0.35):
        pads = [rng.randint(0, 3)] * (2 * n)
        spec = pads[0]
    else:
        pads = [rng.randint(0, 3) for _ in range(2 * n)]
        spec = pads
    if kind in ("Zero", "Constant") and _coin(rng, 0.15):
        pads = [p - rng.randint(0, 2) for p in pads]  # negative pads crop
        spec = pads
    shape = _shape(rng, n, 1, 6)
    for j in range(n):
        i = n - 1 - j
        need = max(pads[2 * j], pads[2 * j + 1])
        if kind == "Reflection":
            shape[i] = max(shape[i], need + 1)
        elif kind == "Circular":
            shape[i] = max(shape[i], need)
        elif kind in ("Zero", "Constant"):
            shape[i] = max(shape[i], -pads[2 * j] - pads[2 * j + 1] + 1)
    if kind in ("Reflection", "Circular") and _coin(rng, 0.06):
        shape[-1] = max(1, pads[0] - (1 if kind == "Circular" else 0))  # too short: rejected
    if kind in ("Zero", "Constant"):
        lead = _shape(rng, rng.choice([0, 1, 1, 2]), 1, 4)
    else:
        lead = [] if _coin(rng, 0.2) else [rng.randint(1, 4)]
    args = [spec]
    if kind == "Constant":
        args.append(0.5)
    return {"args": args, "kwargs": {}, "input_shape": [*lead, *shape]}


_SAMPLERS = {
    "Linear": _gen_linear,
    "Bilinear": _gen_bilinear,
    "LayerNorm": _gen_layernorm,
    "RMSNorm": _gen_layernorm,
    "GroupNorm": _gen_groupnorm,
    "LocalResponseNorm": _gen_lrn,
    "Embedding": _gen_embedding,
    "MultiheadAttention": _gen_mha,
    "TransformerEncoderLayer": _gen_transformer_layer,
    "TransformerDecoderLayer": _gen_transformer_layer,
    "TransformerEncoder": _gen_transformer_stack,
    "TransformerDecoder": _gen_transformer_stack,
    "Transformer": _gen_transformer,
    "Flatten": _gen_flatten,
    "Unflatten": _gen_unflatten,
    "Identity": _gen_identity,
    "Softmax2d": _gen_softmax2d,
    "GLU": _gen_glu,
    "PReLU": _gen_prelu,
    "PixelShuffle": _gen_pixel_shuffle,
    "PixelUnshuffle": _gen_pixel_shuffle,
    "ChannelShuffle": _gen_channel_shuffle,
    "Upsample": _gen_upsample,
    "UpsamplingNearest2d": _gen_upsample,
    "UpsamplingBilinear2d": _gen_upsample,
}

# symcount's attention ops, torch's function and transformers' rotary module
# (torch_attention_cases.py): sampled and built there
LAYERS += list(_attention.SAMPLERS)
_SAMPLERS.update(_attention.SAMPLERS)
for _name in LAYERS:
    if _name in _SAMPLERS:
        continue
    if _name.startswith(("Conv1", "Conv2", "Conv3")):
        _SAMPLERS[_name] = _gen_conv
    elif _name.startswith("ConvTranspose"):
        _SAMPLERS[_name] = _gen_conv_transpose
    elif _name.startswith(("MaxPool", "AvgPool", "LPPool")):
        _SAMPLERS[_name] = _gen_pool
    elif _name.startswith("Adaptive"):
        _SAMPLERS[_name] = _gen_adaptive
    elif _name.startswith("BatchNorm"):
        _SAMPLERS[_name] = _gen_batchnorm
    elif _name.startswith("InstanceNorm"):
        _SAMPLERS[_name] = _gen_instancenorm
    elif _name in ("RNN", "LSTM", "GRU"):
        _SAMPLERS[_name] = _gen_rnn
    elif _name.endswith("Cell"):
        _SAMPLERS[_name] = _gen_cell
    elif "Dropout" in _name:
        _SAMPLERS[_name] = _gen_dropout
    elif _name in ACTIVATIONS:
        _SAMPLERS[_name] = _gen_activation
    elif _name in ("Softmax", "LogSoftmax", "Softmin"):
        _SAMPLERS[_name] = _gen_softmax
    elif "Pad" in _name:
        _SAMPLERS[_name] = _gen_pad

_SAMPLERS.update(PARAMS_SAMPLERS)
assert set(_SAMPLERS) == set(LAYERS), set(_SAMPLERS) ^ set(LAYERS)


def sample_cases(seed: int, per_layer: int, layers=None) -> list[dict]:
    """``per_layer`` seeded random cases for each module (no results yet).

    Each module draws from its own ``random.Random(f"{seed}/{name}")``, so its
    cases do not change when modules are added, and ``per_layer=k`` is a
    prefix of ``per_layer=k+1``.
    """
    cases = []
    for name in layers or LAYERS:
        rng = random.Random(f"{seed}/{name}")
        for i in range(per_layer):
            case = {"id": f"{name}-{i:04d}", "layer": name}
            case.update(_SAMPLERS[name](rng, name))
            if case.get("omit") is None:
                case.pop("omit", None)
            _freeze(rng, case)
            cases.append(case)
    return cases


# ---------------------------------------------------------------------------
# building in real PyTorch
# ---------------------------------------------------------------------------


def _torch():
    import torch

    return torch


def _value(v):
    """JSON value -> torch argument: lists become tuples, layer dicts modules."""
    if isinstance(v, dict) and "layer" in v:
        return build_module(v)
    if isinstance(v, list):
        return tuple(_value(x) for x in v)
    return v


def built(spec: dict):
    """The case's module, seeded and without its constructor's warnings, as
    every live test builds it."""
    _torch().manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_module(spec)


def build_module(spec: dict):
    nn = _torch().nn
    if spec["layer"] in _attention.BUILDERS:  # no torch.nn module: built as the code computes it
        return _attention.build(spec)
    cls = getattr(nn, spec["layer"], None) or tensor_method(spec["layer"])
    args = [_value(a) for a in spec.get("args", [])]
    kwargs = {k: _value(v) for k, v in spec.get("kwargs", {}).items()}
    return cls(*args, **kwargs)


def _batch_dim(case: dict) -> int:
    """Where the batch goes: axis 1 for torch's (T, N, F) sequence layout."""
    if case["layer"] not in SEQUENCE_FIRST:
        return 0
    kwargs = case.get("kwargs", {})
    if case["layer"] in ("TransformerEncoder", "TransformerDecoder"):
        kwargs = case["args"][0].get("kwargs", {})
    return 0 if kwargs.get("batch_first", False) else 1


def _without(shape, axis):
    return [int(d) for i, d in enumerate(shape) if i != axis]


def run_forward(module, case: dict, batch: int = 2):
    """Output shape(s) of a forward pass on zeros, the batch axis removed."""
    torch = _torch()
    axis = _batch_dim(case)
    shape = list(case["input_shape"])
    shape.insert(axis, batch)
    layer = case["layer"]
    dtype = torch.long if layer == "Embedding" else torch.float32
    x = torch.zeros(shape, dtype=dtype)
    others = []
    for s in case.get("other_inputs", []):  # key and value, a memory, a second operand
        s = list(s)
        s.insert(axis, batch)
        others.append(torch.zeros(s))
    if layer == "MultiheadAttention":
        k, v = others or (x, x)
        y = module(x, k, v)[0]
    elif layer in _attention.BUILDERS:  # query, then key, value and any attn_mask
        y = module(x, *others)
    elif layer in ("TransformerDecoderLayer", "TransformerDecoder", "Transformer", "Bilinear"):
        y = module(x, *(others or [x]))
    else:
        y = module(x)
    if layer in ("RNN", "LSTM", "GRU", "LSTMCell"):
        y = y[0]  # output (and not h_n, c_n), or LSTMCell's h
    if isinstance(y, tuple):  # return_indices
        return [_without(t.shape, axis) for t in y]
    return _without(y.shape, axis)


def torch_reference(case: dict) -> dict:
    """Build ``case`` in real PyTorch; return a copy with the results added."""
    torch = _torch()
    out = {k: copy.deepcopy(v) for k, v in case.items() if k not in RESULT_KEYS}
    torch.manual_seed(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = build_module(case)
            if case.get("frozen"):
                for p in module.parameters():
                    p.requires_grad_(False)
            out_shape = run_forward(module, case)
    except Exception as e:  # torch rejected the configuration
        out["error"] = f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"
        return out
    out["output_shape"] = out_shape
    params = list(module.parameters())
    out["trainable"] = int(sum(p.numel() for p in params if p.requires_grad))
    out["non_trainable"] = int(sum(p.numel() for p in params if not p.requires_grad))
    out["buffers"] = int(sum(b.numel() for b in module.buffers()))
    weights = [
        {"name": n, "shape": list(p.shape), "kind": "parameter"}
        for n, p in module.named_parameters()
    ]
    weights += [
        {"name": n, "shape": list(b.shape), "kind": "buffer"} for n, b in module.named_buffers()
    ]
    out["weights"] = weights
    return out


def _dump(doc: dict, path: str) -> None:
    """JSON with one case per line (valid JSON, diff-friendly)."""
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f" {json.dumps(k)}: {json.dumps(v)},")
    lines.append(' "cases": [')
    lines.append(",\n".join("  " + json.dumps(c, separators=(",", ":")) for c in doc["cases"]))
    lines.append(" ]")
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--per-layer", type=int, default=32)
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "torch_layers.json"))
    p.add_argument("--layers", nargs="*", help="restrict to these module names")
    p.add_argument("-q", "--quiet", action="store_true")
    a = p.parse_args(argv)

    torch = _torch()
    torch.set_num_threads(1)
    t0 = time.time()
    cases = sample_cases(a.seed, a.per_layer, a.layers)
    results = [torch_reference(c) for c in cases]
    doc = {
        "torch_version": torch.__version__,
        "seed": a.seed,
        "per_layer": a.per_layer,
        "cases": results,
    }
    _dump(doc, a.out)
    if not a.quiet:
        stats: dict[str, list[int]] = {}
        for r in results:
            s = stats.setdefault(r["layer"], [0, 0])
            s[1 if "error" in r else 0] += 1
        for name, (ok, err) in stats.items():
            print(f"{name:26s} valid={ok:3d} error={err:3d}")
        n_err = sum(s[1] for s in stats.values())
        print(
            f"{len(results)} cases ({len(results) - n_err} valid, {n_err} errors) -> {a.out} "
            f"in {time.time() - t0:.1f}s [torch {torch.__version__}]",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())


def recorded_by_layer(keep=lambda case: True) -> dict[str, list[dict]]:
    """The recorded cases torch accepted (torch_layers.json), by layer type,
    in the file's order; ``keep`` narrows them (the live tests share this)."""
    import json
    from pathlib import Path

    cases = json.loads((Path(__file__).parent / "torch_layers.json").read_text())["cases"]
    out: dict[str, list[dict]] = {}
    for c in cases:
        if "error" not in c and keep(c):
            out.setdefault(c["layer"], []).append(c)
    return out
