"""Blocks, residuals and repeats: statements run on an incoming tensor, and the
group rows they make (a block is one row, like a nested Keras model).

A repeat with a numeric count is unrolled; with a symbolic one (or a huge
number) the body runs twice at most: pass 1, then a check that a second pass
keeps the shape, and the count is pass 1 + (N - 1) x pass 2.

A block's formula in its parameters (for ``explain``) is worked out only when
asked for: it is a second, symbolic run of the body, and a numeric model that
is only summarized should not pay for it (nor for importing SymPy). That run
is made by a fresh evaluator from what the call saw, recorded when it was
made (the bindings its text can see, the layers not yet applied): nothing of
the model is changed by it, so models can be read from several threads.

A body that applies no layer still counts as one toward the layer limit, so
``repeat 10000 { repeat 10000 { repeat 10000 { } } }`` ends with an error
instead of running 10**12 empty passes.
"""

from __future__ import annotations

import dataclasses
from _thread import allocate_lock  # threading's Lock, without importing threading
from collections import ChainMap
from collections.abc import Mapping

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError, LimitError, SymcountError, did_you_mean
from ..language import ast
from ..language.values import BlockCall, BlockDef, Deferred, LayerSpec, Stage, Tensor, Word
from ..model import Row
from ..model.builder import NoGraph
from ..model.formula import Formula, declared
from .expressions import FUNCTIONS, INPUT_NAMES

EMPTY_PASS = " (a block call or repeat pass that applies no layer counts as one)"

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

    def run_body(
        self, body, tensor: Tensor, scope: dict | None = None, env=None, span=None
    ) -> Tensor:
        """Run statements starting from ``tensor`` in a new scope; return the last tensor."""
        self.depth += 1
        if self.depth > MAX_BLOCK_DEPTH:
            raise LimitError(
                f"blocks nested deeper than {MAX_BLOCK_DEPTH} (a block calling itself?)", span
            )
        saved_env, saved_current = self.env, self.current
        self.env = (env if env is not None else self.env).new_child(dict(scope or {}))
        self.body_inputs.append(tensor)
        self.current = tensor
        layers = self.total_rows
        try:
            for stmt in body:
                if isinstance(stmt, (ast.ModelStmt, ast.ConventionStmt)):
                    raise ArgumentError("'model' and 'convention' belong at the top", stmt.span)
                self.statement(stmt)
            if self.total_rows == layers:
                self.count_layer(span, EMPTY_PASS)
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

    def env_of(self, block: BlockDef):
        """The scope a block's text runs in: the one it was defined in, as its
        call saw it when this is a block formula's dry run."""
        if self.dry_view is None:
            return block.env
        return self.dry_view.env(block.env)

    def apply_block(self, call: BlockCall, tensor: Tensor) -> Tensor:
        block = call.block
        scope = {}
        saved_env = self.env
        self.env = self.env_of(block).new_child({})
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
            if self.lazy is None:
                self.lazy = FormulaContext(self)
            formula = LazyFormula(self.lazy, block, tensor, scope, self.seen_by(block, scope))
        parent = self.group
        self.group = group = self.graph.group("", block.name, span=call.span, parent=parent)
        try:
            out, rows = self.collect(
                lambda: self.run_body(block.body, tensor, scope, self.env_of(block), call.span)
            )
        finally:
            self.group = parent
        name = self.group_name(block.name)
        self.graph.finish_group(group, name=name)
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
            inputs=(tensor.read_as,),
            source=call.span,
        )
        self.rows.append(row)
        return group_output(out, call.span, row)

    def block_formula(self, block: BlockDef, tensor: Tensor, scope: dict):
        """The block's count as a function of its numeric parameters: the body is
        run once more, on the same input, with those parameters as symbols.
        Called on a dry-run evaluator (FormulaContext.evaluator), thrown away after."""
        numeric = [k for k, v in scope.items() if D.is_num(v) or D.is_symbolic(v)]
        if not numeric:
            return None
        dry_scope = {**scope, **{k: D.symbol(k) for k in numeric}}
        try:
            _, rows = self.collect(
                lambda: self.run_body(block.body, tensor, dry_scope, self.env_of(block))
            )
            general = D.total([r.params for r in rows])
        except SymcountError:
            return None
        if D.is_num(general):
            return None
        return Formula.of(general)

    def seen_by(self, block: BlockDef, scope: dict) -> DryView:
        """What a block's body can see now: for every name its text uses (and the
        text of the blocks it calls), the binding in each scope of its chain;
        and the let-bound or passed-in layers not yet applied. The formula's dry
        run sees these as they are now, whatever the model binds later."""
        saved: dict[int, tuple[dict, dict]] = {}
        unapplied, seen, todo = [], set(), [block]
        for v in scope.values():
            unapplied += self.unapplied(v)
        while todo:
            b = todo.pop()
            if id(b) in seen:
                continue
            seen.add(id(b))
            names = _names_used(b)
            for m in b.env.maps:
                entry = saved.get(id(m))
                if entry is None:
                    entry = saved[id(m)] = (m, {})
                kept = entry[1]
                for name in names:
                    v = m.get(name, _ABSENT)
                    kept[name] = v
                    if isinstance(v, BlockDef):
                        todo.append(v)
                    elif v is not _ABSENT:
                        unapplied += self.unapplied(v)
        return DryView(saved, frozenset(unapplied))

    def unapplied(self, v) -> list:
        """The layers in a bound value whose first call has not happened yet."""
        if isinstance(v, LayerSpec):
            return [v] if self.applied_row(v) is None else []
        if isinstance(v, Stage) and isinstance(v.spec, LayerSpec):
            return self.unapplied(v.spec)
        if isinstance(v, tuple):
            return [s for x in v for s in self.unapplied(x)]
        return []

    def apply_residual(self, stage: Stage, tensor: Tensor) -> Tensor:
        """``residual { body }`` is Add(x, body(x)), with the Add a layer of its own."""
        out = self.run_body(stage.body, tensor, span=stage.span)
        add = self.construct_add(stage.span)
        return self.apply(add, [tensor, out], span=stage.span)

    def construct_add(self, span):
        name = "Add" if self.rules.get("Add") is not None else None
        if name is None:
            raise ArgumentError(
                f"residual needs an Add layer in the {self.convention} convention", span
            )
        return self.construct(name, (), {}, span)

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


class FormulaContext:
    """What the block formulas of one model need of its evaluation, handed
    over when it ends: the convention's rules, ``--set`` values, and the
    names, counters, layer count and applied layers of the whole model (the
    dry run names its layers around them and counts toward the same limit).
    Nothing here changes after the model is made."""

    __slots__ = (
        "applied",
        "convention",
        "counters",
        "evaluator",
        "formulas",
        "names",
        "overrides",
        "rules",
        "total",
    )

    def __init__(self, ev):
        self.evaluator = type(ev)
        # a block called again as it was called before has the same formula: worked
        # out once (a ResNet's identical bottlenecks; explain asks for every call's)
        self.formulas: dict = {}

    def finish(self, ev) -> None:
        self.convention, self.rules, self.overrides = ev.convention, ev.rules, ev.overrides
        self.names, self.counters, self.applied = ev.names, ev.counters, ev.applied
        self.total = ev.total_rows

    def dry_run(self, view: DryView):
        """A fresh evaluator for one block formula, seeing what ``view`` saw."""
        ev = self.evaluator(values=self.overrides, convention=self.convention)
        ev.rules = self.rules
        ev.names = _NamesOver(self.names)
        ev.counters = dict(self.counters)
        ev.total_rows = self.total
        ev.dry, ev.dry_view, ev.graph = True, view, NoGraph()
        ev.model_applied = self.applied
        return ev


class DryView:
    """A block call as its formula's dry run must see it: ``saved`` maps each
    scope of the chains its text reads (by id) to (that scope, the bindings
    of the names the text uses, as they were at the call); ``unapplied`` are
    the layers it could see whose first call had not happened yet."""

    __slots__ = ("saved", "unapplied")

    def __init__(self, saved: dict, unapplied: frozenset):
        self.saved, self.unapplied = saved, unapplied

    def env(self, env: ChainMap) -> ChainMap:
        maps = []
        for m in env.maps:
            kept = self.saved.get(id(m))
            maps.append(m if kept is None else _AsSeen(kept[1], m))
        return ChainMap(*maps)


_ABSENT = object()


class _AsSeen(Mapping):
    """A scope with the names a block uses read as they were at its call."""

    __slots__ = ("live", "seen")

    def __init__(self, seen: dict, live: dict):
        self.seen, self.live = seen, live

    def __getitem__(self, name):
        v = self.seen.get(name, self)
        if v is self:
            return self.live[name]
        if v is _ABSENT:
            raise KeyError(name)
        return v

    def __contains__(self, name) -> bool:
        v = self.seen.get(name, self)
        return name in self.live if v is self else v is not _ABSENT

    def __iter__(self):
        yield from (k for k, v in self.seen.items() if v is not _ABSENT)
        yield from (k for k in self.live if k not in self.seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class LazyFormula:
    """A block's count as a function of its numeric parameters, worked out on
    first use (``.resolve()``, or ``.general``) by a dry run of the body with
    those parameters as symbols, on a fresh evaluator that sees what the call
    saw (a later ``let`` cannot change the answer). It holds only what the
    call recorded, never the evaluator, so a model can be read from several
    threads: the first to ask works the formula out, the others wait for it."""

    __slots__ = ("_block", "_context", "_lock", "_result", "_scope", "_tensor", "_view")

    def __init__(self, context, block: BlockDef, tensor: Tensor, scope: dict, view: DryView):
        self._context, self._block, self._scope, self._view = context, block, dict(scope), view
        self._tensor = Tensor(tensor.shape, tensor.span, parts=tensor.parts)
        self._result = self
        self._lock = allocate_lock()

    def resolve(self) -> Formula | None:
        """The formula, or None when the count does not depend on the parameters."""
        with self._lock:
            if self._result is self:
                self._result = self._run()
                self._context = self._view = self._scope = self._block = None
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
        key = _call_key(self._block, self._tensor, self._scope, self._view)
        known = self._context.formulas.get(key)
        if known is not None:
            return known[0]
        try:
            ev = self._context.dry_run(self._view)
            result = ev.block_formula(self._block, self._tensor, self._scope)
        except RecursionError:
            result = None
        # the objects the key names by id are kept with it, so no id is reused
        self._context.formulas[key] = (result, self._block, self._tensor, self._scope, self._view)
        return result


def _value_key(v):
    """A bound value as a key: itself with its type (1 and True differ), or its
    id when it cannot be hashed."""
    try:
        hash(v)
    except TypeError:
        return ("id", id(v))
    return (type(v), v)


def _call_key(block, tensor, scope: dict, view: DryView) -> tuple:
    """What a block formula's dry run depends on: the block, the input's shape,
    the parameters' values, and what the call saw (view)."""
    parts = tuple(str(p.shape) for p in tensor.parts) if tensor.parts else None
    args = tuple(sorted((k, _value_key(v)) for k, v in scope.items()))
    seen = tuple(
        sorted(
            (sid, tuple(sorted((n, _value_key(b)) for n, b in kept.items())))
            for sid, (_, kept) in view.saved.items()
        )
    )
    return (id(block), str(tensor.shape), parts, args, seen, view.unapplied)


def resolve_formula(formula) -> Formula | None:
    """A row's formula, worked out if it is a block's (lazy) one or declared by its op."""
    return formula.resolve() if isinstance(formula, LazyFormula) else declared(formula)


def group_output(out: Tensor, span, row) -> Tensor:
    """A block's or repeat's output, as the layers after it read it: by the group's name."""
    parts = out.parts
    if parts is not None:
        parts = [Tensor(p.shape, span, row, node=p.node, label=row.name) for p in parts]
    return Tensor(out.shape, span, row, parts=parts, node=out.node, label=row.name)


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
    if isinstance(v, Tensor):
        return v.read_as or "a tensor"
    return P.expr(v) if not isinstance(v, str) else repr(v)
