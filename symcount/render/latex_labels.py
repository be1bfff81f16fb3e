"""Layer labels as a paper reads them (summary --latex and explain --latex).

A layer the framework named after its type (``layer_normalization_2``,
Keras's and torch's generated names) reads as its type and the number of
that name: ``LayerNormalization 2`` (the first, ``layer_normalization``, has
none, as in the framework). A name the model gives is kept, in typewriter
(``\\texttt{encoder\\_lstm} (LSTM)``), so it can still be found in the model.
A repeat reads ``repeated $L$ times``, its passes ``each pass, $\\times L$``,
and a layer shared by several calls ``called 2 times``.

The label is text-mode LaTeX (math in ``$...$``): valid in a table cell and
inside ``\\text{...}`` of a display.
"""

from __future__ import annotations

import re

from .latex_printer import math, text, value_item

_NUMBERED = re.compile(r"(.+?)(?:_(\d+))?")
REPEAT_TYPE = "repeat x"  # evaluation/repeats.py: a repeat's row is typed "repeat x<N>"


def generated(name: str, type_name: str) -> str | None:
    """The number of a name made from the type (``""`` for the first), or
    None when the name is the model's own."""
    m = _NUMBERED.fullmatch(name)
    if m is None:
        return None
    base = m.group(1).replace("_", "").lower()
    if base != type_name.replace("_", "").lower():
        return None
    return m.group(2) or ""


def _math(v) -> str:
    return "$" + value_item(v).body + "$"


def label(row, *, breakable: bool = True) -> str:
    """The row's label in text-mode LaTeX (``breakable``: a long name may
    break after an underscore, for a table column of a width)."""
    if row.type.startswith(REPEAT_TYPE) and generated(row.name, "repeat") is not None:
        out = "repeated $" + math(row.type[len(REPEAT_TYPE) :]) + "$ times"
    elif row.type == "repeat pass":
        out = text(row.name)
    else:
        n = generated(row.name, row.type)
        if n is not None:
            out = text(row.type) + (f" {n}" if n else "")
        else:
            name = text(row.name)
            if breakable:
                name = name.replace(r"\_", r"\_\allowbreak{}")
            out = r"\texttt{" + name + "} (" + text(row.type) + ")"
    if row.multiplier != 1:
        out += r", $\times\, " + value_item(row.multiplier).body + "$"
    if row.calls != 1:
        out += ", called " + (str(row.calls) if isinstance(row.calls, int) else _math(row.calls))
        out += " times"
    return out
