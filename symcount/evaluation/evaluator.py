"""Walk the syntax tree: evaluate expressions, build layers, apply them in order.

Iterative over statements and stages (no recursion per layer), so a model of
100,000 layers needs no deep stack.

Two views come out of one walk: the graph (symcount.model.graph: a layer, each of
its calls, the tensors between them) and the summary's rows (a layer's first
call, blocks and repeats as group rows), built side by side. Which layers
have been applied is the evaluator's own record (``applied``), never written
into the layer values a block formula's dry run may read again.
"""

from __future__ import annotations

from collections import ChainMap

from .. import dims as D
from .. import printing as P
from ..conventions import rules_for
from ..conventions.binding import bind
from ..errors import (
    ArgumentError,
    LimitError,
    ShapeError,
    Span,
    SymcountError,
    UnknownLayerError,
    did_you_mean,
)
from ..language import ast
from ..language.values import BlockCall, BlockDef, LayerSpec, Stage, Tensor, Word, describe
from ..model import Model, Row
from ..model import quantities as Q
from ..model.builder import GraphBuilder, LazyGraph, input_name
from ..ops.parameter import check_inputs
from ..ops.spec import Out
from .blocks import BlocksMixin
from .costs import CostsMixin
from .expressions import CONSTANTS, FUNCTIONS, INPUT_NAMES, NESTED, ExpressionsMixin, _InputValue
from .repeats import RepeatsMixin
from .tensors import TensorsMixin, several

MAX_LAYERS = 200_000
CONVENTIONS = ("keras", "torch")


class Evaluator(ExpressionsMixin, BlocksMixin, RepeatsMixin, TensorsMixin, CostsMixin):
    def __init__(self, values: dict | None = None, convention: str | None = None, counting=None):
        self.overrides = dict(values or {})
        # how compute is counted (symcount.counting.Counting); None: each op's own MACs
        self.counting = None if counting is None or counting.name == "default" else counting
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
        self.unnamed_inputs = 0  # Keras numbers the inputs given no name= only
        self.current: Tensor | None = None
        self.counters: dict[str, int] = {}
        self.names: set[str] = set()
        self.started = False
        self.body_inputs: list[Tensor] = []  # `input` inside a block names its input
        self.outputs: list[Tensor] | None = None
        self.depth = 0
        self.total_rows = 0
        self.dry = False  # evaluating a block once more for its formula
        self.dry_view = None  # then: what the block's call saw (blocks.DryView)
        self.model_applied: dict[LayerSpec, tuple] = {}  # and the whole model's layers
        self.graph = GraphBuilder(self.convention)
        self.group: int | None = None  # the graph group (block, repeat) being run
        self.applied: dict[LayerSpec, tuple] = {}  # spec -> (graph layer id, its row)
        self.layer_rows: list[Row] = []  # by graph layer id
        self.lazy = None  # what block formulas need of this run (blocks.FormulaContext)
        self.after_arrow = None  # the stage after '->' being evaluated

    # statements ---------------------------------------------------------

    def run(self, program: ast.Program) -> Model:
        for stmt in program.statements:
            try:
                self.statement(stmt)
            except RecursionError:  # deeper than any check caught: the statement is the place
                raise LimitError(
                    f"{NESTED} (an expression or block nesting too long)", stmt.span
                ) from None
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
        for t in outputs:
            self.graph.output(*(p.node for p in t.parts) if t.parts else (t.node,))
        calls = self.graph.repeated_calls()  # a call in a repeat counts as often as the repeat
        for layer, costs in self.graph.shared_costs().items():
            # a shared layer: one row, its weights once, each call's compute on its own shapes
            row = self.layer_rows[layer]
            row.calls, row.call_costs = calls.get(layer, len(costs)), costs
        self.graph.convention = self.convention
        if self.lazy is not None:
            self.lazy.finish(self)
        return Model(
            name=self.name,
            convention=self.convention,
            counting="default" if self.counting is None else self.counting.name,
            rows=self.rows,
            symbols=self.symbol_names(),
            input_shapes=self.inputs,
            outputs=[t.shape for t in outputs],
            _graph=LazyGraph(self.graph.build),
        )

    def statement(self, stmt):
        if isinstance(stmt, ast.Pipeline):
            self.current = self.pipeline(stmt)
        elif isinstance(stmt, ast.AssignStmt):
            self.check_tensor_name(stmt.name, stmt.span)
            value = self.pipeline(stmt.value)
            self.name_tensor(value, stmt.value, stmt.name)
            self.env[stmt.name] = value
            self.current = value
        elif isinstance(stmt, ast.LetStmt):
            self.check_tensor_name(stmt.name, stmt.span)
            self.let(stmt)
        elif isinstance(stmt, ast.UnpackStmt):
            self.unpack(stmt)
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
            else:  # a block's outputs: one tensor, or several (out, h = x -> enc)
                self.current = several(tensors, stmt.span)
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
        if isinstance(value, Tensor):
            self.name_tensor(value, stmt.value, stmt.name)
        self.env[stmt.name] = value

    def name_tensor(self, tensor: Tensor, pipe: ast.Pipeline, name: str) -> None:
        """``x = ...``: the tensor the binding made is listed by that name. A
        binding that only copies one (``y = x``, ``a = input``) names nothing."""
        stages = pipe.stages
        if len(stages) == 1 and isinstance(stages[0], ast.Name):
            word = stages[0].id
            if isinstance(self.env.get(word), Tensor) or (
                word in INPUT_NAMES and word not in self.env
            ):
                return
        for t in tensor.parts or [tensor]:
            if t.name is None:
                t.name = name
                if t.node is not None:
                    self.graph.name(t.node, name)
        if tensor.name is None:
            tensor.name = name

    # pipelines ----------------------------------------------------------

    def pipeline(self, pipe: ast.Pipeline) -> Tensor:
        saved = self.after_arrow
        try:
            return self._pipeline(pipe)
        finally:
            self.after_arrow = saved

    def _pipeline(self, pipe: ast.Pipeline) -> Tensor:
        tensor = None
        for i, stage in enumerate(pipe.stages):
            self.after_arrow = stage if i else None  # a stage after '->', as it is evaluated
            value = self.stage(stage)
            self.after_arrow = None
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
            if not isinstance(value, (LayerSpec, BlockCall, Stage)):
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
            return Stage("repeat", node.span, body=node.body, count=self.count(node.count))
        if isinstance(node, ast.Residual):
            return Stage("residual", node.span, body=node.body)
        if isinstance(node, ast.BinOp) and node.op == "*" and self.repeatable(node.left):
            # `conv_bn(64) * N`: the call is evaluated afresh on every pass
            body = (ast.Pipeline((node.left,), span=node.left.span),)
            return Stage("repeat", node.span, body=body, count=self.count(node.right))
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
        if isinstance(node, (ast.Call, ast.Index)):
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
            # a let-bound layer's first call reports errors where it was made
            again = self.applied_row(value) is not None
            return self.apply(value, [tensor], span=span if again else None, site=span)
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
        label = value.name
        if label is None:
            label = input_name(self.unnamed_inputs)
            self.unnamed_inputs += 1
        self.inputs.append(value.shape)
        node = self.graph.input(value.shape, label=label)
        return Tensor(value.shape, value.span, node=node, label=label)

    # applying layers ------------------------------------------------------

    def apply(
        self, spec: LayerSpec, tensors: list[Tensor], call_kwargs=None, span=None, site=None
    ) -> Tensor:
        """Apply a layer to its input tensors. A layer applied again (a shared
        layer) adds no row and no weights: the graph has one more call of it.
        ``span`` is where errors point; ``site`` where the call is written."""
        self.started = True
        site = site or span or spec.span
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
        refused = check_inputs(spec.rule, shapes)  # a Parameter where a batch is needed
        if refused:
            raise ShapeError(f"{spec.name} ({spec.type_name}): {refused}", span)
        shape = shapes if high != 1 else shapes[0]  # a source (Parameter) takes none
        self.reading = tensors  # for the counting in force: does it read a model input?
        given = self.call_keywords(spec, call_kwargs or {})
        kwargs = self.keyword_shapes(given)
        applied = self.applied_row(spec)
        if applied is not None:
            return self.apply_again(spec, applied, shape, kwargs, span, site, tensors)
        self.count_layer(span)
        row = self.run_rule(spec, shape, kwargs)
        # a call keyword's tensors (initial_state=[h, c]) are inputs too, as Keras lists them
        row.inputs = tuple([t.read_as for t in [*tensors, *self.keyword_tensors(given)]])
        row.made_by = tensors[0].label if tensors else None  # for explain's "conv2d's output"
        row.source = site
        layer = self.graph.layer(
            spec.name,
            spec.type_name,
            row.weights,
            op=spec.rule.name,
            args={k: v for k, v in vars(spec.ns).items() if k[0] != "_"},
            frozen=row.frozen,
            span=spec.span,
            inner=tuple(
                self.graph.inner_layer(c.name, c.type, c.weights, frozen=c.frozen, span=c.span)
                for c in row.children
            )
            if row.children
            else (),
        )
        self.applied[spec] = (layer, row)
        self.layer_rows.append(row)
        self.rows.append(row)
        nodes = self.record_call(layer, tensors, row.output_shape, site, row.call_costs[0])
        return self.tensor_of(row.output_shape, span, row, nodes)

    def count_layer(self, span, why: str = "", n: int = 1) -> None:
        """Count ``n`` layers toward the limit (``why``: how they count)."""
        self.check_layers(span, why, n)
        self.total_rows += n

    def check_layers(self, span, why: str, n: int) -> None:
        """Raise the limit error if ``n`` more layers would pass the limit."""
        if self.total_rows + n > MAX_LAYERS:
            raise LimitError(f"more than {MAX_LAYERS:,} layers{why}", span)

    def applied_row(self, spec: LayerSpec):
        """(graph layer id, row) of the layer's first call, or None if not applied
        yet. A block formula's dry run also sees the layers its call saw applied."""
        got = self.applied.get(spec)
        if got is None and self.dry_view is not None and spec not in self.dry_view.unapplied:
            got = self.model_applied.get(spec)
        return got

    def record_call(self, layer, tensors: list[Tensor], shape, site, costs) -> tuple:
        shapes = shape if isinstance(shape, list) else [shape]
        nodes = (tensors[0].node,) if len(tensors) == 1 else tuple([t.node for t in tensors])
        return self.graph.call(layer, nodes, shapes, span=site, group=self.group, quantities=costs)

    def apply_again(self, spec: LayerSpec, applied, shape, kwargs, span, site, tensors) -> Tensor:
        layer, row = applied
        out = self.call_rule(spec, shape, kwargs)
        before = [w.shape for w in row.weights]
        now = [w.shape for w in out.weights]
        if [tuple(map(str, s)) for s in before] != [tuple(map(str, s)) for s in now]:
            raise ShapeError(
                f"the shared layer {spec.name} was built with weights of shapes "
                f"{_shapes(before)}; this call would need {_shapes(now)}",
                span,
            )
        nodes = self.record_call(layer, tensors, out.shape, site, out.costs)
        return self.tensor_of(out.shape, span, row, nodes)

    def call_rule(self, spec: LayerSpec, shape, call_kwargs=None) -> Out:
        try:
            out = spec.rule.fn(
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
            raise LimitError(f"{spec.name} ({spec.type_name}): {D.TOO_LARGE}", spec.span) from None
        if why := D.layer_problem(out):  # computed dims obey the limits literals do
            raise LimitError(f"{spec.name} ({spec.type_name}): {why}", spec.span)
        out.costs = self.call_costs(spec, shape, out, call_kwargs)
        return out

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
            call_costs=(out.costs,),
            shape_steps=tuple(out.steps),
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
            shape_steps=tuple(out.steps),
        )

    def construct(self, type_name: str, args, kwargs, span: Span) -> LayerSpec:
        rule, type_name = self.rules.get(type_name), self.rules.shown(type_name)  # its class
        try:
            ns = bind(rule, list(args), dict(kwargs))
        except SymcountError as e:  # a missing argument: the call is the place
            raise e.at(span) from None
        if isinstance(getattr(ns, "cell", None), tuple | list):  # Keras names RNN([...])'s stack
            ns._stack = self.auto_name("StackedRNNCells")  # as it makes it, from its counter
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
        message, hint = self.rules.unknown(name, [*FUNCTIONS, *INPUT_NAMES])
        return UnknownLayerError(message, span, hint=hint)

    def symbol_names(self) -> list[str]:
        found: set[str] = set()
        values = [v for shape in self.inputs for v in shape]
        # weight counts (a buffer may be a symbol's only use); costs use the shapes' symbols
        counted = [q.name for q in Q.REGISTRY if q.cost is None and q.default]
        for r in self.rows:
            values += [*(r.count(n) for n in counted), *_flat(r.output_shape)]
        # a repeat's count may reach only the costs (a shared layer in repeat L): its symbols too
        stack = list(self.rows)
        while stack:
            r = stack.pop()
            values += [r.multiplier, r.calls]
            stack += r.children
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


def _shapes(shapes) -> str:
    return ", ".join(P.shape(s, batch=False) for s in shapes)
