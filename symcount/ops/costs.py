"""The compute an op's call costs, in multiply-accumulates (MACs), as an op
writes it beside its shapes: ``Out(shape, weights, costs=macs(...))``.

A :func:`term` is a product of sizes (one matmul's or one convolution's
multiply-accumulates); an op's MACs are the sum of its terms, built once with
``Add(*terms)`` (never a running sum, never expanded). Each term keeps its
factors, so ``explain`` shows the product with the numbers put in; a factor
given as a labelled :class:`~symcount.ops.spec.Factor` (the convention's
name for it, as a weight's factors are: ``c_in``, ``in_features``) also
keeps its label, so ``explain`` first shows the product in the op's words
(``MACs = T*c_in*units = 5*4*8 = 160``). Labels never change a value. The sizes
are per sample: the batch multiplies the whole model later
(``Model.batched``). A term with a size not known (None: a sequence of
unknown length) makes the count unknown (None), never a silent 0. Ops that
write no costs (pooling, norms, element-wise work, embeddings' lookups) cost
0 MACs: the default convention counts matmuls and convolutions only
(docs/compute.md).
"""

from __future__ import annotations

from .. import dims as D
from .spec import Factor

MACS = "macs"
TERMS = "macs_terms"  # each term's factors, for explain (not a quantity)
LABELS = "macs_labels"  # each term's factors' labels (None: not named), for explain


class Term:
    """A product of sizes: its value, its factors and their labels."""

    __slots__ = ("factors", "labels", "value")

    def __init__(self, factors: tuple, labels: tuple | None = None):
        self.factors = factors
        self.labels = labels if labels is not None else (None,) * len(factors)
        self.value = None if any(f is None for f in factors) else D.prod(factors)


def term(*factors) -> Term:
    """A product of sizes; a factor may be a labelled Factor, a tuple of axes
    (of sizes or Factors) or another term."""
    flat: list = []
    labels: list = []

    def one(f):
        if isinstance(f, Factor):
            flat.append(f.value)
            labels.append(f.label)
        else:
            flat.append(f)
            labels.append(None)

    for f in factors:
        if isinstance(f, Term):
            flat.extend(f.factors)
            labels.extend(f.labels)
        elif isinstance(f, tuple | list):
            for x in f:
                one(x)
        else:
            one(f)
    return Term(tuple(flat), tuple(labels))


def named(labels, values) -> tuple:
    """Sizes with labels: ``named(("h_out", "w_out"), out)``; a size whose
    label is None stays unnamed."""
    return tuple(v if n is None else Factor(n, v) for n, v in zip(labels, values, strict=True))


def leading(axes) -> tuple:
    """The axes a matmul runs over before the features (a sequence's steps,
    an image's positions): ``T`` for one axis, ``n_1*n_2*...`` for more."""
    names = ("T",) if len(axes) == 1 else tuple(f"n_{i + 1}" for i in range(len(axes)))
    return named(names, axes)


def positions(axes) -> tuple:
    """A convolution's output positions: ``l_out``, ``h_out*w_out``, ``d_out*h_out*w_out``."""
    names = {1: ("l_out",), 2: ("h_out", "w_out"), 3: ("d_out", "h_out", "w_out")}
    return named(names.get(len(axes), (None,) * len(axes)), axes)


def _value(t):
    return t.value if isinstance(t, Term) else t


def total(*terms):
    """The sum of terms' values, None if one is unknown."""
    values = [_value(t) for t in terms]
    if any(v is None for v in values):
        return None
    return D.total(values)


def macs(*terms) -> dict:
    """An Out's costs: ``{"macs": sum of terms}``, and the terms' factors (and
    their labels, where the op named any)."""
    factors = tuple(t.factors if isinstance(t, Term) else (t,) for t in terms)
    out = {MACS: total(*terms), TERMS: factors}
    labels = tuple(t.labels if isinstance(t, Term) else (None,) for t in terms)
    if any(n is not None for t in labels for n in t):
        out[LABELS] = labels
    return out


def of(out):
    """The MACs an inner layer's Out costs (0 when it wrote none)."""
    return out.costs.get(MACS, 0)


def of_costs(costs: dict):
    """The MACs in an op's costs."""
    return costs.get(MACS, 0)


def scaled(n, costs: dict, label: str | None = None) -> dict:
    """``n`` times a call's costs (a wrapper's steps, a stack's layers);
    ``label`` names n in explain (``T``, ``num_layers``)."""
    if MACS not in costs:
        return {}
    v = costs[MACS]
    out = {MACS: None if v is None or n is None else D.mul(n, v)}
    out[TERMS] = tuple((n, *t) for t in costs.get(TERMS, ()))
    if LABELS in costs or label is not None:
        named = costs.get(LABELS) or tuple((None,) * len(t) for t in costs.get(TERMS, ()))
        out[LABELS] = tuple((label, *t) for t in named)
    return out


def joined(*parts: dict) -> dict:
    """Several ops' costs as one (a wrapper's two directions, a stack's
    cells): the MACs their sum, their terms side by side with their labels."""
    parts = tuple(c for c in parts if MACS in c)
    values = [c[MACS] for c in parts]
    out = {MACS: None if any(v is None for v in values) else D.total(values)}
    if not all(TERMS in c for c in parts):
        return out  # a part counted another way: the value only
    out[TERMS] = tuple(t for c in parts for t in c[TERMS])
    if any(LABELS in c for c in parts):
        out[LABELS] = tuple(
            n for c in parts for n in (c.get(LABELS) or tuple((None,) * len(t) for t in c[TERMS]))
        )
    return out


def times(n, costs: dict) -> dict:
    """``costs`` with the MACs times ``n`` (the batch; a call counted n times),
    the factors left as the op wrote them."""
    out = dict(costs)
    if costs.get(MACS) is not None:
        out[MACS] = D.mul(n, costs[MACS])
    return out
