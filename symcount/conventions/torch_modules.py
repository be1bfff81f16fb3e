"""A torch.nn module read off the torch table, for ``symcount diff``: what a
Keras op's equivalent (:mod:`.to_torch`) is made of.

A :class:`Use` names the torch table's row, the op's arguments that differ
from Keras's and the input (channels first); the table gives everything
else: the weights (the same op run with torch's entry: its names, axis
order and flags such as two biases) and the module text of the "PyTorch
equivalent" column (the row's argument names and positions: required ones
by position, the others by keyword where they differ from torch's default).
Nothing is written as source text and bound again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .. import printing as P
from ..errors import SymcountError
from ..ops import OPS
from ..ops.base import Args
from ..ops.spec import REQUIRED, Out


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


# --- one torch.nn module, read off the torch table ---------------------------


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
    torch = _torch()
    entry = torch.entries()[use.layer]
    row = entry.layer
    a = Args(**row.fixed)
    for x in row.args:
        key = row.names.get(x.name, x.name)
        setattr(a, key, use.values.get(key, x.default))
    a._spans, a.ctx = {}, None
    return OPS[row.op].fn(shape, a, entry)


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
