"""Blocks, residuals and repeats: statements run on an incoming tensor, and the
group rows they make (a block is one row, like a nested Keras model).

A repeat with a numeric count is unrolled; with a symbolic one (or a huge
number) the body runs twice at most: pass 1, then a check that a second pass
keeps the shape, and the count is pass 1 + (N - 1) x pass 2.

A block's formula in its parameters (for ``explain``) is worked out only when
asked for: it is a second, symbolic run of the body, and a numeric model that
is only summarized should not pay for it (nor for importing SymPy).
"""

from __future__ import annotations

import dataclasses
import sys

from . import ast
from . import dims as D
from . import printing as P
from .errors import ArgumentError, LimitError, ShapeError, SymcountError, did_you_mean
from .expressions import FUNCTIONS, INPUT_NAMES
from .formula import Formula
from .model import Row
from .values import BlockCall, BlockDef, Deferred, LayerSpec, Stage, Tensor, Word

MAX_UNROLL = 10_000  # a numeric repeat up to this is unrolled; beyond, counted by passes
MAX_BLOCK_DEPTH = 64


class BlocksMixin:
    """The Evaluator's handling of blocks, residuals and repeats."""

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
                bound[prm.name] = Deferred(prm.default)
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
                if isinstance(v, Deferred):
                    self.env.maps[0].update(scope)
                    v = self.value(v.node)
                scope[prm.name] = v
        finally:
            self.env = saved_env
        formula = None
        if not self.dry and any(D.is_num(v) or D.is_symbolic(v) for v in scope.values()):
            formula = LazyFormula(self, block, tensor, scope)
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
        # the dry run's names go in a layer over the real ones (a copy of the real
        # set for each block would make a model of many blocks quadratic)
        saved = (dict(self.counters), self.names, self.total_rows, list(self.inputs))
        self.names = _NamesOver(self.names)
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
        return Formula.of(general)

    def seen_by(self, block: BlockDef, scope: dict) -> tuple[list, list]:
        """What a block's body can see now: for every name its text uses (and the
        text of the blocks it calls), the binding in each scope of its chain;
        and the let-bound or passed-in layers not yet applied. Restoring them
        later lets the formula's dry run see what the real run saw."""
        bindings, unapplied, seen, todo = [], [], set(), [block]
        for v in scope.values():
            unapplied += _unapplied(v)
        while todo:
            b = todo.pop()
            if id(b) in seen:
                continue
            seen.add(id(b))
            for name in _names_used(b):
                for m in b.env.maps:
                    present = name in m
                    v = m.get(name)
                    bindings.append((m, name, present, v))
                    if isinstance(v, BlockDef):
                        todo.append(v)
                    else:
                        unapplied += _unapplied(v)
        return bindings, unapplied

    def apply_residual(self, stage: Stage, tensor: Tensor) -> Tensor:
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

    def apply_repeat(self, stage: Stage, tensor: Tensor) -> Tensor:
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


class _NamesOver(set):
    """The names a dry run adds, seen together with the real run's below."""

    __slots__ = ("below",)

    def __init__(self, below: set):
        super().__init__()
        self.below = below

    def __contains__(self, name) -> bool:
        return set.__contains__(self, name) or name in self.below


class LazyFormula:
    """A block's count as a function of its numeric parameters, worked out on
    first use (``.resolve()``, or ``.general``) by a dry run of the body with
    those parameters as symbols, in the state the block was applied in: the
    bindings its text can see and which shared layers were still unapplied
    are captured at the call and put back for the dry run (a later ``let``
    cannot change the answer)."""

    __slots__ = ("_block", "_ev", "_result", "_scope", "_seen", "_tensor")

    def __init__(self, ev, block: BlockDef, tensor: Tensor, scope: dict):
        self._ev, self._block, self._tensor, self._scope = ev, block, tensor, dict(scope)
        self._seen = ev.seen_by(block, scope)
        self._result = self

    def resolve(self) -> Formula | None:
        """The formula, or None when the count does not depend on the parameters."""
        if self._result is self:
            self._result = self._run()
            self._ev = self._seen = None  # done: let the evaluator go
        return self._result

    # read like a Formula (row.formula.general); None when there is no formula
    @property
    def general(self) -> str | None:
        f = self.resolve()
        return f.general if f is not None else None

    @property
    def numbers(self) -> str | None:
        f = self.resolve()
        return f.numbers if f is not None else None

    def _run(self) -> Formula | None:
        bindings, unapplied = self._seen
        now = [(m, name, name in m, m.get(name)) for m, name, _, _ in bindings]
        rows = [(spec, spec.row) for spec in unapplied]
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 8000))  # as symcount.parse evaluates
        try:
            for m, name, present, v in bindings:
                _bind(m, name, present, v)
            for spec in unapplied:
                spec.row = None
            return self._ev.block_formula(self._block, self._tensor, self._scope)
        except RecursionError:
            return None
        finally:
            sys.setrecursionlimit(limit)
            for m, name, present, v in reversed(now):
                _bind(m, name, present, v)
            for spec, row in rows:
                spec.row = row


def resolve_formula(formula) -> Formula | None:
    """A row's formula, worked out if it is a block's (lazy) one."""
    return formula.resolve() if isinstance(formula, LazyFormula) else formula


def _bind(m: dict, name: str, present: bool, v) -> None:
    if present:
        m[name] = v
    else:
        m.pop(name, None)


def _unapplied(v) -> list:
    """The layers in a bound value whose first call has not happened yet."""
    if isinstance(v, LayerSpec):
        return [v] if v.row is None else []
    if isinstance(v, Stage) and isinstance(v.spec, LayerSpec):
        return _unapplied(v.spec)
    if isinstance(v, tuple):
        return [s for x in v for s in _unapplied(x)]
    return []


def _names_used(block: BlockDef) -> frozenset:
    """Every name in a block's text (parameters' defaults and nested blocks
    included), found once: more than the body looks up is harmless."""
    if block.names is None:
        found, todo = set(), [*block.body, *(p.default for p in block.params if p.default)]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Name):
                found.add(node.id)
            else:
                for f in dataclasses.fields(node):
                    value = getattr(node, f.name)
                    if isinstance(value, ast.Node):
                        todo.append(value)
                    elif isinstance(value, tuple):
                        todo += [x for x in value if isinstance(x, ast.Node)]
        block.names = frozenset(found)
    return block.names


def _show(v) -> str:
    if isinstance(v, Word):
        return v.name
    if isinstance(v, tuple):
        return "(" + ", ".join(_show(x) for x in v) + ")"
    if isinstance(v, LayerSpec):
        return v.name
    return P.expr(v) if not isinstance(v, str) else repr(v)


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
