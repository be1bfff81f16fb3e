"""The values the Python reader (symcount.importers.reader) works with: the
user's constants as Python values, and what a model's code builds — layers,
tensors, models — as handles on the symcount syntax tree it writes.

Nothing here runs the user's code: a value is made by the reader from the
``ast`` of the source, and the only thing ever evaluated is integer
arithmetic on literals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Span
from ..language import ast as S


@dataclass(slots=True)
class Sym:
    """A size with no value in the source (``units`` never assigned), or an
    expression over such sizes: a symbol in the model's formulas."""

    node: S.Node


@dataclass(slots=True)
class Opaque:
    """A value only a layer's behaviour depends on, never its counts:
    ``l2(0.0015)``, ``tf.nn.relu``, a lambda. ``activation`` is the name an
    activation function is known by (``tf.nn.relu`` -> ``relu``)."""

    what: str
    span: Span
    activation: str | None = None


@dataclass(slots=True)
class Path:
    """A dotted name that is a module or a class path, not a value:
    ``tf.keras.layers``, ``nn``, ``F``."""

    parts: tuple[str, ...]

    def attr(self, name: str) -> Path:
        return Path((*self.parts, name))

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(slots=True, eq=False)
class Layer:
    """A layer object: the syntax of its construction (``Dense(64)``), and
    the name of the ``let`` that binds it once it is bound to a Python name
    (a layer object applied twice is one shared layer)."""

    type: str
    node: S.Call
    span: Span
    let: str | None = None
    uses: int = 0


@dataclass(slots=True, eq=False)
class Tensor:
    """A tensor: the name it has in the symcount program the reader writes."""

    name: str
    span: Span


@dataclass(slots=True, eq=False)
class Sequential:
    """A Keras ``Sequential`` or a torch ``nn.Sequential``: its layers (Layer
    or nested Sequential) and, for Keras, the input shape it was built with."""

    layers: list = field(default_factory=list)
    span: Span | None = None
    input_shape: Any = None  # without the batch axis
    batch: Any = None
    name: str | None = None


@dataclass(slots=True, eq=False)
class Functional:
    """``keras.Model(inputs, outputs)``."""

    inputs: list
    outputs: list
    span: Span
    name: str | None = None


@dataclass(slots=True, eq=False)
class Function:
    """A ``def`` of the user's, called with arguments the reader knows."""

    node: Any  # ast.FunctionDef
    scope: dict


@dataclass(slots=True, eq=False)
class ModuleClass:
    """A ``class Net(nn.Module)``: its methods."""

    name: str
    methods: dict
    span: Span
    scope: dict


@dataclass(slots=True, eq=False)
class Module:
    """An instance of a torch Module class of the user's: its attributes
    (``self.fc1 = nn.Linear(...)``) and its class."""

    cls: ModuleClass
    attrs: dict
    span: Span


@dataclass(slots=True, eq=False)
class Method:
    """``obj.name`` of a model or a tensor, waiting for its call."""

    obj: Any
    name: str


def literal(v, span: Span, item=None, lists: str = "()"):
    """A Python constant — bool, None, a number, a string, and a list or tuple
    of values ``item`` converts — as a syntax node (written as the parser would
    read its text: -3 is a negation of 3); None when ``v`` is none of these.
    ``lists``: the brackets a list is written with (a tuple's are round)."""
    if isinstance(v, bool):
        return S.Name("true" if v else "false", span=span)
    if v is None:
        return S.Name("None", span=span)
    if isinstance(v, int | float):
        node = S.Num(abs(v), span=span) if isinstance(v, int) else S.Dec(repr(abs(v)), span=span)
        return node if v >= 0 else S.Neg(node, span=span)
    if isinstance(v, str):
        return S.Str(v, span=span)
    if item is not None and isinstance(v, list | tuple):
        return S.Seq(tuple(item(x) for x in v), lists if isinstance(v, list) else "()", span=span)
    return None
