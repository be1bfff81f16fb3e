"""Expressions: numbers, symbols, tuples, and calls of functions, layers and blocks."""

from __future__ import annotations

import re
from fractions import Fraction

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError, LimitError, Span, did_you_mean
from ..language import ast
from ..language.values import BlockDef, LayerSpec, Stage, Tensor, Word, as_dim, describe

FUNCTIONS = D.FUNCTIONS
CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "None": None}
INPUT_NAMES = ("input", "Input")


def is_tensor_list(v) -> bool:
    """A list or tuple of tensors, ``[h, c]``."""
    return isinstance(v, tuple) and bool(v) and all(isinstance(t, Tensor) for t in v)


def _some_tensors(v) -> bool:
    return isinstance(v, tuple) and any(isinstance(t, Tensor) for t in v)


def not_a_tensor(node, value) -> str:
    """The message for a value that is no tensor where a layer's input belongs."""
    what = (
        f"{node.id!r} is {describe(value)}"
        if isinstance(node, ast.Name)
        else (f"this is {describe(value)}")
    )
    return f"{what}, not a tensor (a layer's inputs are tensors)"


def tensor_as_number(node) -> str:
    """The message for a tensor where a number belongs."""
    what = f"{node.id!r} is a tensor" if isinstance(node, ast.Name) else "this is a tensor"
    example = node.id if isinstance(node, ast.Name) else "x"
    return f"{what}, not a number; for one of its sizes write {example}.shape[-1]"


class _InputValue:
    __slots__ = ("name", "shape", "span")

    def __init__(self, shape, span, name: str | None = None):
        self.shape = shape
        self.span = span
        self.name = name  # input(..., name="tokens"): the input's own name


# A long sum is a deep tree (a + b + c is (a + b) + c): operator chains are
# walked in a loop, up to this many operators; anything else that nests
# (calls, negations, powers) is refused past MAX_NESTING levels, well inside
# Python's default recursion limit.
MAX_CHAIN = 10_000
MAX_NESTING = 100
NESTED = "the input is nested too deeply"


class ExpressionsMixin:
    """The Evaluator's expressions: values of AST nodes, and what a call means."""

    _nesting = 0

    def value(self, node):
        if isinstance(node, (ast.Num, ast.Name, ast.Str)):
            return self._value(node)
        if self._nesting >= MAX_NESTING:
            raise LimitError(
                f"{NESTED} (an expression nested deeper than {MAX_NESTING})", node.span
            )
        self._nesting += 1
        try:
            return self._value(node)
        finally:
            self._nesting -= 1

    def _value(self, node):
        if isinstance(node, ast.Num):
            return node.value
        if isinstance(node, ast.Name):
            return self.name_value(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Neg):
            return D.neg(self.number(node.operand))
        if isinstance(node, ast.Seq):
            return tuple(self.value(i) for i in node.items)
        if isinstance(node, ast.Str):
            return node.value
        if isinstance(node, ast.Dec):
            # Decimals are exact (0.1 is 1/10), so arithmetic never rounds.
            m = re.fullmatch(r"[0-9.]*[eE]([-+]?[0-9]+)", node.text)
            if m and abs(int(m.group(1))) > 60:
                raise LimitError(f"number {node.text} is out of range", node.span)
            try:
                return D.normalize(Fraction(node.text))
            except (ValueError, ZeroDivisionError):
                raise ArgumentError(f"bad number {node.text!r}", node.span) from None
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attr):
            return self.attribute(node)
        if isinstance(node, ast.Index):
            return self.subscript(node)
        if isinstance(node, (ast.Slice, ast.EllipsisItem)):
            raise ArgumentError("a slice or '...' belongs inside x[...]", node.span)
        raise AssertionError(node)  # pragma: no cover

    def name_value(self, node: ast.Name):
        self.first_seen.setdefault(node.id, node.span.start)
        if node.id in self.env:
            return self.env[node.id]
        if node.id in INPUT_NAMES and self.body_inputs:  # Add(y, input) inside a block
            return self.body_inputs[-1]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in self.overrides:
            self.used_overrides.add(node.id)
            return self.overrides[node.id]
        return Word(node.id)

    def number(self, node):
        """A value used in arithmetic: bare words become symbols."""
        v = self.value(node)
        if isinstance(v, Word):
            if v.name in self.rules or v.name in INPUT_NAMES:
                raise ArgumentError(f"{v.name!r} is a layer, not a number", node.span)
            return D.symbol(v.name)
        if isinstance(v, Tensor):
            raise ArgumentError(tensor_as_number(node), node.span)
        if isinstance(v, bool) or not (D.is_num(v) or D.is_symbolic(v)):
            raise ArgumentError(f"expected a number, not {describe(v)}", node.span)
        return v

    def binop(self, node: ast.BinOp):
        chain = [node]  # the left spine, evaluated bottom up as the recursion did
        while isinstance(chain[-1].left, ast.BinOp):
            if len(chain) >= MAX_CHAIN:
                raise LimitError(
                    f"{NESTED} (more than {MAX_CHAIN:,} operators in a row)", node.span
                )
            chain.append(chain[-1].left)
        acc = self.number(chain[-1].left)
        terms = None  # a symbolic sum in progress: one Add at the end, not a running sum
        for n in reversed(chain):
            right = self.number(n.right)
            if n.op in "+-" and (terms or D.is_symbolic(acc) or D.is_symbolic(right)):
                terms = terms or [acc]
                terms.append(right if n.op == "+" else D.neg(right))
                last = n
                continue
            if terms:
                acc, terms = self.operate(last, D.total, terms), None
            acc = self.operate(n, D.OPERATORS[n.op], acc, right)
        return self.operate(last, D.total, terms) if terms else acc

    @staticmethod
    def operate(node: ast.BinOp, op, *args):
        try:
            return D.check_magnitude(op(*args))
        except ZeroDivisionError:
            raise ArgumentError("division by zero", node.span) from None
        except OverflowError:
            raise LimitError(D.TOO_LARGE, node.span) from None
        except (ValueError, TypeError) as e:
            raise ArgumentError(str(e), node.span) from None
        except RecursionError:  # SymPy's own recursion through a deep floor of floors
            raise LimitError(f"{NESTED} (its value is too deep to compute)", node.span) from None

    def call(self, node: ast.Call):
        if isinstance(node.func, ast.Call):  # Layer(...)(a, b): construct, then apply
            target = self.value(node.func)
            return self.call_target(target, node, node.func.span)
        if not isinstance(node.func, ast.Name):
            raise ArgumentError("only layers, blocks and functions can be called", node.span)
        fname = node.func.id
        if fname in FUNCTIONS and fname not in self.env:
            if node.kwargs:
                raise ArgumentError(f"{fname}() takes no keyword arguments", node.kwargs[0].span)
            if not node.args or (fname in ("ceil", "floor") and len(node.args) != 1):
                raise ArgumentError(
                    f"{fname}() takes {'one' if fname in ('ceil', 'floor') else 'one or more'} argument(s)",
                    node.span,
                )
            return FUNCTIONS[fname](*[self.number(x) for x in node.args])
        if fname in INPUT_NAMES and fname not in self.env:
            return self.input_call(node)
        if fname in self.env:
            return self.call_target(self.env[fname], node, node.func.span)
        if self.rules.get(fname) is None:
            raise self.unknown_layer(fname, node.func.span)
        tensors, args, kwargs = self.call_args(node)
        low = self.rules.get(fname).inputs[0]
        if tensors and args and len(tensors) < low:  # Concatenate(u, skip) with skip a number
            at = node.args[len(tensors)]
            raise ArgumentError(not_a_tensor(at, args[0][0]), at.span)
        try:
            spec = self.construct(fname, args, kwargs, node.span)
        except ArgumentError:
            if tensors and self.rules.get(fname).inputs[1] == 1:
                # Dense(f) where f is a tensor: a number was meant (a block's parameter?)
                raise ArgumentError(tensor_as_number(node.args[0]), node.args[0].span) from None
            raise
        if tensors:  # Concatenate(a, b): apply at once
            self.check_not_after_arrow(node, fname)
        if tensors or spec.rule.inputs[1] == 0:  # Parameter(...), a source: at once too
            return self.apply(spec, tensors, span=node.span)
        return spec

    def call_args(self, node: ast.Call, applying: bool = False):
        """Leading tensor arguments are inputs; the rest configure the layer.
        ``applying``: a call of a made layer, ``Layer(...)(...)``, where a
        single list of tensors is the inputs (``Concatenate()([a, b])``, as
        Keras writes it) and call keywords may take tensors
        (``initial_state=[h, c]``, ``attention_mask=m``)."""
        tensors, args = [], []
        for x in node.args:
            v = self.value(x)
            if isinstance(v, Tensor):
                if args:
                    raise ArgumentError("tensors must come before the other arguments", x.span)
                tensors.append(v)
            elif applying and len(node.args) == 1 and is_tensor_list(v):
                tensors.extend(v)
            elif applying and len(node.args) == 1 and _some_tensors(v):
                bad = next(i for i, t in zip(x.items, v, strict=False) if not isinstance(t, Tensor))
                raise ArgumentError(not_a_tensor(bad, v[x.items.index(bad)]), bad.span)
            else:
                args.append((v, x.span))
        kwargs = {k.name: (self.value(k.value), k.span) for k in node.kwargs}
        for key, (v, kspan) in kwargs.items():
            if not applying and (isinstance(v, Tensor) or is_tensor_list(v)):
                raise ArgumentError(
                    f"pass tensors by position, not as {key}= (a layer's call keywords take "
                    "tensors: Layer(...)(x, key=t))",
                    kspan,
                )
        return tensors, args, kwargs

    def call_target(self, target, node: ast.Call, span: Span):
        """``enc(x)``, ``wte(h, reverse=true)``, ``conv_bn(64)``, ``Layer(...)(a, b)``."""
        if isinstance(target, BlockDef):
            return self.block_call(target, node)
        tensors, args, kwargs = self.call_args(node, applying=True)
        if isinstance(target, LayerSpec):
            if args:
                raise ArgumentError(
                    f"{target.name} is already constructed; call it with tensors "
                    "(and call keywords), e.g. enc(x)",
                    args[0][1],
                )
            if not tensors:
                return Stage("call", node.span, spec=target, call_kwargs=kwargs)
            self.check_not_after_arrow(node, target.type_name)
            return self.apply(target, tensors, kwargs, node.span)
        raise ArgumentError(f"{describe(target)} cannot be called", span)

    def input_call(self, node: ast.Call):
        kw = {k.name: k for k in node.kwargs}
        unknown = set(kw) - {
            "shape",
            "name",
            "batch_size",
            "dtype",
            "sparse",
            "ragged",
            "batch_shape",
            "tensor",
            "optional",
        }
        if unknown:
            k = kw[sorted(unknown)[0]]
            raise ArgumentError(
                f"input has no keyword {k.name!r}; use shape=(...)",
                k.span,
                hint=did_you_mean(k.name, ["shape", "name", "batch_size"]),
            )
        if "shape" in kw:
            if node.args:
                raise ArgumentError("give the shape either by position or as shape=", node.span)
            raw, span = self.value(kw["shape"].value), kw["shape"].value.span
            items = raw if isinstance(raw, tuple) else (raw,)
            spans = [span] * len(items)
        elif len(node.args) == 1 and isinstance(node.args[0], ast.Seq):
            items = self.value(node.args[0])
            spans = [x.span for x in node.args[0].items]
        else:
            items = tuple(self.value(x) for x in node.args)
            spans = [x.span for x in node.args]
        if "batch_size" in kw:
            self.state_batch(kw["batch_size"])
        if not items:
            raise ArgumentError("input needs a shape, e.g. input(28, 28, 1)", node.span)
        if any(isinstance(v, Tensor) for v in items):
            raise ArgumentError(
                "input takes a shape, not a tensor (for a tensor's sizes write x.shape[1])",
                node.span,
            )
        name = self.input_label(kw["name"]) if "name" in kw else None
        return _InputValue(self.shape_items(items, spans, "input"), node.span, name)

    def input_label(self, kw) -> str:
        """``input(..., name="tokens")``: the input's name, as Keras's summary shows it."""
        v = self.value(kw.value)
        if not isinstance(v, str) or not 0 < len(v) <= 200 or not v.isprintable():
            raise ArgumentError(
                'an input\'s name is text in quotes, e.g. input(10, name="tokens")',
                kw.value.span,
            )
        return v

    def state_batch(self, kw) -> None:
        """``input(..., batch_size=32)``: the batch the model's compute is
        counted for when none is given (docs/compute.md); None states none.
        Every input that states one states the same."""
        value = self.value(kw.value)
        if value is None:
            return
        try:
            size = as_dim(value, "batch_size")
        except ArgumentError as e:
            raise e.at(kw.value.span) from None
        stated = getattr(self, "stated_batch", None)
        if stated is not None and D.equal(stated, size) is False:
            raise ArgumentError(
                f"batch_size={P.expr(size)}, but another input states batch_size="
                f"{P.expr(stated)}; a model's inputs share one batch",
                kw.value.span,
            )
        self.stated_batch = size

    def shape_items(self, items, spans, what) -> tuple:
        shape = []
        for v, span in zip(items, spans, strict=True):
            if v is None:
                shape.append(None)
                continue
            try:
                shape.append(as_dim(v, f"{what} dimension"))
            except ArgumentError as e:
                raise e.at(span) from None
        return tuple(shape)
