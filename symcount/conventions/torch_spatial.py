"""PyTorch's tables (see torch.py): convolutions, pooling, padding,
upsampling and shuffles of the spatial axes."""

from __future__ import annotations

from ..ops.spec import REQUIRED
from ..ops.spec import a as arg
from .base import layer
from .torch_core import factory_args

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


SPATIAL_LAYERS = {
    **{f"Conv{r}d": _conv(r) for r in (1, 2, 3)},
    **{f"ConvTranspose{r}d": _conv(r, transpose=True) for r in (1, 2, 3)},
    **{f"{k}Pool{r}d": _pool(r, k.lower()) for r in (1, 2, 3) for k in ("Max", "Avg", "LP")},
    **{f"Adaptive{k}Pool{r}d": _adaptive_pool(r, k) for r in (1, 2, 3) for k in ("Avg", "Max")},
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
}
