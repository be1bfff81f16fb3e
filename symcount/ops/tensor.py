"""torch's tensor methods that only move entries: ``x.transpose(1, 2)``,
``x.permute(0, 2, 1)`` (the ``permute`` op of Keras's Permute, with torch's
dims) and ``x.view(...)`` (the ``reshape`` op). Their dims count the batch as
0, as torch does; the batch axis itself must stay where it is. No weights."""

from __future__ import annotations

from .base import Args, Entry, op
from .spec import Out


def _dim(e: Entry, a: Args, key: str, d: int, n: int) -> int:
    """A torch dim (negatives from the end) as an index into the full shape."""
    if not -n <= d < n:
        e.arg_error(
            a,
            key,
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})",
        )
    return d + n if d < 0 else d


def _batch_moved(e: Entry, a: Args, key: str, what: str):
    why = "symcount's shapes leave the batch out, so the batch axis must stay first"
    e.arg_error(a, key, f"{what} moves the batch axis (dim 0); {why}")


@op("transpose")
def transpose(x, a: Args, e: Entry) -> Out:
    """Swaps two axes (batch counted as 0, negatives from the end)."""
    n = len(x) + 1
    i, j = _dim(e, a, "dim0", a.dim0, n), _dim(e, a, "dim1", a.dim1, n)
    if i == j:
        return Out(tuple(x))
    if 0 in (i, j):
        _batch_moved(e, a, "dim0" if i == 0 else "dim1", f"transpose({a.dim0}, {a.dim1})")
    out = list(x)
    out[i - 1], out[j - 1] = x[j - 1], x[i - 1]
    return Out(tuple(out))


def torch_order(x, a: Args, e: Entry, dims) -> tuple[int, ...]:
    """torch's permute dims (the batch as 0, negatives allowed) as Keras's
    Permute reads them: the axes after the batch, counted from 1."""
    n = len(x) + 1
    dims = dims if isinstance(dims, tuple) else (dims,)
    if len(dims) != n:
        e.arg_error(
            a,
            "dims",
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(dims)}",
        )
    full = [_dim(e, a, "dims", d, n) for d in dims]
    if len(set(full)) != len(full):
        e.arg_error(a, "dims", "permute(): duplicate dims are not allowed.")
    if full[0] != 0:
        _batch_moved(e, a, "dims", f"permute{tuple(dims)}")
    return tuple(full[1:])
