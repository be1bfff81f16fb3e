"""The syntax tree: frozen dataclasses, each carrying its source span."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span = field(compare=False, repr=False, kw_only=True)


# Expressions -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num(Node):
    value: int


@dataclass(frozen=True, slots=True)
class Dec(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Str(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Name(Node):
    id: str


@dataclass(frozen=True, slots=True)
class Seq(Node):
    """A tuple `(a, b)` or a list `[a, b]`."""

    items: tuple[Node, ...]
    brackets: str = "()"


@dataclass(frozen=True, slots=True)
class BinOp(Node):
    op: str  # one of + - * / // % **
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Kwarg(Node):
    name: str
    value: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: Node
    args: tuple[Node, ...]
    kwargs: tuple[Kwarg, ...]


@dataclass(frozen=True, slots=True)
class Attr(Node):
    """``x.shape``: an attribute of a value (only a tensor's ``shape`` has one)."""

    base: Node
    name: str


@dataclass(frozen=True, slots=True)
class Slice(Node):
    """``a:b:c`` inside brackets; a part left out is None."""

    start: Node | None
    stop: Node | None
    step: Node | None


@dataclass(frozen=True, slots=True)
class EllipsisItem(Node):
    """``...`` inside brackets: every axis not otherwise named."""


@dataclass(frozen=True, slots=True)
class Index(Node):
    """``x[:, 0]``, ``x.shape[-1]``: items are expressions, Slices or EllipsisItems."""

    base: Node
    items: tuple[Node, ...]


# Statements ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pipeline(Node):
    stages: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ModelStmt(Node):
    name: str


@dataclass(frozen=True, slots=True)
class ConventionStmt(Node):
    name: str
    name_span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SymbolsStmt(Node):
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LetStmt(Node):
    name: str
    value: Pipeline


@dataclass(frozen=True, slots=True)
class AssignStmt(Node):
    name: str
    value: Pipeline


@dataclass(frozen=True, slots=True)
class UnpackStmt(Node):
    """``out, h, c = enc -> LSTM(64, return_state=true)``: one name per output."""

    names: tuple[str, ...]
    name_spans: tuple[Span, ...] = field(compare=False, repr=False)
    value: Pipeline | None = None


@dataclass(frozen=True, slots=True)
class OutputStmt(Node):
    values: tuple[Pipeline, ...]


@dataclass(frozen=True, slots=True)
class Program(Node):
    statements: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Param(Node):
    name: str
    default: Node | None


@dataclass(frozen=True, slots=True)
class BlockStmt(Node):
    """``block name(f, k=3) { ... }``: a reusable, parameterised sub-model."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Repeat(Node):
    """``repeat N { ... }`` (also ``block_call * N``)."""

    count: Node
    body: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Residual(Node):
    """``residual { ... }``: Add(x, body(x))."""

    body: tuple[Node, ...]
