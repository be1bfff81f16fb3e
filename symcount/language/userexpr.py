"""Expressions and conditions a user types on the command line (``--where 'd %
h == 0'``, ``--let d=64*h``) or passes as strings to the Python API.

They are read by the language's own grammar (grammar/symcount.lark: the
``expression`` and ``condition`` start rules, each with its LALR parser) into
the language's AST nodes; this module keeps to the subset an option may use
(``+ - * / // % **``, ``^``, parentheses, integers, names, ``floor ceil min
max``; comparisons and ranges ``u in 1..4096`` in conditions) and words the
errors, with a column for the caret. :func:`to_value` turns a tree into a
number or SymPy object with the language's operators (``dims.OPERATORS``,
``dims.FUNCTIONS``). No text ever reaches ``eval``, ``sympify`` or
``parse_expr``.

>>> str(to_value(parse_expr("64*h")))
'64*h'
>>> c = parse_condition("u in 1..4096")
>>> c.op, c.right
('in', (Num(value=1), Num(value=4096)))
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import dims as D
from ..errors import ArgumentError, LimitError
from . import ast
from .fragments import Unexpected, parse_fragment

MAX_CHARS = 2000
MAX_DEPTH = 100
MAX_DIGITS = 61  # longer is past dims.MAX_MAGNITUDE, refused unread; shorter, by value
FUNCTIONS = ("floor", "ceil", "min", "max")
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">", "=")
_OPERAND = frozenset({"NAME", "INT"})  # what can start an operand (a '(' alone may be a call)


@dataclass(frozen=True, slots=True)
class Condition:
    """``left op right``; for ``in``, ``right`` is ``(lo, hi)`` (``hi`` may be None)."""

    text: str
    op: str  # one of COMPARISONS or "in"
    left: ast.Node
    right: object


class _Text:
    def __init__(self, text: str, what: str):
        if len(text) > MAX_CHARS:
            raise ArgumentError(f"{what} is {len(text):,} characters; the limit is {MAX_CHARS:,}")
        self.text, self.what = text, what

    def fail(self, message: str, col: int | None = None):
        where = f" (column {col + 1})" if col is not None else ""
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        error = ArgumentError(f"{self.what} {shown!r}: {message}{where}")
        if col is not None and "\n" not in self.text and len(self.text) <= 200:
            error.excerpt = (self.text, col)
        raise error from None


def _read(text: str, what: str, start: str):
    t = _Text(text, what)
    if not text.strip():
        t.fail("is empty")
    try:
        result = parse_fragment(text, start, functions=FUNCTIONS, max_digits=MAX_DIGITS)
    except Unexpected as e:
        t.fail(_unexpected(e), e.column)
    nodes = [result] if start == "expression" else [result[1], *_right(result)]
    problems = []
    for node in nodes:
        if node is not None:
            problems += _problems(text, node)
    if problems:  # the first in the text, as a reader from the left meets it
        col, message = min(problems, key=lambda p: p[0])
        t.fail(message, col)
    return result


def _right(result) -> list:
    return list(result[2]) if result[0] == "in" else [result[2]]


def _found(e: Unexpected) -> str:
    return "the end" if e.kind == "end" else repr(e.value)


def _unexpected(e: Unexpected) -> str:
    if e.kind == "char":
        return f"unexpected character {e.value!r}"
    if e.kind == "function":
        return f"unknown function {e.value!r}; the functions are floor, ceil, min, max"
    if e.kind == "digits":
        return D.TOO_LARGE
    if e.expected & _OPERAND:
        if e.token_type == "IN":  # in is a word of conditions, not a name
            return "unexpected 'in'"
        return f"expected a number, a name or '(', found {_found(e)}"
    if e.expected & {"COMPARE", "IN"}:
        return "expected a comparison (==, !=, <=, >=, <, >, =) or 'in A..B', found " + _found(e)
    if "DOTS" in e.expected:
        return f"expected '..', found {_found(e)}"
    if "RPAR" in e.expected:
        return f"expected ')', found {_found(e)}"
    return f"unexpected {_found(e)}"


def _problems(text: str, root) -> list[tuple[int, str]]:
    """What the grammar accepts but an option may not use, as (column,
    message): floor or ceil of several arguments, deep nesting (each bracket,
    each sign and each exponent one level deeper)."""
    opens = [0]
    for ch in text:
        opens.append(opens[-1] + (ch == "(") - (ch == ")"))
    out = []
    stack = [(root, 0)]
    while stack:
        node, chain = stack.pop()
        col = node.span.start
        if 1 + opens[col] + chain > MAX_DEPTH:
            out.append((col, f"nested deeper than {MAX_DEPTH}"))
            continue
        if isinstance(node, ast.BinOp):
            stack.append((node.left, chain))
            stack.append((node.right, chain + (node.op == "**")))
        elif isinstance(node, ast.Neg):
            stack.append((node.operand, chain + 1))
        elif isinstance(node, ast.Call):
            out += _call_problems(node)
            stack += [(x, chain) for x in node.args]
    return out


def _call_problems(node: ast.Call) -> list:
    """A call the lexer let through is of a name of FUNCTIONS, without
    keywords and with arguments: only the count can be wrong."""
    f = node.func
    if f.id in ("floor", "ceil") and len(node.args) != 1:
        return [(f.span.start, f"{f.id}() takes one argument")]
    return []


def parse_expr(text: str, what: str = "expression") -> ast.Node:
    """An expression's tree; an :class:`ArgumentError` quoting ``text`` if it is not one."""
    return _read(text, what, "expression")


def parse_condition(text: str, what: str = "--where") -> Condition:
    """``d % h == 0``, ``u in 1..4096``, ``u in 64..``, ``d = 64*h``, ``L <= 48``."""
    op, left, right = _read(text, what, "condition")
    return Condition(" ".join(text.split()), op, left, right)


def name_of(node) -> str | None:
    """The name when the tree is a bare name (``u``), else None."""
    return node.id if isinstance(node, ast.Name) else None


def modulo_of(node) -> tuple[str, ast.Node] | None:
    """``(name, divisor)`` when the tree is ``name % divisor``, else None."""
    if isinstance(node, ast.BinOp) and node.op == "%" and isinstance(node.left, ast.Name):
        return node.left.id, node.right
    return None


def _children(n) -> list:
    if isinstance(n, ast.BinOp):
        return [n.left, n.right]
    if isinstance(n, ast.Neg):
        return [n.operand]
    if isinstance(n, ast.Call):
        return list(n.args)
    return []


def names(node) -> set[str]:
    """The names an expression tree uses (not the functions it calls)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif n is not None:
            stack += _children(n)
    return out


def to_value(node, env: dict | None = None):
    """The tree as a number or a SymPy expression; names in ``env`` take its
    values, other names are positive-integer symbols. Iterative: a long sum
    is a deep tree."""
    env = env or {}
    out: list = []
    stack = [(node, False)]
    while stack:
        n, done = stack.pop()
        if isinstance(n, ast.Num):
            if abs(n.value) > D.MAX_MAGNITUDE:  # as a literal of the model language is
                raise LimitError(D.TOO_LARGE)
            out.append(n.value)
        elif isinstance(n, ast.Name):
            out.append(env[n.id] if n.id in env else D.symbol(n.id))
        elif not done:
            stack.append((n, True))
            stack += [(k, False) for k in reversed(_children(n))]
        else:
            k = len(_children(n))
            args = out[len(out) - k :]
            del out[len(out) - k :]
            out.append(_apply(n, args))
    return out[0]


def _apply(n, args):
    if isinstance(n, ast.Neg):
        return D.neg(args[0])
    if isinstance(n, ast.Call):
        return D.FUNCTIONS[n.func.id](*args)
    try:
        return D.check_magnitude(D.OPERATORS[n.op](*args))
    except ZeroDivisionError:
        raise ArgumentError("division by zero") from None
    except OverflowError:
        raise LimitError(D.TOO_LARGE) from None
    except ValueError as e:
        raise ArgumentError(str(e)) from None
