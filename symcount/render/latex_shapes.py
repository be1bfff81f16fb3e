"""explain's shape lines in LaTeX (the text's are render/explain_shapes.py):
each layer's output shape and how it follows, in the textbook form::

    \\text{output}\\ 49 \\times 94 \\times 55
        h_{\\text{out}} = \\left\\lfloor \\frac{100 - 3}{2} \\right\\rfloor + 1 = 49
    c_{\\text{in}} = 3   \\text{the channels of input\\_layer's output}

A step's formula is the text explain prints (``floor((100 - 3)/2) + 1``)
read by the language's expression grammar (latex_printer.math), never
evaluated: the formula stays as written, not as SymPy would simplify it.
"""

from __future__ import annotations

import re

from ..ops.shapes import Group, Source
from .explain_shapes import formula, merged, row_steps, shown_value
from .latex_printer import math_item, math_text, symbol, text, value_item


def _value(v) -> str:
    return value_item(v).body


def shape(s) -> str:
    """``24 \\times 24 \\times 36`` (no batch axis; several outputs by ``;``)."""
    if isinstance(s, list):
        return r";\ ".join(shape(x) for x in s)
    if not s:
        return r"\mathrm{scalar}"
    out = []
    for d in s:
        it = value_item(d)
        out.append(r"\left(" + it.body + r"\right)" if it.kind in ("add", "neg") else it.body)
    return r" \times ".join(out)


def _label(name: str) -> str:
    return symbol(name) if name.isidentifier() else r"\text{" + text(name) + "}"


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|->|[0-9]+|\s+|.")


def _from_parts(step) -> str:
    """A formula that is no expression (Dense's ``(None, 100, 64) -> (None,
    100, units=32)``) typeset piece by piece: its sizes as counts, its words
    as symbols, the arrow as ``\\to`` (where a long one breaks)."""
    out = []
    for p in step.parts:
        if not isinstance(p, str):
            it = value_item(p.value if isinstance(p, Group) else p)
            out.append(r"\left(" + it.body + r"\right)" if it.kind in ("add", "neg") else it.body)
            continue
        for tok in _TOKEN.findall(p):
            if tok[0].isalpha() or tok[0] == "_":
                out.append(symbol(tok))
            elif tok == "->":
                out.append(r" \to ")
            elif tok.isdigit() or tok in "(),=" or tok.isspace():
                out.append(tok)
            else:
                out.append(r" \cdot " if tok == "*" else math_text(tok))
    return re.sub(r"\s*\\to\s*", r" \\to ", "".join(out))


def step_latex(labels, step) -> str:
    """``h_{out} = w_{out} = 26 - 3 + 1 = 24`` and the step's note."""
    pieces = [_label(n) for n in labels]
    f = formula(step)
    if f:
        it = math_item(f)
        pieces.append(_from_parts(step) if it.body.startswith(r"\texttt") else it.body)
    v = shown_value(step)
    if v is not None:
        pieces.append(_value(v))
    out = " = ".join(pieces)
    return out + (r"\ \text{" + text(step.note) + "}" if step.note else "")


def output_steps(row) -> list[str]:
    """Each (merged) step of the row's output shape."""
    return [step_latex(labels, s) for labels, s in merged(row_steps(row))]


def output_head(row, indent: str) -> str:
    return indent + r"\text{output}\ " + shape(row.output_shape)


def sources(row, names: dict | None = None) -> list[tuple[str, str]]:
    """``(c_{in} = 24, the channels of conv2d's output)``: where a size the
    weights use comes from (the gloss is text-mode LaTeX); ``names``: the
    layers' labels (render/latex_labels.py) by name."""
    out = []
    for s in row.shape_steps:
        if not isinstance(s, Source) or s.value is None:
            continue
        by = row.made_by
        where = (names or {}).get(by) or text(by) if by else None
        gloss = text(f"the {s.what} of ") + (f"{where}'s output" if by else "the input")
        out.append((f"{symbol(s.label)} = {_value(s.value)}", gloss))
    return out
