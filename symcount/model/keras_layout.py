"""Keras 3's layout of a functional model's summary: its rows in Keras's
order, the InputLayer rows among them, and the "Connected to" column.

Keras prints a Functional model that is not a plain chain (two inputs, a
merge, a shared layer) with an ``InputLayer`` row per input and a column
naming, for every call of a layer, the tensors it read as
``layer[node][tensor]`` (``add[0][0], dense[0][0]``). Its rows are the
graph's operations sorted by depth from the outputs, deepest first, ties
in the order a depth-first walk from the outputs first meets them
(``keras.src.ops.function.map_graph``); this module runs that same
algorithm on symcount's graph, so the rows come out as Keras lists them,
not in the order the text wrote them.

A block call or a repeat is one operation, as a nested model is in Keras:
its node reads the tensors its calls take from outside it. The whole
layout is None when the model is a chain (Keras's ``sequential_like``),
which keeps the plain three-column table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .builder import input_name


@dataclass(frozen=True, slots=True)
class InputRow:
    """A model input, as Keras's summary lists it."""

    name: str
    output_shape: Any
    type: str = "InputLayer"


@dataclass(frozen=True, slots=True)
class Entry:
    """One top-level row of the layout: a model row or an input, and what it reads."""

    row: Any  # a symcount.model.Row or an InputRow
    connected: str | None  # "-" for an input; None in a chain (no such column)


def plainly_chained(rows) -> bool:
    """True when the rows read one another in turn from an unnamed input,
    each called once (a Sequential model): decided without building the
    graph, which a summary of a chain never needs."""
    for i, r in enumerate(rows):
        if r.calls != 1 or len(r.inputs) != 1:
            return False
        if r.inputs[0] != (rows[i - 1].name if i else input_name(0)):
            return False
    return True


def functional_layout(model) -> list[Entry] | None:
    """The rows of ``model``'s summary as Keras lays out a functional model,
    or None for a Sequential one (or when the graph is unknown).

    A model that binds an input to a name (``x = input(10)``, as
    ``keras.Input`` is written) is a Functional model: its inputs get rows,
    as Keras prints them. Unless it is also a plain chain, every row says
    what it reads ("Connected to")."""
    if model.convention != "keras" or plainly_chained(model.rows):
        return None
    graph = model.graph
    if graph is None or not graph.outputs:
        return None
    return _Layout(graph, model.rows).entries()


class _Layout:
    """Keras's operations and nodes, for symcount's graph: an operation is a
    top-level layer, a top-level group (a block call, a repeat) or a model
    input; a node is one call of it."""

    def __init__(self, graph, rows):
        self.graph, self.rows = graph, rows
        self.nodes: dict[Any, tuple] = {}  # node key -> (operation, node index)
        self.reads: dict[Any, list] = defaultdict(list)  # node key -> tensors it reads
        self.index_of: dict[int, int] = {}  # tensor id -> its index among its node's outputs
        self.made_by: dict[int, Any] = {}  # tensor id -> node key
        self._collect()

    def _top(self, group: int | None) -> int | None:
        while group is not None and self.graph.groups[group].parent is not None:
            group = self.graph.groups[group].parent
        return group

    def _collect(self) -> None:
        g = self.graph
        for k, t in enumerate(g.inputs):
            op = ("input", k)
            self.nodes[op] = (op, 0)
            self.made_by[t.id] = op
            self.index_of[t.id] = 0
        calls_seen: dict[int, int] = defaultdict(int)  # layer id -> calls so far
        group_node: dict[int, Any] = {}  # top group id -> node key
        group_calls: dict[str, int] = defaultdict(int)  # group name -> instances so far
        for call in g.calls:
            top = self._top(call.group)
            if top is None:
                n = calls_seen[call.layer.id]
                calls_seen[call.layer.id] += 1
                key = ("call", call.id)
                self.nodes[key] = (("layer", call.layer.id), n)
                self.reads[key] = list(call.inputs)
                for t in call.outputs:
                    self.made_by[t.id] = key
                    self.index_of[t.id] = t.index
                continue
            key = group_node.get(top)
            if key is None:
                name = g.groups[top].name
                key = group_node[top] = ("group", top)
                self.nodes[key] = (("block", name), group_calls[name])
                group_calls[name] += 1
            for t in call.inputs:
                inside = self.made_by.get(t.id) == key
                if not inside and all(t is not r for r in self.reads[key]):
                    self.reads[key].append(t)
            for t in call.outputs:
                self.made_by[t.id] = key
        # a group's outputs: what it made that is read outside it, or returned
        outs: dict[Any, list] = defaultdict(list)
        read_outside = [(t, key) for key, ts in self.reads.items() for t in ts]
        for t in [t for t, _ in read_outside] + list(g.outputs):
            key = self.made_by.get(t.id)
            if key is not None and key[0] == "group" and all(t is not o for o in outs[key]):
                outs[key].append(t)
        for ts in outs.values():
            for i, t in enumerate(sorted(ts, key=lambda t: t.id)):
                self.index_of[t.id] = i

    # keras.src.ops.function._build_map and map_graph, on these nodes ---------

    def _order(self):
        finished, in_progress = set(), set()
        ordered: list = []  # nodes from the inputs to the outputs
        op_index: dict = {}

        def visit(tensor) -> None:
            key = self.made_by.get(tensor.id)
            if key is None or key in finished:
                return
            if key in in_progress:  # symcount's graphs have no cycles; never loop
                return
            op = self.nodes[key][0]
            op_index.setdefault(op, len(op_index))
            in_progress.add(key)
            for t in self.reads.get(key, ()):
                visit(t)
            finished.add(key)
            in_progress.discard(key)
            ordered.append(key)

        for t in self.graph.outputs:
            visit(t)
        node_depth: dict = {}
        op_depth: dict = {}
        for key in reversed(ordered):
            depth = node_depth.setdefault(key, 0)
            op = self.nodes[key][0]
            depth = max(depth, op_depth.get(op, 0))
            op_depth[op] = node_depth[key] = depth
            for t in self.reads.get(key, ()):
                parent = self.made_by.get(t.id)
                if parent in finished:
                    node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
        for k in range(len(self.graph.inputs)):  # an input no output depends on
            op = ("input", k)
            if op not in op_depth:
                op_depth[op], op_index[op], node_depth[op] = 0, -1, 0
        by_depth: dict = defaultdict(list)
        for op, depth in op_depth.items():
            by_depth[depth].append(op)
        ops = []
        for depth in sorted(by_depth, reverse=True):
            ops.extend(sorted(by_depth[depth], key=lambda o: op_index[o]))
        return ops, node_depth

    def _sequential_like(self, node_depth) -> bool:
        """Keras's test: one node at every depth, none reading two tensors,
        and no operation called twice."""
        by_depth: dict = defaultdict(list)
        for key, depth in node_depth.items():
            by_depth[depth].append(key)
        for keys in by_depth.values():
            if len(keys) > 1 or len(self.reads.get(keys[0], ())) > 1:
                return False
        calls: dict = defaultdict(int)
        for key in node_depth:
            calls[self.nodes[key][0]] += 1
        return all(n == 1 for n in calls.values())

    def _name(self, op) -> str:
        kind, which = op
        if kind == "input":
            labels = self.graph.input_labels
            return labels[which] if which < len(labels) else input_name(which)
        if kind == "layer":
            return self.graph.layers[which].name
        return which

    def _ref(self, tensor) -> str:
        key = self.made_by[tensor.id]
        op, node = self.nodes[key]
        return f"{self._name(op)}[{node}][{self.index_of.get(tensor.id, 0)}]"

    def entries(self) -> list[Entry] | None:
        ops, node_depth = self._order()
        chain = self._sequential_like(node_depth)
        if chain and not any(t.name for t in self.graph.inputs):
            return None  # a Sequential model, as the text wrote it
        by_name = {r.name: r for r in self.rows}
        nodes_of: dict = defaultdict(list)
        for key in node_depth:
            nodes_of[self.nodes[key][0]].append(key)
        out = []
        for op in ops:
            name = self._name(op)
            if op[0] == "input":
                out.append(
                    Entry(InputRow(name, self.graph.inputs[op[1]].shape), None if chain else "-")
                )
                continue
            row = by_name.get(name)
            if row is None:
                return None  # a row this layout cannot place: keep the plain table
            keys = sorted(nodes_of[op], key=lambda k: self.nodes[k][1])
            refs = [self._ref(t) for k in keys for t in self.reads.get(k, ())]
            out.append(Entry(row, None if chain else ", ".join(refs) or "-"))
        if len(out) - len(self.graph.inputs) != len(self.rows):
            return None  # rows no output depends on: the plain table shows them all
        return out
