"""Sizes that give a parameter count: ``symcount solve`` and ``Model.solve``.

>>> import symcount
>>> m = symcount.load("examples/stacked_lstm_symbolic.sc")
>>> r = solve(m, "u", params=59_910)
>>> r.solutions[0].values, r.solutions[0].count, r.exact
({'u': 64}, 59910, True)
>>> [(s.values["u"], s.distance) for s in solve(m, "u", params=60_000).solutions]
[(64, -90), (65, 1756)]

The result (:class:`SolveResult`) holds ``solutions``, rows of
:class:`Solution` — ``values`` (every unknown, and every symbol a relation
gives, e.g. ``d`` for ``let={"d": "64*h"}``), ``count`` (the count at those
values), ``distance`` (``count - target``: negative below, positive above)
and ``kind`` (``"exact"``, ``"below"`` or ``"above"``) — sorted closest
first.

How it searches (PERFORMANCE.md: roots or bisection, then check exactly).
Every count is evaluated exactly (:mod:`symcount.exact`), so a reported
solution is never a rounding artefact. For one unknown ``u`` the positive
integers (or multiples of ``--multiple-of``, in the given range) are cut into
pieces on which the count is monotonic:

- a count built from non-decreasing pieces (sums and products of positive
  terms, floors of them — every Dense/LSTM/Conv width) is one piece, known
  without algebra;
- a polynomial count is cut where ``p(u + 1) - p(u)`` changes sign (its real
  roots, isolated exactly by SymPy, and the integers next to them);
- anything else is scanned over a finite range (``u in A..B``, or the range
  in which every size in the model stays positive).

On each piece a bisection finds where the count crosses the target; exact
solutions are the plateau there, the nearest ones the first values on each
side that satisfy the conditions. Further unknowns are enumerated over their
ranges. Everything runs under a deadline (``timeout``, default 5 s): a solve
that cannot finish stops with a :class:`~symcount.errors.SolveError` saying
so, never a hang.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

from . import dims as D
from . import printing as P
from .errors import SolveError, SymcountError
from .exact import compile_exact
from .timelimit import Deadline, Timeout, time_limit

DEFAULT_TIMEOUT = 5.0  # seconds
DEFAULT_LIMIT = 20  # rows reported
MAX_STEPS = 100_000  # values tried on one side of a crossing before giving up that side
MAX_SCAN = 2_000_000  # values a non-monotonic count is scanned over
MAX_COMBOS = 100_000  # combinations of the enumerated unknowns
CAP = 10**60  # galloping stops here (dims.MAX_MAGNITUDE): no size is larger
COUNTS = {
    "total": "total",
    "params": "total",
    "trainable": "trainable",
    "non_trainable": "non_trainable",
    "non-trainable": "non_trainable",
    "buffers": "buffers",
}
COUNT_TEXT = {
    "total": "total params",
    "trainable": "trainable params",
    "non_trainable": "non-trainable params",
    "buffers": "buffers",
}


@dataclass(frozen=True, slots=True)
class Solution:
    """One feasible assignment: ``values`` of the unknowns (and of symbols
    given by relations), the ``count`` there, ``distance = count - target``."""

    values: dict
    count: int
    distance: int
    kind: str  # "exact", "below" or "above"


@dataclass(slots=True)
class SolveResult:
    """What :func:`solve` returns; ``solutions`` are sorted closest first."""

    expression: object  # the count solved, after values and relations (SymPy or int)
    of: str  # "total", "trainable", "non_trainable" or "buffers"
    unknowns: tuple
    target: int
    mode: str  # "exact", "at_most" or "at_least"
    solutions: list
    found: int = 0  # feasible rows found before keeping the closest ``limit``
    complete: bool = True  # False when the exact solutions were too many to list
    constraints: list = field(default_factory=list)  # text of each constraint
    notes: list = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """Whether some solution hits the target exactly."""
        return any(s.distance == 0 for s in self.solutions)

    @property
    def best(self) -> Solution | None:
        return self.solutions[0] if self.solutions else None

    def to_dict(self) -> dict:
        return {
            "count": COUNT_TEXT[self.of],
            "expression": P.json_value(self.expression),
            "unknowns": list(self.unknowns),
            "target": self.target,
            "mode": self.mode,
            "constraints": list(self.constraints),
            "exact": self.exact,
            "complete": self.complete,
            "solutions": [
                {"values": dict(s.values), "count": s.count, "distance": s.distance, "kind": s.kind}
                for s in self.solutions
            ],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        from .render.solve import solve_text

        return solve_text(self)

    def __str__(self) -> str:
        return self.text()

    # rich display in Jupyter (symcount.render.notebook)
    def _repr_html_(self) -> str:
        from .render.notebook import solve_html

        return solve_html(self)

    def _repr_latex_(self) -> str:
        from .render.notebook import solve_latex

        return solve_latex(self)

    def _repr_markdown_(self) -> str:
        from .render.notebook import solve_markdown

        return solve_markdown(self)


# the public entry point -------------------------------------------------------------


def solve(
    model,
    unknowns=None,
    *,
    params: int | None = None,
    at_most: int | None = None,
    at_least: int | None = None,
    of: str = "total",
    values: dict | None = None,
    let: dict | None = None,
    multiple_of=None,
    where=(),
    timeout: float | None = DEFAULT_TIMEOUT,
    limit: int = DEFAULT_LIMIT,
) -> SolveResult:
    """Positive integer values of ``unknowns`` whose count is ``params``
    (exactly; else the nearest on each side), or the closest that stays
    ``at_most``/``at_least`` a budget.

    ``unknowns``: a name, a list of names, or a comma-separated string;
    None means the model's only symbol. ``values`` fixes other symbols,
    ``let`` relates them (``{"d": "64*h"}``: strings are parsed by
    :mod:`symcount.userexpr`, never evaluated). ``multiple_of``: an int for
    every unknown, or ``{name: int}``. ``where``: conditions such as
    ``"d % h == 0"`` or ``"u in 1..4096"``. ``of``: which count (``total``,
    ``trainable``, ``non_trainable``, ``buffers``).
    """
    target, mode = _target(params, at_most, at_least)
    if of not in COUNTS:
        raise SolveError(f"unknown count {of!r}; one of total, trainable, non_trainable, buffers")
    of = COUNTS[of]
    if not isinstance(limit, int) or limit < 1:
        raise SolveError("limit must be a positive integer")
    if timeout is not None and not timeout > 0:
        raise SolveError("timeout must be a positive number of seconds")
    try:
        with time_limit(timeout) as deadline:
            problem = _Problem.build(model, unknowns, of, values, let, multiple_of, where)
            return problem.run(target, mode, limit, deadline)
    except Timeout:
        names = _names(unknowns, model)
        raise SolveError(
            f"no answer within {timeout:g} s: the search over {', '.join(names)} did not "
            f"finish; narrow it with a range (--where '{names[-1]} in 1..4096') or allow "
            "more time (--timeout)"
        ).at(None, filename=model.filename) from None
    except RecursionError:
        raise SolveError("the count is too deeply nested to solve").at(
            None, filename=model.filename
        ) from None
    except SymcountError as e:
        raise e.at(None, filename=model.filename) from None


def _names(unknowns, model) -> list[str]:
    try:
        return _unknown_list(unknowns) or list(model.symbols)
    except SymcountError:
        return ["the unknowns"]


def _target(params, at_most, at_least) -> tuple[int, str]:
    given = [(v, m) for v, m in ((params, "exact"), (at_most, "at_most"), (at_least, "at_least"))]
    given = [(v, m) for v, m in given if v is not None]
    if len(given) != 1:
        raise SolveError("give exactly one target: params=N, at_most=N or at_least=N")
    value, mode = given[0]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SolveError(f"the target must be a non-negative integer, not {value!r}")
    if value > D.MAX_MAGNITUDE:
        raise SolveError("the target is larger than any count symcount handles (10^60)")
    return value, mode


def _unknown_list(unknowns) -> list[str]:
    if unknowns is None:
        return []
    if isinstance(unknowns, str):
        unknowns = [u for u in unknowns.replace(" ", "").split(",") if u]
    out = []
    for u in unknowns:
        if not isinstance(u, str) or not u.isidentifier():
            raise SolveError(f"{u!r} is not a symbol name")
        if u not in out:
            out.append(u)
    return out


# the problem: one count, its unknowns, their domains and conditions -------------------


@dataclass
class _Domain:
    step: int = 1
    lo: int = 1
    hi: int | None = None

    def texts(self, name: str) -> list[str]:
        out = []
        if self.step > 1:
            out.append(f"{name} a multiple of {self.step}")
        if self.lo > 1 or self.hi is not None:
            out.append(f"{name} in {self.lo}..{'' if self.hi is None else self.hi}")
        return out


@dataclass
class _Problem:
    expr: object
    of: str
    unknowns: list  # the searched symbols, primary (the one solved) last
    domains: dict
    derived: dict  # name -> expression in the unknowns (from relations)
    checks: list  # (expression, test, text): test(expression) must hold
    dims: list  # sizes (expressions) that must stay positive integers
    constraints: list
    notes: list
    shown: list = field(default_factory=list)  # the unknowns in the order asked

    @classmethod
    def build(cls, model, unknowns, of, values, let, multiple_of, where):
        from .algebra import relations_from, substitute

        values = dict(values or {})
        for k, v in values.items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise SolveError(f"the value of {k} must be a positive integer, not {v!r}")
        rel = relations_from(let or {}, values)
        asked = _unknown_list(unknowns)
        for name in asked:
            if name in values:
                raise SolveError(f"{name} is both given a value and solved for")
        notes = []
        # an unknown given by a relation is solved through the relation's symbols
        expanded = []
        for name in asked:
            if name in rel and D.is_symbolic(rel[name]):
                inner = sorted(s.name for s in rel[name].free_symbols)
                notes.append(
                    f"{name} is given by {name} = {P.expr(rel[name])}: solving for {', '.join(inner)}"
                )
                expanded += [s for s in inner if s not in expanded]
            elif name in rel:
                raise SolveError(f"{name} is given a value by a relation; it cannot be solved for")
            elif name not in expanded:
                expanded.append(name)
        numeric = {k: v for k, v in rel.items() if not D.is_symbolic(v)}
        fixed = {**values, **numeric}
        sub = model.subs(fixed) if fixed else model
        sub = substitute(sub, {k: v for k, v in rel.items() if D.is_symbolic(v)})
        expr = getattr(sub, of)
        free = sorted(s.name for s in getattr(expr, "free_symbols", ()))
        if not expanded:
            if len(free) == 1:
                expanded = free
            elif not free:
                raise SolveError(
                    f"the {COUNT_TEXT[of]} is a number ({P.number(expr)}): nothing to solve for"
                )
            else:
                raise SolveError(
                    f"the {COUNT_TEXT[of]} depends on {', '.join(free)}: say which to solve for "
                    "(--for NAME) and give the others values (--set NAME=INT)"
                )
        known = set(model.symbols) | set(values) | set(rel) | _all_symbols(model)
        for name in expanded:
            if name not in known and name not in free:
                raise SolveError(
                    f"{name} is not a symbol of the model; its symbols are "
                    + (", ".join(model.symbols) or "none")
                )
        other = [s for s in free if s not in expanded]
        if other:
            raise SolveError(
                f"the {COUNT_TEXT[of]} also depends on {', '.join(other)}: give "
                + ("it a value" if len(other) == 1 else "them values")
                + f" (--set {other[0]}=INT) or solve for "
                + ("it" if len(other) == 1 else "them")
                + " too (--for "
                + ",".join(expanded + other)
                + ")"
            )
        if not any(D.symbol(n) in getattr(expr, "free_symbols", ()) for n in expanded):
            raise SolveError(
                f"the {COUNT_TEXT[of]} does not depend on {', '.join(expanded)} "
                f"(it is {P.expr(expr)})"
            )
        derived = {k: v for k, v in rel.items() if D.is_symbolic(v)}
        domains = {n: _Domain() for n in expanded}
        constraints = []
        for k, v in rel.items():
            constraints.append(f"{k} = {P.expr(v)}")
        extra = _multiples(multiple_of, expanded, derived, domains)
        checks = []
        for text in [*([where] if isinstance(where, str) else list(where or ())), *extra]:
            c, shown = _condition(text, expanded, derived, fixed, domains)
            checks += c
            if shown:  # a range folded into the domain is shown with it
                constraints.append(shown)
        for name, expr_d in derived.items():
            checks.append((expr_d, _positive_int, name))
        dims = _dims(sub, expanded)
        # the primary unknown (searched by bisection) is the one without a range
        open_ = [n for n in expanded if domains[n].hi is None]
        if len(open_) > 1 and len(expanded) > 1:
            raise SolveError(
                f"with several unknowns, all but one need a range: e.g. --where '{open_[0]} in 1..64'"
            )
        primary = open_[0] if open_ else expanded[-1]
        order = [n for n in expanded if n != primary] + [primary]
        constraints = [t for n in order for t in domains[n].texts(n)] + constraints
        problem = cls(expr, of, order, domains, derived, checks, dims, constraints, notes)
        problem.shown = expanded
        return problem

    # search ---------------------------------------------------------------------------

    def run(self, target, mode, limit, deadline: Deadline) -> SolveResult:
        names = self.unknowns
        count = compile_exact(self.expr, names)
        dims = [compile_exact(d, names) for d in self.dims]
        checks = [(compile_exact(e, names), test, text) for e, test, text in self.checks]

        def ok(args) -> bool:
            try:
                for fn, test, _ in checks:
                    if not test(fn(*args)):
                        return False
                for fn in dims:
                    v = fn(*args)
                    if not (isinstance(v, int) and v >= 1):
                        return False
            except (ZeroDivisionError, ValueError, OverflowError):
                return False
            return True

        others = names[:-1]
        ranges = []
        for n in others:
            d = self.domains[n]
            ranges.append(range(_ceil_to(d.lo, d.step), d.hi + 1, d.step))
        combos = math.prod(len(r) for r in ranges) if ranges else 1
        if combos > MAX_COMBOS:
            raise SolveError(
                f"the ranges of {', '.join(others)} give {combos:,} combinations; "
                f"the limit is {MAX_COMBOS:,}: narrow them"
            )
        if combos == 0:
            raise SolveError(f"the range of {', '.join(others)} is empty")
        primary = names[-1]
        dom = self.domains[primary]
        step = dom.step
        pieces = _pieces(self.expr, primary, dom, {D.symbol(n) for n in others}, self.dims, names)
        rows: list[Solution] = []
        exact_total = 0
        complete = True
        for combo in itertools.product(*ranges):
            deadline.check()

            def f(k, combo=combo):
                return count(*combo, step * k)

            def good(k, combo=combo):
                return ok((*combo, step * k))

            found = _search(f, good, pieces(combo), target, mode, limit, deadline)
            exact_total += found.exact_count
            complete = complete and found.complete
            for k, c in found.rows:
                vals = dict(zip(names, (*combo, step * k), strict=True))
                rows.append(self._solution(vals, c, target))
        if mode == "exact" and any(r.distance == 0 for r in rows):
            rows = [r for r in rows if r.distance == 0]  # the solutions, not the near misses
        rows = _choose(rows, mode, target)
        result = SolveResult(
            expression=_tidy(self.expr),
            of=self.of,
            unknowns=tuple(self.unknowns_in_order()),
            target=target,
            mode=mode,
            solutions=rows[:limit],
            found=max(len(rows), exact_total),
            complete=complete and len(rows) <= limit,
            constraints=self.constraints,
            notes=list(self.notes),
        )
        return result

    def unknowns_in_order(self):
        return self.shown or self.unknowns

    def _solution(self, vals: dict, c, target) -> Solution:
        full = {n: vals[n] for n in self.unknowns_in_order()}
        for k, e in self.derived.items():
            full[k] = compile_exact(e, list(vals))(*vals.values())
        dist = c - target
        kind = "exact" if dist == 0 else ("below" if dist < 0 else "above")
        return Solution(full, c, dist, kind)


def _tidy(v):
    """A small count expanded (``14*u**2 + 40*u + 6``), as people write it;
    a big one as it is (PERFORMANCE.md: no expand of big expressions)."""
    sp = D.sp()
    if (
        D.is_symbolic(v)
        and v.is_Add
        and len(v.args) <= 40
        and v.count_ops() <= 400
        and not v.has(sp.floor, sp.ceiling, sp.Max, sp.Min, sp.Mod)
    ):
        return D.normalize(D.sp().expand(v))
    return v


def _positive_int(v) -> bool:
    return isinstance(v, int) and v >= 1


def _ceil_to(n: int, step: int) -> int:
    return -(-n // step) * step


def _multiples(multiple_of, names, derived, domains) -> list:
    """Steps of the unknowns' domains; a multiple of a symbol given by a
    relation becomes a condition (its text is returned)."""
    if multiple_of is None:
        return []
    items = multiple_of.items() if isinstance(multiple_of, dict) else [(None, multiple_of)]
    extra = []
    for name, m in items:
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise SolveError(f"multiple_of must be a positive integer, not {m!r}")
        for n in names if name is None else [name]:
            if n in derived:
                extra.append(f"{n} % {m} == 0")
            elif n in domains:
                domains[n].step = math.lcm(domains[n].step, m)
            else:
                raise SolveError(f"multiple of {m}: {n} is not solved for")
    return extra


def _condition(text, names, derived, fixed, domains):
    """A condition as (checks, text to show): a range or a bound on one
    unknown narrows its domain (no check, shown with the domain); a multiple
    of a number becomes its step; anything else is a check."""
    from .userexpr import Condition, modulo_of, name_of, parse_condition, to_value
    from .userexpr import names as used

    c = text if isinstance(text, Condition) else parse_condition(str(text))
    mentioned = used(c.left) | (
        set().union(*(used(x) for x in c.right if x is not None)) if c.op == "in" else used(c.right)
    )
    unknown = [
        n for n in sorted(mentioned) if n not in names and n not in derived and n not in fixed
    ]
    if unknown:
        raise SolveError(
            f"--where {c.text!r}: {', '.join(unknown)} "
            + ("is" if len(unknown) == 1 else "are")
            + " neither solved for nor given a value"
        )
    env = {**fixed, **derived}

    def val(node):
        try:
            return to_value(node, env)
        except SymcountError as e:  # division by zero, a number too large
            raise type(e)(f"--where {c.text!r}: {e.message}") from None

    left = val(c.left)
    single = name_of(c.left) in names
    if c.op == "in":
        lo = val(c.right[0])
        hi = None if c.right[1] is None else val(c.right[1])
        if single and D.is_num(lo) and (hi is None or D.is_num(hi)):
            d = domains[name_of(c.left)]
            d.lo = max(d.lo, math.ceil(Fraction(lo)))
            if hi is not None:
                hi_i = math.floor(Fraction(hi))
                d.hi = hi_i if d.hi is None else min(d.hi, hi_i)
            if d.hi is not None and d.hi < d.lo:
                raise SolveError(f"--where {c.text!r}: the range is empty")
            return [], None
        parts = [(D.sub(left, lo), _COMPARE[">="], c.text)]
        if hi is not None:
            parts.append((D.sub(hi, left), _COMPARE[">="], c.text))
        return _settled(parts, c.text)
    right = val(c.right)
    op = "==" if c.op == "=" else c.op
    # u % 64 == 0 with a number: a step, not a filter
    mod = modulo_of(c.left)
    if op == "==" and right == 0 and mod is not None and mod[0] in names:
        m = val(mod[1])
        if D.is_int(m) and m >= 1:
            d = domains[mod[0]]
            d.step = math.lcm(d.step, int(m))
            return [], c.text
    if single and D.is_num(right) and op in ("<=", "<", ">=", ">"):
        d = domains[name_of(c.left)]
        r = Fraction(right)
        if op in ("<=", "<"):
            hi_i = math.floor(r) if op == "<=" else math.ceil(r) - 1
            d.hi = hi_i if d.hi is None else min(d.hi, hi_i)
        else:
            lo_i = math.ceil(r) if op == ">=" else math.floor(r) + 1
            d.lo = max(d.lo, lo_i)
        if d.hi is not None and d.hi < d.lo:
            raise SolveError(f"--where {c.text!r}: no positive integer satisfies it")
        return [], None
    return _settled([(D.sub(left, right), _COMPARE[op], c.text)], c.text)


def _settled(parts: list, text: str):
    """Checks whose values are all known are done now: a condition false for
    the values given is an error, not an empty answer."""
    if any(D.is_symbolic(diff) for diff, _, _ in parts):
        return parts, text
    if not all(test(diff) for diff, test, _ in parts):
        raise SolveError(f"--where {text!r} is false for the values given")
    return [], text


_COMPARE = {
    "==": lambda x: x == 0,
    "!=": lambda x: x != 0,
    "<=": lambda x: x <= 0,
    "<": lambda x: x < 0,
    ">=": lambda x: x >= 0,
    ">": lambda x: x > 0,
}


def _all_symbols(model) -> set:
    """Every symbol in the model's shapes and weights (one that cancels in
    the count, like h in d/h, is still a size that can be solved for)."""
    out = set()
    for _, row in model.walk(expand=True):
        shapes = row.output_shape if isinstance(row.output_shape, list) else [row.output_shape]
        for v in [d for sh in shapes for d in sh] + [
            f.value for w in row.weights for dim in w.dims for f in dim
        ]:
            if D.is_symbolic(v):
                out |= {s.name for s in v.free_symbols}
    return out


def _dims(model, names) -> list:
    """Distinct sizes (output shape entries, weight factors) that involve the
    unknowns: each must stay a positive integer, so a kernel never outgrows its
    input and d/h stays whole."""
    syms = {D.symbol(n) for n in names}
    seen = {}
    for _, row in model.walk(expand=True):
        shapes = row.output_shape if isinstance(row.output_shape, list) else [row.output_shape]
        vals = [d for s in shapes for d in s]
        vals += [f.value for w in row.weights for dim in w.dims for f in dim]
        for v in vals:
            if D.is_symbolic(v) and v not in seen:
                fs = v.free_symbols
                if fs & syms and fs <= syms:
                    seen[v] = None
    return list(seen)


# cutting the primary unknown's range into monotonic pieces -------------------------


def _pieces(expr, name, dom: _Domain, other_syms, dims, names):
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


# the search on one unknown ---------------------------------------------------------------


@dataclass
class _Found:
    rows: list  # (k, count), k in units of the step
    exact_count: int = 0
    complete: bool = True


def _search(f, good, pieces, target, mode, limit, deadline) -> _Found:
    """The rows ``mode`` asks for, over ``pieces`` of positions k: exact
    hits (else the closest value below and above ``target``), or the closest
    that fits a budget. ``f(k)`` is the count, ``good(k)`` the conditions."""
    exact: list = []
    exact_count = 0
    complete = True
    below = above = None  # (k, count)
    for a, b, direction in pieces:
        if b is not None and b < a:
            continue
        if direction == 0:
            part = _scan(f, good, a, b, target, mode, limit, deadline)
        else:
            part = _monotone_piece(f, good, a, b, direction, target, mode, limit, deadline)
        p_exact, p_count, p_complete, p_below, p_above = part
        exact += p_exact
        exact_count += p_count
        complete = complete and p_complete
        below = _better(below, p_below, 1)
        above = _better(above, p_above, -1)
    exact.sort()
    if mode == "exact":
        if exact:
            return _Found(exact[:limit], exact_count, complete and exact_count <= limit)
        return _Found([r for r in (below, above) if r is not None])
    if mode == "at_most":
        best = max(exact, default=None)  # equal counts: the largest value
        return _Found([best or below] if (best or below) else [])
    best = min(exact, default=None)
    return _Found([best or above] if (best or above) else [])


def _better(cur, new, sign):
    """The closer of two rows on one side: sign +1 keeps the larger count
    (below the target), -1 the smaller (above); equal counts keep the larger
    value below and the smaller above."""
    if new is None:
        return cur
    if cur is None:
        return new
    if new[1] != cur[1]:
        return new if (new[1] - cur[1]) * sign > 0 else cur
    return new if (new[0] - cur[0]) * sign > 0 else cur


def _monotone_piece(f, good, a, b, direction, target, mode, limit, deadline):
    """One piece where h = direction * f never decreases: k < x gives
    h < T, x <= k < y gives h == T, k >= y gives h > T (T = direction * target)."""
    t = direction * target

    def h(k):
        return direction * f(k)

    x = _first(lambda k: h(k) >= t, a, b, deadline)
    y = None if x is None else _first(lambda k: h(k) > t, x, b, deadline)
    lower_last = b if x is None else x - 1
    if lower_last is None:
        # h < T everywhere on an unbounded piece: h is a non-decreasing integer
        # sequence bounded by T, so it ends constant; its first value at that level
        # stands for the side (a stride past the input size: the count stops changing)
        top = h(CAP)
        lower_last = _first(lambda k: h(k) >= top, a, CAP, deadline)
    equal_last = (y - 1 if y is not None else b) if x is not None else lower_last

    def down(k):
        return None if k is None or k < a else _walk(f, good, k, a, -1, deadline)

    def up(k):
        return None if k is None or (b is not None and k > b) else _walk(f, good, k, b, 1, deadline)

    if mode != "exact":
        at_or_under = down(equal_last) if equal_last is not None else up(x)  # closest h <= T
        at_or_over = up(x)  # closest h >= T
        fits = at_or_under if (mode == "at_most") == (direction == 1) else at_or_over
        # equal counts: the largest value at most, the smallest at least. Where the
        # count grows, down() and up() have found that value already.
        if fits is not None and direction == -1:
            fits = _tie(f, good, fits, a, b, h, 1 if mode == "at_most" else -1, deadline)
        return (
            [],
            0,
            True,
            (fits if mode == "at_most" else None),
            (fits if mode == "at_least" else None),
        )
    exact, count, complete = [], 0, True
    if x is not None and (y is None or y > x):
        k = x
        while equal_last is None or k <= equal_last:
            if (k - x) % 1024 == 0:
                deadline.check()
            if k - x >= MAX_STEPS:
                complete = False
                break
            if good(k):
                count += 1
                if len(exact) < limit:
                    exact.append((k, f(k)))
            k += 1
    under, over = down(lower_last), up(y)  # closest h < T, closest h > T
    below, above = (under, over) if direction == 1 else (over, under)
    return exact, count, complete, below, above


def _tie(f, good, row, a, b, h, want, deadline):
    """Among the values with the same count as ``row`` (a plateau of the
    monotonic h), the largest (want +1) or smallest (-1) the conditions accept."""
    k0, _ = row
    level = h(k0)
    if want == 1:
        past = _first(lambda k: h(k) > level, k0, b, deadline)
        last = b if past is None else past - 1
        if last is None:
            return row
        return _walk(f, good, last, k0, -1, deadline) or row
    start = _first(lambda k: h(k) >= level, a, k0, deadline)
    return _walk(f, good, start, k0, 1, deadline) or row


def _first(pred, a, b, deadline):
    """The smallest k in a..b (b None: unbounded) with pred(k), pred monotone
    (False then True); None when there is none."""
    if b is not None:
        if a > b or not pred(b):
            return None
        lo, hi = a - 1, b  # pred(hi) holds; lo is below the range
    else:
        if pred(a):
            return a
        lo, hi = a, max(2 * a, a + 1)
        while not pred(hi):
            deadline.check()
            lo, hi = hi, hi * 2
            if hi > CAP:
                return None
    while hi - lo > 1:
        deadline.check()
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _walk(f, good, k, stop, step, deadline):
    """From k towards stop (None: unbounded), the first value the conditions accept."""
    for i in range(MAX_STEPS):
        if stop is not None and (k - stop) * step > 0:
            return None
        if k < 1:
            return None
        if i % 1024 == 0:
            deadline.check()
        if good(k):
            return (k, f(k))
        k += step
    return None


def _scan(f, good, a, b, target, mode, limit, deadline):
    exact, count = [], 0
    below = above = None
    for k in range(a, b + 1):
        if (k - a) % 1024 == 0:
            deadline.check()
        c = f(k)
        if c == target:
            if good(k):
                count += 1
                if len(exact) < limit or mode != "exact":
                    exact.append((k, c))
        elif c < target:
            if (below is None or c >= below[1]) and good(k):
                below = _better(below, (k, c), 1)
        elif (above is None or c <= above[1]) and good(k):
            above = _better(above, (k, c), -1)
    return exact, count, count <= limit, below, above


def _choose(rows: list, mode: str, target: int) -> list:
    """Closest first; among equally close rows, the larger values first
    under a ceiling (at most), the smaller ones otherwise."""
    sign = -1 if mode == "at_most" else 1

    def key(s):
        return (abs(s.distance), s.distance < 0, tuple(sign * v for v in s.values.values()))

    return sorted(rows, key=key)
