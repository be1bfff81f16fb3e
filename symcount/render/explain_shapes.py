"""explain's shape lines: each layer's output shape and how it follows, as
its op wrote it (ops/shapes.py); this module only prints.

    conv2d_1 (Conv2D)  params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812
      output (None, 24, 24, 36): h_out = w_out = 26 - 3 + 1 = 24
      c_in = 24: the channels of conv2d's output
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from ..ops.shapes import Group, Source, Step


def _size(v) -> str:
    """A size; a symbolic one with each floor's and ceiling's argument over
    one denominator, as a textbook writes it: ``floor((H - 3)/2)``, where
    SymPy prints ``floor(H/2 - 3/2)`` (the value is the same)."""
    if not D.is_symbolic(v):
        return P.expr(v)
    sp = D.sp()
    rounded = v.atoms(sp.floor, sp.ceiling)
    if not rounded:
        return P.expr(v)
    return P.expr(v.replace(lambda x: isinstance(x, sp.floor | sp.ceiling), _together))


def _together(x):
    sp = D.sp()
    arg = sp.together(x.args[0])
    return x.func(arg, evaluate=False)


def _part(p) -> str:
    if isinstance(p, str):
        return p
    if isinstance(p, Group):
        text = _size(p.value)
        simple = isinstance(p.value, int) or getattr(p.value, "is_Symbol", False)
        return text if simple or text.isidentifier() else f"({text})"
    return _size(p)


def formula(step: Step) -> str:
    """The step's formula with the numbers put in (empty: none)."""
    return "".join(_part(p) for p in step.parts)


def step_text(step: Step, labels: tuple | None = None) -> str:
    """``h_out = floor((100 - 3)/2) + 1 = 49 (note)``; the value is left out
    where it is not a number (a symbolic formula is shown as written, never
    as SymPy simplifies it) or where it reads like the formula."""
    pieces = list(labels if labels is not None else step.labels)
    text = formula(step)
    if text:
        pieces.append(text)
    if isinstance(step.value, int) and P.number(step.value) != text and P.expr(step.value) != text:
        pieces.append(P.number(step.value))
    elif not text and step.value is not None:
        pieces.append(_size(step.value))
    out = " = ".join(pieces)
    return f"{out} {step.note}" if step.note else out


def merged(steps) -> list[tuple[tuple, Step]]:
    """(labels, step): axes with the same formula and value merged
    (``h_out = w_out = 26 - 3 + 1 = 24``)."""
    out: list[list] = []
    for s in steps:
        key = (formula(s), P.expr(s.value), s.note)
        if out and out[-1][0] == key and s.labels:
            out[-1][1] += s.labels
        else:
            out.append([key, tuple(s.labels), s])
    return [(labels, s) for _, labels, s in out]


def steps_text(steps) -> str:
    """The steps joined by ``; ``, equal axes merged (:func:`merged`)."""
    return "; ".join(step_text(s, labels) for labels, s in merged(steps))


def shown_value(step: Step):
    """The value a step ends with, or None where :func:`step_text` leaves it out."""
    text = formula(step)
    if isinstance(step.value, int) and P.number(step.value) != text and P.expr(step.value) != text:
        return step.value
    if not text and step.value is not None:
        return step.value
    return None


def row_steps(row) -> list[Step]:
    return [s for s in row.shape_steps if isinstance(s, Step)]


def output_text(row) -> str:
    """``output (None, 24, 24, 36): h_out = w_out = 26 - 3 + 1 = 24``."""
    head = f"output {P.shape(row.output_shape)}"
    steps = row_steps(row)
    return f"{head}: {steps_text(steps)}" if steps else head


def source_lines(row, indent: str) -> list[str]:
    """``c_in = 24: the channels of conv2d's output``: where a size the
    weights use comes from."""
    lines = []
    for s in row.shape_steps:
        if not isinstance(s, Source) or s.value is None:
            continue
        where = f"{row.made_by}'s output" if row.made_by else "the input"
        lines.append(f"{indent}{s.label} = {P.number(s.value)}: the {s.what} of {where}")
    return lines


def shape_lines(row, indent: str) -> list[str]:
    """The lines under a layer's params line: its output, then its sources."""
    return [f"{indent}{output_text(row)}", *source_lines(row, indent)]


def steps_json(row) -> list[dict]:
    """The steps as data: ``{"sizes": ["h_out"], "formula": ..., "value": ...}``
    and ``{"size": "c_in", "value": 24, "from": "conv2d"}``."""
    out = []
    for s in row.shape_steps:
        if isinstance(s, Source):
            where = row.made_by
            out.append({"size": s.label, "value": P.json_value(s.value), "from": where})
            continue
        item = {"sizes": list(s.labels), "formula": formula(s), "value": P.json_value(s.value)}
        if s.note:
            item["note"] = s.note.strip("()")
        out.append(item)
    return out


def _with_steps(row, d: dict) -> dict:
    d["shape_steps"] = steps_json(row)
    if row.group:
        for child, cd in zip(row.children, d["layers"], strict=True):
            _with_steps(child, cd)
    return d


def explain_json(model, *, layer: str | None = None) -> str:
    """``explain --format json``: summary's JSON (docs/language.md), each layer
    with its ``shape_steps``; with ``layer``, that layer's object alone."""
    import json

    if layer is not None:
        row = model.row(layer)
        return json.dumps(_with_steps(row, row.to_dict())) + "\n"
    d = model.to_dict()
    for row, rd in zip(model.rows, d["layers"], strict=True):
        _with_steps(row, rd)
    return json.dumps(d) + "\n"
