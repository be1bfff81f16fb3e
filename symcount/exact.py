"""Exact, fast evaluation of a count we built, at integer values of its symbols.

A solve evaluates the same expression thousands of times. ``expr.subs`` costs
about 3 ms a call and ``lambdify`` works in floats (a count of 10^12 with a
floor in it must not round), so the expression is compiled once into nested
Python closures over ints and Fractions: exact, and a few microseconds a call.
No text is generated or evaluated; anything unexpected falls back to SymPy's
own substitution.

>>> from symcount import dims as D
>>> u = D.symbol("u")
>>> f = compile_exact(4*u*(u + 7) + D.sp().floor(u / 3), ["u"])
>>> f(64)
18197
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import dims as D


class _Unsupported(Exception):
    pass


def compile_exact(expr, names: list[str]):
    """``f(*values)``: ``expr`` at those values of ``names`` (ints), exactly."""
    index = {D.symbol(n): i for i, n in enumerate(names)}
    if not D.is_symbolic(expr):
        value = D.normalize(expr)
        return lambda *args: value
    try:
        fn = _build(expr, index, {})
    except (_Unsupported, RecursionError):
        return _fallback(expr, names)

    def run(*args):
        return _norm(fn(args))

    return run


def _fallback(expr, names):
    syms = [D.symbol(n) for n in names]

    def run(*args):
        return D.normalize(
            expr.xreplace({s: D.to_sympy(a) for s, a in zip(syms, args, strict=True)})
        )

    return run


def _norm(v):
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
    return v


def _build(e, index, memo):
    got = memo.get(e)
    if got is not None:
        return got
    fn = _make(e, index, memo)
    memo[e] = fn
    return fn


def _make(e, index, memo):
    sp = D.sp()
    if e.is_Integer:
        c = int(e)
        return lambda a: c
    if e.is_Rational:
        c = Fraction(int(e.p), int(e.q))
        return lambda a: c
    if e.is_Symbol:
        if e not in index:
            raise _Unsupported
        i = index[e]
        return lambda a: a[i]
    parts = [_build(x, index, memo) for x in e.args]
    if e.is_Add:
        return lambda a: sum(f(a) for f in parts)
    if e.is_Mul:
        return lambda a: math.prod(f(a) for f in parts)
    if e.is_Pow:
        if not e.exp.is_Integer:
            raise _Unsupported
        base, n = parts[0], int(e.exp)
        if n >= 0:
            return lambda a: base(a) ** n
        return lambda a: Fraction(1) / Fraction(base(a)) ** -n
    if isinstance(e, sp.floor):
        return lambda a: math.floor(parts[0](a))
    if isinstance(e, sp.ceiling):
        return lambda a: math.ceil(parts[0](a))
    if isinstance(e, sp.Max):
        return lambda a: max(f(a) for f in parts)
    if isinstance(e, sp.Min):
        return lambda a: min(f(a) for f in parts)
    if isinstance(e, sp.Mod):
        x, y = parts
        return lambda a: Fraction(x(a)) % Fraction(y(a))
    raise _Unsupported
