"""A nested Keras model called more than once (docs/keras_json.md): Keras
lists it once, its weights once, each call on the same weights. The model
language's block makes new layers at each use, so the model's layers are
written as ``let`` s at the top (shared layer objects, as a layer applied
twice is), the block applies them at its first call, and each later call
is the block's body written out again on that call's tensors: the same
layers applied again add no row and no weights, as in Keras."""

from __future__ import annotations

from ..language import ast as S


def shared_let(reader, name: str, make, sp) -> S.Name:
    """The ``let`` of a nested model's layer ``name`` (made once, by ``make()``),
    while a shared nested model is read."""
    lets = reader.shared
    if name not in lets:
        lets[name] = reader.fresh(name)
        reader.blocks.append(S.LetStmt(lets[name], S.Pipeline((make(),), span=sp), span=sp))
    return S.Name(lets[name], span=sp)


def shared_call(reader, layer, i: int, node, count: int, tensors, statements) -> None:
    """Call ``i`` of the nested model ``layer``: the block at the first, its body
    written out after; ``tensors`` gets the call's outputs by (name, node, index)."""
    name, lsp = layer.get("name"), reader.span(layer)
    if reader.shared is not None:
        raise reader.error(
            f"the nested model {name!r} is called more than once inside a model itself "
            "called more than once: not read yet",
            layer,
        )
    args, kwargs = reader.node_inputs(node, tensors, layer)
    if not args or kwargs:
        raise reader.error(f"the nested model {name!r} is called on tensors", layer)
    reader.shared = reader.shared_lets.setdefault(name, {})
    try:
        if i == 0:
            block = S.Name(reader.block(layer), span=lsp)
            names = [reader.fresh(name if count == 1 else f"{name}_{k}") for k in range(count)]
            call = S.Call(block, tuple(args), (), span=lsp)
            pipe = S.Pipeline((args[0], block) if len(args) == 1 else (call,), span=lsp)
            if count > 1:
                statements.append(S.UnpackStmt(tuple(names), (lsp,) * count, pipe, span=lsp))
            else:
                statements.append(S.AssignStmt(names[0], pipe, span=lsp))
        else:
            names = inline(reader, layer, [a.id for a in args], statements)
    finally:
        reader.shared = None
    for k, t in enumerate(names):
        tensors[(name, i, k)] = t


def inline(reader, layer, inputs: list[str], statements) -> list[str]:
    """The nested model's body on the tensors ``inputs``; its output tensors' names."""
    sp = reader.span(layer)
    config = reader.config(layer)
    if layer.get("class_name") == "Sequential":
        (pipe,) = reader.model_body(layer, top=False)
        t = reader.fresh(layer.get("name"))
        stages = (S.Name(inputs[0], span=sp), *pipe.stages)
        statements.append(S.AssignStmt(t, S.Pipeline(stages, span=sp), span=sp))
        return [t]
    refs = [r[0] for r in _input_refs(config.get("input_layers"))]
    if len(refs) != len(inputs):
        raise reader.error(f"the nested model {layer.get('name')!r} is called on tensors", layer)
    body = reader.model_body(layer, top=False, inputs=dict(zip(refs, inputs, strict=True)))
    *rest, last = body
    statements.extend(rest)
    outs = last.values if isinstance(last, S.OutputStmt) else (last,)
    return [p.stages[0].id for p in outs]


def _input_refs(v) -> list:
    if not isinstance(v, list) or not v:
        return []
    return [v] if isinstance(v[0], str) else [r for r in v if isinstance(r, list) and r]
