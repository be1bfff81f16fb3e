"""Sizes that give a count: ``symcount solve`` and ``Model.solve``.

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

The package: :mod:`.problem` (the count, its unknowns, domains, conditions,
and :func:`solve`), :mod:`.pieces` (where the count is monotonic),
:mod:`.search` (bisection and scans on one unknown), :mod:`.result`.
"""

from __future__ import annotations

from .pieces import _monotone
from .problem import DEFAULT_LIMIT, DEFAULT_TIMEOUT, solve
from .result import Solution, SolveResult

__all__ = ["DEFAULT_LIMIT", "DEFAULT_TIMEOUT", "Solution", "SolveResult", "_monotone", "solve"]
