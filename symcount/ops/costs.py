"""The compute an op's call costs, in multiply-accumulates (MACs), as an op
writes it beside its shapes: ``Out(shape, weights, costs=macs(...))``.

A :func:`term` is a product of sizes (one matmul's or one convolution's
multiply-accumulates); an op's MACs are the sum of its terms, built once with
``Add(*terms)`` (never a running sum, never expanded). Each term keeps its
factors, so ``explain`` shows the product with the numbers put in. The sizes
are per sample: the batch multiplies the whole model later
(``Model.batched``). A term with a size not known (None: a sequence of
unknown length) makes the count unknown (None), never a silent 0. Ops that
write no costs (pooling, norms, element-wise work, embeddings' lookups) cost
0 MACs: the default convention counts matmuls and convolutions only
(docs/compute.md).
"""

from __future__ import annotations

from .. import dims as D

MACS = "macs"
TERMS = "macs_terms"  # each term's factors, for explain (not a quantity)


class Term:
    """A product of sizes: its value and its factors."""

    __slots__ = ("factors", "value")

    def __init__(self, factors: tuple):
        self.factors = factors
        self.value = None if any(f is None for f in factors) else D.prod(factors)


def term(*factors) -> Term:
    """A product of sizes; a factor may be a tuple of axes or another term."""
    flat: list = []
    for f in factors:
        if isinstance(f, Term):
            flat.extend(f.factors)
        elif isinstance(f, tuple | list):
            flat.extend(f)
        else:
            flat.append(f)
    return Term(tuple(flat))


def _value(t):
    return t.value if isinstance(t, Term) else t


def total(*terms):
    """The sum of terms' values, None if one is unknown."""
    values = [_value(t) for t in terms]
    if any(v is None for v in values):
        return None
    return D.total(values)


def macs(*terms) -> dict:
    """An Out's costs: ``{"macs": sum of terms}``, and the terms' factors."""
    factors = tuple(t.factors if isinstance(t, Term) else (t,) for t in terms)
    return {MACS: total(*terms), TERMS: factors}


def of(out):
    """The MACs an inner layer's Out costs (0 when it wrote none)."""
    return out.costs.get(MACS, 0)


def of_costs(costs: dict):
    """The MACs in an op's costs."""
    return costs.get(MACS, 0)


def scaled(n, costs: dict) -> dict:
    """``n`` times a call's costs (a wrapper's steps, a stack's layers)."""
    if MACS not in costs:
        return {}
    v = costs[MACS]
    out = {MACS: None if v is None or n is None else D.mul(n, v)}
    out[TERMS] = tuple((n, *t) for t in costs.get(TERMS, ()))
    return out


def times(n, costs: dict) -> dict:
    """``costs`` with the MACs times ``n`` (the batch; a call counted n times),
    the factors left as the op wrote them."""
    out = dict(costs)
    if costs.get(MACS) is not None:
        out[MACS] = D.mul(n, costs[MACS])
    return out
