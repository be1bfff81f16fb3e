"""Basic indexing of a tensor, ``x[:, 0]``, ``x[:, 1:]``, ``x[..., :k]``,
``x[:, None]``: no weights, the shape Python's indexing gives.

The index is a tuple over every axis, the batch axis first, as the frameworks
read it (Keras 3 records it as a ``GetItem`` op; torch indexes the tensor).
symcount's shapes leave the batch axis out, so it must be kept whole (``:``).
An axis given a number goes; a slice keeps ``len(range(start, stop, step))``
entries; ``None`` adds an axis of 1; ``...`` stands for the axes not named.
With symbols the clipping stays where their signs do not decide it (``:k`` of
``T`` entries keeps ``Min(T, k)``; ``1:`` keeps ``T - 1``, a symbol being at
least 1).
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .base import Args, Entry, op
from .spec import Out, fail


def _consumes(item) -> bool:
    return item is not None and item is not Ellipsis


def _expand(index, rank: int) -> list:
    """The index with its ``...`` replaced by full slices (rank: with the batch)."""
    index = list(index)
    if sum(1 for i in index if i is Ellipsis) > 1:
        fail("an index can only have a single ellipsis ('...')")
    used = sum(1 for i in index if _consumes(i))
    if used > rank:
        fail(
            f"too many indices: the tensor has {rank} axes (the batch axis included), "
            f"the index names {used}"
        )
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index[at : at + 1] = [slice(None)] * (rank - used)
        return index
    return index + [slice(None)] * (rank - used)


def _whole(item) -> bool:
    return (
        isinstance(item, slice)
        and item.start is None
        and item.stop is None
        and (item.step is None or item.step == 1)
    )


def _position(i, n):
    """A start or stop bound on an axis of ``n`` entries, clipped to 0..n as
    Python clips it (step > 0); symbolic, the clip is a Min or Max that
    SymPy drops where the symbols' signs decide it (``1`` on ``T`` is 1)."""
    if D.is_num(i) and D.is_num(n):
        return min(max(i + n, 0), n) if i < 0 else min(i, n)
    negative = i < 0 if D.is_num(i) else i.is_negative
    if negative is None and not i.is_nonnegative:  # Python reads -k and k differently
        fail(f"a slice bound of unknown sign ({P.expr(i)}): give it as a number or a symbol")
    if negative:
        return D.maximum(D.add(n, i), 0)
    return D.minimum(i, n)


def _slice_length(s: slice, n, step_positive: bool):
    step = 1 if s.step is None else s.step
    if not (D.is_num(step) and D.is_int(step)):
        fail(f"a slice's step must be a whole number, not {P.expr(step)}")
    step = int(step)
    if step == 0:
        fail("a slice's step cannot be zero")
    if step < 0 and step_positive:
        fail("step must be greater than zero (torch indexing takes no negative step)")
    if n is None:
        return None
    bounds = [b for b in (s.start, s.stop) if b is not None]
    if all(D.is_num(b) for b in bounds) and D.is_num(n):
        return len(range(*slice(s.start, s.stop, step).indices(int(n))))
    if step < 0:
        fail("a negative step on a symbolic axis or with symbolic bounds is not supported")
    start = 0 if s.start is None else _position(s.start, n)
    stop = n if s.stop is None else _position(s.stop, n)
    length = D.maximum(D.sub(stop, start), 0)
    return length if step == 1 else D.ceildiv(length, step)


def _check_index(item, n, axis: int) -> None:
    if not (D.is_int(item) if D.is_num(item) else getattr(item, "is_integer", True)):
        fail(f"an index must be a whole number, not {P.expr(item)}")
    if n is None:
        return
    if D.is_num(item) and D.is_num(n):
        out = not -n <= item < n
    elif D.is_num(item) and item < 0:  # -k on a symbolic axis: needs n >= k, unknown
        out = False
    else:  # i on an axis of n entries needs n - i >= 1
        out = D.known_nonpositive(D.sub(n, item))
    if out:
        fail(f"index {P.expr(item)} is out of range for axis {axis} of size {P.expr(n)}")


@op("get_item")
def get_item(x, a: Args, e: Entry) -> Out:
    """Basic indexing (numbers, slices, None, ...): no weights."""
    # GetItem() written as a call, with no index: x[()], the tensor itself
    index = () if a.index is None else a.index if isinstance(a.index, tuple) else (a.index,)
    full = _expand(index, len(x) + 1)
    step_positive = bool(e.flag("positive_step"))
    out: list = []
    axis = 0  # the axis of the input (0: the batch) the next item reads
    batch_kept = False
    for item in full:
        if item is None:
            if not batch_kept:
                fail("None before the batch axis would move it: keep the batch axis first")
            out.append(1)
            continue
        if axis == 0:
            if not _whole(item):
                fail(
                    "the batch axis (axis 0) must be kept whole: start the index with ':' "
                    "(symcount's shapes leave the batch out)"
                )
            batch_kept = True
            axis = 1
            continue
        n = x[axis - 1]
        if isinstance(item, slice):
            out.append(_slice_length(item, n, step_positive))
        else:
            _check_index(item, n, axis)
        axis += 1
    for d in out:
        if d is not None and D.is_num(d) and d == 0:
            fail("the index leaves an axis of size 0")
    return Out(tuple(out))
