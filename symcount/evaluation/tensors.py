"""Tensors as values a program computes with: several outputs unpacked
(``out, h, c = ...``), a tensor's sizes (``x.shape[-1]``), indexing
(``x[:, 0]``), tensors given to blocks (``up(16, skip)``) and to a call's
keywords (``initial_state=[h, c]``)."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError, ShapeError, did_you_mean
from ..language import ast
from ..language.values import BlockDef, Tensor, TensorShape, Word, describe
from .expressions import INPUT_NAMES, is_tensor_list

# What each several-output layer returns, for the unpacking message.
RETURNS = {
    "LSTM": "the output and the states h and c",
    "GRU": "the output and the state h",
    "SimpleRNN": "the output and the state h",
    "Bidirectional": "the forward and the backward outputs",
}


def several(tensors: list, span) -> Tensor:
    """A block's result where its body ends in ``output a, b``: both tensors
    (each output of a tensor of several), unpacked where it is used, as a
    nested Keras model of several outputs is."""
    parts = [p for t in tensors for p in (t.parts or [t])]
    if len(parts) == 1:
        return tensors[0]
    return Tensor([p.shape for p in parts], span, None, parts=parts)


class TensorsMixin:
    """The Evaluator's tensor-valued expressions and statements."""

    @staticmethod
    def tensor_of(out, span, row, nodes) -> Tensor:
        """The Tensor (or the Tensor of parts) a layer's call makes."""
        label = row.name
        if isinstance(out, list):
            parts = [
                Tensor(s, span, row, node=n, label=label) for s, n in zip(out, nodes, strict=True)
            ]
            return Tensor(out, span, row, parts=parts, label=label)
        return Tensor(out, span, row, node=nodes[0], label=label)

    # names ------------------------------------------------------------------

    def check_tensor_name(self, name: str, span) -> None:
        if name in INPUT_NAMES:
            raise ArgumentError(
                f"{name!r} names a model's input (input(...)) and, inside a block, the "
                "block's input: it cannot name a tensor; choose another name (e.g. inp)",
                span,
            )

    def unpack(self, stmt: ast.UnpackStmt) -> None:
        """``out, h, c = enc -> LSTM(64, return_state=true)``."""
        for name, span in zip(stmt.names, stmt.name_spans, strict=True):
            self.check_tensor_name(name, span)
        value = self.pipeline(stmt.value)
        parts = value.parts or [value]
        if len(parts) != len(stmt.names):
            row = value.producer
            what = f"{row.name} ({row.type})" if row is not None else "this chain"
            detail = RETURNS.get(row.type) if row is not None and len(parts) > 1 else None
            raise ShapeError(
                f"{len(stmt.names)} names for {len(parts)} tensor"
                f"{'s' if len(parts) != 1 else ''}: {what} returns {len(parts)}"
                + (f" ({detail})" if detail else "")
                + (
                    "; an RNN returns its states with return_state=true"
                    if len(parts) == 1 and row is not None and row.type in RETURNS
                    else ""
                ),
                stmt.span,
            )
        for name, part in zip(stmt.names, parts, strict=True):
            if name == "_":  # Python's name for a value not kept
                continue
            if part.name is None:
                part.name = name
                if part.node is not None:
                    self.graph.name(part.node, name)
            self.env[name] = part
        self.current = value

    # x.shape, x.shape[-1], x[:, 0] ---------------------------------------------

    def attribute(self, node: ast.Attr):
        base = self.value(node.base)
        if isinstance(base, Tensor):
            if node.name != "shape":
                raise ArgumentError(
                    f"a tensor has no attribute {node.name!r}; it has .shape", node.span
                )
            if base.parts is not None:
                raise ArgumentError(self.several(node.base), node.span)
            return TensorShape((None, *base.shape), _label(node.base))
        if isinstance(node.base, ast.Name) and node.base.id in INPUT_NAMES:
            raise ArgumentError(
                f"{node.base.id}.{node.name}: bare {node.base.id!r} names a block's input, "
                "inside a block",
                node.span,
            )
        if isinstance(base, Word) and node.name == "shape":  # x.shape before x = ... ends
            raise ArgumentError(
                f"no tensor named {base.name!r} is defined here: {base.name}.shape reads a "
                "tensor named by an earlier statement",
                node.span,
            )
        raise ArgumentError(f"{describe(base)} has no attribute {node.name!r}", node.span)

    @staticmethod
    def several(node) -> str:
        return (
            f"{_label(node)} is several tensors (a layer with several outputs): "
            "unpack them first, e.g. out, h, c = ..."
        )

    def subscript(self, node: ast.Index):
        base = self.value(node.base)
        if isinstance(base, TensorShape):
            return self.shape_item(base, node)
        if isinstance(base, Tensor):
            if base.parts is not None:
                raise ArgumentError(self.several(node.base), node.span)
            index = tuple(self.index_item(i) for i in node.items)
            spec = self.construct("GetItem", [(index, node.span)], {}, node.span)
            return self.apply(spec, [base], span=node.span)
        raise ArgumentError(
            f"only a tensor or its shape can be indexed, not {describe(base)}", node.span
        )

    def index_item(self, item):
        if isinstance(item, ast.EllipsisItem):
            return Ellipsis
        if isinstance(item, ast.Slice):
            return slice(
                *(
                    None if x is None else self.index_number(x)
                    for x in (item.start, item.stop, item.step)
                )
            )
        if isinstance(item, ast.Name) and item.id == "None" and "None" not in self.env:
            return None
        return self.index_number(item)

    def index_number(self, node):
        v = self.number(node)
        if D.is_num(v) and not D.is_int(v):
            raise ArgumentError(f"an index must be a whole number, not {v}", node.span)
        return int(v) if D.is_num(v) else v

    def shape_item(self, shape: TensorShape, node: ast.Index):
        if len(node.items) != 1 or isinstance(node.items[0], ast.EllipsisItem):
            raise ArgumentError(
                f"{shape.label}.shape takes one index, e.g. {shape.label}.shape[-1]", node.span
            )
        item = node.items[0]
        dims = shape.dims
        if isinstance(item, ast.Slice):
            bounds = [
                None if x is None else self._literal(x) for x in (item.start, item.stop, item.step)
            ]
            if bounds[2] == 0:
                raise ArgumentError("a slice's step cannot be zero", item.step.span)
            picked = dims[slice(*bounds)]
            if None in picked:
                shown = ":".join(
                    "" if b is None else str(b) for b in bounds[: 3 if bounds[2] else 2]
                )
                raise ArgumentError(
                    f"{shape.label}.shape[{shown}] holds None (the batch axis or an axis of "
                    "unknown length), which is no number",
                    node.span,
                )
            return tuple(picked)
        i = self._literal(item)
        if not -len(dims) <= i < len(dims):
            raise ArgumentError(
                f"{shape.label}.shape[{i}] is out of range: {shape.label} has {len(dims)} axes "
                f"(the batch axis, shape[0], included): {P.shape(dims[1:])}",
                node.span,
            )
        d = dims[i]
        if d is None:
            axis = i % len(dims)
            what = (
                "the batch axis, unknown until the model runs"
                if axis == 0
                else ("an axis of unknown length")
            )
            raise ArgumentError(
                f"{shape.label}.shape[{i}] is None ({what}), not a number", node.span
            )
        return d

    def _literal(self, node) -> int:
        v = self.value(node)
        if isinstance(v, bool) or not (D.is_num(v) and D.is_int(v)):
            raise ArgumentError(
                f"a shape's index must be a literal whole number, not {describe(v)}", node.span
            )
        return int(v)

    # tensors given to blocks --------------------------------------------------

    def block_call(self, block: BlockDef, node: ast.Call):
        """``up(16, skip)``: the arguments bind to the parameters in order, and
        a tensor may be one. A leading tensor is the block's input when the
        block takes fewer parameters than the call gives (``vision(img)``)."""
        args = [(self.value(x), x.span) for x in node.args]
        kwargs = {k.name: (self.value(k.value), k.span) for k in node.kwargs}
        source = None
        if args and isinstance(args[0][0], Tensor) and len(args) > len(block.params):
            source = args.pop(0)[0]
        call = self.bind_block(block, args, kwargs, node.span)
        return call if source is None else self.apply_block(call, source)

    def check_not_after_arrow(self, node: ast.Call, name: str) -> None:
        """``... -> Concatenate(input, skip)``: a layer given its input tensors
        takes no tensor from '->'; say so before it runs on the wrong ones."""
        if self.after_arrow is not node:
            return
        names = [x.id for x in node.args if isinstance(x, ast.Name)]
        inside = (
            " (inside a block, `input` is the block's input, not the tensor arriving by '->')"
            if "input" in names and self.body_inputs
            else ""
        )
        raise ShapeError(
            f"{name} is given its input tensors here, so it cannot also take the one "
            f"arriving by '->'{inside}; name that tensor and pass it: "
            f"u = ... then {name}(u, ...)",
            node.span,
        )

    # tensors given to a call's keywords ---------------------------------------

    @staticmethod
    def keyword_tensors(kwargs: dict) -> list:
        """The tensors a call's keywords were given, in order."""
        out = []
        for v in kwargs.values():
            out += [v] if isinstance(v, Tensor) else list(v) if is_tensor_list(v) else []
        return out

    def call_keywords(self, spec, kwargs: dict) -> dict:
        """A call's keywords, checked against the layer's call keywords."""
        allowed = spec.rule.call_kwargs | {"training", "mask"}
        for key, (_, kspan) in kwargs.items():
            if key not in allowed:
                raise ArgumentError(
                    f"calling {spec.type_name} takes no keyword {key!r}"
                    + (
                        f"; it takes {', '.join(sorted(spec.rule.call_kwargs))}"
                        if spec.rule.call_kwargs
                        else ""
                    ),
                    kspan,
                    hint=did_you_mean(key, allowed),
                )
        return {k: v for k, (v, _) in kwargs.items()}

    @staticmethod
    def keyword_shapes(kwargs: dict) -> dict:
        """A call's keywords as its rule reads them: a tensor as its shape, a
        list of tensors as a list of shapes."""
        out = {}
        for key, v in kwargs.items():
            if isinstance(v, Tensor):
                out[key] = v.shape
            elif is_tensor_list(v):
                out[key] = [t.shape for t in v]
            else:
                out[key] = v
        return out


def _label(node) -> str:
    return node.id if isinstance(node, ast.Name) else "the tensor"
