"""The model's graph (:mod:`symcount.model.graph`) as the page draws it:
nodes and edges, with each block call and repeat folded into one node (as
the summary shows it as one row), a shared layer one node however often it
is called, and a simple layered layout (a node's rank is one more than its
deepest input's; nodes of a rank in the order they were made).
"""

from __future__ import annotations

from .. import printing as P

MAX_NODES = 2_000  # past this the page gets no drawing, only a note


def _root_group(graph, gid):
    """The outermost group enclosing group ``gid`` (what the summary shows)."""
    while graph.groups[gid].parent is not None:
        gid = graph.groups[gid].parent
    return gid


def layout(model) -> dict:
    graph = model.graph
    if graph is None:
        return {"nodes": [], "edges": [], "note": "this model has no graph"}
    nodes: dict[str, dict] = {}
    order: list[str] = []

    def node(key: str, **info) -> dict:
        if key not in nodes:
            nodes[key] = {"id": key, "rank": 0, "calls": 0, **info}
            order.append(key)
        return nodes[key]

    of_tensor: dict[int, str] = {}
    several = len(graph.inputs) > 1
    for t in graph.inputs:
        key = f"input{t.index}"
        name = t.name or (f"input {t.index + 1}" if several else "input")
        node(key, label=name, type="Input", kind="input", shape=P.shape(t.shape))
        of_tensor[t.id] = key
    edges: dict[tuple[str, str], dict] = {}
    for call in graph.calls:
        if call.group is not None:
            g = graph.groups[_root_group(graph, call.group)]
            key = f"group{g.id}"
            n = node(key, label=g.name, type=g.type, kind="group", shape="")
        else:
            layer = call.layer
            key = f"layer{layer.id}"
            kind = "merge" if len(call.inputs) > 1 else "layer"
            n = node(key, label=layer.name, type=layer.type, kind=kind, shape="")
            n["calls"] += 1
            if n["calls"] > 1:
                n["kind"] = "shared"
        n["shape"] = P.shape(call.outputs[0].shape) if call.outputs else ""
        for t in call.inputs:
            src = of_tensor.get(t.id)
            if src is None or src == key:
                continue  # inside a folded group, or a shared layer fed its own output
            edges.setdefault((src, key), {"from": src, "to": key})
            n["rank"] = max(n["rank"], nodes[src]["rank"] + 1)
        for t in call.outputs:
            of_tensor[t.id] = key
    outputs = sorted({of_tensor[t.id] for t in graph.outputs if t.id in of_tensor})
    if len(order) > MAX_NODES:
        return {"nodes": [], "edges": [], "note": f"more than {MAX_NODES:,} nodes: not drawn"}
    seen: dict[int, int] = {}
    for key in order:  # the position within a rank, in the order the nodes were made
        n = nodes[key]
        n["order"] = seen.get(n["rank"], 0)
        seen[n["rank"]] = n["order"] + 1
        n["output"] = key in outputs
    return {
        "nodes": [nodes[k] for k in order],
        "edges": list(edges.values()),
        "ranks": max(seen, default=-1) + 1,
        "width": max(seen.values(), default=0),
    }
