"""Each Keras layer's PyTorch equivalent, for ``symcount diff``, from the two
tables: evaluated once.

A model written in Keras vocabulary is evaluated once, with rules that run
each Keras layer's op as usual and also note its equivalent: the op's
arguments (:class:`~symcount.ops.base.Args`) and input shape, handed to
:data:`TO_TORCH`, give the torch.nn module(s) as :class:`Use` rows (the
torch table's layer, the op's arguments that differ from Keras's, the input
channels first). The torch table then gives everything else: the weights
(the same op run with torch's entry: its names, axis order and flags such
as two biases) and the module text of the "PyTorch equivalent" column (the
row's argument names and positions: required ones by position, the others
by keyword where they differ from torch's default). Nothing is written as
source text and bound again.

An op without a :data:`TO_TORCH` entry either has no parameters (an
operation such as ``x + y``) or is named as having no equivalent, and left
out of PyTorch's total. Families whose rules are not tables yet plug in
through :data:`LEGACY` (``layers/torch_equivalents.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from .. import dims as D
from .. import printing as P
from ..errors import SymcountError
from ..ops import OPS
from ..ops.base import Args
from ..ops.norm import resolve_axis
from ..ops.spec import REQUIRED, Out
from .registry import Registry, snake_case


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


# --- one torch.nn module, read off the torch table ---------------------------


@dataclass(frozen=True, slots=True)
class Use:
    """A torch table row standing for (part of) a Keras layer.

    layer   the torch layer (BatchNorm2d)
    values  the op's arguments that torch's defaults do not give, by op key
    shape   its input, channels first (None: the previous module's output)
    layout  torch arguments set only to take Keras's layout (batch_first=True),
            written after the others; the op does not read them
    shown   how an argument is written where not as its value (kernel 3 for (3, 3))
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
        if key not in use.values:
            continue
        value = use.shown.get(key, use.values[key])
        if isinstance(value, tuple) and len(value) == 1 and x.kind == "dims":
            value = value[0]  # torch reads an int as one axis
        if x.default is REQUIRED:
            args.append(value)
        elif value != x.default:
            kwargs[x.name] = value
    return Module(use.layer, tuple(args), {**kwargs, **use.layout}, use.shape)


def weights_of(use: Use, shape) -> Out:
    """The module's weights: the same op, run with torch's entry on ``values``."""
    torch = _torch()
    entry = _entries(torch)[use.layer]
    row = entry.layer
    a = Args(**row.fixed)
    for x in row.args:
        key = row.names.get(x.name, x.name)
        setattr(a, key, use.values.get(key, x.default))
    a._spans, a.ctx = {}, None
    return OPS[row.op].fn(shape, a, entry)


_ENTRIES: dict = {}


def _entries(convention) -> dict:
    if convention not in _ENTRIES:
        _ENTRIES[convention] = convention.entries()
    return _ENTRIES[convention]


def equivalent(uses: list[Use], why: str = "", legacy=None) -> Equivalent:
    """The modules' text and weights (prefixed 0., 1., ... when several);
    a configuration torch refuses is named as having no equivalent."""
    modules = [module_of(u) if isinstance(u, Use) else u for u in uses]
    weights, shape = [], None
    try:
        for i, (use, m) in enumerate(zip(uses, modules, strict=True)):
            inputs = m.shape if m.shape is not None else shape
            out = weights_of(use, inputs) if isinstance(use, Use) else legacy(m, inputs)
            shape = out.shape
            prefix = f"{i}." if len(modules) > 1 else ""
            weights += [w.renamed(prefix) for w in out.weights]
    except SymcountError as e:
        text = " -> ".join(m.text for m in modules)
        return none(f"torch's {text} refuses it: {e.message}")
    return Equivalent(modules=modules, why=why, weights=weights)


# --- Keras's ops as torch modules --------------------------------------------

WHY_BIAS = "PyTorch keeps two bias vectors per gate block (bias_ih and bias_hh); Keras keeps one"
WHY_STATE = (
    "Keras counts the moving mean and variance as non-trainable parameters; PyTorch keeps "
    "running_mean, running_var and num_batches_tracked as buffers, outside its parameters"
)
RNNS = {1: "RNN", 4: "LSTM", 3: "GRU"}

# op -> fn(shape, args, keras layer name) -> Equivalent
TO_TORCH: dict[str, Callable] = {}


def to_torch(name: str):
    def register(fn):
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
    value = shapes[1] if len(shapes) > 1 else query
    key = shapes[2] if len(shapes) > 2 else value
    e, h, kd = query[-1], a.heads, a.key_dim
    vd = a.value_dim if a.value_dim is not None else kd
    if a.output_shape is not None or a.attention_axes is not None or len(query) != 2:
        return none("output_shape, attention_axes or a rank above 3: torch has no such option")
    if D.equal(D.mul(h, kd), e) is not True or D.equal(vd, kd) is not True:
        return none(
            f"torch's heads are embed_dim/num_heads wide; here key_dim*num_heads = "
            f"{P.expr(D.mul(h, kd))} and value_dim = {P.expr(vd)} for embed_dim {P.expr(e)}"
        )
    values = {"d_q": e, "heads": h, "bias": a.bias}
    if D.equal(key[-1], e) is not True:
        values["kdim"] = key[-1]
    if D.equal(value[-1], e) is not True:
        values["vdim"] = value[-1]
    # torch's call is (query, key, value); Keras's is (query, value, key)
    inputs = [tuple(query)] if len(shapes) == 1 else [tuple(query), tuple(key), tuple(value)]
    return equivalent([Use("MultiheadAttention", values, inputs, layout={"batch_first": True})])


RNN_CELLS = ("SimpleRNN", "LSTM", "GRU")


@to_torch("bidirectional")
def _bidirectional(x, a: Args, name: str):
    inner = a.layer
    if canonical(inner.type_name) not in RNN_CELLS:
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


# --- the one evaluation ------------------------------------------------------

# Keras layer name -> fn(shape, bound arguments, out) -> Equivalent, for the
# families whose rules are not tables yet (layers/torch_equivalents.py).
LEGACY: dict[str, Callable] = {}
LEGACY_OPS: list[Callable] = []  # fn(name, p) -> Equivalent | None: operations, as text


def canonical(name: str) -> str:
    """Conv2D for its alias Convolution2D (aliases share the rule's function)."""
    from .registry import keras

    rule = keras.get(name)
    if rule is None:
        return name
    entry = getattr(rule.fn, "entry", None)
    if entry is not None:
        return entry.name
    return _CANON.get(id(rule.fn), name)


_CANON: dict[int, str] = {}


def _entry(name: str):
    from .registry import keras

    rule = keras.get(name)
    return getattr(rule.fn, "entry", None) if rule is not None else None


def inner_args(spec) -> Args:
    """A wrapped layer's arguments as its op's Args."""
    from .base import op_args

    return op_args(_entry(spec.type_name), spec.ns)


def inner_equivalent(name: str, shape, p) -> Equivalent | None:
    """The equivalent of Keras layer ``name`` bound to ``p``, if it has one."""
    entry = _entry(name)
    if entry is not None and entry.layer.op in TO_TORCH:
        from .base import op_args

        return TO_TORCH[entry.layer.op](shape, op_args(entry, p), entry.name)
    name = canonical(name)
    if name in LEGACY:
        return LEGACY[name](shape, p)
    for fn in LEGACY_OPS:
        eq = fn(name, p)
        if eq is not None:
            return eq
    return None


def equivalent_of(name: str, shape, p, out: Out) -> Equivalent:
    """The equivalent of one applied Keras layer (``out``: what Keras's rule gave)."""
    eq = inner_equivalent(name, shape, p)
    if eq is not None:
        return eq
    if not out.weights:
        return op_text("(no parameters)")
    return none(f"torch.nn has no module for {canonical(name)}")


def _noting(rule):
    def fn(shape, p, ctx):
        out = rule.fn(shape, p, ctx)
        eq = equivalent_of(rule.name, shape, p, out)
        # a wrapper passes on its inner layer's notes: its own equivalent replaces the inner's
        out.notes = [*(n for n in out.notes if not isinstance(n, Equivalent)), eq]
        return out

    return dataclasses.replace(rule, fn=fn)


_NOTING: list[Registry] = []


def noting_rules() -> Registry:
    """Keras's rules, each also noting its layer's PyTorch equivalent (built once)."""
    if not _NOTING:
        from ..layers import torch_equivalents  # noqa: F401  (the LEGACY entries)
        from .registry import keras

        for n, r in keras.rules.items():
            _CANON.setdefault(id(r.fn), n)
        rules = Registry("keras+torch", name_base=snake_case)
        rules.rules = {name: _noting(rule) for name, rule in keras.rules.items()}
        rules.aliases = keras.aliases
        _NOTING.append(rules)
    return _NOTING[0]


def of(row) -> Equivalent | None:
    return next((n for n in row.notes if isinstance(n, Equivalent)), None)


def split(model):
    """(the Keras model, the same model with each layer's torch weights): the
    rows of the one evaluation, without and with their equivalents."""

    def keras_row(r):
        notes = [n for n in r.notes if not isinstance(n, Equivalent)]
        kids = [keras_row(c) for c in r.children]
        return dataclasses.replace(r, notes=notes, children=kids, _counts=None)

    def torch_row(r):
        kids = [torch_row(c) for c in r.children]
        if r.group:
            return dataclasses.replace(r, children=kids, _counts=None, state_as_buffers=True)
        eq = of(r)
        weights = [] if eq is None else eq.weights
        notes = [] if eq is None else [eq]
        return dataclasses.replace(
            r, weights=weights, notes=notes, children=kids, state_as_buffers=True, _counts=None
        )

    keras = dataclasses.replace(model, rows=[keras_row(r) for r in model.rows], _totals=None)
    torch = dataclasses.replace(
        model, rows=[torch_row(r) for r in model.rows], convention="torch", _totals=None
    )
    return keras, torch
