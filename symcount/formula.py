"""Derive a layer's count formula from its weights, in names and in numbers.

Each weight is a product of named factors; the count is the sum of those
products. Factors common to every term are pulled out (constants in front,
names behind), so Conv2D reads ``(k_h*k_w*c_in + 1)*filters`` and LSTM
``4*units*(c_in + units + 1)``, and equal terms are counted
(BatchNormalization: ``4*c``).
"""

from __future__ import annotations

from collections import Counter

from . import dims as D
from . import printing as P
from .layers.spec import Factor, Formula, Weight


def derive(weights: list[Weight]) -> Formula:
    """The formula of a count that sums ``weights``."""
    if not weights:
        return Formula("0", "0")
    terms = [list(w.factors) for w in weights]
    common = _common(terms)
    rest = [_remove(t, common) for t in terms]
    groups = Counter(tuple(t) for t in rest)
    ordered = list(dict.fromkeys(tuple(t) for t in rest))
    parts_g, parts_n = [], []
    for t in ordered:
        k = groups[t]
        g, n = _product(list(t), names=True), _product(list(t), names=False)
        if k > 1:
            g, n = (f"{k}*{g}" if g != "1" else str(k)), (f"{k}*{n}" if n != "1" else str(k))
        parts_g.append(g)
        parts_n.append(n)
    inner_g, inner_n = " + ".join(parts_g), " + ".join(parts_n)
    if not common:
        return Formula(inner_g, inner_n)
    consts = [f for f in common if _is_const(f)]
    names = [f for f in common if not _is_const(f)]
    several = len(ordered) > 1
    wrap_g = f"({inner_g})" if several else inner_g
    wrap_n = f"({inner_n})" if several else inner_n
    front_g = [f.label for f in consts]
    front_n = [P.expr(f.value) for f in consts]
    back_g = [_label(f) for f in names]
    back_n = [_num(f) for f in names]
    if consts:  # 4*units*(c_in + units + 1)
        g = "*".join([*front_g, *back_g] + ([wrap_g] if wrap_g != "1" else []))
        n = "*".join([*front_n, *back_n] + ([wrap_n] if wrap_n != "1" else []))
    else:  # (k_h*k_w*c_in + 1)*filters
        g = "*".join(([wrap_g] if wrap_g != "1" else []) + back_g)
        n = "*".join(([wrap_n] if wrap_n != "1" else []) + back_n)
    return Formula(g, n)


def count(weights: list[Weight]):
    """The number of entries in ``weights``, with the same common factors
    pulled out as in the formula, so a symbolic count reads
    ``4*u*(f + u + 1)`` rather than its expansion."""
    if not weights:
        return 0
    if len(weights) == 1:
        return weights[0].size
    terms = [list(w.factors) for w in weights]
    common = _common(terms)
    rest = D.total([D.prod(f.value for f in _remove(t, common)) for t in terms])
    front = D.prod(f.value for f in common)
    if D.is_symbolic(rest) and rest.is_Add:
        content, rest = rest.primitive()  # 2*f + 2*u + 2 -> 2, f + u + 1
        front = D.mul(front, D.normalize(content))
    return D.mul(front, rest)


def weight_formula(w: Weight) -> Formula:
    return Formula(_product(list(w.factors), names=True), _product(list(w.factors), names=False))


def _common(terms: list[list[Factor]]) -> list[Factor]:
    if len(terms) < 2:
        return []
    counts = Counter(terms[0])
    for t in terms[1:]:
        counts &= Counter(t)
    out = []
    for f in terms[0]:
        if counts[f] > 0:
            counts[f] -= 1
            out.append(f)
    return out


def _remove(term: list[Factor], common: list[Factor]) -> list[Factor]:
    left = Counter(common)
    out = []
    for f in term:
        if left[f] > 0:
            left[f] -= 1
        else:
            out.append(f)
    return out


def _is_const(f: Factor) -> bool:
    return f.label.isdigit()


def _label(f: Factor) -> str:
    return f.label


def _num(f: Factor) -> str:
    text = P.expr(f.value)
    if not _atomic(text):
        return f"({text})"
    return text


def _atomic(text: str) -> bool:
    return text.replace("_", "").isalnum() or text.isdigit()


def _product(factors: list[Factor], *, names: bool) -> str:
    factors = [f for f in factors if not (f.label == "1" and len(factors) > 1)]
    if not factors:
        return "1"
    if names:
        return "*".join(f.label for f in factors)
    return "*".join(_num(f) for f in factors)
