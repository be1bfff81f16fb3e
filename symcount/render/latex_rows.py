"""explain --latex's rows laid out to fit the text width, as a paper breaks
a long derivation: the steps of a chain one under the other at their ``=``
signs, a step still too wide broken after its ``+`` and ``-`` signs, and a
layer name too long for the first column set on a row of its own.

An ``alignat*`` is as wide as its widest first column plus its widest second
one, so the first column's width is chosen per display (the longest short
name) and everything in the second column is broken to the room left. TeX
cannot measure here: widths are counted in characters shown, calibrated on
the shipped examples (tests/test_latex.py compiles every one with pdflatex
and fails on any overfull box).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LINE = 80  # characters shown that fit the text width (A4 or letter, 2 cm margins)
HEAD_MAX = 36  # a longer first column (name, indentation) gets a row of its own
MIN_ROOM = 40  # the second column is never narrower than this

_COMMAND = re.compile(r"\\[A-Za-z]+|[{}\s]")


def visible(s: str) -> int:
    """About how many characters a piece of math shows: commands and braces
    count nothing, a ``\\quad`` (1 em) two, an operator's spacing one more,
    and so does a ``\\left`` or ``\\right`` bracket (with its spacing)."""
    spaced = s.count(" + ") + s.count(" - ") + s.count(" = ") + s.count(r"\times")
    spaced += s.count(r"\left") + s.count(r"\right")
    return len(_COMMAND.sub("", s)) + 2 * s.count(r"\quad") + spaced


@dataclass(frozen=True)
class Row:
    """One entry of explain: a first column (the layer or weight, indented)
    and pieces for the second, joined by ``sep`` on one row when they fit,
    else one per row, each after ``lead`` (``{}= `` for a chain of steps)."""

    head: str
    pieces: tuple[str, ...]
    lead: str = "{}= "
    sep: str = " = "
    tail: str = ""


def chain(head: str, steps, tail: str = "") -> Row:
    return Row(head, tuple(steps), tail=tail)


def line(head: str, text: str) -> Row:
    """A row whose second column is one piece (text, a shape line)."""
    return Row(head, (text,), lead="", sep="")


_BREAKS = (" + ", " - ", " \\to ", r"\ \text{(")  # a step's note may go below it too


def terms(s: str) -> list[str]:
    """A piece of math split before each ``+``, ``-`` and ``\\to`` outside any group
    (braces, ``\\left ... \\right``): where a long sum may break."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(s):
        if depth == 0 and i > 0 and s.startswith(_BREAKS, i):
            out.append(s[start:i])
            start = i = i + (s[i] == " ")
            i += 1
            continue
        if s.startswith(r"\left", i) and not s[i + 5 : i + 6].isalpha():
            depth, i = depth + 1, i + 5
            continue
        if s.startswith(r"\right", i) and not s[i + 6 : i + 7].isalpha():
            depth, i = depth - 1, i + 6
            continue
        c = s[i]
        if c == "\\":  # a command or an escaped character (\{): never a group
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        i += 1
    out.append(s[start:])
    return out


def loosened(s: str) -> str:
    """The outermost ``\\left( ... \\right)`` pairs as ``\\bigl( ... \\bigr)``:
    a product ``L (12 d^2 + ...)`` of one term may then break inside its
    brackets, on the lines of a ``multline*``, as a paper breaks it."""
    out, depth, i = [], 0, 0
    while i < len(s):
        if s.startswith(r"\left", i) and not s[i + 5 : i + 6].isalpha():
            out.append(r"\bigl" if depth == 0 and s.startswith("(", i + 5) else r"\left")
            depth, i = depth + 1, i + 5
            continue
        if s.startswith(r"\right", i) and not s[i + 6 : i + 7].isalpha():
            depth, i = depth - 1, i + 6
            out.append(r"\bigr" if depth == 0 and s.startswith(")", i) else r"\right")
            continue
        out.append(s[i])
        i += 1
    return "".join(out)


def _broken(first: str, piece: str, room: int) -> list[str]:
    """``first + piece`` in rows of at most ``room`` characters, broken before
    a term; the rows after the first indented under it."""
    rows, cur = [], first
    # a term still too wide (batch (...), L (...)) is broken inside its brackets
    parts = [x for t in terms(piece) for x in (terms(loosened(t)) if visible(t) > room else [t])]
    for t in parts:
        if cur.strip() and cur != first and visible(cur) + visible(t) > room:
            rows.append(cur.rstrip())
            cur = r"\quad {}"
        cur += (t.removeprefix("\\ ") if cur == r"\quad {}" else t) + " "
    rows.append(cur.rstrip())
    return rows


def _second(row: Row, room: int) -> list[str]:
    """The second column's rows of one entry."""
    one = row.lead + row.sep.join(row.pieces) + row.tail
    if visible(one) <= room or (len(row.pieces) == 1 and len(terms(loosened(row.pieces[0]))) == 1):
        return [one]
    out: list[str] = []
    broken = False  # the step after a broken one starts a row of its own
    for i, p in enumerate(row.pieces):
        last = i == len(row.pieces) - 1
        piece = p + (row.tail if last else "")
        joined = out[-1] + row.sep + piece if out else ""
        if out and not broken and visible(joined) <= room:  # on the same row while it fits
            out[-1] = joined
        elif visible(row.lead + piece) <= room:
            out.append(row.lead + piece)
            broken = False
        else:
            out += _broken(row.lead, p, room)
            broken = True
            if last and row.tail:  # a note that does not fit after the value: below it
                if visible(out[-1] + row.tail) <= room:
                    out[-1] += row.tail
                else:
                    out.append(row.tail.removeprefix(r" \quad "))
    return out


def layout(rows: list[Row]) -> list[str]:
    """The ``alignat*`` lines of one display: ``&head &&second``."""
    short = [visible(r.head) for r in rows if visible(r.head) <= HEAD_MAX]
    room = max(MIN_ROOM, LINE - max(short, default=0))
    lines = []
    for r in rows:
        second = _second(r, room)
        if visible(r.head) <= HEAD_MAX:
            lines.append(f"&{r.head} &&{second[0]}")
        else:  # no width in the column: the name reads over the row's empty second column
            lines.append(f"&\\rlap{{${r.head}$}}")
            lines += [f"& &&{second[0]}"] if second[0] else []
        lines += [f"& &&{s}" for s in second[1:]]
    return lines
