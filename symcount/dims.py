"""Arithmetic on dimensions: exact integers while everything is a number,
SymPy expressions as soon as a symbol appears.

Numeric models never import SymPy, which keeps the CLI fast; symbolic ones
get exact floor/ceil arithmetic with positive-integer symbols.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from numbers import Integral

MAX_MAGNITUDE = 10**60  # numbers beyond this are refused: no count is that large


@functools.cache
def sp():
    """SymPy, imported on first need."""
    import sympy

    return sympy


def is_num(v) -> bool:
    return isinstance(v, (Integral, Fraction)) and not isinstance(v, bool)


def is_int(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, Integral):
        return True
    if isinstance(v, Fraction):
        return v.denominator == 1
    return _is_sympy(v) and v.is_Integer


def _is_sympy(v) -> bool:
    return type(v).__module__.startswith("sympy")


def is_symbolic(v) -> bool:
    return _is_sympy(v) and not v.is_Number


def normalize(v):
    """Fractions with denominator 1 and SymPy integers become Python ints."""
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
    if _is_sympy(v):
        if v.is_Integer:
            return int(v)
        if v.is_Rational:
            return Fraction(int(v.p), int(v.q))
    return v


def to_sympy(v):
    if isinstance(v, Fraction):
        return sp().Rational(v.numerator, v.denominator)
    if isinstance(v, Integral):
        return sp().Integer(int(v))
    return v


@functools.cache
def symbol(name: str):
    """All user symbols are positive integers."""
    return sp().Symbol(name, integer=True, positive=True)


def add(a, b):
    return normalize(a + b) if _plain(a, b) else normalize(to_sympy(a) + to_sympy(b))


def sub(a, b):
    return normalize(a - b) if _plain(a, b) else normalize(to_sympy(a) - to_sympy(b))


def mul(a, b):
    return normalize(a * b) if _plain(a, b) else normalize(to_sympy(a) * to_sympy(b))


def div(a, b):
    """Exact division."""
    if _plain(a, b):
        if b == 0:
            raise ZeroDivisionError
        return normalize(Fraction(a) / Fraction(b))
    if b == 0:
        raise ZeroDivisionError
    return normalize(to_sympy(a) / to_sympy(b))


def floordiv(a, b):
    if _plain(a, b):
        if b == 0:
            raise ZeroDivisionError
        return normalize(Fraction(a) // Fraction(b))
    if b == 0:
        raise ZeroDivisionError
    return normalize(sp().floor(to_sympy(a) / to_sympy(b)))


def ceildiv(a, b):
    if _plain(a, b):
        if b == 0:
            raise ZeroDivisionError
        return normalize(-(Fraction(-a) // Fraction(b)))
    return normalize(sp().ceiling(to_sympy(a) / to_sympy(b)))


def mod(a, b):
    if _plain(a, b):
        if b == 0:
            raise ZeroDivisionError
        return normalize(Fraction(a) % Fraction(b))
    return normalize(sp().Mod(to_sympy(a), to_sympy(b)))


def power(a, b):
    if _plain(a, b):
        if isinstance(b, Fraction) and b.denominator != 1:
            raise ValueError("fractional powers are not supported")
        b = int(b)
        if b < 0:
            return normalize(Fraction(1) / Fraction(a) ** -b) if a != 0 else _zero_div()
        if abs(a) > 1 and b * max(1, (abs(int(a)) if isinstance(a, int) else 2).bit_length()) > 210:
            raise OverflowError
        return normalize(Fraction(a) ** b)
    if is_num(b) and abs(b) > 1000:
        raise OverflowError
    return normalize(to_sympy(a) ** to_sympy(b))


def _zero_div():
    raise ZeroDivisionError


def floor(a):
    if is_num(a):
        return normalize(Fraction(a).__floor__())
    return normalize(sp().floor(a))


def ceil(a):
    if is_num(a):
        return normalize(Fraction(a).__ceil__())
    return normalize(sp().ceiling(a))


def maximum(*vals):
    if all(is_num(v) for v in vals):
        return normalize(max(vals))
    return normalize(sp().Max(*[to_sympy(v) for v in vals]))


def minimum(*vals):
    if all(is_num(v) for v in vals):
        return normalize(min(vals))
    return normalize(sp().Min(*[to_sympy(v) for v in vals]))


def neg(a):
    return normalize(-a)


def prod(vals):
    """Product of dimensions; symbolic factors are multiplied once, at the end."""
    n = 1
    syms = []
    for v in vals:
        if is_num(v):
            n *= v
        else:
            syms.append(v)
    if not syms:
        return normalize(n)
    return normalize(sp().Mul(to_sympy(n), *syms))


def total(vals):
    """Sum with one Add of all symbolic terms (a running sum is quadratic)."""
    n = 0
    syms = []
    for v in vals:
        if is_num(v):
            n += v
        else:
            syms.append(v)
    if not syms:
        return normalize(n)
    return normalize(sp().Add(to_sympy(n), *syms))


def _plain(a, b) -> bool:
    return is_num(a) and is_num(b)


def check_magnitude(v):
    if is_num(v) and abs(v) > MAX_MAGNITUDE:
        raise OverflowError
    return v


def known_nonpositive(v) -> bool:
    """True when v is certainly < 1 (so not a valid dimension)."""
    if v is None:
        return False
    if is_num(v):
        return v < 1
    return bool(v.is_positive is False)


def equal(a, b) -> bool | None:
    """True/False when decidable, None when it depends on the symbols."""
    if a is None or b is None:
        return a is b
    if is_num(a) and is_num(b):
        return a == b
    d = sp().expand(to_sympy(a) - to_sympy(b))
    if d == 0:
        return True
    if d.is_number:
        return False
    return None


# The language's operators and functions, shared by the model language
# (symcount.expressions) and option text such as --let (symcount.userexpr).
OPERATORS = {"+": add, "-": sub, "*": mul, "/": div, "//": floordiv, "%": mod, "**": power}
FUNCTIONS = {"ceil": ceil, "floor": floor, "min": minimum, "max": maximum}
