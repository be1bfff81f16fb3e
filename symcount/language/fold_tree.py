"""Tree helpers for folding (fold.py): walking a syntax tree, leaving out
``name=`` arguments, and a stage's literals as holes, so copies that differ
only in their numbers can share one block with parameters."""

from __future__ import annotations

from dataclasses import fields, replace

from . import ast as A

HOLE = "\x00hole"  # never an identifier the grammar can produce
STARTS = {"input", "Input", "Parameter"}  # calls that make a tensor: only a chain's start


def children(node: A.Node):
    """The nodes directly under ``node``, in field order."""
    for f in fields(node):
        if f.name == "span":
            continue
        v = getattr(node, f.name)
        if isinstance(v, A.Node):
            yield v
        elif isinstance(v, tuple):
            yield from (x for x in v if isinstance(x, A.Node))


def walk(node: A.Node):
    yield node
    for c in children(node):
        yield from walk(c)


def names(node: A.Node) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, A.Name)}


def rebuild(node: A.Node, fn) -> A.Node:
    """``node`` with each child replaced by ``fn(child)``."""
    changes = {}
    for f in fields(node):
        if f.name == "span":
            continue
        v = getattr(node, f.name)
        if isinstance(v, A.Node):
            changes[f.name] = fn(v)
        elif isinstance(v, tuple) and any(isinstance(x, A.Node) for x in v):
            changes[f.name] = tuple(fn(x) if isinstance(x, A.Node) else x for x in v)
    return replace(node, **changes) if changes else node


def unnamed(node: A.Node) -> A.Node:
    """``node`` without any ``name=`` argument: a folded copy cannot keep one
    name per copy, so its layers take symcount's automatic names."""
    if isinstance(node, A.Call):
        kwargs = tuple(k for k in node.kwargs if k.name != "name")
        node = replace(node, kwargs=kwargs)
    return rebuild(node, unnamed)


def without_automatic_names(node: A.Node, automatic) -> A.Node:
    """``node`` without the ``name=`` arguments ``automatic(layer, name)``
    says a framework made up (Keras's ``conv2d_26``): beside a fold, whose
    layers take symcount's own automatic names, they would clash."""
    if isinstance(node, A.Call) and isinstance(node.func, A.Name):
        layer = node.func.id

        def made_up(k: A.Kwarg) -> bool:
            value = k.value.value if isinstance(k.value, A.Str) else getattr(k.value, "id", None)
            return k.name == "name" and isinstance(value, str) and automatic(layer, value)

        node = replace(node, kwargs=tuple(k for k in node.kwargs if not made_up(k)))
    return rebuild(node, lambda c: without_automatic_names(c, automatic))


def renamed(node: A.Node, mapping: dict[str, str]) -> A.Node:
    """``node`` with the names in ``mapping`` replaced (tensor variables)."""
    if isinstance(node, A.Name):
        return replace(node, id=mapping[node.id]) if node.id in mapping else node
    if isinstance(node, A.AssignStmt) and node.name in mapping:
        node = replace(node, name=mapping[node.name])
    return rebuild(node, lambda c: renamed(c, mapping))


def holes(node: A.Node, fill=None, ctx=None, found=None):
    """(``node`` with each number a hole, [(the number, what it is)]): the
    numbers in a fixed order, each with the keyword or (layer, position) it
    is given to, to name a parameter by. With ``fill`` (an iterator of
    nodes), each number is replaced by the next instead."""
    found = [] if found is None else found
    if isinstance(node, A.Num | A.Dec):
        found.append((node, ctx))
        new = next(fill) if fill is not None else A.Name(HOLE, span=node.span)
        return new, found
    if isinstance(node, A.Kwarg):
        value, _ = holes(node.value, fill, node.name, found)
        return replace(node, value=value), found
    if isinstance(node, A.Call):
        callee = node.func.id if isinstance(node.func, A.Name) else None
        func, _ = holes(node.func, fill, ctx, found)
        args = tuple(holes(a, fill, (callee, i), found)[0] for i, a in enumerate(node.args))
        kwargs = tuple(holes(k, fill, ctx, found)[0] for k in node.kwargs)
        return replace(node, func=func, args=args, kwargs=kwargs), found
    if isinstance(node, A.Repeat):
        count, _ = holes(node.count, fill, "n", found)
        body = tuple(holes(b, fill, None, found)[0] for b in node.body)
        return replace(node, count=count, body=body), found
    return rebuild(node, lambda c: holes(c, fill, ctx, found)[0]), found


def foldable(stage, tensors=frozenset()) -> bool:
    """A step a repeat can hold: a layer, block, repeat or residual (not an
    input or a tensor, nor a layer given its tensors)."""
    if isinstance(stage, A.Name):
        return stage.id not in STARTS and stage.id not in tensors
    if isinstance(stage, A.Call):
        return isinstance(stage.func, A.Name) and stage.func.id not in STARTS
    return isinstance(stage, A.Repeat | A.Residual | A.BinOp)


def call(name, args, span):
    """A block's call: ``name`` alone when it takes no arguments."""
    if not args:
        return A.Name(name, span=span)
    return A.Call(A.Name(name, span=span), tuple(args), (), span=span)


def folds(program: A.Node) -> int:
    """How many blocks and repeats a program has (``Dense(64) * 2`` is one)."""
    count = 0
    for n in walk(program):
        if isinstance(n, A.BlockStmt | A.Repeat):
            count += 1
        elif isinstance(n, A.Pipeline):
            count += sum(isinstance(s, A.BinOp) for s in n.stages)
    return count
