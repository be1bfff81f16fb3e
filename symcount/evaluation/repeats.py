"""``repeat``: a numeric count up to MAX_UNROLL unrolled pass by pass, a
symbolic or larger one counted by passes (pass 1, then N - 1 times pass 2),
never unrolled; and the layer limit checked before the work is done.

A layer made before the repeat and first applied inside it (``let s =
Dense(8)``, then ``repeat L { s }``) is shared by every pass: its weights
count once, as in an unrolled repeat, where only pass 1 has its row. So its
body is counted as pass 1 and N - 1 times pass 2 even when the shape is
steady: pass 2 calls it again and adds no row, only the fresh layers'."""

from __future__ import annotations

from itertools import islice

from .. import dims as D
from .. import printing as P
from ..errors import ShapeError
from ..language import ast
from ..language.values import Stage, Tensor, next_serial
from ..model import Row
from .blocks import EMPTY_PASS, MAX_UNROLL, group_output


class RepeatsMixin:
    """The evaluator's ``repeat`` (a mixin of Evaluator, beside BlocksMixin)."""

    def apply_repeat(self, stage: Stage, tensor: Tensor) -> Tensor:
        n = stage.count
        parent = self.group
        self.group = group = self.graph.group("", "", span=stage.span, parent=parent)
        try:
            if D.is_num(n) and n <= MAX_UNROLL:
                out, children = self.unroll(stage, n, tensor)
            else:
                out, children = self.passes(stage, n, tensor)
        finally:
            self.group = parent
        row = self.repeat_row(stage, n, out.shape, children, tensor)
        self.graph.finish_group(group, name=row.name, type=row.type)
        return group_output(out, stage.span, row)

    def unroll(self, stage: Stage, n: int, tensor: Tensor) -> tuple[Tensor, list]:
        # Known from the text alone: n passes of at least this many layers each.
        # Past the limit, say so before unrolling (nested `repeat 2` doubles the
        # work at every level and would run for minutes to reach the limit).
        fewest, calls = _fewest_layers(stage.body)
        self.check_layers(stage.span, "" if calls else EMPTY_PASS, n * fewest)
        rows, out, done = [], tensor, 0
        while done < n:
            before = (self.total_rows, len(self.names), len(self.inputs))
            layers = len(self.layer_rows)
            new, made = self.collect(lambda t=out: self.run_body(stage.body, t, span=stage.span))
            rows += made
            done += 1
            after = (self.total_rows - 1, len(self.names), len(self.inputs))
            if new is out and not made and after == before:
                # the pass changed nothing (no layer, no name, no input): the
                # others would be the same, so only their count toward the limit is left
                self.count_layer(stage.span, EMPTY_PASS, n - done)
                break
            if done == 1 and n > 1:
                # every pass runs the same statements, so counts as many layers
                # as the first: past the limit, say so now rather than after
                # unrolling up to it (seconds for 200,000 block calls)
                why = "" if len(self.layer_rows) > layers else EMPTY_PASS
                self.check_layers(stage.span, why, (self.total_rows - before[0]) * (n - 1))
            out = new
        return out, rows

    def passes(self, stage: Stage, n, tensor: Tensor) -> tuple[Tensor, list]:
        """Symbolic (or huge) N: pass 1, then check that a second pass keeps the
        shape; the count is pass 1 + (N - 1) x pass 2, never unrolled."""
        repeat = self.group
        self.group = self.graph.group("", "repeat pass", span=stage.span, parent=repeat)
        made, applied = next_serial(), len(self.applied)
        out1, rows1 = self.collect(lambda: self.run_body(stage.body, tensor, span=stage.span))
        shared = any(spec.serial < made for spec in islice(self.applied, applied, None))
        if not shared and _same_shape(out1.shape, tensor.shape):
            self.graph.finish_group(self.group, name="each pass", multiplier=n)
            steady = self.pass_row("each pass", out1.shape, stage, rows1, tensor, multiplier=n)
            return out1, [steady]
        self.graph.finish_group(self.group, name="pass 1")
        self.group = self.graph.group(
            "passes 2..N", "repeat pass", span=stage.span, parent=repeat, multiplier=D.sub(n, 1)
        )
        out2, rows2 = self.collect(lambda: self.run_body(stage.body, out1, span=stage.span))
        changed = _changed_axis(out1.shape, out2.shape)
        if changed is not None:
            axis, a, b = changed
            raise ShapeError(
                f"repeat {P.expr(n)}: the body does not reach a fixed shape: after the first "
                f"pass {axis} is {a}, after the second {b}; a repeat with a symbolic count "
                "needs every pass after the first to keep the shape",
                stage.span,
            )
        first = self.pass_row("pass 1", out1.shape, stage, rows1, tensor)
        steady = self.pass_row(
            "passes 2..N", out2.shape, stage, rows2, out1, multiplier=D.sub(n, 1)
        )
        return out2, [first, steady]

    def pass_row(self, name, shape, stage, rows, tensor, multiplier=1) -> Row:
        return Row(
            name,
            "repeat pass",
            shape,
            [],
            stage.span,
            group=True,
            children=rows,
            multiplier=multiplier,
            state_as_buffers=self.rules.state_as_buffers,
            inputs=(tensor.read_as,),
            source=stage.span,
        )

    def repeat_row(self, stage, n, shape, children, tensor) -> Row:
        row = Row(
            self.group_name("repeat"),
            f"repeat x{P.expr(n)}",
            shape,
            [],
            stage.span,
            group=True,
            children=children,
            state_as_buffers=self.rules.state_as_buffers,
            inputs=(tensor.read_as,),
            source=stage.span,
        )
        self.rows.append(row)
        return row


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


def _fewest_layers(body) -> tuple[int, bool]:
    """The fewest layers one run of ``body`` counts toward the limit, read from
    the syntax alone, and whether it calls anything (a layer, a block): every
    run counts at least one (EMPTY_PASS), and a ``repeat`` with a literal
    count k at least k times its own body's (if it is unrolled: a larger one
    counts by passes, at least one). Without recursion: the syntax tree is
    as deep as the text's nesting (bounded)."""
    total = {}  # id(body) -> its fewest
    calls = False
    todo = [(body, False)]
    while todo:
        b, ready = todo.pop()
        stages = [stage for stmt in b for stage in _stages(stmt)]
        inner = [
            (_unrolled(stage.count.value), stage.body)
            for stage in stages
            if isinstance(stage, ast.Repeat) and isinstance(stage.count, ast.Num)
        ] + [(1, stage.body) for stage in stages if isinstance(stage, ast.Residual)]
        if not ready:
            calls = calls or any(isinstance(stage, ast.Call) for stage in stages)
            todo.append((b, True))
            todo.extend((ib, False) for _, ib in inner if id(ib) not in total)
            continue
        total[id(b)] = max(1, sum(k * total[id(ib)] for k, ib in inner))
    return total[id(body)], calls


def _unrolled(k: int) -> int:
    return k if k <= MAX_UNROLL else 1


def _stages(stmt) -> tuple:
    value = getattr(stmt, "value", stmt)  # let x = ..., x = ...: the pipeline
    return value.stages if isinstance(value, ast.Pipeline) else ()
