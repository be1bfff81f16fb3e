"""Walk the syntax tree: evaluate expressions, build layers, apply them in order.

Iterative over statements and stages (no recursion per layer), so a model of
100,000 layers needs no deep stack.
"""

from __future__ import annotations

import re
from collections import ChainMap
from dataclasses import dataclass, field
from fractions import Fraction

from . import ast
from . import dims as D
from . import printing as P
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
from .layers.spec import Formula, Out
from .model import Model, Row
from .values import LayerSpec, Tensor, Word, describe

MAX_LAYERS = 200_000
MAX_UNROLL = 10_000  # a numeric repeat up to this is unrolled; beyond, counted by passes
MAX_BLOCK_DEPTH = 64
CONVENTIONS = ("keras", "torch")
FUNCTIONS = {"ceil": D.ceil, "floor": D.floor, "min": D.minimum, "max": D.maximum}
CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "None": None}
INPUT_NAMES = ("input", "Input")


class _InputValue:
    __slots__ = ("shape", "span")

    def __init__(self, shape, span):
        self.shape = shape
        self.span = span


@dataclass(eq=False)
class BlockDef:
    """``block name(params) { body }``, closed over the scope it was defined in."""

    name: str
    params: tuple  # of ast.Param
    body: tuple
    span: Span
    env: object

    def describe(self) -> str:
        return f"the block {self.name!r}"


@dataclass(eq=False)
class BlockCall:
    """A block with its parameters bound, ready to apply: ``conv_bn(64)``."""

    block: BlockDef
    args: dict
    span: Span


@dataclass(eq=False)
class _Stage:
    """A stage that runs statements on the incoming tensor: repeat, residual,
    a block call repeated with ``* N``, or a bound layer called with keywords."""

    kind: str  # "repeat", "residual", "call"
    span: Span
    body: tuple = ()
    count: object = None
    spec: object = None
    call_kwargs: dict = field(default_factory=dict)


class Evaluator:
    def __init__(self, values: dict | None = None, convention: str | None = None):
        self.overrides = dict(values or {})
        self.used_overrides: set[str] = set()
        self.convention_override = convention
        self.convention = convention or "keras"
        self.rules = rules_for(self.convention)
        self.name = None
        self.env = ChainMap()  # let-bound values, named tensors, blocks; a scope per block
        self.declared: list[str] = []
        self.first_seen: dict[str, int] = {}
        self.rows: list[Row] = []
        self.inputs: list[tuple] = []
        self.current: Tensor | None = None
        self.counters: dict[str, int] = {}
        self.names: set[str] = set()
        self.started = False
        self.body_inputs: list[Tensor] = []  # `input` inside a block names its input
        self.outputs: list[Tensor] | None = None
        self.depth = 0
        self.total_rows = 0
        self.dry = False  # evaluating a block once more for its formula
        self.dry_applied: list[LayerSpec] = []

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
        outputs = self.outputs or ([self.current] if self.current is not None else [])
        return Model(
            name=self.name,
            convention=self.convention,
            rows=self.rows,
            symbols=self.symbol_names(),
            input_shapes=self.inputs,
            outputs=[t.shape for t in outputs],
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
            if self.depth == 0:
                self.outputs = tensors
            self.current = tensors[-1]
        elif isinstance(stmt, ast.BlockStmt):
            self.define_block(stmt)
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
        stages = stmt.value.stages
        if len(stages) == 1 and not isinstance(stages[0], (ast.Repeat, ast.Residual)):
            value = self.value(stages[0])
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
                continue
            if isinstance(value, Tensor):
                if i:
                    raise ShapeError(
                        "a tensor cannot follow '->'; to combine tensors use a merge layer "
                        "such as Concatenate(a, b) or Add(a, b)",
                        stage.span,
                    )
                tensor = value
                continue
            if not isinstance(value, (LayerSpec, BlockCall, _Stage)):
                raise ArgumentError(
                    f"expected a layer, a block, an input or a tensor here, not {describe(value)}",
                    stage.span,
                )
            if tensor is None:
                tensor = self.current
            if tensor is None:
                if not isinstance(value, LayerSpec):
                    raise ShapeError("no input yet: start with input(...)", stage.span)
                tensor = self.implicit_input(value)
            tensor = self.apply_stage(value, tensor, stage.span)
        return tensor

    def stage(self, node):
        if isinstance(node, ast.Repeat):
            return _Stage("repeat", node.span, body=node.body, count=self.count(node.count))
        if isinstance(node, ast.Residual):
            return _Stage("residual", node.span, body=node.body)
        if isinstance(node, ast.BinOp) and node.op == "*" and self.repeatable(node.left):
            # `conv_bn(64) * N`: the call is evaluated afresh on every pass
            body = (ast.Pipeline((node.left,), span=node.left.span),)
            return _Stage("repeat", node.span, body=body, count=self.count(node.right))
        if isinstance(node, ast.Name):
            if node.id in self.env:
                bound = self.env[node.id]
                if isinstance(bound, BlockDef):  # a block used by its name alone
                    return self.bind_block(bound, [], {}, node.span)
                return bound
            if node.id in INPUT_NAMES:
                if self.body_inputs:
                    return self.body_inputs[-1]
                raise ArgumentError(
                    f"{node.id} needs a shape, e.g. input(28, 28, 1) (bare `input` names the "
                    "input of a block, inside one)",
                    node.span,
                )
            if self.rules.get(node.id) is not None:
                return self.construct(node.id, (), (), node.span)
            raise self.unknown_layer(node.id, node.span)
        if isinstance(node, ast.Call):
            return self.value(node)
        value = self.value(node)
        raise ArgumentError(f"expected a layer here, not {describe(value)}", node.span)

    def repeatable(self, node) -> bool:
        """Is this the left side of `block(...) * N` (a block or a layer call)?"""
        target = node.func if isinstance(node, ast.Call) else node
        if not isinstance(target, ast.Name):
            return False
        bound = self.env.get(target.id)
        return isinstance(bound, BlockDef) or (
            bound is None and self.rules.get(target.id) is not None
        )

    def count(self, node):
        """A repeat count: a non-negative integer or a symbolic expression."""
        n = self.number(node)
        if D.is_num(n):
            if not D.is_int(n) or n < 0:
                raise ArgumentError(
                    f"a repeat count must be a whole number >= 0, not {n}", node.span
                )
            return int(n)
        return n

    def apply_stage(self, value, tensor: Tensor, span: Span) -> Tensor:
        if isinstance(value, LayerSpec):
            return self.apply(value, [tensor], span=span if value.row is not None else None)
        if isinstance(value, BlockCall):
            return self.apply_block(value, tensor)
        if value.kind == "call":
            return self.apply(value.spec, [tensor], value.call_kwargs, value.span)
        if value.kind == "residual":
            return self.apply_residual(value, tensor)
        return self.apply_repeat(value, tensor)

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

    # applying layers ------------------------------------------------------

    def apply(self, spec: LayerSpec, tensors: list[Tensor], call_kwargs=None, span=None) -> Tensor:
        """Apply a layer to its input tensors. A layer applied again (a shared
        layer) adds no row and no weights: its first row counts its calls."""
        self.started = True
        span = span or spec.span
        low, high = spec.rule.inputs
        if len(tensors) == 1 and tensors[0].parts is not None:
            if high > 1:
                tensors = tensors[0].parts  # e.g. Bidirectional(merge_mode=None) -> Concatenate
            else:
                raise ShapeError(
                    f"{spec.type_name} takes one tensor, but the previous layer returns "
                    f"{len(tensors[0].parts)} (e.g. Bidirectional with merge_mode=None)",
                    span,
                )
        if not low <= len(tensors) <= high:
            want = (
                f"{low}" if low == high else f"{low} to {high}" if high < 99 else f"{low} or more"
            )
            raise ShapeError(
                f"{spec.name} ({spec.type_name}) takes {want} input tensor"
                f"{'s' if high > 1 else ''}, got {len(tensors)}",
                span,
            )
        shapes = [t.shape for t in tensors]
        if any(isinstance(sh, list) for sh in shapes):
            raise ShapeError(f"{spec.type_name}: an input has several parts", span)
        shape = shapes if high > 1 else shapes[0]
        kwargs = self.call_keywords(spec, call_kwargs or {})
        if spec.row is not None:
            return self.apply_again(spec, shape, kwargs, span)
        if self.total_rows >= MAX_LAYERS:
            raise LimitError(f"more than {MAX_LAYERS:,} layers", span)
        self.total_rows += 1
        row = self.run_rule(spec, shape, kwargs)
        spec.row = row
        if self.dry:
            self.dry_applied.append(spec)
        self.rows.append(row)
        return self.tensor_of(row.output_shape, span, row)

    def apply_again(self, spec: LayerSpec, shape, kwargs, span) -> Tensor:
        out = self.call_rule(spec, shape, kwargs)
        before = [w.shape for w in spec.row.weights]
        now = [w.shape for w in out.weights]
        if [tuple(map(str, s)) for s in before] != [tuple(map(str, s)) for s in now]:
            raise ShapeError(
                f"the shared layer {spec.name} was built with weights of shapes "
                f"{_shapes(before)}; this call would need {_shapes(now)}",
                span,
            )
        if not self.dry:
            spec.row.calls += 1
        return self.tensor_of(out.shape, span, spec.row)

    def call_keywords(self, spec: LayerSpec, kwargs: dict) -> dict:
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
    def tensor_of(out, span, row) -> Tensor:
        if isinstance(out, list):
            return Tensor(out, span, row, parts=[Tensor(s, span, row) for s in out])
        return Tensor(out, span, row)

    def call_rule(self, spec: LayerSpec, shape, call_kwargs=None) -> Out:
        try:
            return spec.rule.fn(
                tuple(shape) if isinstance(shape, tuple) else shape,
                spec.ns,
                _RuleContext(self, spec, call_kwargs or {}),
            )
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

    def run_rule(self, spec: LayerSpec, shape, call_kwargs=None) -> Row:
        out = self.call_rule(spec, shape, call_kwargs)
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

    # blocks, residuals, repeats -------------------------------------------

    def define_block(self, stmt: ast.BlockStmt):
        if stmt.name in self.rules or stmt.name in INPUT_NAMES or stmt.name in FUNCTIONS:
            raise ArgumentError(
                f"a block cannot be named {stmt.name!r}: that is a layer or function", stmt.span
            )
        seen = set()
        for prm in stmt.params:
            if prm.name in seen:
                raise ArgumentError(f"parameter {prm.name!r} is given twice", prm.span)
            seen.add(prm.name)
        self.env[stmt.name] = BlockDef(stmt.name, stmt.params, stmt.body, stmt.span, self.env)

    def bind_block(self, block: BlockDef, args, kwargs, span) -> BlockCall:
        params = block.params
        if len(args) > len(params):
            raise ArgumentError(
                f"block {block.name} takes {len(params)} argument"
                f"{'s' if len(params) != 1 else ''}"
                f" ({', '.join(p.name for p in params) or 'none'}), got {len(args)}",
                args[len(params)][1] if len(args) > len(params) else span,
            )
        bound = {}
        for prm, (value, _) in zip(params, args, strict=False):
            bound[prm.name] = value
        names = {p.name for p in params}
        for key, (value, kspan) in kwargs.items():
            if key not in names:
                raise ArgumentError(
                    f"block {block.name} has no parameter {key!r}",
                    kspan,
                    hint=did_you_mean(key, names),
                )
            if key in bound:
                raise ArgumentError(f"block {block.name} got {key!r} twice", kspan)
            bound[key] = value
        for prm in params:
            if prm.name not in bound:
                if prm.default is None:
                    raise ArgumentError(f"block {block.name} needs the argument {prm.name!r}", span)
                bound[prm.name] = _Deferred(prm.default)
        return BlockCall(block, bound, span)

    def run_body(self, body, tensor: Tensor, scope: dict | None = None, env=None) -> Tensor:
        """Run statements starting from ``tensor`` in a new scope; return the last tensor."""
        self.depth += 1
        if self.depth > MAX_BLOCK_DEPTH:
            raise LimitError(
                f"blocks nested deeper than {MAX_BLOCK_DEPTH} (a block calling itself?)"
            )
        saved_env, saved_current = self.env, self.current
        self.env = (env if env is not None else self.env).new_child(dict(scope or {}))
        self.body_inputs.append(tensor)
        self.current = tensor
        try:
            for stmt in body:
                if isinstance(stmt, (ast.ModelStmt, ast.ConventionStmt)):
                    raise ArgumentError("'model' and 'convention' belong at the top", stmt.span)
                self.statement(stmt)
            return self.current
        finally:
            self.env, self.current = saved_env, saved_current
            self.body_inputs.pop()
            self.depth -= 1

    def collect(self, fn):
        """Run fn() with a fresh row list; return (result, rows it made)."""
        saved = self.rows
        self.rows = []
        try:
            return fn(), self.rows
        finally:
            self.rows = saved

    def apply_block(self, call: BlockCall, tensor: Tensor) -> Tensor:
        block = call.block
        scope = {}
        saved_env = self.env
        self.env = block.env.new_child({})
        try:  # defaults are evaluated in the block's scope, after the given arguments
            for prm in block.params:
                v = call.args[prm.name]
                if isinstance(v, _Deferred):
                    self.env.maps[0].update(scope)
                    v = self.value(v.node)
                scope[prm.name] = v
        finally:
            self.env = saved_env
        formula = self.block_formula(block, tensor, scope)
        out, rows = self.collect(lambda: self.run_body(block.body, tensor, scope, block.env))
        name = self.group_name(block.name)
        args = ", ".join(f"{k}={_show(v)}" for k, v in scope.items())
        row = Row(
            name,
            block.name,
            out.shape,
            [],
            call.span,
            group=True,
            children=rows,
            notes=[f"block {block.name}({args})" if args else f"block {block.name}"],
            state_as_buffers=self.rules.state_as_buffers,
            formula=formula,
        )
        self.rows.append(row)
        return Tensor(out.shape, call.span, row, parts=out.parts)

    def block_formula(self, block: BlockDef, tensor: Tensor, scope: dict):
        """The block's count as a function of its numeric parameters: the body is
        run once more, on the same input, with those parameters as symbols.
        Nothing of that dry run stays (names, counters, shared-layer state)."""
        numeric = [k for k, v in scope.items() if D.is_num(v) or D.is_symbolic(v)]
        if not numeric or self.dry:
            return None
        dry_scope = {**scope, **{k: D.symbol(k) for k in numeric}}
        saved = (dict(self.counters), set(self.names), self.total_rows, list(self.inputs))
        self.dry, self.dry_applied = True, []
        try:
            _, rows = self.collect(lambda: self.run_body(block.body, tensor, dry_scope, block.env))
            general = D.total([r.params for r in rows])
        except SymcountError:
            return None
        finally:
            self.counters, self.names, self.total_rows, self.inputs = saved
            for spec in self.dry_applied:
                spec.row = None
            self.dry, self.dry_applied = False, []
        if D.is_num(general):
            return None
        return Formula(P.expr(general), P.expr(general))

    def apply_residual(self, stage: _Stage, tensor: Tensor) -> Tensor:
        """``residual { body }`` is Add(x, body(x)), with the Add a layer of its own."""
        out = self.run_body(stage.body, tensor)
        add = self.construct_add(stage.span)
        return self.apply(add, [tensor, out], span=stage.span)

    def construct_add(self, span):
        name = "Add" if self.rules.get("Add") is not None else None
        if name is None:
            raise ArgumentError(
                f"residual needs an Add layer in the {self.convention} convention", span
            )
        return self.construct(name, (), {}, span)

    def apply_repeat(self, stage: _Stage, tensor: Tensor) -> Tensor:
        n = stage.count
        if D.is_num(n) and n <= MAX_UNROLL:
            rows, out = [], tensor
            for _ in range(n):
                out, made = self.collect(lambda t=out: self.run_body(stage.body, t))
                rows += made
            row = self.repeat_row(stage, n, out.shape, rows)
            return Tensor(out.shape, stage.span, row, parts=out.parts)
        # Symbolic (or huge) N: pass 1, then check that a second pass keeps the shape;
        # the count is pass 1 + (N - 1) x pass 2, never unrolled.
        out1, rows1 = self.collect(lambda: self.run_body(stage.body, tensor))
        if _same_shape(out1.shape, tensor.shape):
            steady = Row(
                "each pass",
                "repeat pass",
                out1.shape,
                [],
                stage.span,
                group=True,
                children=rows1,
                multiplier=n,
                state_as_buffers=self.rules.state_as_buffers,
            )
            return self.finish_repeat(stage, n, out1, [steady])
        out2, rows2 = self.collect(lambda: self.run_body(stage.body, out1))
        changed = _changed_axis(out1.shape, out2.shape)
        if changed is not None:
            axis, a, b = changed
            raise ShapeError(
                f"repeat {P.expr(n)}: the body does not reach a fixed shape: after the first "
                f"pass {axis} is {a}, after the second {b}; a repeat with a symbolic count "
                "needs every pass after the first to keep the shape",
                stage.span,
            )
        first = Row(
            "pass 1",
            "repeat pass",
            out1.shape,
            [],
            stage.span,
            group=True,
            children=rows1,
            state_as_buffers=self.rules.state_as_buffers,
        )
        steady = Row(
            "passes 2..N",
            "repeat pass",
            out2.shape,
            [],
            stage.span,
            group=True,
            children=rows2,
            multiplier=D.sub(n, 1),
            state_as_buffers=self.rules.state_as_buffers,
        )
        return self.finish_repeat(stage, n, out2, [first, steady])

    def finish_repeat(self, stage, n, out: Tensor, children) -> Tensor:
        row = self.repeat_row(stage, n, out.shape, children)
        return Tensor(out.shape, stage.span, row, parts=out.parts)

    def repeat_row(self, stage, n, shape, children) -> Row:
        row = Row(
            self.group_name("repeat"),
            f"repeat x{P.expr(n)}",
            shape,
            [],
            stage.span,
            group=True,
            children=children,
            state_as_buffers=self.rules.state_as_buffers,
        )
        self.rows.append(row)
        return row

    def group_name(self, base: str) -> str:
        while True:
            k = self.counters.get(base, 0)
            self.counters[base] = k + 1
            name = base if k == 0 else f"{base}_{k}"
            if name not in self.names:
                self.names.add(name)
                return name

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
        spec = self.construct(fname, args, kwargs, node.span)
        if tensors:  # Concatenate(a, b): apply at once
            return self.apply(spec, tensors, span=node.span)
        return spec

    def call_args(self, node: ast.Call):
        """Leading tensor arguments are inputs; the rest configure the layer."""
        tensors, args = [], []
        for x in node.args:
            v = self.value(x)
            if isinstance(v, Tensor):
                if args:
                    raise ArgumentError("tensors must come before the other arguments", x.span)
                tensors.append(v)
            else:
                args.append((v, x.span))
        kwargs = {k.name: (self.value(k.value), k.span) for k in node.kwargs}
        for key, (v, kspan) in kwargs.items():
            if isinstance(v, Tensor):
                raise ArgumentError(f"pass tensors by position, not as {key}=", kspan)
        return tensors, args, kwargs

    def call_target(self, target, node: ast.Call, span: Span):
        """``enc(x)``, ``wte(h, reverse=true)``, ``conv_bn(64)``, ``Layer(...)(a, b)``."""
        tensors, args, kwargs = self.call_args(node)
        if isinstance(target, BlockDef):
            call = self.bind_block(target, args, kwargs, node.span)
            if not tensors:
                return call
            if len(tensors) > 1:
                raise ArgumentError(f"block {target.name} takes one input tensor", node.span)
            return self.apply_block(call, tensors[0])
        if isinstance(target, LayerSpec):
            if args:
                raise ArgumentError(
                    f"{target.name} is already constructed; call it with tensors "
                    "(and call keywords), e.g. enc(x)",
                    args[0][1],
                )
            if not tensors:
                return _Stage("call", node.span, spec=target, call_kwargs=kwargs)
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
    """What a rule may ask of the evaluator: run an inner layer (wrappers), and
    the keywords of this call (``reverse=true``)."""

    def __init__(self, ev: Evaluator, spec: LayerSpec, call_kwargs: dict | None = None):
        self.ev = ev
        self.spec = spec
        self.call_kwargs = call_kwargs or {}

    def run(self, inner: LayerSpec, shape: tuple) -> Out:
        try:
            out = inner.rule.fn(tuple(shape), inner.ns, _RuleContext(self.ev, inner))
        except SymcountError as e:
            e.message = f"{inner.type_name}: {e.message}"
            raise
        if not inner.trainable:
            out.weights = [w.__class__(w.name, w.dims, False, w.state) for w in out.weights]
        return out


class _Deferred:
    """A block parameter's default, evaluated when the block is applied."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node


def _show(v) -> str:
    if isinstance(v, Word):
        return v.name
    if isinstance(v, tuple):
        return "(" + ", ".join(_show(x) for x in v) + ")"
    if isinstance(v, LayerSpec):
        return v.name
    return P.expr(v) if not isinstance(v, str) else repr(v)


def _shapes(shapes) -> str:
    return ", ".join(P.shape(s, batch=False) for s in shapes)


def _same_shape(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(_same_shape(x, y) for x, y in zip(a, b, strict=True))
        )
    return len(a) == len(b) and all(D.equal(x, y) is True for x, y in zip(a, b, strict=True))


def _changed_axis(a, b):
    """(axis description, before, after) of the first axis that differs, or None."""
    if isinstance(a, list) or isinstance(b, list):
        return None if _same_shape(a, b) else ("the output", P.shape(a), P.shape(b))
    if len(a) != len(b):
        return ("the rank", len(a) + 1, len(b) + 1)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if D.equal(x, y) is not True:
            return (f"axis {i + 1}", P.expr(x), P.expr(y))
    return None
