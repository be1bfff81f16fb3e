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

from . import ast
from . import dims as D
from .errors import ArgumentError, LimitError
from .syntax import Unexpected, parse_fragment

MAX_CHARS = 2000
MAX_DEPTH = 100
MAX_DIGITS = 60
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
        result = parse_fragment(text, start)
    except Unexpected as e:
        t.fail(_unexpected(e), e.column)
    nodes = [result] if start == "expression" else [result[1], *_right(result)]
    problems = []
    for node in nodes:
        if node is not None:
            problems += _problems(text, node)
    if problems:  # the first in the text, as a reader from the left meets it
        tokens = [p for p in problems if p[0] == 0] or problems
        _, col, message = min(tokens, key=lambda p: (p[1] is None, p[1] or 0))
        t.fail(message, col)
    return result


def _right(result) -> list:
    return list(result[2]) if result[0] == "in" else [result[2]]


def _found(e: Unexpected) -> str:
    return "the end" if e.kind == "end" else repr(e.value)


def _unexpected(e: Unexpected) -> str:
    if e.kind == "char":
        return f"unexpected character {e.value!r}"
    if e.token_type == "IN":
        return "unexpected 'in'"
    if e.expected & _OPERAND:
        return f"expected a number, a name or '(', found {_found(e)}"
    if e.expected & {"COMPARE", "IN"}:
        return "expected a comparison (==, !=, <=, >=, <, >, =) or 'in A..B', found " + _found(e)
    if "DOTS" in e.expected:
        return f"expected '..', found {_found(e)}"
    if "RPAR" in e.expected:
        return f"expected ')', found {_found(e)}"
    return f"unexpected {_found(e)}"


def _problems(text: str, root) -> list[tuple[int, int | None, str]]:
    """What the grammar accepts but an option may not use, as (pass, column,
    message): pass 0 for what the old character-level reading refused first
    (strings, decimals, lists), 1 for the rest. Nesting counts as it reads:
    each bracket, each sign and each exponent one level deeper."""
    opens = [0]
    for ch in text:
        opens.append(opens[-1] + (ch == "(") - (ch == ")"))
    out = []
    stack = [(root, 0)]
    while stack:
        node, chain = stack.pop()
        col = node.span.start
        if 1 + opens[col] + chain > MAX_DEPTH:
            out.append((1, col, f"nested deeper than {MAX_DEPTH}"))
            continue
        if isinstance(node, ast.Str) or (isinstance(node, ast.Seq) and node.kind == "[]"):
            out.append((0, col, f"unexpected character {text[col]!r}"))
        elif isinstance(node, ast.Dec):
            at = next(i for i, ch in enumerate(node.text) if not ch.isdigit())
            out.append((0, col + at, f"unexpected character {text[col + at]!r}"))
        elif isinstance(node, ast.Num):
            if len(str(node.value)) > MAX_DIGITS:
                out.append((1, col, f"number longer than {MAX_DIGITS} digits"))
        elif isinstance(node, ast.Name):
            if node.id == "in":
                out.append((1, col, "unexpected 'in'"))
        elif isinstance(node, ast.Seq):  # a tuple: (a, b) or ()
            if not node.items:
                close = text.index(")", col)
                out.append((1, close, "expected a number, a name or '(', found ')'"))
            else:
                comma = text.index(",", node.items[0].span.end)
                out.append((1, comma, "expected ')', found ','"))
            stack += [(x, chain) for x in node.items]
        elif isinstance(node, ast.BinOp):
            stack.append((node.left, chain))
            stack.append((node.right, chain + (node.op == "**")))
        elif isinstance(node, ast.Neg):
            stack.append((node.operand, chain + 1))
        elif isinstance(node, ast.Call):
            out += _call_problems(text, node)
            stack += [(x, chain) for x in node.args]
            stack += [(k.value, chain) for k in node.kwargs]
        elif isinstance(node, ast.Kwarg):  # pragma: no cover - only inside a call
            stack.append((node.value, chain))
    return out


def _call_problems(text: str, node: ast.Call) -> list:
    f = node.func
    if not isinstance(f, ast.Name):  # f(1)(2), (a)(b): a value is not called
        at = text.index("(", f.span.end)
        return [(1, at, "unexpected '('")]
    col = f.span.start
    if f.id not in FUNCTIONS:
        return [(1, col, f"unknown function {f.id!r}; the functions are floor, ceil, min, max")]
    if node.kwargs:
        eq = text.index("=", node.kwargs[0].span.start)
        return [(1, eq, "expected ')', found '='")]
    if not node.args:
        close = text.index(")", f.span.end)
        return [(1, close, "expected a number, a name or '(', found ')'")]
    if f.id in ("floor", "ceil") and len(node.args) != 1:
        return [(1, col, f"{f.id}() takes one argument")]
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
        raise LimitError(f"number too large (limit {D.MAX_MAGNITUDE:.0e})") from None
    except ValueError as e:
        raise ArgumentError(str(e)) from None
