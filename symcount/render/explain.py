"""``symcount explain``: each layer's count as a formula, the same formula
with the numbers put in, and the value; its output shape and how it follows
(explain_shapes.py); then one line per weight.

    conv2d_1 (Conv2D)  params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812
      output (None, 24, 24, 36): h_out = w_out = 26 - 3 + 1 = 24
      c_in = 24: the channels of conv2d's output
      kernel  (3, 3, 24, 36)  k_h*k_w*c_in*filters = 3*3*24*36 = 7,776  trainable
      bias    (36,)           filters = 36                              trainable
"""

from __future__ import annotations

from .. import printing as P
from ..evaluation.blocks import resolve_formula
from ..model.formula import Formula, derive, weight_formula
from . import compute_note, label, totals_lines
from .explain_compute import macs_lines
from .explain_shapes import output_text, shape_lines
from .memory import bytes_lines

MAX_SUM_TERMS = 12  # beyond this many layers the total is not spelled out as a sum
INDENT = "  "


def chain(general: str, numbers: str, value) -> str:
    """``general = numbers = value``, without repeating a step: the numbers
    are left out when they read like the formula or like the value."""
    value_text = P.number(value)
    steps = [general]
    if numbers not in (general, P.expr(value), value_text):
        steps.append(numbers)
    if value_text != steps[-1]:
        steps.append(value_text)
    return " = ".join(steps)


def formula_of(row) -> Formula:
    """A row's count as a formula and with its numbers: a block's in its
    parameters (worked out now, on first use), else derived from its weights."""
    f = resolve_formula(row.formula)
    if f is not None:
        return f
    if row.group:  # a block whose count does not depend on its parameters, a repeat
        return Formula.of(row.params)
    # under torch, buffers are not parameters: the params formula leaves them out
    return derive([w for w in row.weights if not (w.state and row.state_as_buffers)])


def status(row, weight, *, frozen: bool = False, buffers: bool = False) -> str:
    """How a weight is counted (``frozen``/``buffers``: as the enclosing wrapper says)."""
    if weight.state:
        if row.state_as_buffers or buffers:
            return f"buffer ({weight.what or 'running statistics'}, not a parameter)"
        return f"non-trainable ({weight.what or 'moving statistics'})"
    if row.frozen or frozen:
        return "non-trainable (frozen: trainable=false)"
    if weight.trainable:
        return "trainable"
    return f"non-trainable ({weight.what})" if weight.what else "non-trainable"


def _has_weights(row) -> bool:
    return bool(row.weights) or any(_has_weights(c) for c in row.children)


def _split(row) -> str:
    """``  (28,600 trainable, 200 non-trainable)`` when a layer mixes kinds."""
    parts = []
    if row.non_trainable != 0 and row.trainable != 0:
        parts.append(f"{P.number(row.trainable)} trainable")
        parts.append(f"{P.number(row.non_trainable)} non-trainable")
    if row.buffers != 0:
        parts.append(f"{P.number(row.buffers)} in buffers")
    return f"  ({', '.join(parts)})" if parts else ""


def _weight_lines(row, indent: str, frozen: bool, buffers: bool) -> list[str]:
    """One aligned line per weight: name, shape, count, how it is counted."""
    cols = []
    for w in row.weights:
        f = weight_formula(w)
        cols.append(
            [
                w.name,
                P.shape(w.shape, batch=False),
                chain(f.general, f.numbers, w.size),
                status(row, w, frozen=frozen, buffers=buffers),
            ]
        )
    if not cols:
        return []
    widths = [max(len(c[i]) for c in cols) for i in range(3)]
    return [indent + "  ".join([*(c[i].ljust(widths[i]) for i in range(3)), c[3]]) for c in cols]


def layer_lines(row, indent: str = "", *, frozen: bool = False, buffers: bool = False) -> list[str]:
    """The block of one layer: its count, its weights, its notes, its children
    (the inner layers of a wrapper, which inherit its trainable=false)."""
    frozen = frozen or row.frozen
    buffers = buffers or row.state_as_buffers
    head = f"{indent}{label(row)}  "
    if row.group:  # a block or a repeat: its total, then its layers
        general = formula_of(row).general
        lines = [f"{head}params = {chain(general, general, row.params)}{_split(row)}"]
        lines += [f"{indent + INDENT}note: {n}" for n in row.notes]
        for child in row.children:
            lines += layer_lines(child, indent + INDENT, frozen=frozen, buffers=buffers)
        return lines
    if not _has_weights(row):
        return [f"{head}no weights; {output_text(row)}"]
    f = formula_of(row)
    lines = [f"{head}params = {chain(f.general, f.numbers, row.params)}{_split(row)}"]
    inner = indent + INDENT
    lines += shape_lines(row, inner)
    if row.children:
        for child in row.children:
            lines += layer_lines(child, inner, frozen=frozen, buffers=buffers)
        if not any(_has_weights(c) for c in row.children):
            lines += _weight_lines(row, inner, frozen, buffers)
    else:
        lines += _weight_lines(row, inner, frozen, buffers)
    lines += [f"{inner}note: {n}" for n in row.notes]
    return lines


def _term(v) -> str:
    text = P.number(v)
    return f"({text})" if getattr(v, "is_Add", False) else text


def sum_line(model) -> str | None:
    """``total = 240 + 7,812 + 2,654,336 + 1,290 = 2,663,678`` (zero terms left out)."""
    terms = [r.params for r in model.rows if not (isinstance(r.params, int) and r.params == 0)]
    if len(terms) < 2:
        return None
    if len(terms) > MAX_SUM_TERMS:
        return f"total = sum over {len(terms):,} layers with weights = {P.number(model.total)}"
    return f"total = {' + '.join(_term(t) for t in terms)} = {P.number(model.total)}"


def explain(model, *, layer: str | None = None) -> str:
    """The whole model, or the one layer called ``layer``."""
    lines = []
    if layer is not None:
        row = model.row(layer)
        rows = layer_lines(row) + macs_lines(row, model, INDENT) + bytes_lines(row, model, INDENT)
        return "\n".join(P.text(line) for line in rows) + "\n"
    if model.name:
        lines += [f'Model: "{model.name}"', ""]
    for r in model.rows:
        lines += layer_lines(r) + macs_lines(r, model, INDENT) + bytes_lines(r, model, INDENT)
    lines.append("")
    lines += totals_lines(model)
    note = compute_note(model)
    if note:
        lines.append(note)
    total = sum_line(model)
    if total:
        lines.append(total)
    if model.symbols:
        lines.append("Symbols: " + ", ".join(model.symbols))
    # user text (names, notes) anywhere in a line is shown, never acted on
    return "\n".join(P.text(line) for line in lines) + "\n"
