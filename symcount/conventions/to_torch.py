"""Each Keras op's PyTorch equivalent, for ``symcount diff``, read off the
torch table: no source text written and bound again.

:data:`TO_TORCH` maps an op to ``fn(shape, args, keras layer name)``, which
reads the op's arguments (:class:`~symcount.ops.base.Args`) and input shape
and returns the torch table's rows as :class:`Use` (through :func:`equivalent`),
an operation's text (:func:`op_text`, no parameters) or :func:`none` (no
equivalent, left out of PyTorch's total). A :class:`Use` names the torch
table's row, the op's arguments that differ from Keras's and the input
(channels first); the table gives everything else: the weights (the same op
run with torch's entry: its names, axis order and flags such as two biases)
and the module text of the "PyTorch equivalent" column (the row's argument
names and positions: required ones by position, the others by keyword where
they differ from torch's default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from types import SimpleNamespace

from .. import dims as D
from .. import printing as P
from ..errors import SymcountError
from ..ops import OPS
from ..ops.base import Args, resolve_axis
from ..ops.spec import REQUIRED, Out, words
from .base import op_args
from .keras import registry as keras
from .keras_preprocessing import AUGMENT


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
        parts = [value_text(v) for v in self.args]
        parts += [f"{k}={value_text(v)}" for k, v in self.kwargs.items()]
        return f"{self.type}({', '.join(parts)})"


class Equivalent(str):
    """A row's PyTorch equivalent. A str (the note ``explain`` prints) that
    also carries the modules, their weights, why the counts differ, and
    whether there is one."""

    modules: tuple[Module, ...]
    text: str
    why: str
    missing: bool
    weights: list

    def __new__(cls, text="", modules=(), why="", missing=False, weights=()):
        modules = tuple(modules)
        text = text or " -> ".join(m.text for m in modules)
        obj = super().__new__(cls, f"PyTorch: {text}" if not missing else f"no PyTorch: {why}")
        obj.modules, obj.text, obj.why, obj.missing = modules, text, why, missing
        obj.weights = list(weights)
        return obj


def none(why: str) -> Equivalent:
    return Equivalent(why=why, missing=True)


def op_text(text: str) -> Equivalent:
    """An operation with no parameters (a functional call or a tensor method)."""
    return Equivalent(text)


def value_text(v) -> str:
    """A value as torch users write it: true, 0.2 (not 1/5), (3,) for one axis."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    if isinstance(v, Fraction):  # a rate, as written: 0.2, not 1/5
        return repr(float(v))
    if isinstance(v, tuple):
        inner = ", ".join(value_text(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return P.expr(v)


@dataclass(frozen=True, slots=True)
class Use:
    """A torch table row standing for (part of) a Keras layer.

    layer   the torch layer (BatchNorm2d)
    values  the op's arguments that torch's defaults do not give, by op key
    shape   its input, channels first (None: the previous module's output)
    layout  torch arguments written after the others: set only to take Keras's
            layout (batch_first=True), or written where today's text puts them
            (ConvTranspose's dilation after bias; the op reads it from values)
    shown   how an argument is written where not as its value (kernel 3 for
            (3, 3)); a shown argument is written even when it is torch's default
    """

    layer: str
    values: dict
    shape: tuple | list | None = None
    layout: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)


def _torch():
    from . import convention_of

    return convention_of("torch")


def module_of(use: Use) -> Module:
    """The module text's parts, from the row's arguments in order: required
    ones by position, the others by keyword where they differ from the default."""
    row = _torch().LAYERS[use.layer]
    args, kwargs = [], {}
    for x in row.args:
        key = row.names.get(x.name, x.name)
        if key not in use.values or x.name in use.layout:
            continue
        shown = key in use.shown
        value = use.shown[key] if shown else use.values[key]
        if not shown and x.default is not REQUIRED and value == x.default:
            continue
        if isinstance(value, tuple) and len(value) == 1 and x.kind == "dims":
            value = value[0]  # torch reads an int as one axis
        if x.default is REQUIRED:
            args.append(value)
        else:
            kwargs[x.name] = value
    return Module(use.layer, tuple(args), {**kwargs, **use.layout}, use.shape)


def weights_of(use: Use, shape) -> Out:
    """The module's weights: the same op, run with torch's entry on ``values``."""
    entry = _torch().entries()[use.layer]
    row = entry.layer
    given = {x.name: use.values.get(row.names.get(x.name, x.name), x.default) for x in row.args}
    return OPS[row.op].fn(shape, op_args(entry, SimpleNamespace(**given)), entry)


def equivalent(uses: list[Use], why: str = "") -> Equivalent:
    """The modules' text and weights (prefixed 0., 1., ... when several);
    a configuration torch refuses is named as having no equivalent."""
    modules = [module_of(u) for u in uses]
    weights, shape = [], None
    try:
        for i, (use, m) in enumerate(zip(uses, modules, strict=True)):
            inputs = m.shape if m.shape is not None else shape
            out = weights_of(use, inputs)
            shape = out.shape
            prefix = f"{i}." if len(modules) > 1 else ""
            weights += [w.renamed(prefix) for w in out.weights]
    except SymcountError as e:
        text = " -> ".join(m.text for m in modules)
        return none(f"torch's {text} refuses it: {e.message}")
    return Equivalent(modules=modules, why=why, weights=weights)


WHY_BIAS = "PyTorch keeps two bias vectors per gate block (bias_ih and bias_hh); Keras keeps one"
WHY_STATE = (
    "Keras counts the moving mean and variance as non-trainable parameters; PyTorch keeps "
    "running_mean, running_var and num_batches_tracked as buffers, outside its parameters"
)
RNNS = {1: "RNN", 4: "LSTM", 3: "GRU"}

# op -> fn(shape, args, keras layer name) -> Equivalent
TO_TORCH: dict[str, Callable] = {}


def to_torch(*ops: str):
    def register(fn):
        for name in ops:
            TO_TORCH[name] = fn
        return fn

    return register


def channels_first(shape, data_format=None):
    """Keras's (*spatial, C) (or channels_first's (C, *spatial)) as torch's (C, *spatial)."""
    if data_format == "channels_first":
        return tuple(shape)
    return (shape[-1], *shape[:-1])


def _affine(a: Args) -> dict:
    """Keras's scale and center as torch's affine and bias: torch's affine
    norm always has a weight, and without affine its bias is moot."""
    affine = a.scale or a.center
    return {"scale": affine, "center": a.center or not affine}


def _weight_anyway(a: Args, layer: str) -> str:
    return f"torch's affine {layer} always has a weight" if a.center and not a.scale else ""


@to_torch("dense")
def _dense(x, a: Args, name: str):
    return equivalent([Use("Linear", {"c_in": x[-1], "units": a.units, "bias": a.bias}, x)])


@to_torch("embedding")
def _embedding(x, a: Args, name: str):
    return equivalent([Use("Embedding", {"vocab": a.vocab, "dim": a.dim}, x)])


@to_torch("reversible_embedding")
def _reversible_embedding(x, a: Args, name: str):
    uses = [Use("Embedding", {"vocab": a.vocab, "dim": a.dim}, x)]
    if not a.tie_weights:  # a separate output projection, without bias
        uses.append(Use("Linear", {"c_in": a.dim, "units": a.vocab, "bias": False}))
    return equivalent(uses)


@to_torch("prelu")
def _prelu(x, a: Args, name: str):
    shared = a.shared_axes
    shared = () if shared is None else shared if isinstance(shared, tuple) else (shared,)
    kept = [i for i in range(len(x)) if i + 1 not in shared]
    if not kept:
        return equivalent([Use("PReLU", {}, channels_first(x))])
    if kept == [len(x) - 1]:  # one slope per channel
        c = channels_first(x)
        return equivalent([Use("PReLU", {"slopes": c[0]}, c)])
    return none(
        "torch's PReLU learns one slope or one per channel; Keras learns one per entry "
        "(shared_axes=(1, ..., rank-1) makes it one per channel)"
    )


def _channel_moved(x, axis: int, layer: str):
    """(channels, the input with them first) for Keras's axis (batch = 0)."""
    i = resolve_axis(axis, len(x), layer)
    return x[i], (x[i], *(d for j, d in enumerate(x) if j != i))


@to_torch("batch_norm")
def _batch_norm(x, a: Args, name: str):
    kind = {1: 1, 2: 1, 3: 2, 4: 3}.get(len(x))
    if kind is None:
        return none(f"torch's BatchNorm takes 1 to 3 spatial axes; this input has rank {len(x)}")
    c, moved = _channel_moved(x, a.axis, name)
    why = WHY_STATE
    if a.center and not a.scale:
        why += "; and torch's affine BatchNorm always has a weight (Keras: scale=false)"
    return equivalent([Use(f"BatchNorm{kind}d", {"c_in": c, **_affine(a)}, moved)], why)


@to_torch("group_norm")
def _group_norm(x, a: Args, name: str):
    c, moved = _channel_moved(x, a.axis, name)
    groups = c if D.is_num(a.groups) and a.groups == -1 else a.groups
    values = {"groups": groups, "c_in": c, **_affine(a)}
    return equivalent([Use("GroupNorm", values, moved)], _weight_anyway(a, "GroupNorm"))


@to_torch("layer_norm")
def _layer_norm(x, a: Args, name: str):
    """The normalized axes moved last: an int for one axis, else a tuple
    (``LayerNorm((8, 8))``, never ``LayerNorm(8)``: torch reads an int as one axis)."""
    axes = a.axis if isinstance(a.axis, tuple) else (a.axis,)
    idx = sorted(resolve_axis(ax, len(x), name) for ax in axes)
    dims = tuple(x[i] for i in idx)
    moved = (*(d for i, d in enumerate(x) if i not in idx), *dims)
    if getattr(a, "rms", False) or not hasattr(a, "center"):
        return equivalent([Use("RMSNorm", {"normalized": dims}, moved)])
    values = {"normalized": dims, **_affine(a)}
    return equivalent([Use("LayerNorm", values, moved)], _weight_anyway(a, "LayerNorm"))


def rnn_why(a: Args) -> str:
    if not a.bias:
        return ""
    if a.gates == 3:
        if a.reset_after:
            return "torch's GRU is Keras's reset_after=true: two biases in both"
        return (
            "torch's GRU is Keras's reset_after=true (bias_ih and bias_hh); Keras's "
            "reset_after=false has one bias and no exact torch equivalent"
        )
    return WHY_BIAS


def rnn_use(x, a: Args, **more) -> Use:
    """torch's RNN, LSTM or GRU for a Keras cell (more: bidirectional=True)."""
    values = {"c_in": x[-1], "units": a.units, "bias": a.bias, **more}
    return Use(RNNS[a.gates], values, tuple(x), layout={"batch_first": True})  # Keras's layout


@to_torch("rnn")
def _rnn(x, a: Args, name: str):
    return equivalent([rnn_use(x, a)], rnn_why(a))


@to_torch("attention")
def _attention(shapes, a: Args, name: str):
    query = shapes[0]
    e, h, kd = query[-1], a.heads, a.key_dim
    vd = a.value_dim if a.value_dim is not None else kd
    if a.output_shape is not None or a.attention_axes is not None or len(query) != 2:
        return none("output_shape, attention_axes or a rank above 3: torch has no such option")
    if D.equal(D.mul(h, kd), e) is not True or D.equal(vd, kd) is not True:
        return none(
            f"torch's heads are embed_dim/num_heads wide; here key_dim*num_heads = "
            f"{P.expr(D.mul(h, kd))} and value_dim = {P.expr(vd)} for embed_dim {P.expr(e)}"
        )
    return multihead_attention(shapes, h, a.bias)


def multihead_attention(shapes, heads, bias) -> Equivalent:
    """torch's MultiheadAttention on Keras's (query[, value[, key]]) shapes."""
    query = shapes[0]
    value = shapes[1] if len(shapes) > 1 else query
    key = shapes[2] if len(shapes) > 2 else value
    e = query[-1]
    values = {"d_q": e, "heads": heads, "bias": bias}
    if D.equal(key[-1], e) is not True:
        values["kdim"] = key[-1]
    if D.equal(value[-1], e) is not True:
        values["vdim"] = value[-1]
    # torch's call is (query, key, value); Keras's is (query, value, key)
    inputs = [tuple(query)] if len(shapes) == 1 else [tuple(query), tuple(key), tuple(value)]
    return equivalent([Use("MultiheadAttention", values, inputs, layout={"batch_first": True})])


RNN_CELLS = ("SimpleRNN", "LSTM", "GRU")


def rnn_cells(cell) -> list:
    """The cells an RNN(cell) runs: one, a StackedRNNCells' or a list's."""
    if getattr(cell, "type_name", None) == "StackedRNNCells":
        cell = cell.ns.cells
    return list(cell) if isinstance(cell, tuple | list) else [cell]


@to_torch("bidirectional")
def _bidirectional(x, a: Args, name: str):
    inner = a.layer
    if canonical(inner.type_name) == "RNN":  # RNN(LSTMCell(8)) is LSTM(8)
        cells = rnn_cells(inner_args(inner).cell)
        if len(cells) > 1:
            return none(
                f"Keras runs the stack of {len(cells)} cells forward and, apart, backward; "
                "torch's bidirectional num_layers feeds each layer both directions of the "
                "one below (input 2*units): no one torch module, but two stacks, one on "
                "the flipped sequence"
            )
        inner = cells[0]
    elif canonical(inner.type_name) not in RNN_CELLS:
        return none(f"torch has no bidirectional {inner.type_name}")
    if a.backward_layer is not None:
        return none("a separate backward_layer: torch's bidirectional RNNs mirror one config")
    cell = inner_args(inner)
    why = rnn_why(cell)
    if a.merge_mode != "concat":
        why = (why + "; " if why else "") + (
            f"torch concatenates the directions (merge_mode={a.merge_mode} is done after it)"
        )
    return equivalent([rnn_use(x, cell, bidirectional=True)], why)


@to_torch("time_distributed")
def _time_distributed(x, a: Args, name: str):
    inner = a.layer
    eq = inner_equivalent(inner.type_name, x[1:], inner.ns)
    if eq is None:
        return none(f"torch.nn has no module for {inner.type_name}")
    if eq.missing or not eq.modules:
        return eq
    # torch modules take the extra leading axis as batch-like (Linear) or after a reshape
    return Equivalent(eq.text + " on every step", eq.modules, eq.why, weights=eq.weights)


# --- convolutions ----------------------------------------------------------------


def _one(values: tuple):
    """An int where every axis has the same value, as torch users write it."""
    if all(D.equal(v, values[0]) is True for v in values):
        return values[0]
    return tuple(values)


def _is_one(values) -> bool:
    return all(D.is_num(v) and v == 1 for v in values)


def _window(a: Args, *, transpose: bool = False) -> tuple[dict, dict]:
    """(values, shown) of kernel, stride, padding and dilation as torch users
    write them: an int for equal axes, and since torch's 'same' refuses
    strides, the explicit padding they write instead."""
    values = {"kernel": a.kernel, "strides": a.strides, "dilation": a.dilation}
    shown = {"kernel": _one(a.kernel)}
    if not _is_one(a.strides):
        shown["strides"] = _one(a.strides)
    if a.padding == "same" and not transpose and _is_one(a.strides):
        values["padding"] = "same"
    elif a.padding in ("same", "causal"):
        half = D.floordiv if transpose else D.ceildiv
        pads = tuple(
            half(D.mul(d, D.sub(k, 1)), 2) for k, d in zip(a.kernel, a.dilation, strict=True)
        )
        values["padding"], shown["padding"] = pads, _one(pads)
    if not _is_one(a.dilation) and not transpose:
        shown["dilation"] = _one(a.dilation)
    return values, shown


def _conv_use(c, a: Args, *, depthwise: bool = False, bias=None) -> Use:
    """torch's Conv{rank}d on the channels-first input ``c``; depthwise: one
    group per channel (groups written even for one channel)."""
    values, shown = _window(a)
    if depthwise:
        filters, groups = D.mul(c[0], a.depth_multiplier), c[0]
        shown["groups"] = groups
    else:
        filters, groups = a.filters, a.groups
    bias = a.bias if bias is None else bias
    values |= {"c_in": c[0], "filters": filters, "groups": groups, "bias": bias}
    return Use(f"Conv{a.rank}d", values, c, shown=shown)


@to_torch("conv")
def _conv(x, a: Args, name: str):
    why = "padding=causal: torch pads both sides" if a.padding == "causal" else ""
    return equivalent([_conv_use(channels_first(x, a.data_format), a)], why)


@to_torch("conv_transpose")
def _conv_transpose(x, a: Args, name: str):
    c = channels_first(x, a.data_format)
    values, shown = _window(a, transpose=True)
    if a.output_padding is not None:
        values["output_padding"] = a.output_padding
        shown["output_padding"] = _one(a.output_padding)
    values |= {"c_in": c[0], "filters": a.filters, "bias": a.bias}
    # written last, dilation before bias (the table's order is bias, dilation)
    last = {} if _is_one(a.dilation) else {"dilation": _one(a.dilation)}
    if not a.bias:
        last["bias"] = False
    return equivalent([Use(f"ConvTranspose{a.rank}d", values, c, layout=last, shown=shown)])


@to_torch("depthwise_conv")
def _depthwise(x, a: Args, name: str):
    return equivalent([_conv_use(channels_first(x, a.data_format), a, depthwise=True)])


@to_torch("separable_conv")
def _separable(x, a: Args, name: str):
    first = _conv_use(channels_first(x, a.data_format), a, depthwise=True, bias=False)
    values = {"c_in": first.values["filters"], "filters": a.filters, "bias": a.bias}
    second = Use(f"Conv{a.rank}d", {**values, "kernel": (1,) * a.rank}, shown={"kernel": 1})
    return equivalent(
        [first, second], "a depthwise Conv (groups=channels) then a 1x1 Conv: the same weights"
    )


# --- operations without parameters: what torch users write ----------------------

OPERATIONS = {
    **{name: f"{name}()" for name in words("Flatten Identity AlphaDropout ReLU LeakyReLU ELU")},
    **{f"SpatialDropout{r}D": f"Dropout{r}d()" for r in (1, 2, 3)},
    "Reshape": "x.view(...)",
    "Permute": "x.permute(...)",
    "RepeatVector": "x.repeat(...)",
    "Lambda": "a function",
    "Masking": "a mask",
    "ActivityRegularization": "a loss term",
    "GaussianNoise": "x + noise",
    "GaussianDropout": "x * noise",
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
    **{f"GlobalMaxPooling{r}D": f"AdaptiveMaxPool{r}d(1) -> Flatten()" for r in (1, 2, 3)},
    **{f"GlobalAveragePooling{r}D": f"AdaptiveAvgPool{r}d(1) -> Flatten()" for r in (1, 2, 3)},
    **{f"ZeroPadding{r}D": f"ZeroPad{r}d" for r in (1, 2, 3)},
    **{f"Cropping{r}D": f"ZeroPad{r}d (negative)" for r in (1, 2, 3)},
    **{f"UpSampling{r}D": "Upsample" for r in (1, 2, 3)},
    "Rescaling": "x * scale + offset",
    "Resizing": "F.interpolate",
    # torch.nn has no image transforms: torchvision's have no parameters either
    **{name: "a torchvision transform" for name in AUGMENT},
    "CategoryEncoding": "F.one_hot",
    "Discretization": "torch.bucketize",
    "CenterCrop": "a torchvision transform",
    "RandomCrop": "a torchvision transform",
}
ACTIVATIONS = {  # Keras's activation words, as torch modules
    **{
        m.lower(): f"{m}()"
        for m in words("ReLU Sigmoid Tanh GELU ELU SELU SiLU Softplus ReLU6 Mish")
    },
    "softmax": "Softmax(dim=-1)",
    "swish": "SiLU()",
    "linear": "Identity()",
    "leaky_relu": "LeakyReLU()",
}


@to_torch(
    *("identity", "dropout", "flatten", "reshape", "permute", "repeat_vector", "function"),
    *("unit_norm", "elementwise", "concat", "dot", "global_pool", "pad", "upsample", "resize"),
    "encode",
)
def _operation(x, a: Args, name: str):
    if name == "Activation":
        word = getattr(a.activation, "name", a.activation)
        return op_text(ACTIVATIONS.get(str(word).lower(), f"{word} (a function)"))
    if name == "Dropout":
        return op_text(f"Dropout({value_text(a.rate)})")
    return op_text(OPERATIONS[name]) if name in OPERATIONS else None


@to_torch("adaptive_pool")
def _adaptive_pool(x, a: Args, name: str):
    kind = "Max" if "Max" in name else "Avg"
    return op_text(f"Adaptive{kind}Pool{a.rank}d({value_text(_one(a.size))})")


@to_torch("normalization")
def _normalization(x, a: Args, name: str):
    return none(
        "torch.nn has no Normalization: a model keeps its mean and variance as buffers "
        "(register_buffer) or as constants (torchvision's Normalize)"
    )


@to_torch("pool")
def _pool(x, a: Args, name: str):
    k = value_text(_one(a.kernel))
    text = f"{'MaxPool' if a.kind == 'max' else 'AvgPool'}{a.rank}d({k}"
    if a.strides is not None and value_text(_one(a.strides)) != k:
        text += f", stride={value_text(_one(a.strides))}"
    return op_text(text + (")" if a.padding == "valid" else ", padding=k//2)"))


# --- a wrapped layer -------------------------------------------------------------


def _entry(name: str):
    """The table entry of Keras layer ``name`` (an alias: its layer's)."""
    rule = keras.get(name)
    return getattr(rule.fn, "entry", None) if rule is not None else None


def canonical(name: str) -> str:
    """Conv2D for its alias Convolution2D."""
    entry = _entry(name)
    return name if entry is None else entry.name


def inner_args(spec) -> Args:
    """A wrapped layer's arguments as its op's Args."""
    return op_args(_entry(spec.type_name), spec.ns)


def inner_equivalent(name: str, shape, p) -> Equivalent | None:
    """The equivalent of Keras layer ``name`` bound to ``p``, if it has one."""
    entry = _entry(name)
    if entry is None or entry.layer.op not in TO_TORCH:
        return None
    return TO_TORCH[entry.layer.op](shape, op_args(entry, p), entry.name)
