"""Expressions and conditions a user types on the command line (``--where 'd %
h == 0'``, ``--let d=64*h``) or passes as strings to the Python API.

A small recursive-descent parser of the language's expression grammar (``+ -
* / // % **``, ``^``, parentheses, integers, names, ``floor ceil min max``),
extended with comparisons and ranges (``u in 1..4096``). It builds a tiny tree
of tuples, which :func:`to_value` turns into numbers or SymPy objects. No
text ever reaches ``eval``, ``sympify`` or ``parse_expr``.

>>> str(to_value(parse_expr("64*h")))
'64*h'
>>> c = parse_condition("u in 1..4096")
>>> c.op, c.right
('in', (('num', 1), ('num', 4096)))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import dims as D
from .errors import ArgumentError, LimitError

MAX_CHARS = 2000
MAX_DEPTH = 100
MAX_DIGITS = 60
FUNCTIONS = ("floor", "ceil", "min", "max")
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">", "=")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:_[0-9]+)*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|//|==|!=|<=|>=|\.\.|[-+*/%^()<>=,]))"
)


@dataclass(frozen=True, slots=True)
class Condition:
    """``left op right``; for ``in``, ``right`` is ``(lo, hi)`` (``hi`` may be None)."""

    text: str
    op: str  # one of COMPARISONS or "in"
    left: tuple
    right: object


class _Parser:
    def __init__(self, text: str, what: str):
        if len(text) > MAX_CHARS:
            raise ArgumentError(f"{what} is {len(text):,} characters; the limit is {MAX_CHARS:,}")
        self.text = text
        self.what = what
        self.toks: list[tuple[str, str, int]] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if m is None or m.end() == pos:
                col = pos + len(stripped[pos:]) - len(stripped[pos:].lstrip())
                self.fail(f"unexpected character {stripped[col]!r}", col)
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0
        self.depth = 0

    def fail(self, message: str, col: int | None = None):
        where = f" (column {col + 1})" if col is not None else ""
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        error = ArgumentError(f"{self.what} {shown!r}: {message}{where}")
        if col is not None and "\n" not in self.text and len(self.text) <= 200:
            error.excerpt = (self.text, col)
        raise error from None

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "", len(self.text))

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, value: str):
        kind, text, col = self.take()
        if text != value or kind == "end":
            self.fail(f"expected {value!r}, found {_shown(kind, text)}", col)

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def finish(self):
        if not self.at_end():
            kind, text, col = self.peek()
            self.fail(f"unexpected {_shown(kind, text)}", col)

    # expr := term (('+'|'-') term)*
    def expr(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested deeper than {MAX_DEPTH}")
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()[1]
            node = ("bin", op, node, self.term())
        self.depth -= 1
        return node

    def term(self):
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/", "//", "%"):
            op = self.take()[1]
            node = ("bin", op, node, self.unary())
        return node

    def unary(self):
        kind, text, _ = self.peek()
        if kind == "op" and text in ("-", "+"):
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                self.fail(f"nested deeper than {MAX_DEPTH}")
            inner = self.unary()
            self.depth -= 1
            return ("neg", inner) if text == "-" else inner
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[0] == "op" and self.peek()[1] in ("**", "^"):
            self.take()
            self.depth += 1  # a**b**c... nests to the right
            if self.depth > MAX_DEPTH:
                self.fail(f"nested deeper than {MAX_DEPTH}")
            exponent = self.unary()
            self.depth -= 1
            return ("bin", "**", base, exponent)
        return base

    def atom(self):
        kind, text, col = self.take()
        if kind == "num":
            digits = text.replace("_", "")
            if len(digits) > MAX_DIGITS:
                self.fail(f"number longer than {MAX_DIGITS} digits", col)
            return ("num", int(digits))
        if kind == "name":
            if text == "in":
                self.fail("unexpected 'in'", col)
            if self.peek()[1] == "(" and self.peek()[0] == "op":
                if text not in FUNCTIONS:
                    self.fail(
                        f"unknown function {text!r}; the functions are floor, ceil, min, max", col
                    )
                self.take()
                args = [self.expr()]
                while self.peek()[1] == ",":
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                if text in ("floor", "ceil") and len(args) != 1:
                    self.fail(f"{text}() takes one argument", col)
                return ("call", text, tuple(args))
            return ("name", text)
        if kind == "op" and text == "(":
            node = self.expr()
            self.expect(")")
            return node
        self.fail(f"expected a number, a name or '(', found {_shown(kind, text)}", col)


def _shown(kind: str, text: str) -> str:
    return "the end" if kind == "end" else repr(text)


def parse_expr(text: str, what: str = "expression") -> tuple:
    """An expression's tree; an :class:`ArgumentError` quoting ``text`` if it is not one."""
    p = _Parser(text, what)
    if p.at_end():
        p.fail("is empty")
    node = p.expr()
    p.finish()
    return node


def parse_condition(text: str, what: str = "--where") -> Condition:
    """``d % h == 0``, ``u in 1..4096``, ``u in 64..``, ``d = 64*h``, ``L <= 48``."""
    p = _Parser(text, what)
    if p.at_end():
        p.fail("is empty")
    left = p.expr()
    kind, op, col = p.take()
    if kind == "name" and op == "in":
        lo = p.expr()
        p.expect("..")
        hi = None if p.at_end() else p.expr()
        p.finish()
        return Condition(" ".join(text.split()), "in", left, (lo, hi))
    if kind != "op" or op not in COMPARISONS:
        p.fail(
            "expected a comparison (==, !=, <=, >=, <, >, =) or 'in A..B', found "
            + _shown(kind, op),
            col,
        )
    right = p.expr()
    p.finish()
    return Condition(" ".join(text.split()), op, left, right)


def names(node) -> set[str]:
    """The names an expression tree uses."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        tag = n[0]
        if tag == "name":
            out.add(n[1])
        elif tag == "bin":
            stack += [n[2], n[3]]
        elif tag == "neg":
            stack.append(n[1])
        elif tag == "call":
            stack += list(n[2])
    return out


_OPS = D.OPERATORS
_CALLS = D.FUNCTIONS


def to_value(node, env: dict | None = None):
    """The tree as a number or a SymPy expression; names in ``env`` take its
    values, other names are positive-integer symbols."""
    env = env or {}
    tag = node[0]
    if tag == "num":
        return node[1]
    if tag == "name":
        if node[1] in env:
            return env[node[1]]
        return D.symbol(node[1])
    if tag == "neg":
        return D.neg(to_value(node[1], env))
    if tag == "call":
        return _CALLS[node[1]](*[to_value(a, env) for a in node[2]])
    left, right = to_value(node[2], env), to_value(node[3], env)
    try:
        return D.check_magnitude(_OPS[node[1]](left, right))
    except ZeroDivisionError:
        raise ArgumentError("division by zero") from None
    except OverflowError:
        raise LimitError(f"number too large (limit {D.MAX_MAGNITUDE:.0e})") from None
    except ValueError as e:
        raise ArgumentError(str(e)) from None
