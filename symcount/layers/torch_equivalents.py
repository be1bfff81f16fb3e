"""PyTorch equivalents of the Keras layers whose rules are not tables yet
(convolutions, attention, wrappers; the operations without parameters), as
torch.nn modules whose weights the torch rules give: they plug into
:mod:`symcount.conventions.equivalents` through its LEGACY tables, and go
when their family's op gets a TO_TORCH entry.
"""

from __future__ import annotations

from .. import dims as D
from ..conventions import equivalents as EQ
from ..conventions.equivalents import Equivalent, Module, _value
from . import rules_for
from .binding import bind

keras = rules_for("keras")
torch = rules_for("torch")  # the torch rules, registered now


def op(text: str) -> Equivalent:
    return EQ.op_text(text)


def legacy_weights(m: Module, inputs):
    """A module's weights from the torch rules, bound from its values."""
    rule = torch.get(m.type)
    ns = bind(rule, [(v, None) for v in m.args], {k: (v, None) for k, v in m.kwargs.items()})
    if rule.inputs[1] > 1 and not isinstance(inputs, list):
        inputs = [inputs]  # a rule that may take several tensors takes a list
    return rule.fn(inputs, ns, None)


def modules(mods, why="") -> Equivalent:
    return EQ.equivalent(list(mods), why, legacy=legacy_weights)


def _one(values: tuple):
    """An int where every axis has the same value, as torch users write it."""
    if all(D.equal(v, values[0]) is True for v in values):
        return values[0]
    return tuple(values)


def _is_one(values) -> bool:
    return all(D.is_num(v) and v == 1 for v in values)


_channels_first = EQ.channels_first
ENTRIES = EQ.LEGACY


def equivalent(*names: str):
    def register(fn):
        for n in names:
            ENTRIES[n] = fn
        return fn

    return register


# --- layers with parameters --------------------------------------------------


def _conv_kwargs(p, rank, *, transpose=False):
    kw = {}
    if not _is_one(p.strides):
        kw["stride"] = _one(p.strides)
    k, d = p.kernel_size, p.dilation_rate
    if p.padding == "same" and not transpose and _is_one(p.strides):
        kw["padding"] = "same"
    elif p.padding in ("same", "causal"):
        # torch's 'same' refuses strides: the explicit padding torch users write
        halves = tuple(
            (D.floordiv if transpose else D.ceildiv)(D.mul(di, D.sub(ki, 1)), 2)
            for ki, di in zip(k, d, strict=True)
        )
        kw["padding"] = _one(halves)
    if transpose and p.output_padding is not None:
        kw["output_padding"] = _one(p.output_padding)
    if not _is_one(d):
        kw["dilation"] = _one(d)
    return kw


@equivalent(*(f"Conv{r}D" for r in (1, 2, 3)))
def _conv(shape, p):
    rank = len(shape) - 1
    c = _channels_first(shape, p.data_format)
    kw = _conv_kwargs(p, rank)
    if not (D.is_num(p.groups) and p.groups == 1):
        kw["groups"] = p.groups
    if not p.use_bias:
        kw["bias"] = False
    args = (c[0], p.filters, _one(p.kernel_size))
    why = "padding=causal: torch pads both sides" if p.padding == "causal" else ""
    return modules([Module(f"Conv{rank}d", args, kw, c)], why)


@equivalent(*(f"Conv{r}DTranspose" for r in (1, 2, 3)))
def _conv_transpose(shape, p):
    rank = len(shape) - 1
    c = _channels_first(shape, p.data_format)
    kw = _conv_kwargs(p, rank, transpose=True)
    if not p.use_bias:
        kw["bias"] = False
    args = (c[0], p.filters, _one(p.kernel_size))
    return modules([Module(f"ConvTranspose{rank}d", args, kw, c)])


def _depthwise_module(shape, p, *, bias):
    rank = len(shape) - 1
    c = _channels_first(shape, p.data_format)
    kw = _conv_kwargs(p, rank)
    kw["groups"] = c[0]
    if not bias:
        kw["bias"] = False
    args = (c[0], D.mul(c[0], p.depth_multiplier), _one(p.kernel_size))
    return Module(f"Conv{rank}d", args, kw, c)


@equivalent("DepthwiseConv1D", "DepthwiseConv2D")
def _depthwise(shape, p):
    return modules([_depthwise_module(shape, p, bias=p.use_bias)])


@equivalent("SeparableConv1D", "SeparableConv2D")
def _separable(shape, p):
    rank = len(shape) - 1
    first = _depthwise_module(shape, p, bias=False)
    kw = {} if p.use_bias else {"bias": False}
    second = Module(f"Conv{rank}d", (first.args[1], p.filters, 1), kw)
    return modules(
        [first, second], "a depthwise Conv (groups=channels) then a 1x1 Conv: the same weights"
    )


# --- layers without parameters: the operation torch users write ---------------

OPS = {
    "Flatten": "Flatten()",
    "Reshape": "x.view(...)",
    "Permute": "x.permute(...)",
    "RepeatVector": "x.repeat(...)",
    "Lambda": "a function",
    "Masking": "a mask",
    "Identity": "Identity()",
    "ActivityRegularization": "a loss term",
    "GaussianNoise": "x + noise",
    "GaussianDropout": "x * noise",
    "AlphaDropout": "AlphaDropout()",
    "Dropout": "Dropout()",
    "SpatialDropout1D": "Dropout1d()",
    "SpatialDropout2D": "Dropout2d()",
    "SpatialDropout3D": "Dropout3d()",
    "ReLU": "ReLU()",
    "LeakyReLU": "LeakyReLU()",
    "ELU": "ELU()",
    "Softmax": "Softmax(dim=-1)",
    "UnitNormalization": "F.normalize",
    "Add": "x + y",
    "Subtract": "x - y",
    "Multiply": "x * y",
    "Average": "(x + y) / 2",
    "Maximum": "torch.maximum",
    "Minimum": "torch.minimum",
    "Concatenate": "torch.cat",
    "Dot": "torch.bmm",
    **{f"MaxPooling{r}D": f"MaxPool{r}d" for r in (1, 2, 3)},
    **{f"AveragePooling{r}D": f"AvgPool{r}d" for r in (1, 2, 3)},
    **{f"GlobalMaxPooling{r}D": f"AdaptiveMaxPool{r}d(1) -> Flatten()" for r in (1, 2, 3)},
    **{f"GlobalAveragePooling{r}D": f"AdaptiveAvgPool{r}d(1) -> Flatten()" for r in (1, 2, 3)},
    **{f"ZeroPadding{r}D": f"ZeroPad{r}d" for r in (1, 2, 3)},
    **{f"Cropping{r}D": f"ZeroPad{r}d (negative)" for r in (1, 2, 3)},
    **{f"UpSampling{r}D": "Upsample" for r in (1, 2, 3)},
}
ACTIVATIONS = {
    "relu": "ReLU()",
    "sigmoid": "Sigmoid()",
    "tanh": "Tanh()",
    "softmax": "Softmax(dim=-1)",
    "gelu": "GELU()",
    "elu": "ELU()",
    "selu": "SELU()",
    "silu": "SiLU()",
    "swish": "SiLU()",
    "softplus": "Softplus()",
    "linear": "Identity()",
    "leaky_relu": "LeakyReLU()",
    "relu6": "ReLU6()",
    "mish": "Mish()",
}


def _ops(name: str, p) -> Equivalent:
    if name == "Activation":
        word = getattr(p.activation, "name", p.activation)
        return op(ACTIVATIONS.get(str(word).lower(), f"{word} (a function)"))
    if name.startswith(("MaxPooling", "AveragePooling")):
        k = _one(p.pool_size)
        text = f"{OPS[name]}({_value(k)}"
        if p.strides is not None and _value(_one(p.strides)) != _value(k):
            text += f", stride={_value(_one(p.strides))}"
        return op(text + (")" if p.padding == "valid" else ", padding=k//2)"))
    if name == "Dropout":
        return op(f"Dropout({_value(p.rate)})")
    return op(OPS[name])


def _operation(name: str, p) -> Equivalent | None:
    return _ops(name, p) if name in OPS or name == "Activation" else None


EQ.LEGACY_OPS.append(_operation)
