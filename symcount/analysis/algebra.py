"""Algebra on a model's counts: simplify, expand, factor, collect, substitute
relations, and the leading term as the symbols grow.

Every operation returns a new :class:`~symcount.model.Model` whose rows and
totals hold the rewritten expressions; floors and ceilings stay exact (SymPy
keeps them as functions). Only what the user asks for is rewritten, and the
total of a model of many layers is rewritten in pieces (PERFORMANCE.md: no
expand/simplify/factor of a big expression).

>>> import symcount
>>> m = symcount.parse("input(t, f) -> LSTM(u)")
>>> str(m.expand().total)
'4*f*u + 4*u**2 + 4*u'
>>> str(m.collect().total)
'4*u**2 + u*(4*f + 4)'
>>> str(leading(symcount.load("examples/stacked_lstm_symbolic.sc").total))
'14*u**2'
"""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction

from .. import dims as D
from ..errors import ArgumentError, LimitError, SymcountError
from ..model import quantities as Q
from ..timelimit import Timeout, time_limit

HOW = ("simplify", "expand", "factor", "collect")
PIECE_TERMS = 200  # a sum with more terms is rewritten term by term
TIME_LIMIT = 30.0  # seconds for one rewrite of a whole model


def _sorted_symbols(v) -> list:
    """Free symbols, highest degree first, then by name (for collect)."""
    sp = D.sp()

    def degree(s):
        try:
            return sp.Poly(v, s).degree() if v.is_polynomial(s) else 0
        except sp.PolynomialError:  # pragma: no cover - is_polynomial said yes
            return 0

    return sorted(v.free_symbols, key=lambda s: (-degree(s), s.name))


def transform(v, how: str):
    """One count or dimension rewritten; numbers are returned as they are."""
    if how not in HOW:
        raise ValueError(f"unknown rewrite {how!r}; one of {', '.join(HOW)}")
    if not D.is_symbolic(v):
        return v
    sp = D.sp()
    if v.is_Add and len(v.args) > PIECE_TERMS:
        # a big sum: the pieces are small; adding them back collapses equal terms
        parts = [transform(a, how) for a in v.args]
        out = sp.Add(*[D.to_sympy(p) for p in parts])
        if how == "factor":
            out = sp.factor_terms(out)
        return D.normalize(out)
    return _rewrite(v, how)


@functools.lru_cache(maxsize=4096)
def _rewrite(v, how: str):
    # Cached: a model of many equal layers rewrites the same count again and
    # again (1,000 LSTM/Dense layers in u: simplify 9.6 s uncached).
    sp = D.sp()
    if how == "expand":
        out = sp.expand(v)
    elif how == "simplify":
        out = sp.simplify(v)
    elif how == "factor":
        out = sp.factor(v)
    else:
        out = sp.collect(sp.expand(v), _sorted_symbols(v))
    return D.normalize(out)


def _shape(shape, how):
    if isinstance(shape, list):
        return [_shape(s, how) for s in shape]
    return tuple(transform(d, how) if d is not None else None for d in shape)


def _row(row, how):
    return dataclasses.replace(
        row,
        output_shape=_shape(row.output_shape, how),
        children=[_row(c, how) for c in row.children],
        _counts={q.name: transform(row.count(q.name), how) for q in Q.REGISTRY},
    )


def transform_model(model, how: str):
    """The model with every count, total and output-shape entry rewritten."""
    try:
        with time_limit(TIME_LIMIT):
            rows = [_row(r, how) for r in model.rows]
            totals = {q.name: transform(model.sum(q.name), how) for q in Q.REGISTRY}
    except (Timeout, RecursionError):
        raise LimitError(
            f"{how} did not finish within {TIME_LIMIT:g} s on this model's counts "
            "(too many distinct terms); print them as they are, or substitute values first"
        ).at(None, filename=model.filename) from None
    return dataclasses.replace(model, rows=rows, _totals=totals)


# substitution of relations ----------------------------------------------------------


def substitute(model, mapping: dict):
    """The model with symbols replaced by numbers or expressions
    (``{"d": 64*h}``, values built by :mod:`symcount.language.userexpr`); the symbol
    list is updated (``d`` leaves it, ``h`` joins it)."""
    if not mapping:
        return model
    new = model.subs({k: v for k, v in mapping.items()})
    syms = [n for n in model.symbols if n not in mapping]
    for v in mapping.values():
        if D.is_symbolic(v):
            for s in sorted(v.free_symbols, key=lambda s: s.name):
                if s.name not in syms:
                    syms.append(s.name)
    return dataclasses.replace(new, symbols=syms)


def let_texts(texts, *, what: str = "--let") -> dict:
    """``["d=64*h"]`` -> ``{"d": "64*h"}``: split only; :func:`relations_from`
    parses the right-hand sides with the project's own expression parser."""
    out: dict = {}
    for text in texts:
        name, sep, rhs = text.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or rhs.strip().startswith("=") or not rhs.strip():
            raise ArgumentError(f"{what} {text!r} is not NAME=EXPRESSION (e.g. {what} d=64*h)")
        if name in out and out[name] != rhs.strip():
            raise ArgumentError(f"{what} {name} is given twice ({out[name]} and {rhs.strip()})")
        out[name] = rhs.strip()
    return out


def relations_from(let: dict, values: dict | None = None) -> dict:
    """``{"d": "64*h"}`` (text, parsed by :mod:`symcount.language.userexpr`, or a
    number or expression) -> ``{"d": 64*h}``; names in ``values`` take their
    values, so ``d=64*h`` with ``h=12`` gives ``d = 768``."""
    from ..language.userexpr import parse_expr, to_value

    values = values or {}
    out = {}
    for name, rhs in let.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ArgumentError(f"let: {name!r} is not a symbol name")
        if name in values:
            raise ArgumentError(f"{name} is given both a value and a relation")
        if isinstance(rhs, str):
            tree = parse_expr(rhs, f"--let {name}=")  # its errors name the option already
            try:
                value = to_value(tree, values)
            except SymcountError as e:  # division by zero, a number too large
                raise type(e)(f"--let {name}={rhs}: {e.message}") from None
        elif D.is_num(rhs) and not isinstance(rhs, bool):
            value = D.normalize(rhs)
        elif D.is_symbolic(rhs):
            value = D.normalize(
                rhs.xreplace({D.symbol(k): D.to_sympy(v) for k, v in values.items()})
            )
        else:
            raise ArgumentError(f"let {name}: {rhs!r} is not an expression")
        if D.is_symbolic(value) and D.symbol(name) in value.free_symbols:
            raise ArgumentError(f"--let {name}={rhs}: {name} appears on both sides")
        _check_size(name, let[name], value)
        out[name] = value
    out = _chain(out, let)
    for name, value in out.items():
        _check_size(name, let[name], value)
    return out


def _check_size(name: str, text, value) -> None:
    if D.is_num(value) and (not D.is_int(value) or value < 1):
        raise ArgumentError(f"--let {name}={text}: {name} must be a positive integer, not {value}")


def _chain(relations: dict, texts: dict) -> dict:
    """Relations put into each other (``d=64*h``, ``h=2*k`` gives ``d = 128*k``),
    so each is in symbols no relation defines; a cycle is an error."""
    symbols = {D.symbol(n): n for n in relations}
    for _ in range(len(relations) + 1):  # a chain of n relations settles in n - 1 rounds
        pending = {
            n: v
            for n, v in relations.items()
            if D.is_symbolic(v) and v.free_symbols & symbols.keys()
        }
        if not pending:
            return relations
        mapping = {D.symbol(n): D.to_sympy(v) for n, v in relations.items()}
        relations = {
            n: D.normalize(v.xreplace(mapping)) if n in pending else v for n, v in relations.items()
        }
    cycle = ", ".join(f"{n}={texts[n]}" for n in relations if D.is_symbolic(relations[n]))
    raise ArgumentError(f"--let {cycle}: the relations define each other (a cycle)")


# leading terms -------------------------------------------------------------------------


def _degree(term) -> Fraction | None:
    """Total degree of a product of powers of symbols (negative for 1/h)."""
    sp = D.sp()
    if term.is_Number:
        return Fraction(0)
    if term.is_Symbol:
        return Fraction(1)
    if term.is_Pow and term.exp.is_Rational:
        inner = _degree(term.base)
        return None if inner is None else inner * Fraction(int(term.exp.p), int(term.exp.q))
    if term.is_Mul:
        total = Fraction(0)
        for f in term.args:
            d = _degree(f)
            if d is None:
                return None
            total += d
        return total
    if isinstance(term, (sp.Max, sp.Min)):
        ds = [_degree(a) for a in term.args]
        return None if any(d is None for d in ds) else max(ds)
    if term.is_Add:
        ds = [_degree(a) for a in term.args]
        return None if any(d is None for d in ds) else max(ds)
    return None


def leading(v):
    """The dominant term(s) of a count as all its symbols grow together:
    floors and ceilings count as their arguments, then the terms of highest
    total degree are kept (``12*L*d**2`` for a GPT-2-like stack). A big sum
    is expanded term by term (PERFORMANCE.md), under the rewrite time limit."""
    if not D.is_symbolic(v):
        return v
    sp = D.sp()
    try:
        with time_limit(TIME_LIMIT):
            e = v.replace(sp.floor, lambda a: a).replace(sp.ceiling, lambda a: a)
            terms = sp.Add.make_args(
                sp.Add(*[t for a in sp.Add.make_args(e) for t in sp.Add.make_args(sp.expand(a))])
            )
    except (Timeout, RecursionError):
        raise LimitError(
            f"the leading term did not come out within {TIME_LIMIT:g} s (too many distinct terms)"
        ) from None
    degrees = [_degree(t) for t in terms]
    if any(d is None for d in degrees):
        raise SymcountError(
            "the count has terms whose growth symcount cannot order (min, max or a remainder)"
        )
    top = max(degrees)
    return D.normalize(sp.Add(*[t for t, d in zip(terms, degrees, strict=True) if d == top]))


def leading_report(model, values: dict | None = None, *, of: str = "total") -> dict:
    """``{"expression", "leading", "symbols", "exact", "approx", "relative_error"}``;
    the last three are None unless ``values`` binds every symbol."""
    exact_expr = model.sum(Q.lookup(of).name)
    lead = leading(exact_expr)
    out = {
        "expression": exact_expr,
        "leading": lead,
        "symbols": sorted(s.name for s in getattr(exact_expr, "free_symbols", ())),
        "exact": None,
        "approx": None,
        "relative_error": None,
    }
    values = values or {}
    if all(s in values for s in out["symbols"]):
        mapping = {D.symbol(k): D.to_sympy(v) for k, v in values.items()}
        exact = _at(exact_expr, mapping)
        approx = _at(lead, mapping)
        out["exact"], out["approx"] = exact, approx
        if D.is_num(exact) and D.is_num(approx) and exact != 0:
            out["relative_error"] = float(Fraction(approx) / Fraction(exact) - 1)
    return out


def _at(v, mapping):
    return D.normalize(v.xreplace(mapping)) if D.is_symbolic(v) else v


def leading_text(report: dict, values: dict | None = None) -> str:
    """``Leading term (as u grows): 14*u**2`` and, with values, its error."""
    from .. import printing as P

    syms = report["symbols"]
    if not syms:
        return "Leading term: the count is a number (no symbols to grow)\n"
    grow = ", ".join(syms)
    lines = [
        f"Leading term (as {grow} grow{'s' if len(syms) == 1 else ''}): {P.expr(report['leading'])}"
    ]
    if report["relative_error"] is not None:
        at = ", ".join(f"{k}={values[k]}" for k in syms)
        lines.append(
            f"  at {at}: {P.number(report['approx'])} against the exact "
            f"{P.number(report['exact'])} (relative error {_percent(report['relative_error'])})"
        )
    elif values is not None:
        lines.append("  give every symbol a value (--set) to see the approximation's error")
    return "\n".join(lines) + "\n"


def _percent(x: float) -> str:
    return f"{x * 100:+.3g}%"
