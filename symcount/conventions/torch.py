"""PyTorch's convention (torch.nn): channels first, running statistics as
buffers, the input size inferred when left out (``Linear(10)``), layer names
in lower case (linear, conv2d_1). Imported on first use of ``convention torch``,
so a Keras model's start-up does not pay for it."""

from __future__ import annotations

from typing import ClassVar

from ..ops.spec import REQUIRED
from ..ops.spec import a as arg
from .base import Convention, Layer, layer
from .registry import torch as registry


def factory_args():
    """Accepted on every torch module: placement and precision, never counts."""
    return (arg("device"), arg("dtype"))


INPLACE = arg("inplace", "bool", False)
ACTIVATION = "An activation: same shape, no weights."
DROPOUT = "Zeroes entries (or channels) at random while training: same shape, no weights."


def _activation(*args):
    return layer("identity", *args, doc=ACTIVATION)


def _dropout(**kw):
    return layer(
        "dropout", arg("p", "number", 0.5), INPLACE, names={"p": "rate"}, doc=DROPOUT, **kw
    )


def _softmax(name):
    return layer(
        "softmax",
        arg("dim", "axis", None),
        names={"dim": "axis"},
        doc=f"{name} along dim (batch counted as 0): same shape, no weights.",
    )


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
SPATIAL = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}
CONV = {
    "in_channels": "c_in",
    "out_channels": "filters",
    "kernel_size": "kernel",
    "stride": "strides",
}


def _conv(rank, transpose=False):
    dims = {"rank": rank}
    if transpose:
        padding = (
            arg("padding", "dims0", (0,) * rank, rank=rank),
            arg("output_padding", "dims0", (0,) * rank, rank=rank),
            arg("groups", "dim", 1),
            arg("bias", "bool", True),
            arg("dilation", "dims", (1,) * rank, rank=rank),
        )
        kernel = "weight(cin, cout, *kernel)"
        doc = (
            f"weight (in_channels, out_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[rank]}. Output (L - 1)*stride - 2*padding + dilation*(k - 1) "
            "+ output_padding + 1."
        )
    else:
        padding = (
            arg("padding", "padding", (0,) * rank, rank=rank, choices=("same", "valid")),
            arg("dilation", "dims", (1,) * rank, rank=rank),
            arg("groups", "dim", 1),
            arg("bias", "bool", True),
        )
        kernel = "weight(filters, cin, *kernel)"
        doc = (
            f"weight (out_channels, in_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[rank]}."
        )
    return layer(
        "conv_transpose" if transpose else "conv",
        arg("in_channels", "dim", REQUIRED),
        arg("out_channels", "dim", REQUIRED),
        arg("kernel_size", "dims", REQUIRED, rank=rank),
        arg("stride", "dims", (1,) * rank, rank=rank),
        *padding,
        arg("padding_mode", "enum", "zeros", choices=PADDING_MODES),
        *factory_args(),
        names=CONV,
        fixed=dims,
        weights={"kernel": kernel, "bias": "bias(filters)"},
        infer="in_channels",
        doc=doc,
    )


POOL = {"kernel_size": "kernel", "stride": "strides"}


def _pool(rank, kind):
    window = (
        arg("kernel_size", "dims", REQUIRED, rank=rank),
        arg("stride", "dims", None, rank=rank),
    )
    padding = arg("padding", "dims0", (0,) * rank, rank=rank)
    ceil_mode = arg("ceil_mode", "bool", False)
    fixed = {"rank": rank, "kind": kind}
    if kind == "max":
        args = (
            *window,
            padding,
            arg("dilation", "dims", (1,) * rank, rank=rank),
            arg("return_indices", "bool", False),
            ceil_mode,
        )
        doc = "Max over kernel_size windows; stride defaults to kernel_size. No weights."
    elif kind == "avg":
        args = (*window, padding, ceil_mode, arg("count_include_pad", "bool", True))
        if rank > 1:
            args += (arg("divisor_override", "dim", None),)
        doc = "Average over kernel_size windows; stride defaults to kernel_size. No weights."
    else:
        args = (arg("norm_type", "number", REQUIRED), *window, ceil_mode)
        fixed["padding"] = (0,) * rank
        doc = "Power-average over kernel_size windows (no padding). No weights."
    return layer("pool", *args, names=POOL, fixed=fixed, doc=doc)


def _adaptive_pool(rank, kind):
    args = [arg("output_size", "sizes", REQUIRED)]
    if kind == "Max":
        args.append(arg("return_indices", "bool", False))
    return layer(
        "adaptive_pool",
        *args,
        names={"output_size": "size"},
        fixed={"rank": rank},
        doc=f"{kind} pooling to a fixed output_size (None keeps an axis's length). No weights.",
    )


MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
PAD_KINDS = ("Zero", "Constant", "Reflection", "Replication", "Circular")


def _pad(rank, kind):
    args = [arg("padding", "ints", REQUIRED, rank=2 * rank)]
    if kind == "Constant":
        args.append(arg("value", "number", REQUIRED))
    sides = (
        "(left, right"
        + (", top, bottom" if rank > 1 else "")
        + (", front, back" if rank > 2 else "")
    )
    return layer(
        "pad",
        *args,
        fixed={"rank": rank, "kind": kind},
        doc=f"Pads the last {rank} axes; padding is an int or {sides}), last axis first; "
        "negative values crop. No weights.",
    )


def _upsampling(mode, align):
    return layer(
        "upsample",
        arg("size", "sizes", None),
        arg("scale_factor", "numbers", None),
        names={"scale_factor": "scale"},
        fixed={"ranks": (3,), "mode": mode, "align_corners": align},
        doc=f"Upsample(mode={mode}) on (C, H, W). No weights.",
    )


def _shuffle(name, inverse, doc):
    return layer(
        "pixel_shuffle",
        arg(name, "dim", REQUIRED),
        names={name: "factor"},
        fixed={"inverse": inverse},
        doc=doc,
    )


class Torch(Convention):
    name = "torch"
    state_as_buffers = True
    FLAGS: ClassVar[dict] = {
        "layout": "channels_first",
        "padding": "explicit",  # 'same' and integers resolve to pads, as ATen does
        "groups_first": True,
        "groups_checks": (("c_in", "in_channels"), ("filters", "out_channels")),
    }
    LABELS: ClassVar[dict[str, str]] = {
        "c_in/groups": "in_channels/groups",
        "filters/groups": "out_channels/groups",
    }

    @staticmethod
    def name_base(type_name: str) -> str:
        """The class name in lower case (linear, conv2d_1)."""
        return type_name.lower()

    MESSAGES: ClassVar[dict[str, str]] = {
        "no_features": "{layer} needs a feature axis: the input has only the batch axis",
        "rank": "{layer} expects an input of shape {form} (the batch axis not counted); got {shape}",
        "pool_rank": "{layer} expects an input of shape {form} (batch excluded); got {full}",
        "pad_rank": "{layer} expects an input of shape {form}; got {full}",
        "one_unknown": "only one entry of unflattened_size may be -1",
        "no_none": "unflattened_size cannot contain None",
        "indivisible": "unflattened_size {sizes} does not divide the axis of length {n}",
        "mismatch": "unflattened_size {sizes} does not multiply up to the axis length {n}",
        "positive": "{layer} would produce an axis of length {expr}; every length must be positive",
        "nonnegative": "{layer} would produce an axis of length {expr}; lengths may not be negative",
    }

    LAYERS: ClassVar[dict[str, Layer]] = {
        **Convention.LAYERS,
        "Linear": layer(
            "dense",
            arg("in_features", "dim", REQUIRED),
            arg("out_features", "dim", REQUIRED),
            arg("bias", "bool", True),
            *factory_args(),
            names={"in_features": "c_in", "out_features": "units"},
            weights={"kernel": "weight(units, c_in)", "bias": "bias(units)"},
            infer="in_features",
            doc="weight (out_features, in_features) and bias (out_features), on the last axis.",
        ),
        "Bilinear": layer(
            "bilinear",
            arg("in1_features", "dim", REQUIRED),
            arg("in2_features", "dim", REQUIRED),
            arg("out_features", "dim", REQUIRED),
            arg("bias", "bool", True),
            *factory_args(),
            names={"in1_features": "in1", "in2_features": "in2", "out_features": "units"},
            labels={"in1": "in1", "in2": "in2"},
            weights={"kernel": "weight(units, in1, in2)", "bias": "bias(units)"},
            doc="weight (out_features, in1_features, in2_features) and bias (out_features).",
        ),
        "Embedding": layer(
            "embedding",
            arg("num_embeddings", "dim", REQUIRED),
            arg("embedding_dim", "dim", REQUIRED),
            arg("padding_idx", "value", None),
            arg("max_norm", "value", None),
            arg("norm_type", "number", 2.0),
            arg("scale_grad_by_freq", "bool", False),
            arg("sparse", "bool", False),
            arg("_weight"),
            arg("_freeze", "bool", False),
            *factory_args(),
            names={"num_embeddings": "vocab", "embedding_dim": "dim"},
            weights={"table": "weight(vocab, dim)"},
            doc="A table of num_embeddings rows, each embedding_dim wide; any index shape.",
        ),
        "ReLU": _activation(INPLACE),
        "ReLU6": _activation(INPLACE),
        "LeakyReLU": _activation(arg("negative_slope", "number", 0.01), INPLACE),
        "ELU": _activation(arg("alpha", "number", 1.0), INPLACE),
        "CELU": _activation(arg("alpha", "number", 1.0), INPLACE),
        "SELU": _activation(INPLACE),
        "GELU": _activation(arg("approximate", "enum", "none", choices=("none", "tanh"))),
        "SiLU": _activation(INPLACE),
        "Mish": _activation(INPLACE),
        "Sigmoid": _activation(),
        "Tanh": _activation(),
        "Softsign": _activation(),
        "Tanhshrink": _activation(),
        "LogSigmoid": _activation(),
        "Softplus": _activation(arg("beta", "number", 1.0), arg("threshold", "number", 20.0)),
        "Hardswish": _activation(INPLACE),
        "Hardsigmoid": _activation(INPLACE),
        "Hardshrink": _activation(arg("lambd", "number", 0.5)),
        "Softshrink": _activation(arg("lambd", "number", 0.5)),
        "Hardtanh": layer(
            "clip",
            arg("min_val", "number", -1.0),
            arg("max_val", "number", 1.0),
            INPLACE,
            arg("min_value", "number", None),
            arg("max_value", "number", None),
            names={"min_val": "low", "max_val": "high"},
            doc="Clips to [min_val, max_val]: same shape, no weights.",
        ),
        "Threshold": _activation(
            arg("threshold", "number", REQUIRED), arg("value", "number", REQUIRED), INPLACE
        ),
        "RReLU": _activation(arg("lower", "number", 0.125), arg("upper", "number", 1 / 3), INPLACE),
        "Identity": layer(
            "identity",
            arg("args"),
            doc="Returns its input; accepts and ignores any arguments, as torch's does.",
        ),
        "Dropout": _dropout(),
        "AlphaDropout": _dropout(),
        "FeatureAlphaDropout": _dropout(),
        "Dropout2d": _dropout(),
        "Dropout3d": _dropout(),
        "Dropout1d": layer(
            "dropout",
            arg("p", "number", 0.5),
            INPLACE,
            names={"p": "rate"},
            fixed={"ranks": (1, 2), "form": "(C, L) (or (L,))"},
            doc="Zeroes whole channels of (C, L) inputs at random: same shape, no weights.",
        ),
        "Softmax": _softmax("Softmax"),
        "LogSoftmax": _softmax("LogSoftmax"),
        "Softmin": _softmax("Softmin"),
        "Softmax2d": layer(
            "identity",
            fixed={"ranks": (2, 3), "form": "(C, H, W)"},
            doc="Softmax over the channels of (C, H, W): same shape, no weights.",
        ),
        "GLU": layer(
            "glu",
            arg("dim", "axis", -1),
            names={"dim": "axis"},
            doc="Halves the axis dim: one half gates the other. No weights.",
        ),
        "PReLU": layer(
            "prelu",
            arg("num_parameters", "dim", 1),
            arg("init", "number", 0.25),
            *factory_args(),
            names={"num_parameters": "slopes"},
            flags={"slopes": "channel"},
            weights={"alpha": "weight(slopes)"},
            doc="One learned slope, or one per channel (num_parameters = C).",
        ),
        **{f"Conv{r}d": _conv(r) for r in (1, 2, 3)},
        **{f"ConvTranspose{r}d": _conv(r, transpose=True) for r in (1, 2, 3)},
        **{f"{k}Pool{r}d": _pool(r, k.lower()) for r in (1, 2, 3) for k in ("Max", "Avg", "LP")},
        **{f"Adaptive{k}Pool{r}d": _adaptive_pool(r, k) for r in (1, 2, 3) for k in ("Avg", "Max")},
        "Flatten": layer(
            "flatten",
            arg("start_dim", "axis", 1),
            arg("end_dim", "axis", -1),
            names={"start_dim": "start", "end_dim": "end"},
            doc="Merges axes start_dim..end_dim (batch counted as 0) into one.",
        ),
        "Unflatten": layer(
            "unflatten",
            arg("dim", "axis", REQUIRED),
            arg("unflattened_size", "shape", REQUIRED),
            names={"dim": "axis", "unflattened_size": "sizes"},
            doc="Splits the axis dim into unflattened_size (one entry may be -1).",
        ),
        "PixelShuffle": _shuffle("upscale_factor", False, "(C*r^2, H, W) to (C, H*r, W*r)."),
        "PixelUnshuffle": _shuffle("downscale_factor", True, "(C, H*r, W*r) to (C*r^2, H, W)."),
        "ChannelShuffle": layer(
            "channel_shuffle",
            arg("groups", "dim", REQUIRED),
            doc="Reorders the channels of (C, *) in groups: same shape.",
        ),
        "Upsample": layer(
            "upsample",
            arg("size", "sizes", None),
            arg("scale_factor", "numbers", None),
            arg("mode", "enum", "nearest", choices=MODES),
            arg("align_corners", "bool", None, allow_none=True),
            arg("recompute_scale_factor", "bool", None, allow_none=True),
            names={"scale_factor": "scale"},
            doc="To size, or each spatial axis times scale_factor (floored). No weights.",
        ),
        "UpsamplingNearest2d": _upsampling("nearest", None),
        "UpsamplingBilinear2d": _upsampling("bilinear", True),
        **{f"{k}Pad{r}d": _pad(r, k) for r in (1, 2, 3) for k in PAD_KINDS},
        "Concatenate": layer(
            "concat",
            arg("dim", "axis", 1),
            names={"dim": "axis"},
            aliases=("Cat",),
            doc="torch.cat along dim (batch = 0; default 1, the channels); the other axes must agree.",
        ),
    }


CONVENTION = Torch
Torch.register(registry)
