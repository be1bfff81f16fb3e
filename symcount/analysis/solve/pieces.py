"""Cutting the primary unknown's range into pieces on which the count is
monotonic: structurally (sums and products of non-decreasing parts), at the
roots of a polynomial's difference, or else a finite range to scan."""

from __future__ import annotations

import itertools

from ... import dims as D
from ...errors import SolveError
from ...exact import compile_exact
from ...timelimit import Deadline
from .search import CAP, _first

MAX_SCAN = 2_000_000  # values a non-monotonic count is scanned over


def _pieces(expr, name, dom, other_syms, dims, names):
    """``pieces(combo)`` -> [(lo, hi, direction)] in units of ``dom.step``
    (hi None: unbounded): direction +1/-1 where the count is monotonic, 0
    where it must be scanned."""
    u = D.symbol(name)
    step = dom.step
    klo = -(-dom.lo // step)
    khi = None if dom.hi is None else dom.hi // step
    if khi is not None and khi < klo:
        raise SolveError(f"no multiple of {step} lies in {dom.lo}..{dom.hi}")
    if not other_syms:
        fixed = _cut(expr, u, klo, khi, step, dims)
        return lambda combo: fixed
    direction = _monotone(expr, u)
    if direction:  # the same for every combination of the other unknowns
        fixed = [(klo, khi, direction)]
        return lambda combo: fixed
    syms = [D.symbol(n) for n in names[:-1]]

    def per(combo):
        m = {s: D.to_sympy(v) for s, v in zip(syms, combo, strict=True)}
        ds = [d.xreplace(m) for d in dims]
        return _cut(D.normalize(expr.xreplace(m)), u, klo, khi, step, ds)

    return per


def _cut(e, u, klo, khi, step, dims):
    if not D.is_symbolic(e) or u not in e.free_symbols:
        return [(klo, khi, 1)]  # constant in u: either direction is right
    direction = _monotone(e, u)
    if direction:
        return [(klo, khi, direction)]
    # sizes that grow with u must reach 1: below that the model is not valid
    klo = max(klo, _validity_start(dims, u, step, klo, khi))
    if khi is not None and khi < klo:
        return []
    direction = _monotone(e, u, lo=step * klo)
    if direction:
        return [(klo, khi, direction)]
    if khi is None:
        khi = _validity_end(dims, u, step, klo)
    sp = D.sp()
    if e.is_polynomial(u):
        k = sp.Dummy("k")
        p = sp.Poly(e.xreplace({u: step * k}), k)
        delta = sp.Poly(p.as_expr().xreplace({k: k + 1}) - p.as_expr(), k)
        cuts = set()
        if delta.degree() >= 1:
            # exact isolating intervals of the real roots, narrower than 1/2; every
            # integer around one is a cut, so no piece holds a change of direction
            for (lo_r, hi_r), _ in delta.intervals(eps=sp.Rational(1, 2)):
                cuts.update(range(int(sp.floor(lo_r)), int(sp.ceiling(hi_r)) + 1))
        inner = sorted(c for c in cuts if c > klo and (khi is None or c < khi))
        bounds = [klo, *inner]
        out = [(a, b, _polydir(p, a, b)) for a, b in itertools.pairwise(bounds)]
        last = bounds[-1]
        out.append((last, khi, _polydir(p, last, khi)))
        return out
    if khi is None:
        raise SolveError(
            f"the count is neither monotonic in {u.name} nor a polynomial in it: give "
            f"{u.name} a range (--where '{u.name} in 1..4096')"
        )
    if khi - klo > MAX_SCAN:
        raise SolveError(
            f"the count is not monotonic in {u.name}, and its range has {khi - klo + 1:,} "
            f"values to try (the limit is {MAX_SCAN:,}): narrow it (--where '{u.name} in A..B')"
        )
    return [(klo, khi, 0)]


def _polydir(p, a, b) -> int:
    """Direction of a polynomial on a piece where its difference keeps its sign."""
    if b is None:
        return 1 if p.LC() >= 0 else -1
    fa, fb = p.eval(a), p.eval(b)
    return -1 if fb < fa else 1


def _size_fns(dims, u, step, want):
    k = D.symbol("_k")
    for d in dims:
        if u in getattr(d, "free_symbols", ()) and _monotone(d, u) == want:
            yield compile_exact(d.xreplace({u: step * k}), ["_k"])


def _validity_start(dims, u, step, klo, khi) -> int:
    """The first k at which every size that grows with u is >= 1."""
    start = klo
    for fn in _size_fns(dims, u, step, 1):
        first = _first(lambda k, fn=fn: fn(k) >= 1, klo, khi, _NO_DEADLINE)
        start = max(start, CAP if first is None else first)
    return start


def _validity_end(dims, u, step, klo):
    """The last k at which every size that shrinks as u grows is >= 1 (None: no such size)."""
    end = None
    for fn in _size_fns(dims, u, step, -1):
        past = _first(lambda k, fn=fn: fn(k) < 1, klo, None, _NO_DEADLINE)
        if past is not None:
            end = past - 1 if end is None else min(end, past - 1)
    return end


_NO_DEADLINE = Deadline(None)


def _monotone(e, u, lo=None) -> int:
    """+1 when ``e`` is certainly non-decreasing in ``u`` over the integers
    from ``lo`` (default 1), -1 when certainly non-increasing, 0 when unknown.
    Structural, with signs: a product of non-negative non-decreasing factors
    does not decrease; a non-decreasing part that is >= 0 at ``lo`` stays so.
    No algebra, so it costs little on big counts."""
    sp = D.sp()
    memo = {}

    def go(x):
        # returns (direction, sign): direction in {+1 nondecreasing, -1, 0 constant, None};
        # sign: +1 certainly >= 0, -1 certainly <= 0, None unknown
        if x in memo:
            return memo[x]
        if u not in x.free_symbols:
            s = 1 if x.is_nonnegative else (-1 if x.is_nonpositive else None)
            r = (0, s)
        elif x == u:
            r = (1, 1)
        elif x.is_Add:
            parts = [go(a) for a in x.args]
            dirs = {p[0] for p in parts} - {0}
            d = dirs.pop() if len(dirs) == 1 and None not in dirs else (0 if not dirs else None)
            signs = {p[1] for p in parts}
            s = signs.pop() if len(signs) == 1 else None
            r = (d, s)
        elif x.is_Mul:
            r = (0, 1)
            for a in x.args:
                r = _mul(r, go(a))
                if r[0] is None:
                    break
        elif x.is_Pow and x.exp.is_Integer and u not in x.exp.free_symbols:
            n = int(x.exp)
            d, s = go(x.base)
            if d is None or s != 1:
                r = (None, None)
            elif n > 0:
                r = (d, 1)
            else:
                r = (-d, 1) if d else (0, 1)
        elif isinstance(x, (sp.floor, sp.ceiling)):
            d, s = go(x.args[0])
            r = (d, s if s == 1 else None)
        elif isinstance(x, (sp.Max, sp.Min)):
            parts = [go(a) for a in x.args]
            dirs = {p[0] for p in parts} - {0}
            d = dirs.pop() if len(dirs) == 1 and None not in dirs else (0 if not dirs else None)
            s = 1 if all(p[1] == 1 for p in parts) else None
            r = (d, s)
        else:
            r = (None, None)
        if r[0] == 1 and r[1] is None and lo is not None:
            at = D.normalize(x.xreplace({u: lo}))
            if D.is_num(at) and at >= 0:
                r = (1, 1)
        memo[x] = r
        return r

    try:
        d, _ = go(e)
    except RecursionError:
        return 0
    return d or 0


def _mul(a, b):
    """Direction and sign of a product from those of its factors."""
    (da, sa), (db, sb) = a, b
    if sa is None or sb is None:
        return (None, None)
    sign = sa * sb
    # f*g with f, g >= 0: nondecreasing when both are; each nonpositive factor flips
    da_eff = da * sa if da else 0
    db_eff = db * sb if db else 0
    dirs = {d for d in (da_eff, db_eff) if d}
    if len(dirs) > 1:
        return (None, None)
    d = dirs.pop() if dirs else 0
    return (d * sign if d else 0, sign)
