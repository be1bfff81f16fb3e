"""PyTorch's tables (see torch.py): convolutions, pooling, padding,
upsampling and shuffles of the spatial axes. Arguments are spec strings
(:func:`symcount.ops.spec.parse_args`)."""

from __future__ import annotations

from ..ops.spec import a as arg
from .base import layer
from .torch_core import FACTORY

SPATIAL = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def _conv(r, transpose=False):
    if transpose:
        padding = (
            f"padding:dims0({r})=0 output_padding:dims0({r})=0 groups:dim=1 bias:bool=true "
            f"dilation:dims({r})=1",
        )
        kernel = "kernel=weight(cin, cout, *kernel)"
        doc = (
            f"weight (in_channels, out_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[r]}. Output (L - 1)*stride - 2*padding + dilation*(k - 1) "
            "+ output_padding + 1."
        )
    else:
        padding = (
            arg("padding", "padding", (0,) * r, rank=r, choices=("same", "valid")),
            f"dilation:dims({r})=1 groups:dim=1 bias:bool=true",
        )
        kernel = "kernel=weight(filters, cin, *kernel)"
        doc = (
            f"weight (out_channels, in_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[r]}."
        )
    return layer(
        "conv_transpose" if transpose else "conv",
        f"in_channels>c_in:dim! out_channels>filters:dim! kernel_size>kernel:dims({r})!",
        f"stride>strides:dims({r})=1",
        *padding,
        f"padding_mode:zeros|reflect|replicate|circular=zeros {FACTORY}",
        fixed={"rank": r},
        weights=f"{kernel} bias(filters)",
        infer="in_channels",
        doc=doc,
    )


def _window(r):
    return f"kernel_size>kernel:dims({r})! stride>strides:dims({r})"


def _pool(r, kind):
    window = _window(r)
    fixed = {"rank": r, "kind": kind}
    if kind == "max":
        args = f"{window} padding:dims0({r})=0 dilation:dims({r})=1"
        args += " return_indices:bool=false ceil_mode:bool=false"
        doc = "Max over kernel_size windows; stride defaults to kernel_size. No weights."
    elif kind == "avg":
        args = f"{window} padding:dims0({r})=0 ceil_mode:bool=false count_include_pad:bool=true"
        args += " divisor_override:dim" if r > 1 else ""
        doc = "Average over kernel_size windows; stride defaults to kernel_size. No weights."
    else:
        args = f"norm_type:number! {window} ceil_mode:bool=false"
        fixed["padding"] = (0,) * r
        doc = "Power-average over kernel_size windows (no padding). No weights."
    return layer("pool", args, fixed=fixed, doc=doc)


def _adaptive_pool(r, kind):
    return layer(
        "adaptive_pool",
        "output_size>size:sizes!",
        "return_indices:bool=false" if kind == "Max" else "",
        fixed={"rank": r},
        doc=f"{kind} pooling to a fixed output_size (None keeps an axis's length). No weights.",
    )


def _pad(r, kind):
    sides = "(left, right" + (", top, bottom" if r > 1 else "") + (", front, back" if r > 2 else "")
    return layer(
        "pad",
        f"padding:ints({2 * r})!",
        "value:number!" if kind == "Constant" else "",
        fixed={"rank": r, "kind": kind},
        doc=f"Pads the last {r} axes; padding is an int or {sides}), last axis first; "
        "negative values crop. No weights.",
    )


def _upsampling(mode, align):
    return layer(
        "upsample",
        "size:sizes scale_factor>scale:numbers",
        fixed={"ranks": (3,), "mode": mode, "align_corners": align},
        doc=f"Upsample(mode={mode}) on (C, H, W). No weights.",
    )


def _shuffle(name, inverse, doc):
    return layer("pixel_shuffle", f"{name}>factor:dim!", fixed={"inverse": inverse}, doc=doc)


MODES = "nearest|linear|bilinear|bicubic|trilinear|area|nearest-exact"
SPATIAL_LAYERS = {
    **{f"Conv{r}d": _conv(r) for r in (1, 2, 3)},
    **{f"ConvTranspose{r}d": _conv(r, transpose=True) for r in (1, 2, 3)},
    **{f"{k}Pool{r}d": _pool(r, k.lower()) for r in (1, 2, 3) for k in ("Max", "Avg", "LP")},
    **{f"Adaptive{k}Pool{r}d": _adaptive_pool(r, k) for r in (1, 2, 3) for k in ("Avg", "Max")},
    "PixelShuffle": _shuffle("upscale_factor", False, "(C*r^2, H, W) to (C, H*r, W*r)."),
    "PixelUnshuffle": _shuffle("downscale_factor", True, "(C, H*r, W*r) to (C*r^2, H, W)."),
    "ChannelShuffle": layer("channel_shuffle", "groups:dim!"),
    "Upsample": layer(
        "upsample",
        f"size:sizes scale_factor>scale:numbers mode:{MODES}=nearest align_corners:bool?",
        "recompute_scale_factor:bool?",
        doc="To size, or each spatial axis times scale_factor (floored). No weights.",
    ),
    "UpsamplingNearest2d": _upsampling("nearest", None),
    "UpsamplingBilinear2d": _upsampling("bilinear", True),
    **{
        f"{k}Pad{r}d": _pad(r, k)
        for r in (1, 2, 3)
        for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
    },
}
