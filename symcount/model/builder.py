"""Recording a graph (symcount.model.graph) as it is evaluated or imported.

The builder makes the graph's nodes; the nodes never know the builder. It is
kept apart from them so that evaluating a model, which records every call,
does not pay for defining them: they are imported by ``build()``, when a
model's graph is first read.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading's Lock, without importing threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import Span

if TYPE_CHECKING:
    from ..ops.spec import Weight
    from .graph import Graph, Layer


def input_name(index: int) -> str:
    """Keras's name for the ``index``-th model input (``input_layer``,
    ``input_layer_1``, ...), used for an input the user did not name."""
    return "input_layer" if index == 0 else f"input_layer_{index}"


class GraphBuilder:
    """Collects a graph as it is evaluated or imported; ``build()`` freezes it.

    Every method returns an id (an int): the id the node has in the built
    graph. ``layer`` takes weights as :class:`~symcount.ops.spec.Weight`
    (``W("kernel", ("in", 784), ("units", 10))``) and ``args`` as a mapping
    (keys starting with ``_`` are the caller's bookkeeping and are left out);
    ``call`` takes the input tensors' ids and the output shapes, and returns
    the output tensors' ids. Recording is cheap (plain tuples); the frozen
    nodes are made by ``build()``, which a Model calls on first use.
    """

    __slots__ = (
        "convention",
        "groups",
        "input_labels",
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
        self.input_labels: list[str] = []
        self.outputs: list[int] = []

    def input(self, shape: Sequence, name: str | None = None, label: str | None = None) -> int:
        """A model input of ``shape`` (without the batch axis); ``name`` is the
        name its tensor is bound to, ``label`` the input's own (Keras's
        ``input_layer_1`` unless given)."""
        tensor = len(self.tensors)
        self.input_labels.append(label or input_name(len(self.inputs)))
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
        from .graph import Layer, frozen_args

        return Layer(None, name, type, tuple(weights), op, frozen_args(args), frozen, span)

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

    def needs_no_grad(self, tensor: int) -> bool:
        """Whether training computes no gradient for ``tensor``: a model input,
        or made only from such tensors by layers with no trainable weights
        (Flatten, Dropout, a frozen layer) — training-exact's rule."""
        todo, seen = [tensor], set()
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            call = self.tensors[t][1]
            if call is None:
                continue
            layer, inputs = self.records[call][:2]
            weights, frozen = self.layers[layer][2], self.layers[layer][5]
            if not frozen and any(w.trainable and not w.state for w in weights):
                return False
            todo.extend(inputs)
        return True

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

    def repeated_calls(self) -> dict[int, Any]:
        """How many times each layer (by id) is called, as many times as a
        layer's row counts: each call weighs the multipliers of the groups
        around it that are not around the layer's first call (a shared layer
        called again in ``passes 2..N`` of ``repeat L``: N - 1 calls). Only
        the layers called more than once are listed."""
        from .. import dims as D

        first: dict[int, set] = {}
        weights: dict[int, list] = {}
        for layer, *_, group, _q in self.records:
            chain = self._chain(group)
            if layer not in first:
                first[layer] = {g for g, _ in chain}
                weights[layer] = [1]
            else:
                around = first[layer]
                weights[layer].append(D.prod([m for g, m in chain if g not in around]))
        return {k: D.total(w) for k, w in weights.items() if len(w) > 1}

    def _chain(self, group) -> list:
        chain = []
        while group is not None:
            rec = self.groups[group]
            chain.append((group, rec[4]))
            group = rec[3]
        return chain

    def call_counts(self) -> dict[int, int]:
        """How many calls each layer (by id) has so far."""
        counts: dict[int, int] = {}
        for r in self.records:
            counts[r[0]] = counts.get(r[0], 0) + 1
        return counts

    def shared_costs(self) -> dict[int, tuple]:
        """Each shared layer's (by id) calls' costs, first to last, each times
        how often its call counts relative to the first (a call in a symbolic
        repeat's steady pass counts N - 1 times)."""
        from .. import dims as D

        by_layer: dict[int, list] = {}
        for r in self.records:
            by_layer.setdefault(r[0], []).append(r)
        out = {}
        for layer, recs in by_layer.items():
            if len(recs) < 2:
                continue
            first = self._multiplier(recs[0][5])
            costs = []
            for r in recs:
                m = self._multiplier(r[5])
                ratio = 1 if m is first or D.equal(m, first) is True else D.div(m, first)
                q = dict(r[6] or {})
                if ratio != 1:  # the costs' values (not the factors explain shows)
                    q = {
                        k: D.mul(ratio, v) if D.is_num(v) or D.is_symbolic(v) else v
                        for k, v in q.items()
                    }
                costs.append(q)
            out[layer] = tuple(costs)
        return out

    def _multiplier(self, group):
        from .. import dims as D

        factors = []
        while group is not None:
            factors.append(self.groups[group][4])
            group = self.groups[group][3]
        return D.prod(factors)

    def build(self) -> Graph:
        from .graph import Call, Group, Layer, Tensor, _graph, frozen_args

        names = self.names
        tensors = tuple(
            Tensor(i, shape, names.get(i), producer, index)
            for i, (shape, producer, index) in enumerate(self.tensors)
        )
        layers = tuple(
            Layer(i, name, type_, tuple(w), op, frozen_args(args), frozen, span, tuple(inner))
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
                frozen_args(q),
            )
            for i, (layer, ins, first, n, span, group, q) in enumerate(self.records)
        )
        groups = tuple(Group(i, *g) for i, g in enumerate(self.groups))
        return _graph(
            self.convention,
            layers,
            calls,
            tensors,
            self.inputs,
            self.outputs,
            groups,
            self.input_labels,
        )


class LazyGraph:
    """A graph made on first use (``get``), once, whichever thread asks first:
    a summary that never reads ``model.graph`` does not pay for its nodes."""

    __slots__ = ("_graph", "_lock", "_make")

    def __init__(self, make):
        self._make, self._graph, self._lock = make, None, allocate_lock()

    def get(self) -> Graph:
        with self._lock:
            if self._graph is None:
                self._graph, self._make = self._make(), None
            return self._graph


class NoGraph:
    """Stands in for a builder where no graph is kept (a block formula's dry run)."""

    __slots__ = ()

    def input(self, shape, name=None, label=None):
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

    def shared_costs(self):
        return {}
