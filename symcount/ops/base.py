"""The op registry, and what an op is given when a layer runs it.

An op is a layer family's math, written once and in no framework's words:
``fn(x, a, e) -> Out`` from the input shape ``x`` (no batch axis; a list of
shapes for ops taking several tensors), the layer's arguments ``a`` under the
op's own names, and ``e``, the :class:`Entry` of the convention's table that
runs it: its layer name, how it names and orders the weights, its messages
and the few flags where the frameworks' formulas really differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError, ShapeError
from .spec import Factor, Weight, fail, need_known


@dataclass(frozen=True, slots=True)
class Op:
    name: str
    fn: Callable
    inputs: tuple[int, int] = (1, 1)  # how many tensors it takes (merges: 2 or more)


OPS: dict[str, Op] = {}


def op(name: str, *, inputs=(1, 1)):
    """Decorator: ``@op("dense")`` registers a family's function."""

    def register(fn):
        if name in OPS:
            raise ValueError(f"duplicate op {name}")
        OPS[name] = Op(name, fn, inputs)
        return fn

    return register


class Args(SimpleNamespace):
    """A layer's bound arguments under the op's names, with where each was given."""

    _spans: dict
    ctx: Any  # the evaluator's context: run an inner layer, this call's keywords

    def span(self, key: str):
        return self._spans.get(key)

    def given(self, key: str) -> bool:
        return key in self._spans


# "kernel(*K, c_in, units)": a weight's name, then its axes; an axis is one
# factor or a product (4*units), "*K" spreads a list of (label, value) pairs.
_WEIGHT = re.compile(r"^\s*([\w./*-]+)\((.*)\)\s*$")


def parse_weight(text: str) -> tuple[str, tuple]:
    m = _WEIGHT.match(text)
    if m is None:
        raise ValueError(f"bad weight spec {text!r}")
    name, body = m.groups()
    axes = []
    for part in filter(None, (p.strip() for p in body.split(","))):
        if part.startswith("*"):
            axes.append(("*", part[1:]))
        else:
            axes.append(tuple(f.strip() for f in part.split("*")))
    return name, tuple(axes)


def _compiled(spec):
    """Literal factors (the 4 of 4*units) made once, not on every call."""
    name, axes = spec
    out = []
    for axis in axes:
        if axis[0] == "*":
            out.append(axis)
        else:
            out.append(tuple((f, Factor(f, int(f)) if f.isdigit() else None) for f in axis))
    return name, tuple(out)


class Entry:
    """One layer of one convention, as an op sees it. Built once per table row."""

    def __init__(self, convention, name: str, layer, arg_names: dict[str, str]):
        self.convention = convention
        self.name = name  # the layer's own name (Conv2D, never its alias Convolution2D)
        self.layer = layer
        self.arg_names = arg_names  # the op's name -> this convention's argument name
        self.labels = {**convention.LABELS, **arg_names, **layer.labels}
        self.weights = {k: _compiled(parse_weight(v)) for k, v in layer.weights.items()}
        self.flags = {**convention.FLAGS, **layer.flags}

    def flag(self, key: str):
        return self.flags.get(key)

    # weights ---------------------------------------------------------------

    def has(self, key: str) -> bool:
        return key in self.weights

    def named(self, key: str, value) -> Factor:
        """A size labelled as this convention names it (``c_in``, torch's
        ``in_features``): a factor of a cost's term (ops/costs.py)."""
        return Factor(self.labels.get(key, key), value)

    def weights_of(self, *keys: str, state: bool = False, what: str = "", **values) -> list[Weight]:
        """The op's weights ``keys`` that this convention's layer has, as it names
        and orders them. ``values``: each factor's value; ``(label key, value)``
        picks another label (``c_in/groups``); a list of (label, value) pairs
        fills ``*K``. ``what``: what a state is, for explain."""
        specs = self.weights
        return [self._build(specs[k], values, state, what) for k in keys if k in specs]

    def _build(self, spec, values: dict, state: bool, what: str = "") -> Weight:
        name, axes = spec
        dims = []
        labels = self.labels
        for axis in axes:
            if axis[0] == "*":
                dims += [(Factor(label, v),) for label, v in values[axis[1]]]
                continue
            factors = []
            for f, literal in axis:
                if literal is None:
                    v = values[f]
                    if isinstance(v, list):  # an axis that is a product: [(label, value), ...]
                        factors += [Factor(labels.get(k, k), x) for k, x in v]
                        continue
                    if isinstance(v, tuple):
                        f, v = v
                    literal = Factor(labels.get(f, f), v)
                factors.append(literal)
            dims.append(tuple(factors))
        return Weight(name, tuple(dims), not state, state, what)

    # messages ---------------------------------------------------------------

    def message(self, key: str, **values) -> str:
        # a row may word a message its own way (torch's View, where Unflatten shares the op)
        text = self.layer.extra.get("messages", {}).get(key) or self.convention.MESSAGES[key]
        return text.format(layer=self.name, **values)

    def fail(self, key: str, **values):
        fail(self.message(key, **values))

    def _span(self, a: Args, key: str):
        # where a rule's argument error points: the argument (torch), or the layer
        return a.span(key) if self.flags.get("arg_spans", True) else None

    def arg_error(
        self, a: Args, key: str, message: str, hint: str | None = None, *, rewrite: bool = False
    ):
        """``rewrite``: the hint is a rewrite of the model's text (see SymcountError)."""
        e = ArgumentError(message, self._span(a, key), hint=hint)
        e.hint_rewrites_text = rewrite
        raise e

    def input_size(self, a: Args, key: str, actual, what: str, *, hint=None, unknown=None):
        """The size the input gives the op's ``key`` (c_in). Where the convention
        has an argument for it (torch's in_features), that argument is taken
        from the input when left out and checked against it when given
        (``in_features=784 but the input has 100 features``); elsewhere the
        input must know it (message ``unknown``)."""
        name = self.arg_names.get(key)
        if name is None or name != self.layer.infer:
            if actual is None and unknown is not None:
                self.fail(unknown)
            return actual
        return inferred(name, getattr(a, key), actual, what, hint, self._span(a, key))


def inferred(name: str, given, actual, what: str, hint=None, span=None):
    """An input-size argument ``name`` (in_features): the input's ``actual``
    size when not ``given``, else ``given`` if it equals the input's.
    ``hint``: the layer written without it (text, or a function making it)."""
    if given is None:
        return need_known(actual, f"the input's {what} (to infer {name})")
    if actual is None:
        return given
    same = D.equal(given, actual)
    if same is True:
        return given
    hint = hint() if callable(hint) else hint
    tip = f"leave {name} out to take it from the input" + (f": {hint}" if hint else "")
    text = f"{name}={P.expr(given)} but the input has {P.expr(actual)} {what}"
    if same is not False:
        text += ", and they are not equal for every value of the symbols"
    e = ShapeError(text, span, hint=tip)
    e.hint_rewrites_text = True
    raise e


def batch_axis(e: Entry, a: Args, key: str, shape) -> int:
    """The axis argument ``key`` counted with the batch as 0 (negatives from
    the end), as an index into ``shape``, which has no batch axis: so the
    batch axis itself is refused."""
    dim, name = getattr(a, key), e.arg_names.get(key, key)
    full = len(shape) + 1
    if not -full <= dim < full:
        where = f"(batch included: {-full} to {full - 1})"
        e.arg_error(a, key, f"{name}={dim} is out of range for an input of {full} axes {where}")
    idx = dim + full if dim < 0 else dim
    if idx == 0:
        why = "symcount's shapes leave the batch out, so a layer may not change it"
        e.arg_error(a, key, f"{e.name}: {name}={dim} is the batch axis; {why}")
    return idx - 1


# layout and lengths -----------------------------------------------------------

KERNEL_LABELS = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}
SPATIAL = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def layout(a: Args, e: Entry) -> str:
    """channels_last or channels_first: the layer's data_format, else the convention's."""
    return getattr(a, "data_format", None) or e.flag("layout")


def split(shape: tuple, fmt: str) -> tuple[tuple, object]:
    """(spatial dims, channels) of a shape without the batch axis."""
    if fmt == "channels_first":
        return tuple(shape[1:]), shape[0]
    return tuple(shape[:-1]), shape[-1]


def spatial_split(x, a: Args, e: Entry, rank: int) -> tuple[tuple, object, str]:
    """(spatial axes, channels, layout) of an input that must have ``rank`` + 1 axes."""
    need_rank(e, x, (rank + 1,))
    fmt = layout(a, e)
    return (*split(x, fmt), fmt)


def join(spatial, channels, fmt: str) -> tuple:
    if fmt == "channels_first":
        return (channels, *spatial)
    return (*spatial, channels)


def biased(a: Args, *keys: str) -> tuple[str, ...]:
    """The weight keys, then "bias" where the layer has one (use_bias, torch's bias)."""
    return (*keys, "bias") if a.bias else keys


def kernel_axes(kernel) -> list[tuple[str, object]]:
    """(k_h, 3), (k_w, 3): a kernel's axes with their labels."""
    return list(zip(KERNEL_LABELS[len(kernel)], kernel, strict=True))


def need_rank(e: Entry, x, ranks: tuple[int, ...], key: str = "rank", form: str = ""):
    """``x`` (no batch axis) must have one of ``ranks`` axes; the message is the convention's."""
    if len(x) in ranks:
        return
    batched = "(None, " + ", ".join("None" if d is None else str(d) for d in x) + ")"
    e.fail(
        key,
        want=" or ".join(str(r + 1) for r in ranks),
        batched=batched,
        form=form or SPATIAL.get(ranks[0] - 1, ""),
        shape=P.shape(x, batch=False),
        full=P.shape(x),
    )


def positive(e: Entry, shape, *, zero_ok: bool = False):
    """Every known length at least 1 (or 0, where the framework accepts an empty axis)."""
    for d in shape:
        if d is None:
            continue
        if (D.is_num(d) and d < 0) if zero_ok else D.known_nonpositive(d):
            e.fail("nonnegative" if zero_ok else "positive", d=d, expr=P.expr(d))
    return shape


def resolve_axis(axis: int, rank: int, layer: str) -> int:
    """A Keras axis (the batch is 0, negatives from the end) as an index into a
    shape without the batch axis; a bad one is a shape error at the layer."""
    full = rank + 1
    idx = axis + full if axis < 0 else axis
    if idx <= 0 or idx >= full:
        if idx == 0:
            fail(f"{layer}: axis {axis} is the batch axis")
        fail(f"{layer}: axis {axis} is out of range for an input of rank {full}")
    return idx - 1
