"""The order a functional model's calls are written in (docs/keras_json.md).

Keras lists each layer once, with every call of it (``inbound_nodes``), in
the order layers were first called; a shared layer's (or a shared nested
model's) later call can read a layer listed after it. Keras rebuilds the
graph by retrying a node until its inputs exist; so does this: calls are
taken in the listed order, each as soon as every tensor it reads is made
and the same layer's call before it is written."""

from __future__ import annotations


def history(node) -> list[tuple]:
    """The (layer, node, index) of every tensor one call reads."""
    out, stack = [], [node]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            config = v.get("config")
            if v.get("class_name") == "__keras_tensor__" and isinstance(config, dict):
                h = config.get("keras_history")
                if isinstance(h, list) and len(h) == 3:
                    out.append(tuple(h))
            else:
                stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def in_order(calls: list[tuple], made: dict):
    """``calls`` as (layer, name, index, node) in an order where each one's
    inputs are in ``made`` (filled by the caller between steps). A call that can
    never be ready is yielded last, for the caller's error."""
    pending = [(c, history(c[3])) for c in calls]
    done: set[tuple] = set()
    while pending:
        left = []
        for call, reads in pending:
            _, name, i, _ = call
            if (i == 0 or (name, i - 1) in done) and all(r in made for r in reads):
                yield call
                done.add((name, i))
            else:
                left.append((call, reads))
        if len(left) == len(pending):  # nothing could be written: the first is an error
            yield left[0][0]
            return
        pending = left
