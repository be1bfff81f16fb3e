"""The evaluated model: one row per layer, with exact counts and totals.

A value that imports nothing above the model layer (docs/architecture.md):
the methods that reach the analysis and the renderers (``simplify``,
``solve``, ``to_latex``, the Jupyter ``_repr_*_``) are attached by
:mod:`symcount.api`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import dims as D
from .. import printing as P
from ..errors import Span
from ..ops.spec import Factor, Formula, Weight
from . import memory as M  # registers the memory quantities after the others
from . import quantities as Q
from .builder import LazyGraph

if TYPE_CHECKING:
    from .graph import Graph


@dataclass(slots=True)
class Row:
    """One applied layer, as a line of ``model.summary()``.

    Attributes:
        name: The layer's name, as the summary shows it (``dense_1``).
        type: Its layer type (``Dense``), or ``block`` and ``repeat`` for a group.
        output_shape: A tuple of dims (ints or SymPy expressions; ``None``
            for the batch axis), or a list of them for several outputs.
        weights: Its weights, each with its shape's factors.
        frozen: Whether it was declared ``trainable=false``.
        children: The rows inside a block or repeat.
        calls: How many tensors a shared layer is applied to (one row).
    """

    name: str
    type: str
    output_shape: Any  # tuple of dims, or list of tuples for several outputs
    weights: list[Weight]
    span: Span | None = None
    frozen: bool = False  # trainable=false
    formula: Formula | None = None
    notes: list[str] = field(default_factory=list)
    children: list[Row] = field(default_factory=list)
    state_as_buffers: bool = False  # PyTorch reports running statistics as buffers
    group: bool = False  # a block or repeat: its counts are its children's
    multiplier: Any = 1  # a repeat's steady passes count N - 1 times
    calls: Any = 1  # a shared layer applied to several tensors is one row (L in repeat L)
    _counts: dict | None = None  # quantity name -> value, filled as they are asked for
    inputs: tuple = ()  # what its (first) call reads: a layer's, a group's or a tensor's name
    source: Span | None = None  # where its (first) call is written
    call_costs: tuple = ()  # each call's compute, as its op wrote it ({"macs": ...})
    dtype: str = "float32"  # what its memory figures count an entry as (counting/dtypes.py)
    optimizer: str = "none"  # whose state its optimizer_bytes count (model/memory.py)
    shape_steps: tuple = ()  # how its output shape follows, as its op wrote it (ops/shapes.py)
    made_by: str | None = None  # the layer or input that made what its first call reads

    def count(self, name: str):
        """This row's value of the quantity ``name`` (symcount.model.quantities),
        computed once; the algebra's rewritten rows carry their own."""
        counts = self._counts
        if counts is None:
            counts = self._counts = {}
        elif name in counts:
            return counts[name]
        q = Q.REGISTRY[name]
        if q.parts:
            parts = [self.count(p) for p in q.parts]
            v = None if None in parts else D.add(*parts) if len(parts) == 2 else D.total(parts)
        elif self.group:
            v = _sum([c.count(name) for c in self.children])
            v = None if v is None else D.mul(self.multiplier, _tidy(v))
        else:
            v = Q.leaf_value(self, q)
            v = None if v is None else D.mul(self.multiplier, v)
        counts[name] = v
        return v

    @property
    def counts(self) -> dict:
        """Every registered quantity's value: ``{"params": ..., "trainable": ...}``."""
        return {q.name: self.count(q.name) for q in Q.REGISTRY}

    def walk(self, depth: int = 0, *, expand: bool = True, levels: int | None = None):
        """(depth, row) for this row and, expanded, the rows inside its blocks
        (``levels`` of them at most, counted from the model's rows)."""
        yield depth, self
        if expand and self.group and (levels is None or depth < levels):
            for c in self.children:
                yield from c.walk(depth + 1, expand=expand, levels=levels)

    @property
    def params(self):
        """Its parameter count (an int, or a SymPy expression of the symbols)."""
        return self.count("params")

    @property
    def trainable(self):
        """Its trainable parameters."""
        return self.count("trainable")

    @property
    def non_trainable(self):
        """Its non-trainable parameters (frozen weights, BatchNormalization's statistics in Keras)."""
        return self.count("non_trainable")

    @property
    def buffers(self):
        """Its buffers: what PyTorch keeps as state beside the parameters (0 in Keras)."""
        return self.count("buffers")

    def subs(self, mapping: dict) -> Row:
        """This row with SymPy symbols replaced per ``mapping`` (symbol -> value)."""
        return dataclasses.replace(
            self,
            output_shape=_subs_shape(self.output_shape, mapping),
            weights=[_subs_weight(w, mapping) for w in self.weights],
            children=[c.subs(mapping) for c in self.children],
            multiplier=_subs_value(self.multiplier, mapping),
            calls=_subs_value(self.calls, mapping),
            call_costs=tuple(_subs_costs(c, mapping) for c in self.call_costs),
            shape_steps=tuple(s.subs(lambda v: _subs_value(v, mapping)) for s in self.shape_steps),
            _counts=None,
        )

    def batched(self, batch) -> Row:
        """This row with each call's costs times ``batch`` (ops count one sample)."""
        return dataclasses.replace(
            self,
            children=[c.batched(batch) for c in self.children],
            call_costs=tuple(_times(batch, c) for c in self.call_costs),
            _counts=None,
        )

    def in_dtype(self, dtype: str) -> Row:
        """This row with its memory figures counted in ``dtype``."""
        return dataclasses.replace(
            self, children=[c.in_dtype(dtype) for c in self.children], dtype=dtype, _counts=None
        )

    def with_optimizer(self, optimizer: str) -> Row:
        """This row with its optimizer state counted for ``optimizer``."""
        children = [c.with_optimizer(optimizer) for c in self.children]
        kept = _without(self._counts, "optimizer_bytes")  # the other counts do not change
        return dataclasses.replace(self, children=children, optimizer=optimizer, _counts=kept)

    def to_dict(self, quantities=None) -> dict:
        """The row in the JSON contract; ``quantities``: the ones to list
        (default: the registry's default ones)."""
        quantities = Q.REGISTRY.shown() if quantities is None else quantities
        d = {
            "name": self.name,
            "type": self.type,
            "output_shape": P.shape_json(self.output_shape),
            **{q.json_key: P.json_value(self.count(q.name)) for q in quantities},
        }
        d["inputs"] = list(self.inputs)
        d["source"] = _position(self.source)
        # Graph features add keys only where they apply, so sequential output is unchanged.
        if self.calls != 1:
            d["calls"] = P.json_value(self.calls)
        if self.multiplier != 1:
            d["multiplier"] = P.json_value(self.multiplier)
        if self.group:
            d["layers"] = [c.to_dict(quantities) for c in self.children]
        return d

    def __repr__(self) -> str:
        return f"<Row {P.text(self.name)} ({P.text(self.type)}): params={P.expr(self.params)}>"


@dataclass(slots=True)
class Model:
    """What ``symcount.parse`` returns: rows in order, totals, symbols.

    ``print(model)`` prints the summary table; ``model.total`` is the
    parameter count, an int or a SymPy expression of the free symbols.

    Attributes:
        name: The model's name (its ``model`` statement), or ``None``.
        convention: ``"keras"`` or ``"torch"``: whose counts these are.
        rows: The layers in order, blocks and repeats as one row each.
        symbols: The names of the free symbols left in the counts.
        input_shapes: Each input's shape.
        outputs: The output shapes (several for ``output a, b``).
        source: The model's text.
        filename: The file it was read from, or ``None``.
        notes: What an importer left out or assumed (docs/python.md).
    """

    name: str | None
    convention: str
    rows: list[Row]
    symbols: list[str]
    input_shapes: list[tuple] = field(default_factory=list)
    outputs: list = field(default_factory=list)  # output shapes (several for `output a, b`)
    source: str = ""
    filename: str | None = None
    show: tuple = ()  # quantities beyond the default ones that its outputs list
    batch: Any = 1  # the samples its compute (MACs, FLOPs) is counted for: see batched
    counting: str = "default"  # how its compute is counted (symcount.counting, docs/compute.md)
    notes: list = field(default_factory=list)  # what an importer left out (docs/python.md)
    dtype: str = "float32"  # what its memory figures count an entry as: see in_dtype
    column_names: tuple | None = None  # the per-layer columns chosen (with_columns); None: all
    stated_batch: Any = None  # the batch its input states (Input(..., batch_size=32)), if any
    optimizer: str = "none"  # whose state optimizer_bytes counts: see with_optimizer
    estimates: tuple = ()  # the model-state estimates its memory output adds (model/estimates.py)
    _totals: dict | None = None
    _graph: Graph | LazyGraph | None = None  # made on first use: see .graph

    @property
    def graph(self) -> Graph | None:
        """The model as layers, calls and tensors (``symcount.model.graph``)."""
        g = self._graph
        return g.get() if isinstance(g, LazyGraph) else g

    def sum(self, name: str):
        """The model's total of the quantity ``name``: the sum of its rows' values."""
        totals = self._totals  # a local: another thread may set it at the same time
        if totals is None:
            totals = self._totals = {}
        if name not in totals:
            parts = Q.REGISTRY[name].parts
            if parts:
                # a sum of quantities totals as the sum of their totals, which the
                # totals lines ask for anyway: not a fresh sum for every row
                vals = [self.sum(p) for p in parts]
                totals[name] = None if None in vals else D.total(vals)
            else:
                totals[name] = _sum([r.count(name) for r in self.rows])
        return totals[name]

    @property
    def totals(self) -> dict:
        """Every registered quantity's total: ``{"params": ..., "trainable": ...}``."""
        return {q.name: self.sum(q.name) for q in Q.REGISTRY}

    @property
    def quantities(self) -> list:
        """The quantities this model's outputs list, in the registry's order."""
        return Q.REGISTRY.shown(self.show)

    def showing(self, *names: str) -> Model:
        """The model with the quantities ``names`` (declared with
        ``default=False``) in its outputs too: tables, JSON, CSV, LaTeX, ..."""
        extra = tuple(self.show)
        for n in names:
            q = Q.lookup(n)
            if q.name not in extra:
                extra += (q.name,)
        return dataclasses.replace(self, show=extra)

    @property
    def columns(self) -> list:
        """The quantities the tables show a column of per layer: the ones chosen
        with ``with_columns``, else every listed quantity that declares a
        column heading (``Param #``; ``MACs`` and ``FLOPs`` once shown)."""
        if self.column_names is None:
            return [q for q in self.quantities if q.column]
        return [Q.REGISTRY[n] for n in self.column_names if n in Q.REGISTRY]

    def with_columns(self, *names: str) -> Model:
        """The model whose tables show these quantities' columns, in this order
        (names, labels or aliases of symcount.model.quantities; KeyError for
        one that is not registered); each is listed in the outputs too."""
        chosen: tuple = ()
        for n in names:
            q = Q.lookup(n)
            if q.name not in chosen:
                chosen += (q.name,)
        shown = self.showing(*(n for n in chosen if not Q.REGISTRY[n].default))
        return dataclasses.replace(shown, column_names=chosen)

    @staticmethod
    def heading(q) -> str:
        """A quantity's column heading: its declared one, else its title."""
        return q.column or q.title

    @property
    def total(self):
        """The parameter count: every weight, trainable or not (buffers apart)."""
        return self.sum("params")

    @property
    def trainable(self):
        """The trainable parameters."""
        return self.sum("trainable")

    @property
    def non_trainable(self):
        """The non-trainable parameters."""
        return self.sum("non_trainable")

    @property
    def buffers(self):
        """The buffers (PyTorch's running statistics and the like; 0 in Keras)."""
        return self.sum("buffers")

    @property
    def output_shape(self):
        """The last row's output shape."""
        return self.rows[-1].output_shape if self.rows else None

    def subs(self, values: dict | None = None, **kw) -> Model:
        """The model with some or all symbols given values: ``m.subs(u=64)``.

        Exact: floors and ceilings are evaluated once their arguments are
        numbers. For a model that is re-checked with the values (a kernel
        too large for a substituted size is then an error), pass
        ``values=`` to ``symcount.parse`` instead.
        """
        values = {**(values or {}), **kw}
        values = {k: D.given_value(k, v) for k, v in values.items()}
        mapping = {D.symbol(k): D.to_sympy(v) for k, v in values.items()}
        rows = [r.subs(mapping) for r in self.rows]
        left = [n for n in self.symbols if n not in values]
        graph = None if self._graph is None else LazyGraph(lambda: self.graph.subs(mapping))
        return dataclasses.replace(
            self,
            rows=rows,
            symbols=left,
            batch=_subs_value(self.batch, mapping),
            stated_batch=_subs_value(self.stated_batch, mapping),
            _totals=None,
            _graph=graph,
        )

    def batched(self, batch) -> Model:
        """The model's compute (MACs, FLOPs) for a batch of ``batch`` samples
        (an int or a symbol's name); the weights do not change."""
        if isinstance(batch, str):
            batch = D.symbol(batch)
        if D.is_num(batch) and batch == 1:
            return self
        rows = [r.batched(batch) for r in self.rows]
        symbols = list(self.symbols)
        if D.is_symbolic(batch):
            symbols += [s.name for s in batch.free_symbols if s.name not in symbols]
        return dataclasses.replace(
            self, rows=rows, symbols=symbols, batch=D.mul(self.batch, batch), _totals=None
        )

    def in_dtype(self, dtype: str) -> Model:
        """The model with its memory figures counted in ``dtype`` ("bfloat16",
        ...: symcount.counting.dtypes); the counts of entries do not change."""
        from ..counting.dtypes import nbytes

        nbytes(dtype)  # KeyError for a dtype it does not know
        rows = [r.in_dtype(dtype) for r in self.rows]
        return dataclasses.replace(self, rows=rows, dtype=dtype, _totals=None)

    def with_optimizer(self, optimizer: str) -> Model:
        """The model with its optimizer state (optimizer_bytes) counted for
        ``optimizer``: "adam", "adamw", "sgd", "sgd-momentum" or "none"."""
        if optimizer not in M.OPTIMIZERS:
            raise KeyError(optimizer)
        rows = [r.with_optimizer(optimizer) for r in self.rows]
        kept = _without(self._totals, "optimizer_bytes")
        return dataclasses.replace(self, rows=rows, optimizer=optimizer, _totals=kept)

    @property
    def compute_shown(self) -> bool:
        """Whether its outputs list a compute quantity (MACs, FLOPs)."""
        return any(q.cost is not None and q.unit != "bytes" for q in self.quantities)

    def with_memory(self, dtype=None, optimizer=None, estimates=()) -> Model:
        """The model with its memory in its outputs: ``param_bytes`` (in
        ``dtype``), and with an ``optimizer`` the gradients' and its state's
        bytes; ``estimates``: ZeRO and accelerate (symcount.model.estimates)."""
        return M.configure(self, dtype, optimizer, estimates)

    @property
    def memory_shown(self) -> bool:
        """Whether its outputs list a memory quantity (param_bytes, ...)."""
        return M.shown(self)

    def walk(self, *, expand: bool = False, depth: int | None = None):
        """(depth, row) in order; ``expand`` opens blocks and repeats, and
        ``depth=N`` opens them N levels deep (torchinfo's depth: 0 is the
        model's own rows)."""
        if depth is not None:
            expand, levels = depth > 0, depth
        else:
            levels = None
        for r in self.rows:
            yield from r.walk(0, expand=expand, levels=levels)

    def row(self, name: str) -> Row:
        """The row called ``name``, inside blocks too."""
        for _, r in self.walk(expand=True):
            if r.name == name:
                return r
        raise KeyError(name)

    def to_dict(self) -> dict:
        """The JSON contract of ``symcount summary --format json``."""
        quantities = self.quantities
        return {
            "model": self.name,
            "convention": self.convention,
            "symbols": list(self.symbols),
            # the batch its input states (input(..., batch_size=32)): only when it states one
            **(
                {} if self.stated_batch is None else {"batch_size": P.json_value(self.stated_batch)}
            ),
            "layers": [r.to_dict(quantities) for r in self.rows],
            **{q.json_total_key: P.json_value(self.sum(q.name)) for q in quantities},
            # the convention the compute is counted under (docs/compute.md)
            **(
                {"compute": _compute_object(self.counting, self.batch)}
                if self.compute_shown
                else {}
            ),
            **M.json_object(self),
        }

    def __repr__(self) -> str:
        return (
            f"<Model {P.text(self.name) if self.name else '(unnamed)'}: {len(self.rows)} layers, "
            f"total={P.expr(self.total)}>"
        )


def _position(span: Span | None):
    return None if span is None else {"line": span.line, "column": span.column}


def _without(counts: dict | None, name: str) -> dict | None:
    if not counts:
        return None
    return {k: v for k, v in counts.items() if k != name}


def _sum(values):
    """The sum of rows' values; None (unknown) if one is (a cost with an unknown axis)."""
    if any(v is None for v in values):
        return None
    return D.total(values)


def _subs_costs(costs, mapping):
    return {k: _subs_value(v, mapping) if D.is_symbolic(v) else v for k, v in costs.items()}


def _times(n, costs):
    # each cost's value times n; the factors explain shows (macs_terms) as written
    return {k: D.mul(n, v) if D.is_num(v) or D.is_symbolic(v) else v for k, v in costs.items()}


def _tidy(v):
    """A block's sum of layer counts, expanded while it is small, so a
    transformer block reads 12*d**2 + 13*d rather than a sum of products."""
    if D.is_symbolic(v) and v.is_Add and len(v.args) <= 40:
        return D.expand_small(v)
    return v


def _subs_value(v, mapping):
    if D.is_symbolic(v):
        return D.normalize(v.xreplace(mapping))
    return v


def _subs_shape(shape, mapping):
    if isinstance(shape, list):
        return [_subs_shape(s, mapping) for s in shape]
    return tuple(_subs_value(d, mapping) for d in shape)


def _subs_weight(w: Weight, mapping) -> Weight:
    dims = tuple(
        tuple(Factor(f.label, _subs_value(f.value, mapping)) for f in dim) for dim in w.dims
    )
    return Weight(w.name, dims, w.trainable, w.state, w.what)


def _compute_object(counting: str, batch) -> dict:
    """JSON's ``compute``: the convention, its options (``default+bias+training``
    names them: symcount.counting.options) and the batch."""
    base, *options = counting.split("+")
    out: dict = {"convention": base}
    if options:
        out["options"] = options
    out["batch"] = P.json_value(batch)
    return out
