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
builds the same graph with a :class:`~symcount.model.builder.GraphBuilder`
(which makes these nodes; this module never imports it), without writing text::

    from symcount.model.builder import GraphBuilder
    from symcount.ops.spec import W

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

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .. import dims as D
from ..errors import Span
from ..ops.spec import Factor, Weight

__all__ = ["Call", "Graph", "Group", "Layer", "Tensor"]

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
    # each input's name as Keras shows it (input_layer, input_layer_1, or the
    # name= it was given): not the name a tensor is bound to
    input_labels: tuple[str, ...] = ()
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
            self.input_labels,
        )


def _graph(convention, layers, calls, tensors, inputs, outputs, groups, input_labels) -> Graph:
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
        tuple(input_labels),
        MappingProxyType({k: tuple(v) for k, v in by_layer.items()}),
    )


def frozen_args(args) -> Mapping[str, Any]:
    """A node's arguments: read-only, without the builder's ``_`` bookkeeping keys."""
    if not args:
        return EMPTY
    return MappingProxyType({k: v for k, v in args.items() if not k.startswith("_")})


def _subs(v, mapping):
    return D.normalize(v.xreplace(mapping)) if D.is_symbolic(v) else v


def _subs_shape(shape, mapping):
    if isinstance(shape, list):
        return [_subs_shape(s, mapping) for s in shape]
    return tuple(_subs(d, mapping) for d in shape)


def _subs_weight(w: Weight, mapping) -> Weight:
    dims = tuple(tuple(Factor(f.label, _subs(f.value, mapping)) for f in dim) for dim in w.dims)
    return Weight(w.name, dims, w.trainable, w.state, w.what)
