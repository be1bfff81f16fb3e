"""Each Keras layer's PyTorch equivalent, for ``symcount diff``.

A model written in Keras vocabulary is evaluated twice: once with the Keras
rules, and once with :data:`TRANSLATED`, a rule table with the same names,
arguments and output shapes (each entry runs the Keras rule first) whose
weights are those of the equivalent ``torch.nn`` module(s), computed by the
torch rules on the channels-first input. Both runs make the same rows in the
same order, so the diff pairs them one to one.

An entry below maps a Keras layer's bound arguments to torch modules, as
symcount torch source (``Conv2d(1, 32, 3, padding=same)``). A layer without
one either has no parameters in either framework (an operation such as
``x + y``), or is named as having no equivalent, and left out of PyTorch's
total.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .. import dims as D
from .. import printing as P
from ..errors import SymcountError
from . import rules_for
from .binding import bind
from .common import resolve_axis
from .registry import Registry, snake_case
from .spec import LayerRule, Out

keras = rules_for("keras")
torch = rules_for("torch")  # the torch rules, registered now


@dataclass(frozen=True, slots=True)
class Module:
    """One torch.nn module: type, arguments, and its input (channels first; a
    list for several inputs; None: the previous module's output)."""

    type: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    shape: tuple | list | None = None

    @property
    def text(self) -> str:
        parts = [_value(v) for v in self.args]
        parts += [f"{k}={_value(v)}" for k, v in self.kwargs.items()]
        return f"{self.type}({', '.join(parts)})"


class Equivalent(str):
    """A row's PyTorch equivalent. A str (the note ``explain`` prints) that
    also carries the modules, why the counts differ, and whether there is one."""

    modules: tuple[Module, ...]
    text: str
    why: str
    missing: bool

    def __new__(cls, text="", modules=(), why="", missing=False):
        modules = tuple(modules)
        text = text or " -> ".join(m.text for m in modules)
        obj = super().__new__(cls, f"PyTorch: {text}" if not missing else f"no PyTorch: {why}")
        obj.modules, obj.text, obj.why, obj.missing = modules, text, why, missing
        return obj


def none(why: str) -> Equivalent:
    return Equivalent(why=why, missing=True)


def op(text: str) -> Equivalent:
    """An operation with no parameters (a functional call or a tensor method)."""
    return Equivalent(text)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, Fraction):  # a rate, as written: 0.2, not 1/5
        return repr(float(v))
    if isinstance(v, tuple):
        inner = ", ".join(_value(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return P.expr(v)


def _one(values: tuple):
    """An int where every axis has the same value, as torch users write it."""
    if all(D.equal(v, values[0]) is True for v in values):
        return values[0]
    return tuple(values)


def _is_one(values) -> bool:
    return all(D.is_num(v) and v == 1 for v in values)


def _channels_first(shape, data_format):
    """Keras's (*spatial, C) (or channels_first's (C, *spatial)) as torch's (C, *spatial)."""
    if data_format == "channels_first":
        return tuple(shape)
    return (shape[-1], *shape[:-1])


WHY_BIAS = "PyTorch keeps two bias vectors per gate block (bias_ih and bias_hh); Keras keeps one"
WHY_STATE = (
    "Keras counts the moving mean and variance as non-trainable parameters; PyTorch keeps "
    "running_mean, running_var and num_batches_tracked as buffers, outside its parameters"
)

ENTRIES: dict[str, Callable] = {}


def equivalent(*names: str):
    def register(fn):
        for n in names:
            ENTRIES[n] = fn
        return fn

    return register


# --- layers with parameters --------------------------------------------------


@equivalent("Dense")
def _dense(shape, p):
    kw = {} if p.use_bias else {"bias": False}
    return Equivalent(modules=[Module("Linear", (shape[-1], p.units), kw, tuple(shape))])


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
    return Equivalent(modules=[Module(f"Conv{rank}d", args, kw, c)], why=why)


@equivalent(*(f"Conv{r}DTranspose" for r in (1, 2, 3)))
def _conv_transpose(shape, p):
    rank = len(shape) - 1
    c = _channels_first(shape, p.data_format)
    kw = _conv_kwargs(p, rank, transpose=True)
    if not p.use_bias:
        kw["bias"] = False
    args = (c[0], p.filters, _one(p.kernel_size))
    return Equivalent(modules=[Module(f"ConvTranspose{rank}d", args, kw, c)])


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
    return Equivalent(modules=[_depthwise_module(shape, p, bias=p.use_bias)])


@equivalent("SeparableConv1D", "SeparableConv2D")
def _separable(shape, p):
    rank = len(shape) - 1
    first = _depthwise_module(shape, p, bias=False)
    kw = {} if p.use_bias else {"bias": False}
    second = Module(f"Conv{rank}d", (first.args[1], p.filters, 1), kw)
    return Equivalent(
        modules=[first, second],
        why="a depthwise Conv (groups=channels) then a 1x1 Conv: the same weights",
    )


@equivalent("BatchNormalization")
def _batch_norm(shape, p):
    rank = len(shape)
    kind = {1: 1, 2: 1, 3: 2, 4: 3}.get(rank)
    if kind is None:
        return none(f"torch's BatchNorm takes 1 to 3 spatial axes; this input has rank {rank}")
    axis = resolve_axis(p.axis, rank, "BatchNormalization")  # Keras counts the batch as 0
    c = shape[axis]
    rest = tuple(d for i, d in enumerate(shape) if i != axis)
    kw = {}
    if not (p.scale or p.center):
        kw["affine"] = False
    elif not p.center:
        kw["bias"] = False
    why = WHY_STATE
    if p.center and not p.scale:
        why += "; and torch's affine BatchNorm always has a weight (Keras: scale=false)"
    return Equivalent(modules=[Module(f"BatchNorm{kind}d", (c,), kw, (c, *rest))], why=why)


def _trailing(shape, axes, layer: str):
    """(normalized shape, the input with its axes moved last) for Keras's axis
    argument: an int for one axis, else a tuple (``LayerNorm((8, 8))``, never
    ``LayerNorm(8)``: torch reads an int as one axis)."""
    rank = len(shape)
    axes = axes if isinstance(axes, tuple) else (axes,)
    idx = sorted(resolve_axis(a, rank, layer) for a in axes)
    dims = tuple(shape[i] for i in idx)
    rest = tuple(d for i, d in enumerate(shape) if i not in idx)
    return (dims[0] if len(dims) == 1 else dims), (*rest, *dims)


@equivalent("LayerNormalization")
def _layer_norm(shape, p):
    dims, moved = _trailing(shape, p.axis, "LayerNormalization")
    if p.rms_scaling:
        return Equivalent(modules=[Module("RMSNorm", (dims,), {}, moved)])
    kw = {}
    if not (p.scale or p.center):
        kw["elementwise_affine"] = False
    elif not p.center:
        kw["bias"] = False
    why = "torch's affine LayerNorm always has a weight" if p.center and not p.scale else ""
    return Equivalent(modules=[Module("LayerNorm", (dims,), kw, moved)], why=why)


@equivalent("RMSNormalization")
def _rms_norm(shape, p):
    dims, moved = _trailing(shape, p.axis, "RMSNormalization")
    return Equivalent(modules=[Module("RMSNorm", (dims,), {}, moved)])


@equivalent("GroupNormalization")
def _group_norm(shape, p):
    rank = len(shape)
    axis = resolve_axis(p.axis, rank, "GroupNormalization")
    c = shape[axis]
    rest = tuple(d for i, d in enumerate(shape) if i != axis)
    groups = c if D.is_num(p.groups) and p.groups == -1 else p.groups
    kw = {} if (p.scale or p.center) else {"affine": False}
    if (p.scale or p.center) and not p.center:
        kw["bias"] = False
    why = "torch's affine GroupNorm always has a weight" if p.center and not p.scale else ""
    return Equivalent(modules=[Module("GroupNorm", (groups, c), kw, (c, *rest))], why=why)


@equivalent("Embedding")
def _embedding(shape, p):
    return Equivalent(modules=[Module("Embedding", (p.input_dim, p.output_dim), {}, shape)])


@equivalent("ReversibleEmbedding")
def _reversible_embedding(shape, p):
    modules = [Module("Embedding", (p.input_dim, p.output_dim), {}, shape)]
    if not p.tie_weights:  # a separate output projection, without bias
        modules.append(Module("Linear", (p.output_dim, p.input_dim), {"bias": False}))
    return Equivalent(modules=modules)


RNNS = {"SimpleRNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


def _rnn_module(cell, shape, p, bidirectional=False):
    kw = {} if p.use_bias else {"bias": False}
    if bidirectional:
        kw["bidirectional"] = True
    kw["batch_first"] = True  # Keras's layout
    return Module(RNNS[cell], (shape[-1], p.units), kw, tuple(shape))


def _rnn_why(cell, p) -> str:
    if not p.use_bias:
        return ""
    if cell == "GRU":
        if p.reset_after:
            return "torch's GRU is Keras's reset_after=true: two biases in both"
        return (
            "torch's GRU is Keras's reset_after=true (bias_ih and bias_hh); Keras's "
            "reset_after=false has one bias and no exact torch equivalent"
        )
    return WHY_BIAS


def _rnn_entry(cell):
    def entry(shape, p):
        return Equivalent(modules=[_rnn_module(cell, shape, p)], why=_rnn_why(cell, p))

    return entry


for _cell in RNNS:
    ENTRIES[_cell] = _rnn_entry(_cell)


@equivalent("Bidirectional")
def _bidirectional(shape, p):
    inner = p.layer
    cell = _canonical(inner.type_name)
    if cell not in RNNS:
        return none(f"torch has no bidirectional {inner.type_name}")
    if p.backward_layer is not None:
        return none("a separate backward_layer: torch's bidirectional RNNs mirror one config")
    why = _rnn_why(cell, inner.ns)
    if p.merge_mode != "concat":
        why = (why + "; " if why else "") + (
            f"torch concatenates the directions (merge_mode={p.merge_mode} is done after it)"
        )
    return Equivalent(modules=[_rnn_module(cell, shape, inner.ns, True)], why=why)


@equivalent("TimeDistributed")
def _time_distributed(shape, p):
    inner = p.layer
    name = _canonical(inner.type_name)
    entry = ENTRIES.get(name)
    if entry is None:
        if name in OPS or name == "Activation":
            return _ops(name, inner.ns)
        return none(f"torch.nn has no module for {inner.type_name}")
    eq = entry(shape[1:], inner.ns)
    if eq.missing or not eq.modules:
        return eq
    # torch modules take the extra leading axis as batch-like (Linear) or after a reshape
    return Equivalent(eq.text + " on every step", eq.modules, eq.why)


@equivalent("MultiHeadAttention")
def _multi_head_attention(shapes, p):
    query = shapes[0]
    value = shapes[1] if len(shapes) > 1 else query
    key = shapes[2] if len(shapes) > 2 else value
    e, h, kd = query[-1], p.num_heads, p.key_dim
    vd = p.value_dim if p.value_dim is not None else kd
    if p.output_shape is not None or p.attention_axes is not None or len(query) != 2:
        return none("output_shape, attention_axes or a rank above 3: torch has no such option")
    if D.equal(D.mul(h, kd), e) is not True or D.equal(vd, kd) is not True:
        return none(
            f"torch's heads are embed_dim/num_heads wide; here key_dim*num_heads = "
            f"{P.expr(D.mul(h, kd))} and value_dim = {P.expr(vd)} for embed_dim {P.expr(e)}"
        )
    kw = {}
    if not p.use_bias:
        kw["bias"] = False
    if D.equal(key[-1], e) is not True:
        kw["kdim"] = key[-1]
    if D.equal(value[-1], e) is not True:
        kw["vdim"] = value[-1]
    kw["batch_first"] = True
    # torch's call is (query, key, value); Keras's is (query, value, key)
    inputs = [tuple(query)] if len(shapes) == 1 else [tuple(query), tuple(key), tuple(value)]
    return Equivalent(modules=[Module("MultiheadAttention", (e, h), kw, inputs)])


@equivalent("PReLU")
def _prelu(shape, p):
    shared = p.shared_axes
    shared = () if shared is None else shared if isinstance(shared, tuple) else (shared,)
    kept = [i for i in range(len(shape)) if i + 1 not in shared]
    if not kept:
        return Equivalent(modules=[Module("PReLU", (), {}, _channels_first(shape, None))])
    if kept == [len(shape) - 1]:  # one slope per channel
        c = _channels_first(shape, None)
        return Equivalent(modules=[Module("PReLU", (), {"num_parameters": c[0]}, c)])
    return none(
        "torch's PReLU learns one slope or one per channel; Keras learns one per entry "
        "(shared_axes=(1, ..., rank-1) makes it one per channel)"
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


# --- the translated rule table -------------------------------------------------

_CANON: dict[int, str] = {}
for _name, _rule in keras.rules.items():
    _CANON.setdefault(id(_rule.fn), _name)


def _canonical(name: str) -> str:
    """Conv2D for its alias Convolution2D (aliases share the rule's function)."""
    rule = keras.get(name)
    return _CANON.get(id(rule.fn), name) if rule else name


def equivalent_of(name: str, shape, p, out: Out) -> Equivalent:
    """The equivalent of one applied Keras layer (``out``: what Keras's rule gave)."""
    name = _canonical(name)
    entry = ENTRIES.get(name)
    if entry is not None:
        return entry(shape, p)
    if name in OPS or name == "Activation":
        return _ops(name, p)
    if not out.weights:
        return op("(no parameters)")
    return none(f"torch.nn has no module for {name}")


def torch_weights(eq: Equivalent) -> list:
    """The weights of the equivalent's modules, from the torch rules."""
    weights, shape = [], None
    for i, m in enumerate(eq.modules):
        rule = torch.get(m.type)
        ns = bind(rule, [(v, None) for v in m.args], {k: (v, None) for k, v in m.kwargs.items()})
        inputs = m.shape if m.shape is not None else shape
        if rule.inputs[1] > 1 and not isinstance(inputs, list):
            inputs = [inputs]  # a rule that may take several tensors takes a list
        out = rule.fn(inputs, ns, None)
        shape = out.shape
        prefix = f"{i}." if len(eq.modules) > 1 else ""
        weights += [w.renamed(prefix) for w in out.weights]
    return weights


def _translated(rule: LayerRule) -> LayerRule:
    def fn(shape, p, ctx):
        out = rule.fn(shape, p, ctx)  # Keras's own checks and output shapes
        eq = equivalent_of(rule.name, shape, p, out)
        try:
            weights = torch_weights(eq)
        except SymcountError as e:  # torch refuses this configuration
            eq, weights = none(f"torch's {eq.text} refuses it: {e.message}"), []
        return Out(out.shape, weights, notes=[eq])

    return dataclasses.replace(rule, fn=fn)


# Keras names, arguments and shapes; PyTorch's weights and habits (state as buffers).
TRANSLATED = Registry("keras-as-torch", state_as_buffers=True, name_base=snake_case)
TRANSLATED.rules = {name: _translated(rule) for name, rule in keras.rules.items()}
