"""Arithmetic on dimensions: exact integers while everything is a number,
SymPy expressions as soon as a symbol appears.

Numeric models never import SymPy, which keeps the CLI fast; symbolic ones
get exact floor/ceil arithmetic with positive-integer symbols.
"""

from __future__ import annotations

import functools
import sys
from fractions import Fraction
from numbers import Integral

MAX_MAGNITUDE = 10**60  # numbers beyond this are refused: no count is that large
MAGNITUDE_TEXT = "10**60"  # the limit as the user writes it, in every message
TOO_LARGE = f"number too large (limit {MAGNITUDE_TEXT})"  # literal or computed, the same
# 2**200 > MAX_MAGNITUDE: a power whose result has more bits is refused unbuilt
MAX_BITS = 200


@functools.cache
def sp():
    """SymPy, imported on first need."""
    import sympy

    return sympy


def is_num(v) -> bool:
    t = type(v)
    if t is int:  # by far the most common
        return True
    known = _NUM_TYPES.get(t)
    if known is None:
        # the ABC check is slow (a SymPy expression walks its whole class
        # hierarchy): done once per type
        known = issubclass(t, (Integral, Fraction)) and not issubclass(t, bool)
        if len(_NUM_TYPES) < _TYPES_KEPT:
            _NUM_TYPES[t] = known
    return known


_NUM_TYPES: dict[type, bool] = {}
_TYPES_KEPT = 512  # SymPy makes a class per undefined function: never a cache without bound


def is_int(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, Integral):
        return True
    if isinstance(v, Fraction):
        return v.denominator == 1
    return _is_sympy(v) and v.is_Integer


def _is_sympy(v) -> bool:
    t = type(v)
    known = _SYMPY_TYPES.get(t)
    if known is None:  # an undefined function's __module__ is None
        known = (t.__module__ or "").startswith("sympy")
        if len(_SYMPY_TYPES) < _TYPES_KEPT:
            _SYMPY_TYPES[t] = known
    return known


_SYMPY_TYPES: dict[type, bool] = {}


def is_symbolic(v) -> bool:
    return _is_sympy(v) and not v.is_Number


def normalize(v):
    """Fractions with denominator 1 and SymPy integers become Python ints."""
    t = type(v)
    if t is int:
        return v
    if t is Fraction:
        return int(v) if v.denominator == 1 else v
    if _is_sympy(v) and v.is_Number:
        if v.is_Integer:
            return int(v)
        if v.is_Rational:
            return Fraction(int(v.p), int(v.q))
    return v


def to_sympy(v):
    t = type(v)
    if t is int:
        return _integer(v)
    if t is Fraction:
        return sp().Rational(v.numerator, v.denominator)
    if is_num(v):  # another Integral
        return _integer(int(v))
    return v


@functools.lru_cache(maxsize=1024)
def _integer(n: int):
    # the same few integers (bytes per entry, 2 for FLOPs, small sizes) over and over
    return sp().Integer(n)


@functools.cache
def symbol(name: str):
    """All user symbols are positive integers."""
    return sp().Symbol(name, integer=True, positive=True)


def add(a, b):
    if is_num(a):
        if is_num(b):
            return normalize(a + b)
        if a == 0:  # SymPy's answer, without building an Add to find it
            return normalize(b)
    elif is_num(b) and b == 0:
        return normalize(a)
    return normalize(_binary(sp().Add, a, b))


def sub(a, b):
    return normalize(a - b) if _plain(a, b) else normalize(to_sympy(a) - to_sympy(b))


def mul(a, b):
    if is_num(a):
        if is_num(b):
            return normalize(a * b)
        if a == 1 or a == 0:  # SymPy's answer, without building a Mul to find it
            return normalize(b) if a == 1 else 0
    elif is_num(b) and (b == 1 or b == 0):
        return normalize(a) if b == 1 else 0
    return normalize(_binary(sp().Mul, a, b))


def _binary(op, a, b):
    """``a + b`` or ``a * b`` built by SymPy's Add or Mul directly: what the
    operators build, without their argument conversion and dispatch layers
    (a summary of thousands of symbolic rows makes thousands of these)."""
    a, b = to_sympy(a), to_sympy(b)
    if isinstance(a, _expr()) and isinstance(b, _expr()):
        return op(a, b)
    return a + b if op is sp().Add else a * b


@functools.cache
def _expr():
    return sp().Expr


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
        a = Fraction(a)
        if b * (max(abs(a.numerator), a.denominator).bit_length() - 1) > MAX_BITS:
            raise OverflowError  # at least 2**(b*(bits-1)) > 10**60: refused before it is built
        return check_magnitude(normalize(a**b))
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
    if n == 1:  # Mul drops a one; not building it is cheaper
        return normalize(syms[0]) if len(syms) == 1 else normalize(sp().Mul(*syms))
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
    if n == 0:  # Add drops a zero; not building it is cheaper
        return normalize(syms[0]) if len(syms) == 1 else normalize(sp().Add(*syms))
    return normalize(sp().Add(to_sympy(n), *syms))


def _plain(a, b) -> bool:
    return is_num(a) and is_num(b)


def check_magnitude(v):
    if is_num(v) and abs(v) > MAX_MAGNITUDE:
        raise OverflowError
    return v


# A computed dimension is a tree: every floor/ceil of a floor/ceil nests one
# level deeper, and printing, LaTeX, substitution and SymPy's own checks all
# recurse through it. Bounding the depth keeps them inside Python's default
# recursion limit (about five frames a level) wherever they run.
MAX_DEPTH = 100
_DEPTHS: dict = {}  # expression -> depth, shared by the layers of a model
_DEPTHS_CAP = 100_000


def layer_problem(out) -> str | None:
    """:func:`problem` of a layer rule's result (its wrappers' inner layers included)."""
    weights = [w for o in [out, *(inner for _, inner in out.children)] for w in o.weights]
    return problem(out.shape, weights)


def problem(shape, weights=()) -> str | None:
    """Why a layer's computed output ``shape`` (a tuple of dims, or a list
    of them) or ``weights`` (their factor values) cannot be used, or None:
    a number beyond MAX_MAGNITUDE or an expression nested deeper than
    MAX_DEPTH. Cheap: depths already measured are remembered."""
    values = [d for s in (shape if isinstance(shape, list) else [shape]) for d in s]
    values += [f.value for w in weights for dim in w.dims for f in dim]
    for v in values:
        if v is None or isinstance(v, bool):
            continue
        if is_num(v):
            if abs(v) > MAX_MAGNITUDE or (
                isinstance(v, Fraction) and v.denominator > MAX_MAGNITUDE
            ):
                return TOO_LARGE
        elif _is_sympy(v):
            found = _measure(v)
            if found is not None:
                return found
    return None


def _measure(e) -> str | None:
    """Walk ``e`` without recursion: its depth and its numbers."""
    if e in _DEPTHS:
        return None  # measured before, and it was fine
    local: dict = {}
    todo = [(e, False)]
    while todo:
        x, ready = todo.pop()
        if ready:
            local[x] = 1 + max(local[a] for a in x.args)
            if local[x] > MAX_DEPTH:
                return f"an expression nested deeper than {MAX_DEPTH} levels (floor of floor ...)"
            continue
        if x in local:
            continue
        known = _DEPTHS.get(x)
        if known is not None:
            local[x] = known
            continue
        if not x.args:
            if x.is_Rational and max(abs(int(x.p)), int(x.q)) > MAX_MAGNITUDE:
                return TOO_LARGE
            local[x] = 0
            continue
        todo.append((x, True))
        todo.extend((a, False) for a in x.args)
    if len(_DEPTHS) + len(local) > _DEPTHS_CAP:
        _DEPTHS.clear()
    _DEPTHS.update(local)
    return None


# The SymPy classes a value given through the API may be built of: what the
# library itself builds from the language (dimension arithmetic above).
_GIVEN_CLASSES = frozenset(
    {"Add", "Mul", "Pow", "floor", "ceiling", "Max", "Min", "Mod", "Rational", "Integer"}
)


def given_value(name, v, *, expressions: bool = True):
    """A value given to a symbol through the API (``subs``, ``values=``,
    solve): a positive int (not a bool), a SymPy Integer, or, when
    ``expressions``, a SymPy expression of the library's own symbols
    (:func:`symbol`). Anything else (a str, float, Fraction, list, a SymPy
    object of other symbols or functions) is an ArgumentError naming the
    symbol and what was given: text is never handed to SymPy, which would
    evaluate it."""
    from .errors import ArgumentError

    if not isinstance(name, str) or not name.isidentifier():
        raise ArgumentError(f"{name!r} is not a symbol name")
    what = "an integer" + (" or an expression of symcount symbols" if expressions else "")
    if _is_sympy(v) and v.is_Integer:
        v = int(v)
    if isinstance(v, int) and not isinstance(v, bool):
        if v < 1:
            raise ArgumentError(f"{name} must be a positive integer, not {v}")
        if v > MAX_MAGNITUDE:
            raise ArgumentError(f"the value of {name}: {TOO_LARGE}")
        return v
    if expressions and _is_sympy(v) and _built_here(v):
        return v
    shown = repr(v)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    basic = getattr(sys.modules.get("sympy"), "Basic", ())  # SymPy is loaded if v is of it
    kind = (
        "a SymPy object symcount did not build" if isinstance(v, basic) else f"a {type(v).__name__}"
    )
    raise ArgumentError(f"the value of {name} must be {what}, not {shown} ({kind})")


def _built_here(e) -> bool:
    """``e`` is made of the library's symbols, numbers and dimension functions."""
    if not isinstance(e, sp().Expr) or e.is_Number:
        return False  # a bare number that is no integer (1/2, 2.5) is no size
    todo = [e]
    while todo:
        x = todo.pop()
        if x.is_Symbol:
            if x != symbol(x.name):
                return False
            continue
        if x.is_Float or not any(c.__name__ in _GIVEN_CLASSES for c in type(x).__mro__):
            return False
        todo.extend(x.args)
    return True


def known_nonpositive(v) -> bool:
    """True when v is certainly < 1 (so not a valid dimension)."""
    if v is None:
        return False
    if is_num(v):
        return v < 1
    return bool(v.is_positive is False)


def equal(a, b) -> bool | None:
    """True/False when decidable, None when it depends on the symbols (or
    when deciding would mean multiplying out a huge expression)."""
    if a is None or b is None:
        return a is b
    if is_num(a) and is_num(b):
        return a == b
    d = to_sympy(a) - to_sympy(b)
    if d != 0:
        d = expand_small(d)
    if d == 0:
        return True
    if d.is_number:
        return False
    return None


# Multiplying out is bounded by the size of the result, estimated without
# building it: (a + b + ... + h)**40 is ten nodes but 62 million terms.
EXPAND_TERMS = 2000


def expand_small(v):
    """``v`` multiplied out when the result is small (at most EXPAND_TERMS
    terms, counting those inside floors and other functions), else ``v``
    as it is. Never unbounded: the estimate stops at the cap."""
    return sp().expand(v) if expands_small(v) else v


def expands_small(v) -> bool:
    """True when multiplying ``v`` out gives at most EXPAND_TERMS terms."""
    if not is_symbolic(v):
        return False
    try:
        return _expanded_terms(v, {}) <= EXPAND_TERMS
    except RecursionError:
        return False


def _expanded_terms(e, memo) -> int:
    """An upper bound on the terms of expand(e) (work inside functions
    included), capped just above EXPAND_TERMS."""
    got = memo.get(e)
    if got is not None:
        return got
    cap = EXPAND_TERMS + 1
    if not e.args:
        n = 1
    elif e.is_Add:
        n = min(cap, sum(_expanded_terms(a, memo) for a in e.args))
    elif e.is_Mul:
        n = 1
        for a in e.args:
            n = min(cap, n * _expanded_terms(a, memo))
    elif e.is_Pow:
        base = _expanded_terms(e.base, memo)
        k = e.exp
        if k.is_Integer and base > 1:
            n = cap if abs(int(k)) * base.bit_length() > 64 else min(cap, base ** abs(int(k)))
        else:
            n = min(cap, base + _expanded_terms(k, memo))
    else:  # floor, ceiling, Max, ...: expand works inside, the result is one term
        n = min(cap, 1 + sum(_expanded_terms(a, memo) for a in e.args))
    memo[e] = n
    return n


# The language's operators and functions, shared by the model language
# (symcount.evaluation.expressions) and option text such as --let (symcount.language.userexpr).
OPERATORS = {"+": add, "-": sub, "*": mul, "/": div, "//": floordiv, "%": mod, "**": power}
FUNCTIONS = {"ceil": ceil, "floor": floor, "min": minimum, "max": maximum}
