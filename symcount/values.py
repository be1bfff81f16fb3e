"""Runtime values of the language: bare words, layers, tensors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Span


@dataclass(frozen=True, slots=True)
class Word:
    """An unbound bare name: an enum value (``same``) or, in arithmetic, a symbol."""

    name: str


@dataclass(slots=True)
class LayerSpec:
    """A constructed, not yet applied layer: ``LSTM(64)``."""

    type_name: str
    rule: Any  # LayerRule
    ns: Any  # bound arguments (SimpleNamespace)
    name: str
    span: Span
    given: frozenset[str] = frozenset()  # argument names the user gave
    trainable: bool = True
    input_shape: tuple | None = None  # from input_shape= / input_dim=
    uses: int = 0  # times a wrapper took it as its inner layer
    row: Any = None  # the row of its first application; later calls share its weights


@dataclass(slots=True)
class Tensor:
    shape: tuple
    span: Span | None = None
    producer: Any = None  # the Row that made it
    parts: list[Tensor] | None = field(default=None)  # several outputs


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
