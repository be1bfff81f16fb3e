"""How an op's output shape follows from its input, as the op writes it
beside the shape: ``Out(shape, weights, steps=[...])``, the way it writes its
MACs (ops/costs.py). ``explain`` only prints them (render/explain_shapes.py).

A :class:`Step` is one line of arithmetic: the sizes it gives (``h_out``),
the formula with the numbers put in, built from the op's own arguments in the
textbook form (``floor((100 - 3)/2) + 1``, never SymPy's simplified
``floor(H/2 - 3/2) + 1``), and the value it ends with. The parts of a formula
are text and sizes; the sizes are printed at render time (and substituted by
``Model.subs``), so a formula is never parsed back. An :class:`Source` says
where a size the weights use comes from (``c_in = 24, the channels of
conv2d's output``). Building them is cheap: text pieces and references only.
"""

from __future__ import annotations

from .. import dims as D


class Group:
    """A size printed in parentheses when it is a sum (``(H - 2)/2``)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Step:
    """``labels = parts = value  note``: one output size and how it follows."""

    __slots__ = ("labels", "note", "parts", "value")

    def __init__(self, labels: tuple, parts: tuple, value, note: str = ""):
        self.labels = labels
        self.parts = parts
        self.value = value
        self.note = note

    def subs(self, fn) -> Step:
        """This step with every size passed through ``fn`` (Model.subs)."""
        parts = tuple(
            p if isinstance(p, str) else Group(fn(p.value)) if isinstance(p, Group) else fn(p)
            for p in self.parts
        )
        return Step(self.labels, parts, fn(self.value), self.note)


class Source:
    """A size a weight uses, and what gives it: ``c_in``, the input's channels."""

    __slots__ = ("label", "value", "what")

    def __init__(self, label: str, value, what: str):
        self.label = label
        self.value = value
        self.what = what

    def subs(self, fn) -> Source:
        return Source(self.label, fn(self.value), self.what)


def _is(v, n) -> bool:
    return D.is_num(v) and v == n


def _span(k, d) -> tuple:
    """The kernel's reach: ``k``, or ``d*(k - 1) + 1`` dilated (as subtracted: `` - ...``)."""
    if _is(d, 1):
        return (" - ", Group(k))
    return (" - ", Group(d), "*(", k, " - 1) - 1")


def _padded(n, pad) -> tuple:
    """The input length with its padding: ``n + 2*p`` (``p`` on each side,
    as torch's padding=p adds), ``n`` with none."""
    if _is(pad, 0):
        return (n,)
    return (n, " + 2*", Group(pad))


def window(n, k, s, d, pad, *, ceil=False) -> tuple:
    """A sliding window's output length as a formula's parts and a note:
    ``pad`` a padding mode ("valid", "same", "causal") or the padding on
    each side."""
    if pad in ("same", "causal"):
        if _is(s, 1):
            return (n,), f"(padding={pad} keeps the length)"
        return ("ceil(", Group(n), "/", Group(s), ")"), f"(padding={pad})"
    inner = (*_padded(n, 0 if pad == "valid" else pad), *_span(k, d))
    if _is(s, 1):
        return (*inner, " + 1"), ""
    return ("ceil((" if ceil else "floor((", *inner, ")/", Group(s), ") + 1"), ""


def lengths(labels, spatial, kernel, strides, dilation, pads, out, *, ceil=False) -> list[Step]:
    """One step per spatial axis (its formula and value)."""
    steps = []
    for lab, n, k, s, d, pad, v in zip(
        labels, spatial, kernel, strides, dilation, pads, out, strict=True
    ):
        if n is None:
            continue
        parts, note = window(n, k, s, d, pad, ceil=ceil)
        steps.append(Step((lab,), parts, v, note))
    return steps


def transposed(labels, spatial, kernel, strides, dilation, pads, output_padding, out) -> list:
    """A transposed convolution's lengths: (L - 1)*s + k, with padding,
    dilation and output_padding where they matter (Keras: L*s for same, and
    L*s + max(k - s, 0) for valid when output_padding is not given)."""
    steps = []
    for i, (lab, n, k, s, d, pad, v) in enumerate(
        zip(labels, spatial, kernel, strides, dilation, pads, out, strict=True)
    ):
        if n is None:
            continue
        op = None if output_padding is None else output_padding[i]
        kd = (Group(k),) if _is(d, 1) else (Group(d), "*(", k, " - 1) + 1")
        if pad in ("valid", "same") and op is None:
            if pad == "same":
                parts = (Group(n), "*", Group(s))
            else:
                parts = (Group(n), "*", Group(s), " + max(", *kd, " - ", Group(s), ", 0)")
        else:
            parts = ("(", n, " - 1)*", Group(s), " + ", *kd)
            if pad == "same":
                parts += (" - 2*floor(", *kd, "/2)")
            elif pad != "valid" and not _is(pad, 0):
                parts += (" - 2*", Group(pad))
            if op is not None and not _is(op, 0):
                parts += (" + ", Group(op))
        steps.append(Step((lab,), parts, v))
    return steps


def product(sizes, value, note: str = "") -> Step:
    """``24*24*36 = 20,736``: axes merged into one."""
    parts: list = []
    for i, n in enumerate(sizes):
        parts += ["*", Group(n)] if i else [Group(n)]
    return Step((), tuple(parts), value, note)


def concat(a, b, value, note: str) -> Step:
    """``50 + 50 = 100``: two outputs joined on their features."""
    return Step((), (a, " + ", b), value, note)


def unchanged(label: str, value, note: str) -> Step:
    """An axis the op leaves as it is (a sequence's steps, Dense's leading axes)."""
    return Step((label,), (), value, note)


OUT_LABELS = {1: ("l_out",), 2: ("h_out", "w_out"), 3: ("d_out", "h_out", "w_out")}


def out_labels(rank: int) -> tuple:
    return OUT_LABELS.get(rank, tuple(f"n_{i + 1}" for i in range(rank)))


def last_axis(x, label: str, units) -> Step:
    """Dense on a rank-3+ input: ``(None, 100, 64) -> (None, 100, units=32)``."""
    parts: list = ["(None"]
    for n in x:
        parts += [", ", n]
    parts += [") -> (None"]
    for n in x[:-1]:
        parts += [", ", n]
    parts += [f", {label}=", units, ")"]
    return Step((), tuple(parts), None, "(on the last axis; the others are kept)")
