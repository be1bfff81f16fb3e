"""Text for numbers, expressions and shapes."""

from __future__ import annotations

import functools
import re
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
    """With thousands separators where it is a number; None (a count that
    needs an axis of unknown length) as ``unknown``."""
    if v is None:
        return "unknown"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return expr(v)


def json_value(v):
    if v is None:
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return expr(v)


def shape(s, *, batch: bool = True, size=None) -> str:
    """``(None, 26, 26, 24)`` as Keras prints it; a list for several outputs.
    ``size``: the batch a model's input states (``Input(..., batch_size=32)``),
    printed where Keras prints it instead of None."""
    if isinstance(s, list):
        return "[" + ", ".join(shape(x, batch=batch, size=size) for x in s) + "]"
    items = ([("None" if size is None else expr(size))] if batch else []) + [expr(d) for d in s]
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def shape_json(s):
    if isinstance(s, list):
        return [shape_json(x) for x in s]
    return [json_value(d) for d in s]


# Text a user gave (names, model names, string arguments) is shown, never acted
# on: a terminal obeys ESC, CSI, OSC (which can retitle it or worse), BEL and
# CR; a bidi override (U+202E) or a line separator (U+2028) reorders or breaks
# what a reader sees; a lone surrogate cannot even be written out. These are
# Unicode's control (Cc: C0, DEL, C1), format (Cf), separator (Zl, Zp) and
# surrogate (Cs) characters, shown escaped as Python writes them. Listed, not
# looked up character by character, so that checking a table's lines costs
# one regex search each (tests/test_hostile_names.py checks the list against
# unicodedata; 13439-1343F are format characters from Unicode 15 on).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_NOT_PRINTABLE_ASCII = re.compile("[^\x20-\x7e]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(m) -> str:
    c = m.group()
    short = _SHORT_ESCAPES.get(c)
    if short is not None:
        return short
    n = ord(c)
    if n < 0x100:
        return f"\\x{n:02x}"
    if n < 0x10000:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def text(s, *, ascii: bool = False) -> str:
    """User-given text as every renderer shows it: control, format and
    separator characters escaped (``\\x1b``, ``\\r``, ``\\u202e``), the rest
    as it is; with ``ascii``, every other non-ASCII character too (``\\u4e2d``),
    for LaTeX, which plain pdflatex cannot typeset otherwise. Printable text
    comes back unchanged, and escaping twice changes nothing more."""
    if s.__class__ is not str:
        s = str(s)
    pattern = _NOT_PRINTABLE_ASCII if ascii else _UNSAFE
    return s if pattern.search(s) is None else pattern.sub(_escape, s)


def width(s: str) -> int:
    """The columns a terminal gives ``s``: two for a wide (CJK) character,
    none for a combining mark; what a table pads and wraps by."""
    if s.isascii():
        return len(s)
    import unicodedata

    n = 0
    for c in s:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        n += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return n
