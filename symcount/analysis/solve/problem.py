"""The problem: one count, its unknowns, their domains and conditions; and
:func:`solve`, which builds it and runs the search under a deadline."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

from ... import dims as D
from ... import printing as P
from ...errors import SolveError, SymcountError
from ...exact import compile_exact
from ...model import quantities as Q
from ...timelimit import Deadline, Timeout, time_limit
from .pieces import _pieces
from .result import Solution, SolveResult
from .search import _choose, _search

DEFAULT_TIMEOUT = 5.0  # seconds
DEFAULT_LIMIT = 20  # rows reported
MAX_COMBOS = 100_000  # combinations of the enumerated unknowns

# the public entry point -------------------------------------------------------------


def solve(
    model,
    unknowns=None,
    *,
    params: int | None = None,
    at_most: int | None = None,
    at_least: int | None = None,
    of: str = "total",
    count: str | None = None,
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
    :mod:`symcount.language.userexpr`, never evaluated). ``multiple_of``: an int for
    every unknown, or ``{name: int}``. ``where``: conditions such as
    ``"d % h == 0"`` or ``"u in 1..4096"``. ``of`` (or ``count``): which
    quantity (symcount.model.quantities: ``total``, ``trainable``,
    ``non_trainable``, ``buffers``, or any registered one).
    """
    target, mode = _target(params, at_most, at_least)
    if count is not None:
        if of != "total" and _quantity(of) is not _quantity(count):
            raise SolveError(f"give the count once: of={of!r} or count={count!r}")
        of = count
    q = _quantity(of)
    if not isinstance(limit, int) or limit < 1:
        raise SolveError("limit must be a positive integer")
    if timeout is not None and not timeout > 0:
        raise SolveError("timeout must be a positive number of seconds")
    try:
        with time_limit(timeout) as deadline:
            problem = _Problem.build(model, unknowns, q, values, let, multiple_of, where)
            result = problem.run(target, mode, limit, deadline)
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
    if q.unit == "bytes":  # a memory count: in which dtype, with which optimizer, for which batch
        result.memory = {"dtype": model.dtype, "optimizer": model.optimizer, "batch": model.batch}
    elif q.per == Q.PER_CALL:  # a compute count: under which convention, for which batch
        result.compute = {"convention": model.counting, "batch": model.batch}
    return result


def _quantity(of) -> Q.Quantity:
    try:
        return Q.lookup(of)
    except (KeyError, TypeError):
        choices = ", ".join(Q.REGISTRY.choices())
        raise SolveError(f"unknown count {of!r}; one of {choices}") from None


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
        raise SolveError(f"the target is larger than any count symcount handles ({D.TOO_LARGE})")
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
    implied: list = field(default_factory=list)  # what the sizes add (see implied())
    what: str = ""  # the count as printed: "total params"

    @classmethod
    def build(cls, model, unknowns, q, values, let, multiple_of, where):
        from ..algebra import relations_from, substitute

        values = {k: D.given_value(k, v, expressions=False) for k, v in (values or {}).items()}
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
        expr = sub.sum(q.name)
        of, what = q.short, q.spoken
        free = sorted(s.name for s in getattr(expr, "free_symbols", ()))
        if not expanded:
            if len(free) == 1:
                expanded = free
            elif not free:
                raise SolveError(f"the {what} is a number ({P.number(expr)}): nothing to solve for")
            else:
                raise SolveError(
                    f"the {what} depends on {', '.join(free)}: say which to solve for "
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
                f"the {what} also depends on {', '.join(other)}: give "
                + ("it a value" if len(other) == 1 else "them values")
                + f" (--set {other[0]}=INT) or solve for "
                + ("it" if len(other) == 1 else "them")
                + " too (--for "
                + ",".join(expanded + other)
                + ")"
            )
        if not any(D.symbol(n) in getattr(expr, "free_symbols", ()) for n in expanded):
            raise SolveError(
                f"the {what} does not depend on {', '.join(expanded)} (it is {P.expr(expr)})"
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
        sizes = _dims(sub, expanded)
        dims = list(sizes)
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
        problem.implied = implied(sizes, expanded)
        problem.what = what
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
            count_text=self.what,
            unknowns=tuple(self.unknowns_in_order()),
            target=target,
            mode=mode,
            solutions=rows[:limit],
            found=max(len(rows), exact_total),
            complete=complete and len(rows) <= limit,
            constraints=self.constraints,
            implied=list(self.implied),
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
        return D.normalize(D.expand_small(v))
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
    from ...language.userexpr import Condition, modulo_of, name_of, parse_condition, to_value
    from ...language.userexpr import names as used

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


def _dims(model, names) -> dict:
    """Distinct sizes (output shape entries, weight factors) that involve the
    unknowns: each must stay a positive integer, so a kernel never outgrows its
    input and d/h stays whole. Each with where it is first met:
    ``{d/16: ("multi_head_attention", "key_dim")}``."""
    syms = {D.symbol(n) for n in names}
    seen: dict = {}
    for _, row in model.walk(expand=True):
        shapes = row.output_shape if isinstance(row.output_shape, list) else [row.output_shape]
        vals = [(d, "output shape") for s in shapes for d in s]
        vals += [(f.value, f.label or w.name) for w in row.weights for dim in w.dims for f in dim]
        for v, what in vals:
            if D.is_symbolic(v) and v not in seen:
                fs = v.free_symbols
                if fs & syms and fs <= syms:
                    seen[v] = (row.name, what)
    return seen


def implied(dims: dict, names) -> list[dict]:
    """The constraints the sizes add on their own, as solve shows them: none
    for a size that any positive integers give (``4*d``, ``d + 1``), a
    divisibility for a quotient (``d % 16 == 0``: the key_dim d/16), a
    positive integer for the rest (``H - 2``: a kernel within its input)."""
    sp = D.sp()
    out, listed = [], {}
    for size, (layer, what) in dims.items():
        # a size made of ones already listed (Flatten's 8*(H - 2)**2 after a
        # convolution's H - 2) adds nothing: each listed one stands for a
        # positive integer there
        # (common factors taken out first, cheaply: 8*T - 32 is 8*(T - 4))
        known = sp.factor_terms(size).xreplace(listed) if listed else size
        if _always_whole(known):
            continue
        listed[size] = listed[sp.factor_terms(size)] = sp.Dummy(positive=True, integer=True)
        num, den = sp.fraction(sp.together(size))
        if den != 1 and _always_whole(num) and _always_whole(den):
            text = f"{P.expr(num)} % {den} == 0"
        else:
            text = f"{P.expr(size)} a positive integer"
        out.append({"constraint": text, "size": P.expr(size), "layer": layer, "what": what})
    return out


def _always_whole(e) -> bool:
    """Whether SymPy knows ``e`` a positive integer wherever its symbols
    (positive integers) are: ``4*d``, ``d + 1``, ``floor(61/s) + 1``."""
    return e.is_integer is True and e.is_positive is True
