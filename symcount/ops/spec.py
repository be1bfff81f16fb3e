"""How a layer rule is declared: its arguments as data, a pure function from
the input shape and the bound arguments to an output shape and named weights.

A weight's dimensions are products of named factors (``("c_in", 24)``), so
`explain` can print the general formula and the numbers from the same data
the counts come from: the two can never disagree.

A table writes its arguments as spec strings, parsed once at import by
:func:`parse_args`: each word is one argument, in positional order::

    "filters:dim! kernel_size>kernel:dims(2)! strides:dims(2)=1 padding:valid|same=valid"

``name`` alone is a ``value`` argument defaulting to None; ``>op`` is the op's
name for it where it differs; ``:kind`` is one of :class:`Arg`'s kinds,
``(n)`` its rank, ``a|b|c`` an enum of those choices; ``?`` allows None; ``!``
makes it required, ``=v`` gives its default (an int, a float, true/false,
None, else a word; with a rank, an int means every axis, as that argument
reads it: ``(1, 1)``, or ``((1, 1), (1, 1))`` for pads). A word that does
not read so (an unknown kind, an enum default not among its choices, a
repeated name) fails at import, naming the row. A word written ``*name``
takes every positional value left, as one tuple (torch's
``x.permute(0, 2, 1)``, ``nn.Parameter(torch.zeros(1, 1, 768))``); the
words after it are keywords only, as in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import dims as D
from ..errors import ArgumentError, ShapeError

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()


@dataclass(frozen=True, slots=True)
class Arg:
    """One constructor argument. ``kind`` says how a value is checked:

    dim      a positive integer expression (symbols allowed)
    dims     a dim or a tuple of ``rank`` dims (an int means every axis)
    dims0    like dims, but zero is allowed (output_padding)
    pads     like dims but zero allowed; also ((a, b), ...) pairs (padding, cropping)
    axis     a literal integer (negative counts from the end)
    axes     an axis or a tuple/list of axes
    bool     true/false
    enum     one of ``choices`` (a bare word or a string; case-insensitive)
    number   any number (rates, slopes): accepted, not used for counting
    shape    a tuple of dims, where -1 and None may appear
    layer    a layer, as in Bidirectional(LSTM(8))
    value    anything; accepted and ignored (activation, initializers, ...)
    ints     an integer or a tuple of ``rank`` integers, negatives allowed (torch pads)
    numbers  a positive number or a tuple of ``rank`` numbers (scale factors)
    padding  like dims0, or one of ``choices`` (torch's 'same', 'valid')
    sizes    like dims, but None entries are allowed (adaptive pooling sizes)
    """

    name: str
    kind: str = "value"
    default: Any = None
    choices: tuple[str, ...] = ()
    rank: int | None = None
    allow_none: bool = False
    rest: bool = False  # ``*name``: the positional values left, as one tuple


def words(text: str) -> frozenset[str]:
    """Keyword names written as one string (long lists of value-only keywords)."""
    return frozenset(text.split())


a = Arg  # a(name, kind, default, ...): an argument a spec string cannot say (1/3)


# the kinds Arg's docstring lists, one a line: what parse_args accepts
KINDS = frozenset(x.split()[0] for x in Arg.__doc__.split("checked:")[1].splitlines() if x.strip())
_WORD = re.compile(r"(\*)?(\w+)(?:>(\w+))?(?::([\w|-]+)(?:\((\d+)\))?)?(\?)?(?:(!)|=(\S+))?")


def parse_args(*parts: str | Arg, names: dict | None = None) -> tuple[Arg, ...]:
    """Spec strings (see the module's docstring) and Args, as the arguments in
    order; ``names`` gets each ``name>op`` (the op's name where it differs)."""
    out = []
    for part in parts:
        for word in [part] if isinstance(part, Arg) else part.split():
            out.append(word if isinstance(word, Arg) else _parse_arg(word, names))
    names = [x.name for x in out]
    for n in names:
        if names.count(n) > 1:
            raise ValueError(f"argument {n!r} given twice")
    if sum(x.rest for x in out) > 1:
        raise ValueError("only one argument can take the positional values left (*name)")
    return tuple(out)


def _parse_arg(word: str, names: dict | None) -> Arg:
    m = _WORD.fullmatch(word)
    if m is None:
        raise ValueError(f"cannot read the argument {word!r}")
    star, name, op_name, kind, rank, none, required, default = m.groups()
    if op_name and names is not None:
        names[name] = op_name
    kind, choices = kind or "value", ()
    if "|" in kind:
        kind, choices = "enum", tuple(kind.split("|"))
    elif kind not in KINDS:
        raise ValueError(f"{word!r}: no argument kind {kind!r}")
    value = REQUIRED if required else _literal(default) if default is not None else None
    if choices and value not in (*choices, None, REQUIRED):
        raise ValueError(f"{word!r}: the default {value!r} is not one of its choices")
    if rank and isinstance(value, int) and not isinstance(value, bool):
        value = ((value, value) if kind == "pads" else value,) * int(rank)
    return Arg(name, kind, value, choices, int(rank) if rank else None, bool(none), bool(star))


def _literal(text: str):
    if text in ("true", "false", "None"):
        return {"true": True, "false": False}.get(text)
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    return text


@dataclass(frozen=True, slots=True)
class Factor:
    label: str
    value: Any


@dataclass(frozen=True, slots=True)
class Weight:
    name: str
    dims: tuple[tuple[Factor, ...], ...]
    trainable: bool = True
    state: bool = False  # running statistics: Keras non-trainable, PyTorch buffers
    # what a non-trainable weight or a state is, in explain's words ("rotary
    # frequencies"); none: a batch norm's statistics, as the convention names them
    what: str = ""

    @property
    def shape(self) -> tuple:
        return tuple(D.prod(f.value for f in dim) for dim in self.dims)

    @property
    def size(self):
        return D.prod(f.value for dim in self.dims for f in dim)

    @property
    def factors(self) -> tuple[Factor, ...]:
        return tuple(f for dim in self.dims for f in dim)

    def renamed(self, prefix: str) -> Weight:
        return Weight(f"{prefix}{self.name}", self.dims, self.trainable, self.state, self.what)


def W(name: str, *dims, trainable: bool = True, state: bool = False, what: str = "") -> Weight:
    """``W("kernel", ("k", 3), ("c_in", c), [("4", 4), ("units", u)])``.

    Each positional is one axis of the weight: a (label, value) pair, or a
    list of pairs whose product is the axis length.
    """
    axes = []
    for d in dims:
        pairs = d if isinstance(d, list) else [d]
        axes.append(tuple(Factor(label, value) for label, value in pairs))
    return Weight(name, tuple(axes), trainable and not state, state, what)


@dataclass(frozen=True, slots=True)
class Formula:
    """A count's derivation: names, then numbers (both as text)."""

    general: str
    numbers: str


@dataclass(frozen=True, slots=True)
class Copies:
    """A count declared rather than derived from an op's own weights: ``times``
    copies of the formula of ``weights``. ``times`` is an int (Bidirectional's
    two directions: ``2*...``) or a labelled Factor (``num_layers*...``).
    An op only describes it; :func:`symcount.model.formula.declared` writes it out."""

    weights: tuple[Weight, ...]
    times: int | Factor


@dataclass(slots=True)
class Out:
    shape: Any  # tuple of dims, or a list of such tuples for several outputs
    weights: list[Weight] = field(default_factory=list)
    formula: Formula | Copies | None = None  # default: derived from the weights
    notes: list[str] = field(default_factory=list)  # extra lines for explain
    children: list[Any] = field(default_factory=list)  # inner layer results (wrappers)
    costs: dict = field(default_factory=dict)  # one call's compute: {"macs": ...} (ops/costs.py)
    steps: list = field(default_factory=list)  # how the shape follows, for explain (ops/shapes.py)


@dataclass(frozen=True, slots=True)
class LayerRule:
    name: str
    args: tuple[Arg, ...]
    fn: Callable
    ignored: frozenset[str] = frozenset()
    doc: str = ""
    # The input-size argument (torch's in_features, in_channels, ...): may be
    # left out, and then the other positional arguments shift left; the rule
    # gets None for it and takes the size from the incoming shape.
    infer: str | None = None
    inputs: tuple[int, int] = (1, 1)  # how many tensors it takes (merges: 2 or more)
    call_kwargs: frozenset[str] = frozenset()  # keywords of a call: wte(x, reverse=true)

    def arg(self, name: str) -> Arg | None:
        return next((x for x in self.args if x.name == name), None)

    @property
    def keywords(self) -> list[str]:
        return [x.name for x in self.args] + sorted(self.ignored)


def fail(message: str) -> None:
    raise ShapeError(message)


def bad_arg(message: str) -> None:
    raise ArgumentError(message)


def need_known(value, what: str):
    if value is None:
        fail(f"{what} must be known, but it is None")
    return value
