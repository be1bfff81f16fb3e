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
