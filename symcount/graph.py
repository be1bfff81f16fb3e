"""The model as a graph: layers, the calls that apply them, the tensors between.

A :class:`Layer` holds a layer's weights, counted once however often it is
applied; a :class:`Call` is one application of a layer to input tensors,
with its output tensors, its place in the source and room for per-call
quantities (the compute a call costs depends on the shapes it sees, so it
belongs to the call, not to the layer). A shared layer is one Layer with
several Calls. A :class:`Group` is a block call or a repeat (or one pass of
a symbolic repeat), which the summary shows as one row; a call inside it
names its innermost group.

Every node is frozen and refers to others by object (``Call.layer``,
``Call.inputs``) or by id (``Tensor.producer``, ``Group.parent``): ids are
positions in the graph's tuples, so ``graph.calls[t.producer]`` is the
call that made ``t``. A :class:`Graph` never changes, so a
:class:`~symcount.model.Model` carrying one can be read from many threads.

The evaluator builds the graph from the text; anything else (an importer)
builds the same graph with a :class:`GraphBuilder`, without writing text::

    from symcount.graph import GraphBuilder
    from symcount.layers.spec import W

    b = GraphBuilder("keras")
    x = b.input((784,))                                   # a model input
    dense = b.layer("dense", "Dense", [W("kernel", ("in", 784), ("units", 10)),
                                       W("bias", ("units", 10))], op="Dense",
                    args={"units": 10})
    (y,) = b.call(dense, [x], [(10,)])                    # one output tensor
    b.name(y, "logits")                                   # the user's name, if any
    b.output(y)
    graph = b.build()
    graph.calls_of(graph.layers[0])                       # (<Call 0 dense: (t0) -> (t1)>,)

Builder handles are plain ints (the ids the frozen nodes will have); only
``build()`` makes the nodes, so a tensor can still be named after the call
that made it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from . import dims as D
from .errors import Span
from .layers.spec import Factor, Weight

EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False)
class Tensor:
    """A value flowing between calls: its shape (batch axis left out)."""

    id: int
    shape: Any  # tuple of dims (None where unknown)
    name: str | None = None  # the name the user bound it to (x = ..., let x = ...)
    producer: int | None = None  # id of the Call that made it; None: a model input
    index: int = 0  # which output of that call; for a model input, which input


@dataclass(frozen=True, slots=True, eq=False)
class Layer:
    """A layer instance: its weights, counted once, and how it was made. A
    wrapper's inner layers (``inner``) are not in ``graph.layers`` and have
    no id: their weights are the wrapper's, and they have no calls."""

    id: int | None
    name: str
    type: str
    weights: tuple[Weight, ...] = ()
    op: str | None = None  # the rule that computes it, as the convention names it
    args: Mapping[str, Any] = field(
        default_factory=lambda: EMPTY
    )  # its bound arguments, as that rule reads them
    frozen: bool = False  # trainable=false
    span: Span | None = None  # where it was constructed
    inner: tuple[Layer, ...] = ()  # a wrapper's inner layers (Bidirectional's two copies)

    def __repr__(self) -> str:
        return f"<Layer {self.name} ({self.type})>"


@dataclass(frozen=True, slots=True, eq=False)
class Group:
    """A block call, a repeat, or one pass of a symbolic repeat."""

    id: int
    name: str
    type: str  # the block's name, "repeat xN", "repeat pass"
    span: Span | None = None
    parent: int | None = None  # id of the enclosing group
    multiplier: Any = 1  # a symbolic repeat's steady pass counts N - 1 times


@dataclass(frozen=True, slots=True, eq=False)
class Call:
    """One application of a layer to tensors."""

    id: int
    layer: Layer
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    span: Span | None = None  # where it is applied
    group: int | None = None  # id of the innermost group it runs in
    # per-call quantities (e.g. MACs) by name: filled by whoever builds the graph
    quantities: Mapping[str, Any] = field(default_factory=lambda: EMPTY)

    def __repr__(self) -> str:
        ins = ", ".join(f"t{t.id}" for t in self.inputs)
        outs = ", ".join(f"t{t.id}" for t in self.outputs)
        return f"<Call {self.id} {self.layer.name}: ({ins}) -> ({outs})>"


@dataclass(frozen=True, slots=True, eq=False)
class Graph:
    """Layers, calls and tensors in the order they were made."""

    convention: str
    layers: tuple[Layer, ...] = ()
    calls: tuple[Call, ...] = ()
    tensors: tuple[Tensor, ...] = ()
    inputs: tuple[Tensor, ...] = ()
    outputs: tuple[Tensor, ...] = ()
    groups: tuple[Group, ...] = ()
    _by_layer: Mapping[int, tuple[Call, ...]] = field(default_factory=lambda: EMPTY, repr=False)

    def __repr__(self) -> str:
        return (
            f"<Graph {self.convention}: {len(self.layers)} layers, {len(self.calls)} calls, "
            f"{len(self.tensors)} tensors>"
        )

    def calls_of(self, layer: Layer) -> tuple[Call, ...]:
        """Every call of ``layer``, first to last (a shared layer has several)."""
        return self._by_layer.get(layer.id, ())

    def producer(self, tensor: Tensor) -> Call | None:
        """The call that made ``tensor``; None for a model input."""
        return None if tensor.producer is None else self.calls[tensor.producer]

    def consumers(self, tensor: Tensor) -> tuple[Call, ...]:
        """The calls that read ``tensor``."""
        return tuple(c for c in self.calls if any(t is tensor for t in c.inputs))

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def multiplier(self, call: Call):
        """How many times ``call`` counts: the product of its groups' multipliers."""
        factors, g = [], call.group
        while g is not None:
            factors.append(self.groups[g].multiplier)
            g = self.groups[g].parent
        return D.prod(factors)

    @staticmethod
    def input_name(index: int) -> str:
        """Keras's name for the ``index``-th model input (``input_layer``,
        ``input_layer_1``, ...), used for an input the user did not name."""
        return "input_layer" if index == 0 else f"input_layer_{index}"

    def subs(self, mapping: dict) -> Graph:
        """The graph with SymPy symbols replaced per ``mapping`` (symbol -> value)."""
        if not mapping:
            return self
        tensors = tuple(
            Tensor(t.id, _subs_shape(t.shape, mapping), t.name, t.producer, t.index)
            for t in self.tensors
        )

        def layer(x: Layer) -> Layer:
            weights = tuple(_subs_weight(w, mapping) for w in x.weights)
            inner = tuple(layer(i) for i in x.inner)
            return Layer(x.id, x.name, x.type, weights, x.op, x.args, x.frozen, x.span, inner)

        layers = tuple(layer(x) for x in self.layers)

        calls = tuple(
            Call(
                c.id,
                layers[c.layer.id],
                tuple(tensors[t.id] for t in c.inputs),
                tuple(tensors[t.id] for t in c.outputs),
                c.span,
                c.group,
                MappingProxyType({k: _subs(v, mapping) for k, v in c.quantities.items()}),
            )
            for c in self.calls
        )
        groups = tuple(
            Group(g.id, g.name, g.type, g.span, g.parent, _subs(g.multiplier, mapping))
            for g in self.groups
        )
        return _graph(
            self.convention,
            layers,
            calls,
            tensors,
            [t.id for t in self.inputs],
            [t.id for t in self.outputs],
            groups,
        )


class GraphBuilder:
    """Collects a graph as it is evaluated or imported; ``build()`` freezes it.

    Every method returns an id (an int): the id the node has in the built
    graph. ``layer`` takes weights as :class:`~symcount.layers.spec.Weight`
    (``W("kernel", ("in", 784), ("units", 10))``) and ``args`` as a mapping
    (keys starting with ``_`` are the caller's bookkeeping and are left out);
    ``call`` takes the input tensors' ids and the output shapes, and returns
    the output tensors' ids. Recording is cheap (plain tuples); the frozen
    nodes are made by ``build()``, which a Model calls on first use.
    """

    __slots__ = (
        "convention",
        "groups",
        "inputs",
        "layers",
        "names",
        "outputs",
        "records",
        "tensors",
    )

    def __init__(self, convention: str = "keras"):
        self.convention = convention
        self.tensors: list[tuple] = []  # (shape, producing call or None, index)
        self.names: dict[int, str] = {}  # tensor id -> the user's name
        self.layers: list[tuple] = []  # Layer's fields after the id
        self.records: list[
            tuple
        ] = []  # calls: (layer, inputs, first output, outputs, span, group, q)
        self.groups: list[list] = []  # [name, type, span, parent, multiplier]
        self.inputs: list[int] = []
        self.outputs: list[int] = []

    def input(self, shape: Sequence, name: str | None = None) -> int:
        """A model input of ``shape`` (without the batch axis)."""
        tensor = len(self.tensors)
        self.tensors.append((tuple(shape), None, len(self.inputs)))
        self.inputs.append(tensor)
        if name is not None:
            self.names[tensor] = name
        return tensor

    def layer(
        self,
        name: str,
        type: str,
        weights: Sequence[Weight] = (),
        *,
        op: str | None = None,
        args: Mapping[str, Any] | None = None,
        frozen: bool = False,
        span: Span | None = None,
        inner: Sequence[Layer] = (),
    ) -> int:
        """A layer instance; ``inner``: the layers a wrapper runs (``inner_layer``)."""
        self.layers.append((name, type, weights, op, args, frozen, span, inner))
        return len(self.layers) - 1

    @staticmethod
    def inner_layer(
        name: str,
        type: str,
        weights: Sequence[Weight] = (),
        *,
        op: str | None = None,
        args: Mapping[str, Any] | None = None,
        frozen: bool = False,
        span: Span | None = None,
    ) -> Layer:
        """A layer a wrapper runs (Bidirectional's forward copy): a frozen node
        at once, with no id and no calls, to pass as ``layer(..., inner=)``."""
        return Layer(None, name, type, tuple(weights), op, _args(args), frozen, span)

    def call(
        self,
        layer: int,
        inputs: Sequence[int],
        shapes: Sequence,
        *,
        span: Span | None = None,
        group: int | None = None,
        quantities: Mapping[str, Any] | None = None,
    ) -> tuple[int, ...]:
        """``layer`` applied to ``inputs``, making one tensor per shape in ``shapes``."""
        call, first, n = len(self.records), len(self.tensors), len(shapes)
        self.records.append((layer, inputs, first, n, span, group, quantities))
        if n == 1:
            self.tensors.append((shapes[0], call, 0))
            return (first,)
        self.tensors += [(s, call, i) for i, s in enumerate(shapes)]
        return tuple(range(first, first + n))

    def group(
        self,
        name: str,
        type: str,
        *,
        span: Span | None = None,
        parent: int | None = None,
        multiplier: Any = 1,
    ) -> int:
        """A block call or repeat the calls after it may name as their ``group``."""
        self.groups.append([name, type, span, parent, multiplier])
        return len(self.groups) - 1

    def finish_group(self, group: int, *, name=None, type=None, multiplier=None) -> None:
        """What is known of a group only after its calls (the evaluator names a
        block after its body has run, as Keras numbers nested models)."""
        rec = self.groups[group]
        for i, v in ((0, name), (1, type), (4, multiplier)):
            if v is not None:
                rec[i] = v

    def name(self, tensor: int, name: str) -> None:
        """The user's name for ``tensor`` (the first name given is kept)."""
        self.names.setdefault(tensor, name)

    def output(self, *tensors: int) -> None:
        self.outputs += tensors

    def call_counts(self) -> dict[int, int]:
        """How many calls each layer (by id) has so far."""
        counts: dict[int, int] = {}
        for r in self.records:
            counts[r[0]] = counts.get(r[0], 0) + 1
        return counts

    def build(self) -> Graph:
        names = self.names
        tensors = tuple(
            Tensor(i, shape, names.get(i), producer, index)
            for i, (shape, producer, index) in enumerate(self.tensors)
        )
        layers = tuple(
            Layer(i, name, type_, tuple(w), op, _args(args), frozen, span, tuple(inner))
            for i, (name, type_, w, op, args, frozen, span, inner) in enumerate(self.layers)
        )
        calls = tuple(
            Call(
                i,
                layers[layer],
                tuple(tensors[t] for t in ins),
                tensors[first : first + n],
                span,
                group,
                _args(q),
            )
            for i, (layer, ins, first, n, span, group, q) in enumerate(self.records)
        )
        groups = tuple(Group(i, *g) for i, g in enumerate(self.groups))
        return _graph(self.convention, layers, calls, tensors, self.inputs, self.outputs, groups)


class LazyGraph:
    """A graph made on first use (``get``), once, whichever thread asks first:
    a summary that never reads ``model.graph`` does not pay for its nodes."""

    __slots__ = ("_graph", "_lock", "_make")

    def __init__(self, make):
        self._make, self._graph, self._lock = make, None, threading.Lock()

    def get(self) -> Graph:
        with self._lock:
            if self._graph is None:
                self._graph, self._make = self._make(), None
            return self._graph


def _args(args) -> Mapping[str, Any]:
    if not args:
        return EMPTY
    return MappingProxyType({k: v for k, v in args.items() if not k.startswith("_")})


def _graph(convention, layers, calls, tensors, inputs, outputs, groups) -> Graph:
    by_layer: dict[int, list[Call]] = {}
    for c in calls:
        by_layer.setdefault(c.layer.id, []).append(c)
    return Graph(
        convention,
        layers,
        calls,
        tensors,
        tuple(tensors[i] for i in inputs),
        tuple(tensors[i] for i in outputs),
        groups,
        MappingProxyType({k: tuple(v) for k, v in by_layer.items()}),
    )


class NoGraph:
    """Stands in for a builder where no graph is kept (a block formula's dry run)."""

    __slots__ = ()

    def input(self, shape, name=None):
        return None

    def layer(self, *a, **kw):
        return None

    @staticmethod
    def inner_layer(*a, **kw):
        return None

    def call(self, layer, inputs, shapes, **kw):
        return (None,) * len(shapes)

    def group(self, *a, **kw):
        return None

    def finish_group(self, group, **kw):
        pass

    def name(self, tensor, name):
        pass

    def output(self, *tensors):
        pass


def _subs(v, mapping):
    return D.normalize(v.xreplace(mapping)) if D.is_symbolic(v) else v


def _subs_shape(shape, mapping):
    if isinstance(shape, list):
        return [_subs_shape(s, mapping) for s in shape]
    return tuple(_subs(d, mapping) for d in shape)


def _subs_weight(w: Weight, mapping) -> Weight:
    dims = tuple(tuple(Factor(f.label, _subs(f.value, mapping)) for f in dim) for dim in w.dims)
    return Weight(w.name, dims, w.trainable, w.state)
