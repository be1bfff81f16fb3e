"""Walk the syntax tree: evaluate expressions, build layers, apply them in order.

Iterative over statements and stages (no recursion per layer), so a model of
100,000 layers needs no deep stack.
"""

from __future__ import annotations

import re
from fractions import Fraction

from . import ast
from . import dims as D
from .errors import (
    ArgumentError,
    LimitError,
    ShapeError,
    Span,
    SymcountError,
    UnknownLayerError,
    did_you_mean,
)
from .layers import rules_for
from .layers.binding import as_dim, bind
from .layers.spec import Out
from .model import Model, Row
from .values import LayerSpec, Tensor, Word, describe

MAX_LAYERS = 200_000
CONVENTIONS = ("keras", "torch")
FUNCTIONS = {"ceil": D.ceil, "floor": D.floor, "min": D.minimum, "max": D.maximum}
CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "None": None}
INPUT_NAMES = ("input", "Input")


class _InputValue:
    __slots__ = ("shape", "span")

    def __init__(self, shape, span):
        self.shape = shape
        self.span = span


class Evaluator:
    def __init__(self, values: dict | None = None, convention: str | None = None):
        self.overrides = dict(values or {})
        self.used_overrides: set[str] = set()
        self.convention_override = convention
        self.convention = convention or "keras"
        self.rules = rules_for(self.convention)
        self.name = None
        self.env: dict[str, object] = {}  # let-bound values and named tensors
        self.declared: list[str] = []
        self.first_seen: dict[str, int] = {}
        self.rows: list[Row] = []
        self.inputs: list[tuple] = []
        self.current: Tensor | None = None
        self.counters: dict[str, int] = {}
        self.names: set[str] = set()
        self.started = False

    # statements ---------------------------------------------------------

    def run(self, program: ast.Program) -> Model:
        for stmt in program.statements:
            self.statement(stmt)
        unknown = set(self.overrides) - self.used_overrides
        if unknown:
            name = sorted(unknown)[0]
            free = self.symbol_names()
            raise ArgumentError(
                f"--set {name}: the model has no free symbol {name!r}"
                + (f"; its symbols are {', '.join(free)}" if free else "; it has no symbols"),
                hint=did_you_mean(name, free),
            )
        return Model(
            name=self.name,
            convention=self.convention,
            rows=self.rows,
            symbols=self.symbol_names(),
            input_shapes=self.inputs,
        )

    def statement(self, stmt):
        if isinstance(stmt, ast.Pipeline):
            self.current = self.pipeline(stmt)
        elif isinstance(stmt, ast.AssignStmt):
            value = self.pipeline(stmt.value)
            self.env[stmt.name] = value
            self.current = value
        elif isinstance(stmt, ast.LetStmt):
            self.let(stmt)
        elif isinstance(stmt, ast.ModelStmt):
            if self.name is not None:
                raise ArgumentError("the model is already named " + repr(self.name), stmt.span)
            self.name = stmt.name
        elif isinstance(stmt, ast.ConventionStmt):
            self.set_convention(stmt)
        elif isinstance(stmt, ast.SymbolsStmt):
            for n in stmt.names:
                if n in CONSTANTS or n in FUNCTIONS:
                    raise ArgumentError(f"{n!r} is reserved and cannot be a symbol", stmt.span)
                if n not in self.declared:
                    self.declared.append(n)
        elif isinstance(stmt, ast.OutputStmt):
            tensors = [self.pipeline(p) for p in stmt.values]
            if len(tensors) > 1:
                raise ShapeError(
                    "several outputs need a graph model, which this version does not build yet",
                    stmt.span,
                )
            self.current = tensors[0]
        else:  # pragma: no cover - the grammar has no other statements
            raise AssertionError(stmt)

    def set_convention(self, stmt: ast.ConventionStmt):
        if stmt.name not in CONVENTIONS:
            raise ArgumentError(
                f"unknown convention {stmt.name!r}; choose keras or torch",
                stmt.name_span,
                hint=did_you_mean(stmt.name, CONVENTIONS),
            )
        if self.started:
            raise ArgumentError("'convention' must come before the first layer", stmt.span)
        if self.convention_override is None:
            self.convention = stmt.name
            self.rules = rules_for(stmt.name, span=stmt.name_span)

    def let(self, stmt: ast.LetStmt):
        if stmt.name in CONSTANTS or stmt.name in FUNCTIONS:
            raise ArgumentError(f"{stmt.name!r} is reserved and cannot be redefined", stmt.span)
        if stmt.name in self.overrides:
            raise ArgumentError(
                f"--set {stmt.name}: {stmt.name!r} is defined by this 'let', not a free symbol",
                stmt.span,
            )
        if len(stmt.value.stages) == 1:
            value = self.value(stmt.value.stages[0])
            if isinstance(value, _InputValue):
                value = self.make_input(value)
        else:
            value = self.pipeline(stmt.value)
        self.env[stmt.name] = value

    # pipelines ----------------------------------------------------------

    def pipeline(self, pipe: ast.Pipeline) -> Tensor:
        tensor = None
        for i, stage in enumerate(pipe.stages):
            value = self.stage(stage)
            if isinstance(value, _InputValue):
                if i:
                    raise ShapeError("input(...) can only start a chain", stage.span)
                tensor = self.make_input(value)
            elif isinstance(value, Tensor):
                if i:
                    raise ShapeError(
                        "a tensor cannot follow '->'; to combine tensors use a merge layer "
                        "such as Concatenate(a, b)",
                        stage.span,
                    )
                tensor = value
            elif isinstance(value, LayerSpec):
                if tensor is None:
                    tensor = self.current if i == 0 else tensor
                if tensor is None:
                    tensor = self.implicit_input(value)
                tensor = self.apply(value, tensor)
            else:
                raise ArgumentError(
                    f"expected a layer, an input or a tensor here, not {describe(value)}",
                    stage.span,
                )
        return tensor

    def stage(self, node):
        if isinstance(node, ast.Name):
            bound = self.env.get(node.id)
            if bound is not None:
                return bound
            rule = self.rules.get(node.id)
            if rule is not None:
                return self.construct(node.id, (), (), node.span)
            if node.id in INPUT_NAMES:
                raise ArgumentError(f"{node.id} needs a shape, e.g. input(28, 28, 1)", node.span)
            raise self.unknown_layer(node.id, node.span)
        if isinstance(node, ast.Call):
            return self.value(node)
        value = self.value(node)
        raise ArgumentError(f"expected a layer here, not {describe(value)}", node.span)

    def implicit_input(self, spec: LayerSpec) -> Tensor:
        if spec.input_shape is None:
            raise ShapeError(
                "no input yet: start with input(...), e.g. input(28, 28, 1) -> ..., "
                "or give the first layer input_shape=(...)",
                spec.span,
            )
        return self.make_input(_InputValue(spec.input_shape, spec.span))

    def make_input(self, value: _InputValue) -> Tensor:
        self.started = True
        self.inputs.append(value.shape)
        return Tensor(value.shape, value.span)

    def apply(self, spec: LayerSpec, tensor: Tensor) -> Tensor:
        self.started = True
        if spec.uses:
            raise ArgumentError(
                f"layer {spec.name!r} is already applied once; sharing one layer's weights "
                "between tensors needs a graph model, which this version does not build yet",
                spec.span,
            )
        spec.uses += 1
        if tensor.parts is not None:
            raise ShapeError(
                f"{spec.type_name} takes one tensor, but the previous layer returns "
                f"{len(tensor.parts)} (e.g. Bidirectional with merge_mode=None)",
                spec.span,
            )
        if len(self.rows) >= MAX_LAYERS:
            raise LimitError(f"more than {MAX_LAYERS:,} layers", spec.span)
        row = self.run_rule(spec, tensor.shape)
        self.rows.append(row)
        out = row.output_shape
        if isinstance(out, list):
            return Tensor(out, spec.span, row, parts=[Tensor(s, spec.span, row) for s in out])
        return Tensor(out, spec.span, row)

    def run_rule(self, spec: LayerSpec, shape: tuple) -> Row:
        try:
            out: Out = spec.rule.fn(tuple(shape), spec.ns, self.context(spec))
        except SymcountError as e:
            e.message = f"{spec.name} ({spec.type_name}): {e.message}"
            raise e.at(spec.span) from None
        except ZeroDivisionError:
            raise ShapeError(
                f"{spec.name} ({spec.type_name}): division by zero", spec.span
            ) from None
        except OverflowError:
            raise LimitError(
                f"{spec.name} ({spec.type_name}): numbers too large", spec.span
            ) from None
        buffers = self.rules.state_as_buffers
        children = [self.child_row(c, buffers) for c in out.children]
        return Row(
            name=spec.name,
            type=spec.type_name,
            output_shape=out.shape,
            weights=out.weights,
            span=spec.span,
            frozen=not spec.trainable,
            formula=out.formula,
            notes=out.notes,
            children=children,
            state_as_buffers=buffers,
        )

    def child_row(self, child, buffers: bool = False) -> Row:
        spec, out = child
        return Row(
            spec.name,
            spec.type_name,
            out.shape,
            out.weights,
            spec.span,
            not spec.trainable,
            out.formula,
            out.notes,
            state_as_buffers=buffers,
        )

    def context(self, spec: LayerSpec):
        return _RuleContext(self, spec)

    # expressions --------------------------------------------------------

    def value(self, node):
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
        raise AssertionError(node)  # pragma: no cover

    def name_value(self, node: ast.Name):
        self.first_seen.setdefault(node.id, node.span.start)
        if node.id in self.env:
            return self.env[node.id]
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
        if isinstance(v, bool) or not (D.is_num(v) or D.is_symbolic(v)):
            raise ArgumentError(f"expected a number, not {describe(v)}", node.span)
        return v

    def binop(self, node: ast.BinOp):
        left = self.number(node.left)
        right = self.number(node.right)
        op = {
            "+": D.add,
            "-": D.sub,
            "*": D.mul,
            "/": D.div,
            "//": D.floordiv,
            "%": D.mod,
            "**": D.power,
        }[node.op]
        try:
            return D.check_magnitude(op(left, right))
        except ZeroDivisionError:
            raise ArgumentError("division by zero", node.span) from None
        except OverflowError:
            raise LimitError(f"number too large (limit {D.MAX_MAGNITUDE:.0e})", node.span) from None
        except (ValueError, TypeError) as e:
            raise ArgumentError(str(e), node.span) from None

    def call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ArgumentError(
                "applying a layer to tensors, as in Layer(...)(a, b), needs a graph model, "
                "which this version does not build yet",
                node.span,
            )
        fname = node.func.id
        if fname in FUNCTIONS:
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
            raise ArgumentError(
                f"{fname!r} is {describe(self.env[fname])}, not a layer type; applying it to "
                "tensors needs a graph model, which this version does not build yet",
                node.func.span,
            )
        if self.rules.get(fname) is None:
            raise self.unknown_layer(fname, node.func.span)
        args = [(self.value(x), x.span) for x in node.args]
        kwargs = {k.name: (self.value(k.value), k.span) for k in node.kwargs}
        return self.construct(fname, args, kwargs, node.span)

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
        if not items:
            raise ArgumentError("input needs a shape, e.g. input(28, 28, 1)", node.span)
        return _InputValue(self.shape_items(items, spans, "input"), node.span)

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

    def construct(self, type_name: str, args, kwargs, span: Span) -> LayerSpec:
        rule = self.rules.get(type_name)
        ns = bind(rule, list(args), dict(kwargs))
        if "name" in kwargs:
            name_val, name_span = kwargs["name"]
            name = name_val.name if isinstance(name_val, Word) else name_val
            if not isinstance(name, str) or not name:
                raise ArgumentError("name must be a word or a string", name_span)
            if name in self.names:
                raise ArgumentError(f"the layer name {name!r} is already used", name_span)
        else:
            name = self.auto_name(type_name)
        self.names.add(name)
        trainable = True
        if "trainable" in kwargs:
            trainable, t_span = kwargs["trainable"]
            if not isinstance(trainable, bool):
                raise ArgumentError("trainable must be true or false", t_span)
        input_shape = None
        if "input_shape" in kwargs or "batch_input_shape" in kwargs:
            key = "input_shape" if "input_shape" in kwargs else "batch_input_shape"
            raw, s = kwargs[key]
            items = raw if isinstance(raw, tuple) else (raw,)
            if key == "batch_input_shape":
                items = items[1:]
            input_shape = self.shape_items(items, [s] * len(items), key)
        elif "input_dim" in kwargs:
            raw, s = kwargs["input_dim"]
            input_shape = self.shape_items((raw,), [s], "input_dim")
        return LayerSpec(type_name, rule, ns, name, span, frozenset(kwargs), trainable, input_shape)

    def auto_name(self, type_name: str) -> str:
        base = self.rules.name_base(type_name)
        while True:
            n = self.counters.get(base, 0)
            self.counters[base] = n + 1
            name = base if n == 0 else f"{base}_{n}"
            if name not in self.names:
                return name

    def unknown_layer(self, name: str, span: Span) -> SymcountError:
        choices = list(self.rules.rules) + list(FUNCTIONS) + list(INPUT_NAMES)
        hint = did_you_mean(name, choices)
        return UnknownLayerError(
            f"{name!r} is not a {self.convention} layer"
            + ("" if hint else "; `symcount layers` lists the layers it knows"),
            span,
            hint=hint,
        )

    def symbol_names(self) -> list[str]:
        found: set[str] = set()
        values = [v for shape in self.inputs for v in shape]
        for r in self.rows:
            values += [r.params, *_flat(r.output_shape)]
        for v in values:
            if D.is_symbolic(v):
                found.update(s.name for s in v.free_symbols)
        names = list(self.declared)
        rest = sorted(found - set(names), key=lambda n: self.first_seen.get(n, 1 << 60))
        return names + rest


def _flat(shape):
    if isinstance(shape, list):
        for s in shape:
            yield from s
    else:
        yield from shape


class _RuleContext:
    """What a wrapper rule may ask of the evaluator: run an inner layer."""

    def __init__(self, ev: Evaluator, spec: LayerSpec):
        self.ev = ev
        self.spec = spec

    def run(self, inner: LayerSpec, shape: tuple) -> Out:
        try:
            out = inner.rule.fn(tuple(shape), inner.ns, _RuleContext(self.ev, inner))
        except SymcountError as e:
            e.message = f"{inner.type_name}: {e.message}"
            raise
        if not inner.trainable:
            out.weights = [w.__class__(w.name, w.dims, False, w.state) for w in out.weights]
        return out
