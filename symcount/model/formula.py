"""A layer's count as a formula over its weights' labelled factors.

Each weight is a product of labelled factors (``("c_in", 24)``); the count is
the sum of those products. :func:`derive` writes it the way a person does:
factors common to every term pulled out (constants in front, names behind),
equal terms counted. So Conv2D reads ``(k_h*k_w*c_in + 1)*filters``, LSTM
``4*units*(c_in + units + 1)`` and BatchNormalization ``4*c``.

A :class:`Formula` is one object: its structure over the factors, in written
order. From it come the general form (the labels), the numbers (each label
as its value, the structure kept: ``(3*3*24 + 1)*36``), the count (the
values put in) and :attr:`Formula.expr`, an unevaluated SymPy expression over
one label symbol per distinct factor; so the forms cannot disagree. Wrappers
compose formulas (:meth:`Formula.scaled`, :meth:`Formula.times`, :func:`total`,
:meth:`Formula.relabelled`) instead of editing text, and LaTeX prints the
same structure (:mod:`symcount.render.latex_printer`). The text is printed
without SymPy, so a numeric model's explain never imports it.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from .. import dims as D
from .. import printing as P
from ..ops.spec import Copies, Factor, Weight
from ..ops.spec import Formula as Written


@functools.cache
def _label_class():
    sp = D.sp()

    class Label(sp.Dummy):
        """A labelled factor: printed as its label, counted as its value.
        A Dummy, so two factors with one label and different values (a
        Bidirectional's two inner layers) stay two symbols."""

        __slots__ = ("label", "value")

        def __new__(cls, label: str, value):
            obj = super().__new__(cls, label)
            obj.label, obj.value = label, value
            return obj

        def _sympystr(self, printer):  # str(): the label, not a Dummy's _label
            return self.label

    return Label


def is_label(e) -> bool:
    return type(e).__name__ == "Label" and isinstance(e, _label_class())


# A formula's structure, before SymPy: a Factor (a label), an int, ("*",
# parts) / ("+", parts) in written order, or ("k", k, part): k equal terms
# (read just ``k`` where the part reads ``1``: numbers ``2*10 + 2 + 4``). Text is
# printed from it without SymPy (a numeric model's explain never loads it);
# the SymPy expression is built from it on first use.


def _mul(parts):
    flat = []
    for p in parts:
        flat.extend(p[1] if isinstance(p, tuple) and p[0] == "*" else (p,))
    return flat[0] if len(flat) == 1 else ("*", tuple(flat))


def _add(parts):
    flat = []
    for p in parts:
        flat.extend(p[1] if isinstance(p, tuple) and p[0] == "+" else (p,))
    return flat[0] if len(flat) == 1 else ("+", tuple(flat))


@dataclass(frozen=True, eq=False)
class Formula:
    """One count's formula. ``tree`` is its structure over labelled factors;
    a formula made with :meth:`of` is a plain value (a block's count in its
    parameters) and prints as that value does."""

    tree: object
    plain: bool = False

    @classmethod
    def of(cls, value) -> Formula:
        """A formula that is just an expression (a block's count in its parameters)."""
        return cls(value, plain=True)

    @cached_property
    def expr(self):
        """The SymPy expression over label symbols (one per distinct factor),
        unevaluated, in written order; a plain formula's value."""
        if self.plain:
            return D.to_sympy(self.tree)
        sp, cls, symbols = D.sp(), _label_class(), {}

        def build(t):
            if isinstance(t, Factor):
                s = symbols.get(t)
                if s is None:
                    s = symbols[t] = cls(t.label, t.value)
                return s
            if isinstance(t, int):
                return sp.Integer(t)
            if t[0] == "k":
                return sp.Mul(sp.Integer(t[1]), *_args(build(t[2])), evaluate=False)
            op = sp.Mul if t[0] == "*" else sp.Add
            return op(*[build(a) for a in t[1]], evaluate=False)

        return build(self.tree)

    @cached_property
    def factors(self) -> tuple[Factor, ...]:
        """The distinct labelled factors, in written order."""
        out, stack = [], [self.tree]
        while stack and not self.plain:
            t = stack.pop()
            if isinstance(t, Factor):
                out.append(t)
            elif isinstance(t, tuple):
                stack.extend(reversed(_parts(t)))
        return tuple(dict.fromkeys(out))

    @property
    def values(self) -> dict[str, object]:
        """label -> value (a label used with two values keeps the first)."""
        out: dict[str, object] = {}
        for f in self.factors:
            out.setdefault(f.label, f.value)
        return out

    @cached_property
    def general(self) -> str:
        """In labels: ``(k_h*k_w*c_in + 1)*filters``."""
        return P.expr(self.tree) if self.plain else _text_of(self.tree, False)

    @cached_property
    def numbers(self) -> str:
        """Each label as its value, the structure kept: ``(3*3*24 + 1)*36``."""
        return P.expr(self.tree) if self.plain else _text_of(self.tree, True)

    @cached_property
    def count(self):
        """The values put in and evaluated: a number or a SymPy expression."""
        if self.plain:
            return self.tree
        return tree_value(self.tree)

    def scaled(self, k: int) -> Formula:
        """``k`` copies: ``2*4*units*(c_in + units + 1)``, ``2*(a + b)``."""
        return Formula(_mul([k, self._part()]))

    def times(self, name: str, value) -> Formula:
        """The formula times a labelled factor (``num_layers*...``)."""
        return Formula(_mul([Factor(name, value), self._part()]))

    def relabelled(self, names: dict[str, str]) -> Formula:
        """The same formula with labels renamed (``{"units": "hidden_size"}``)."""

        def re(t):
            if isinstance(t, Factor):
                return Factor(names.get(t.label, t.label), t.value)
            if isinstance(t, tuple) and t[0] == "k":
                return ("k", t[1], re(t[2]))
            if isinstance(t, tuple):
                return (t[0], tuple(re(a) for a in t[1]))
            return t

        return self if self.plain else Formula(re(self.tree))

    def __add__(self, other: Formula) -> Formula:
        return total([self, other])

    def _part(self):
        if self.plain:
            raise ValueError("a plain formula has no labelled structure to compose")
        return self.tree

    def __repr__(self) -> str:
        return f"Formula({self.general!r} = {self.numbers!r})"


def total(formulas: list[Formula]) -> Formula:
    """The sum of several formulas, in order."""
    if not formulas:
        return Formula(0)
    return Formula(_add([f._part() for f in formulas]))


def _parts(t) -> tuple:
    """The parts of a ("*"|"+", parts) or ("k", k, part) node."""
    return (t[1], t[2]) if t[0] == "k" else t[1]


def _args(e) -> tuple:
    return e.args if e.is_Mul else (e,)


def tree_value(t):
    """A formula tree's value: a Factor's, a number, or the product or sum of its parts."""
    if isinstance(t, Factor):
        return t.value
    if isinstance(t, int):
        return t
    if t[0] == "k":
        return D.mul(t[1], tree_value(t[2]))
    vals = [tree_value(a) for a in t[1]]
    return D.prod(vals) if t[0] == "*" else D.total(vals)


@functools.lru_cache(maxsize=4096)
def _text_of(t, numbers: bool) -> str:
    """Remembered: a model of many equal layers has many equal formulas."""
    return _text(t, numbers)


def _text(t, numbers: bool) -> str:
    """The structure as text, in its own order."""
    if isinstance(t, Factor):
        if not numbers:  # a label can be a difference: `num_layers - 1`
            return f"({t.label})" if " - " in t.label or " + " in t.label else t.label
        text = P.expr(t.value)
        return text if _atomic(text) else f"({text})"
    if isinstance(t, int):
        return str(t)
    if t[0] == "k":
        part = _text(t[2], numbers)
        return str(t[1]) if part == "1" else f"{t[1]}*{part}"
    if t[0] == "*":
        return "*".join(f"({_text(a, numbers)})" if _is_sum(a) else _text(a, numbers) for a in t[1])
    return " + ".join(_text(a, numbers) for a in t[1])


def _is_sum(t) -> bool:
    return isinstance(t, tuple) and t[0] == "+"


def _atomic(text: str) -> bool:
    return text.replace("_", "").isalnum() or text.isdigit()


# derivation ----------------------------------------------------------------------


def derive(weights: list[Weight]) -> Formula:
    """The formula of a count that sums ``weights``."""
    if not weights:
        return Formula(0)
    terms = [list(w.factors) for w in weights]
    common = _common(terms)
    rest = [_remove(t, common) for t in terms]
    groups = Counter(tuple(t) for t in rest)
    ordered = list(dict.fromkeys(tuple(t) for t in rest))
    parts = []
    for t in ordered:
        k, p = groups[t], _product(list(t))
        if k > 1:
            p = k if p is None else ("k", k, p)
        parts.append(1 if p is None else p)
    inner = _add(parts)
    if not common:
        return Formula(inner)
    consts = [f for f in common if f.label.isdigit()]
    names = [f for f in common if not f.label.isdigit()]
    wrap = [] if inner == 1 else [inner]
    if consts:  # 4*units*(c_in + units + 1)
        return Formula(_mul([*consts, *names, *wrap]))
    return Formula(_mul([*wrap, *names]))  # (k_h*k_w*c_in + 1)*filters


def declared(f):
    """An op's declared formula (:class:`~symcount.ops.spec.Copies`) written out:
    ``2*...`` as a Formula; ``num_layers*(...)`` as text, the inner formula
    bracketed where it has a sum. Anything else is returned as it is."""
    if not isinstance(f, Copies):
        return f
    inner = derive(list(f.weights))
    if isinstance(f.times, int):
        return inner.scaled(f.times)
    g, n = inner.general, inner.numbers
    g, n = (f"({t})" if "+" in t else t for t in (g, n))
    return Written(f"{f.times.label}*{g}", f"{P.expr(f.times.value)}*{n}")


def weight_formula(w: Weight) -> Formula:
    p = _product(list(w.factors))
    return Formula(1 if p is None else p)


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


def _product(factors: list[Factor]):
    """The product of ``factors`` (a ``1`` among others left out); None when empty."""
    factors = [f for f in factors if not (f.label == "1" and len(factors) > 1)]
    if not factors:
        return None
    return _mul(factors)
