"""Runtime values of the language: bare words, layers, tensors."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from .. import dims as D
from ..errors import ArgumentError, Span


@dataclass(frozen=True, slots=True)
class Word:
    """An unbound bare name: an enum value (``same``) or, in arithmetic, a symbol."""

    name: str


# Every constructed layer's place in creation order: a repeat tells the layers
# made by its own body (fresh each pass) from the ones made before it (shared).
next_serial = count().__next__


@dataclass(slots=True, eq=False)
class LayerSpec:
    """A constructed layer: ``LSTM(64)``. Whether it has been applied (and so
    has weights that later calls share) is the evaluator's to know, not the
    spec's: the same spec may be read by a block formula's dry run."""

    type_name: str
    rule: Any  # LayerRule
    ns: Any  # bound arguments (SimpleNamespace)
    name: str
    span: Span
    given: frozenset[str] = frozenset()  # argument names the user gave
    trainable: bool = True
    input_shape: tuple | None = None  # from input_shape= / input_dim=
    serial: int = field(default_factory=next_serial)


@dataclass(slots=True)
class Tensor:
    shape: tuple
    span: Span | None = None
    producer: Any = None  # the Row that made it
    parts: list[Tensor] | None = field(default=None)  # several outputs
    node: int | None = None  # its id in the graph being built
    label: str | None = None  # how a layer reading it lists it: the row or input that made it
    name: str | None = None  # the name the user bound it to, which a reader lists instead

    @property
    def read_as(self) -> str | None:
        return self.name or self.label


@dataclass(frozen=True, slots=True)
class TensorShape:
    """``x.shape``: a tensor's sizes with the batch axis first (None), as the
    frameworks give them; ``x.shape[-1]`` is a number."""

    dims: tuple
    label: str

    def describe(self) -> str:
        return f"the shape of {self.label}"


def describe(value) -> str:
    """How a value is named in error messages."""
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "None"
    if isinstance(value, Word):
        return f"the word {value.name!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, float):
        return f"the decimal {value}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if isinstance(value, LayerSpec):
        return f"a {value.type_name} layer"
    if hasattr(value, "describe"):
        return value.describe()
    if isinstance(value, Tensor):
        return "a tensor"
    return f"the value {value}"


@dataclass(eq=False)
class BlockDef:
    """``block name(params) { body }``, closed over the scope it was defined in."""

    name: str
    params: tuple  # of ast.Param
    body: tuple
    span: Span
    env: object
    names: frozenset | None = field(default=None, repr=False)  # every name its text uses

    def describe(self) -> str:
        return f"the block {self.name!r}"


@dataclass(eq=False)
class BlockCall:
    """A block with its parameters bound, ready to apply: ``conv_bn(64)``."""

    block: BlockDef
    args: dict
    span: Span


@dataclass(eq=False)
class Stage:
    """A stage that runs statements on the incoming tensor: repeat, residual,
    a block call repeated with ``* N``, or a bound layer called with keywords."""

    kind: str  # "repeat", "residual", "call"
    span: Span
    body: tuple = ()
    count: object = None
    spec: object = None
    call_kwargs: dict = field(default_factory=dict)


class Deferred:
    """A block parameter's default, evaluated when the block is applied."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node


def as_dim(value, name: str, *, zero_ok: bool = False):
    if isinstance(value, Word):
        return D.symbol(value.name)
    if isinstance(value, bool) or value is None or isinstance(value, (str, tuple, LayerSpec)):
        raise ArgumentError(f"{name} must be a positive integer, not {describe(value)}")
    if D.is_num(value):
        if not D.is_int(value):
            raise ArgumentError(f"{name} must be an integer, not {value}")
        value = int(value)
        low = 0 if zero_ok else 1
        if value < low:
            raise ArgumentError(
                f"{name} must be {'non-negative' if zero_ok else 'a positive integer'}, not {value}"
            )
        return value
    if not D.is_symbolic(value):  # a tensor, a shape, a block: no number
        raise ArgumentError(f"{name} must be a positive integer, not {describe(value)}")
    if getattr(value, "is_integer", None) is False:
        raise ArgumentError(f"{name} must be an integer expression, not {value}")
    if not zero_ok and D.known_nonpositive(value):
        raise ArgumentError(f"{name} must be positive, not {value}")
    return value
