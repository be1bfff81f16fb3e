"""What symcount counts, declared once: params, trainable, non-trainable, buffers.

A :class:`Quantity` says what a count is called (in the totals, in JSON, in
``solve --count``), how a layer's value is found (a function of its row: its
weights, its convention, its output shape), whether it is counted once per
layer (weights: a shared layer counts them once) or once per call (compute:
summed over a shared layer's calls), and how a block or a repeat sums it.
Every consumer — rows and totals, ``subs``, the algebra, the text table, JSON,
CSV, Markdown, notebook, LaTeX, ``solve``, ``plot``, ``diff`` — iterates
:data:`REGISTRY`, so a new count is one declaration plus its layers' formulas.

>>> [q.name for q in REGISTRY][:6]  # then the memory quantities (model/memory.py)
['params', 'trainable', 'non_trainable', 'buffers', 'macs', 'flops']
>>> [q.name for q in REGISTRY][6:]
['activation_bytes', 'training_activation_bytes', 'korthikanti_bytes']
>>> lookup("total").name, lookup("non-trainable").title
('params', 'Non-trainable params')

A quantity declared with ``default=False`` is counted (``row.counts[name]``,
``model.totals[name]``, ``solve(count=name)``) but appears in a model's
outputs only once asked for: ``model.showing(name)``. The four weight counts
are ``default=True``; MACs and FLOPs (docs/compute.md) are shown on request,
so no output changes when one is added. See docs/quantities.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import dims as D
from ..counting.dtypes import nbytes
from .formula import count

PER_LAYER = "layer"
PER_CALL = "call"


@dataclass(frozen=True, slots=True)
class Side:
    """How ``symcount diff`` names a quantity on one side (Keras or PyTorch):
    ``name`` in its totals line and JSON, ``in_rows`` whether each row shows it."""

    name: str
    in_rows: bool = True


@dataclass(frozen=True, slots=True)
class Quantity:
    """One declared count. ``of(row)`` is a layer's own value (one call's, for
    a per-call quantity); ``parts`` instead makes it the sum of other
    quantities of the same row (params = trainable + non_trainable).
    ``by_type`` gives the formula of particular layer types (keyed by the
    row's type, ``"Dense"``), falling back to ``of``."""

    name: str  # the key of row.counts and model.totals: "params"
    title: str  # the totals line: "Total params"
    of: Callable[[Any], Any] | None = None
    parts: tuple[str, ...] = ()
    by_type: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    per: str = PER_LAYER  # PER_LAYER: counted once per layer; PER_CALL: once per call
    unit: str = "parameters"
    key: str | None = None  # JSON/CSV key of each layer's value (default: name)
    total_key: str | None = None  # JSON key of the model's total (default: key)
    label: str | None = None  # solve's and plot's name for it (default: name)
    text: str | None = None  # how solve and plot print it (default: title, lower case)
    aliases: tuple[str, ...] = ()  # more names solve --count accepts
    totals: str = "always"  # the totals show it "always", when "nonzero", or "never"
    equation: str | None = None  # the subscript of N_{...} in LaTeX (default: label)
    column: str | None = None  # a per-layer column heading in the text table
    default: bool = False  # in every model's outputs; else only with model.showing(name)
    diff: Mapping[str, Side] | None = None  # convention -> Side; None: both, as spoken
    # a per-call cost an op writes (Out.costs[cost]), summed over the row's calls
    # on each call's own shapes, times ``scale`` (FLOPs: 2 per MAC)
    cost: str | None = None
    scale: int = 1
    # a cost that, where a call writes it, is the value as it stands (a counting
    # that reports FLOPs apart from MACs: calflops' bias and activation work)
    reported: str | None = None
    # a cost's sum over the calls made the row's value (entries to bytes by the
    # row's dtype: the activation quantities below): fn(row, summed) -> value
    finish: Callable[[Any, Any], Any] | None = None

    def __post_init__(self):
        if self.per not in (PER_LAYER, PER_CALL):
            raise ValueError(f"{self.name}: per is {PER_LAYER!r} or {PER_CALL!r}")
        if sum(x is not None and x != () for x in (self.of, self.parts or None, self.cost)) != 1:
            raise ValueError(f"{self.name}: give one of of= (a function of a row), parts= or cost=")
        if self.cost is not None and self.per != PER_CALL:
            raise ValueError(f"{self.name}: a cost is counted per call")
        if self.totals not in ("always", "nonzero", "never"):
            raise ValueError(f"{self.name}: totals is 'always', 'nonzero' or 'never'")

    @property
    def json_key(self) -> str:
        return self.key or self.name

    @property
    def json_total_key(self) -> str:
        return self.total_key or self.json_key

    @property
    def short(self) -> str:
        return self.label or self.name

    @property
    def spoken(self) -> str:
        return self.text or self.title.lower()

    @property
    def tex_name(self) -> str:
        return self.equation or self.short

    def names(self) -> tuple[str, ...]:
        return (self.short, self.name, *self.aliases)

    def value(self, row):
        """A layer's own value, before calls and multipliers."""
        if self.cost is not None:  # its first call's
            return self.finished(row, self.of_call(row.call_costs[0]) if row.call_costs else 0)
        fn = self.by_type.get(row.type, self.of)
        return fn(row)

    def of_call(self, costs: Mapping):
        """One call's value of a cost quantity, from the costs its op (or the
        counting in force) wrote: None if not known."""
        if self.reported is not None and self.reported in costs:
            return costs[self.reported]
        v = costs.get(self.cost, 0)
        return v if v is None or self.scale == 1 else D.mul(self.scale, v)

    def finished(self, row, v):
        """A cost's value summed over calls, made the row's (see ``finish``)."""
        return v if self.finish is None or v is None else self.finish(row, v)

    def side(self, convention: str) -> Side | None:
        """How ``symcount diff`` shows it under ``convention`` (None: not at all)."""
        if self.diff is None:
            return Side(self.spoken)
        return self.diff.get(convention)

    def in_totals(self, v) -> bool:
        return self.totals == "always" or (self.totals == "nonzero" and v != 0)


class Registry:
    """The declared quantities, in the order every output lists them."""

    def __init__(self, quantities=()):
        self._q: dict[str, Quantity] = {}
        for q in quantities:
            self._add(q)
        for q in quantities:
            self._check_parts(q)

    def _check_parts(self, q: Quantity) -> None:
        for p in q.parts:
            if p not in self._q or self._q[p].parts:
                raise ValueError(f"{q.name}: its part {p!r} is not a registered counted quantity")

    def register(self, q: Quantity) -> Quantity:
        """Add ``q`` after the quantities there (its parts must be among them)."""
        self._check_parts(q)
        return self._add(q)

    def _add(self, q: Quantity) -> Quantity:
        if q.name in self._q:
            raise ValueError(f"the quantity {q.name!r} is already registered")
        taken = {n for other in self._q.values() for n in other.names()}
        clash = [n for n in q.names() if n in taken]
        if clash:
            raise ValueError(f"{q.name}: the name {clash[0]!r} is already used")
        self._q[q.name] = q
        return q

    def unregister(self, name: str) -> None:
        users = [q.name for q in self._q.values() if name in q.parts]
        if users:
            raise ValueError(f"{name} is a part of {', '.join(users)}")
        del self._q[name]

    @contextlib.contextmanager
    def temporarily(self, q: Quantity) -> Iterator[Quantity]:
        """``with REGISTRY.temporarily(Quantity(...)) as q:`` registered inside only."""
        self.register(q)
        try:
            yield q
        finally:
            self.unregister(q.name)

    def __iter__(self) -> Iterator[Quantity]:
        return iter(tuple(self._q.values()))

    def __len__(self) -> int:
        return len(self._q)

    def __contains__(self, name) -> bool:
        return name in self._q

    def __getitem__(self, name: str) -> Quantity:
        return self._q[name]

    def lookup(self, name: str) -> Quantity:
        """The quantity called ``name`` (or its label or an alias); KeyError if none."""
        q = self._q.get(name)
        if q is not None:
            return q
        for q in self._q.values():
            if name in q.names():
                return q
        raise KeyError(name)

    def choices(self) -> list[str]:
        """solve's names for the quantities: ``total, trainable, ...``."""
        return [q.short for q in self._q.values()]

    def shown(self, extra=()) -> list[Quantity]:
        """The quantities an output lists: the default ones, and ``extra`` names."""
        return [q for q in self._q.values() if q.default or q.name in extra]


# today's four: the weights of a layer split by how its framework reports them --------


def _is_buffer(row, w) -> bool:
    return w.state and row.state_as_buffers  # PyTorch reports running statistics as buffers


def _is_frozen(row, w) -> bool:
    return row.frozen or w.state or not w.trainable


def _trainable(row):
    return count([w for w in row.weights if not _is_buffer(row, w) and not _is_frozen(row, w)])


def _non_trainable(row):
    return count([w for w in row.weights if not _is_buffer(row, w) and _is_frozen(row, w)])


def _buffers(row):
    return count([w for w in row.weights if _is_buffer(row, w)])


_PARAMS = Quantity(
    "params",
    "Total params",
    parts=("trainable", "non_trainable"),
    total_key="total",
    label="total",
    equation="params",
    text="total params",
    column="Param #",
    default=True,
    diff={"keras": Side("total"), "torch": Side("total")},
)
_TRAINABLE = Quantity(
    "trainable",
    "Trainable params",
    of=_trainable,
    default=True,
    diff={"keras": Side("trainable", False), "torch": Side("trainable", False)},
)
_NON_TRAINABLE = Quantity(
    "non_trainable",
    "Non-trainable params",
    of=_non_trainable,
    aliases=("non-trainable",),
    equation="non-trainable",
    default=True,
    diff={"keras": Side("non-trainable"), "torch": Side("frozen")},
)
_BUFFERS = Quantity(
    "buffers",
    "Buffers",
    of=_buffers,
    unit="entries",
    totals="nonzero",
    default=True,
    diff={"torch": Side("buffers")},
)
# compute: what each call costs, as its op writes it (ops/costs.py); shown on request
_MACS = Quantity(
    "macs",
    "Total MACs",
    cost="macs",
    per=PER_CALL,
    unit="multiply-accumulates",
    label="macs",
    text="MACs",
    column="MACs",
    equation="MACs",
)
_FLOPS = Quantity(
    "flops",
    "Total FLOPs",
    cost="macs",
    scale=2,
    reported="flops",
    per=PER_CALL,
    unit="floating-point operations",
    label="flops",
    text="FLOPs",
    column="FLOPs",
    equation="FLOPs",
)
# params heads every list, so it is declared before the parts it sums
REGISTRY = Registry([_PARAMS, _TRAINABLE, _NON_TRAINABLE, _BUFFERS, _MACS, _FLOPS])

register = REGISTRY.register
unregister = REGISTRY.unregister
temporarily = REGISTRY.temporarily
lookup = REGISTRY.lookup


def leaf_value(row, q: Quantity):
    """A layer's value: its own, times its calls for a per-call quantity.

    A cost (``cost=``) is summed over the row's calls, each on its own shapes
    (``row.call_costs``: one mapping per call, as its op wrote it, weighted by
    how often that call counts relative to the row); None, unknown, if one
    call's is. Another per-call quantity is its first call's value times the
    calls."""
    if q.cost is not None:
        vals = [q.of_call(c) for c in row.call_costs]
        if any(v is None for v in vals):
            return None
        return q.finished(row, D.total(vals))
    v = q.value(row)
    if q.per == PER_CALL and row.calls != 1:
        v = D.mul(row.calls, v)
    return v


# activation memory (counting/activations.py, docs/activations.md): bytes of what
# each call outputs, per call on its own shapes, by the row's dtype; shown on request


def _in_bytes(row, entries, times=1):
    n = D.normalize(D.mul(times, nbytes(row.dtype)))
    return D.mul(n, entries) if n != 1 else entries


def _forward_bytes(row, entries):
    """Outputs in the row's dtype, and int64 ones (a max pooling's indices) at 8 bytes."""
    indices = [c.get("out_int64") for c in row.call_costs if "out_int64" in c]
    if not indices:
        return _in_bytes(row, entries)
    if any(n is None for n in indices):
        return None
    return D.add(_in_bytes(row, entries), D.mul(8, D.total(indices)))


def _has_params(row) -> bool:
    """torchinfo's test for a layer whose outputs training keeps: it has
    parameters (weights that are not torch buffers), trainable or not."""
    return any(not _is_buffer(row, w) for w in row.weights)


def _kept_by_torchinfo(row, entries):
    return _in_bytes(row, entries, 2) if _has_params(row) else 0


ACTIVATIONS = register(
    Quantity(
        "activation_bytes",
        "Forward activations (bytes)",
        cost="out_entries",
        finish=_forward_bytes,
        per=PER_CALL,
        unit="bytes",
        label="activation_bytes",
        text="forward activation bytes",
        column="Activations",
        equation="activations",
    )
)
TRAINING_ACTIVATIONS = register(
    Quantity(
        "training_activation_bytes",
        "Training activations (bytes, torchinfo's rule)",
        cost="torchinfo_kept",
        finish=_kept_by_torchinfo,
        per=PER_CALL,
        unit="bytes",
        label="training_activation_bytes",
        text="training activation bytes",
        column="Train act.",
        equation="training activations",
    )
)
KORTHIKANTI = register(
    Quantity(
        "korthikanti_bytes",
        "Transformer activations (bytes, Korthikanti et al. 2022)",
        cost="korthikanti_bytes",
        per=PER_CALL,
        unit="bytes",
        label="korthikanti_bytes",
        aliases=("korthikanti",),
        text="transformer activation bytes (Korthikanti et al. 2022)",
        column="Korthikanti",
        equation="Korthikanti",
    )
)
