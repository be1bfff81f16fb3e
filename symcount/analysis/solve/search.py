"""The search along one unknown: on each monotonic piece a bisection finds
where the count crosses the target; the exact solutions are the plateau
there, the nearest ones the first values on each side the conditions accept."""

from __future__ import annotations

from dataclasses import dataclass

MAX_STEPS = 100_000  # values tried on one side of a crossing before giving up that side
CAP = 10**60  # galloping stops here (dims.MAX_MAGNITUDE): no size is larger


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
