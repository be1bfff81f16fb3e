"""Text for numbers, expressions and shapes."""

from __future__ import annotations

import functools
from fractions import Fraction

from . import dims as D

# SymPy orders the terms of a sum before printing, at a cost that grows
# faster than linearly in the number of distinct symbols (about 50 s for
# 10,000 terms). Beyond this many terms we print them in SymPy's internal
# order instead: same terms, same format, no sort.
FAST_PRINT_TERMS = 300


def expr(v) -> str:
    """An expression as SymPy's str() prints it (or a plain number)."""
    if v is None:
        return "None"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}"
    if isinstance(v, float):
        return repr(v)
    return _sympy_str(v)


@functools.lru_cache(maxsize=4096)
def _sympy_str(v) -> str:
    # Cached: a model of many equal layers prints the same expression again and again.
    if D.is_symbolic(v) and v.is_Add and len(v.args) > FAST_PRINT_TERMS:
        return _fast_sum(v)
    return str(v)


def _fast_sum(v) -> str:
    parts = []
    for i, term in enumerate(v.args):
        text = str(term)
        if text.startswith("-"):
            parts.append(("- " if i else "-") + text[1:])
        else:
            parts.append(("+ " if i else "") + text)
    return " ".join(parts)


def number(v) -> str:
    """With thousands separators where it is a number."""
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return expr(v)


def json_value(v):
    if v is None:
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return expr(v)


def shape(s, *, batch: bool = True) -> str:
    """``(None, 26, 26, 24)`` as Keras prints it; a list for several outputs."""
    if isinstance(s, list):
        return "[" + ", ".join(shape(x, batch=batch) for x in s) + "]"
    items = (["None"] if batch else []) + [expr(d) for d in s]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def shape_json(s):
    if isinstance(s, list):
        return [shape_json(x) for x in s]
    return [json_value(d) for d in s]
