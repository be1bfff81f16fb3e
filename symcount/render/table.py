"""The summary table, drawn like Keras 3's ``model.summary()``.

Columns grow to fit their cells; when the table would be wider than the
allowed width, the widest columns shrink and their cells wrap (at spaces,
commas or ``*``), so a long symbolic count never breaks the frame.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from .. import printing as P
from . import compute_note, label, totals_lines

DEFAULT_WIDTH = 100
MIN_WIDTH = 40


def output_width(requested: int | None, default: int = DEFAULT_WIDTH) -> int:
    """``--width``, else the terminal's width, else ``default`` (output to a
    file or a pipe must not depend on who runs it)."""
    if requested:
        return requested
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return default


@dataclass(frozen=True, slots=True)
class Box:
    """The characters of one table style."""

    top: str  # left, fill, joint, right
    head: str  # left, separator, right (header row)
    below_head: str
    body: str
    between: str
    bottom: str


UNICODE = Box(
    top="┏━┳┓",
    head="┃┃┃",
    below_head="┡━╇┩",
    body="│││",
    between="├─┼┤",
    bottom="└─┴┘",
)
ASCII = Box(
    top="+-++",
    head="|||",
    below_head="+=++",
    body="|||",
    between="+-++",
    bottom="+-++",
)

# Keras 3 draws its three columns 33, 24 and 15 characters wide (padding
# included); these are the content widths that reproduce that look.
SUMMARY_MIN_WIDTHS = (31, 22, 13)
SHRINK_FLOOR = 12  # a column never gets narrower than this when shrinking

_BREAK = re.compile(r"(?<=[ ,*])")


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap of one cell: break after a space, a comma or ``*``;
    split a piece that is still too long."""
    if P.width(text) <= width:
        return [text]
    pieces: list[str] = []
    for tok in _BREAK.split(text):
        while P.width(tok) > width:
            head = _head(tok, width)
            pieces.append(head)
            tok = tok[len(head) :]
        if tok:
            pieces.append(tok)
    lines: list[str] = []
    cur = ""
    for piece in pieces:
        if cur and P.width((cur + piece).rstrip()) > width:
            lines.append(cur.rstrip())
            cur = piece.lstrip()
        else:
            cur += piece
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def _head(tok: str, width: int) -> str:
    """The longest start of ``tok`` that fits ``width`` columns (at least one character)."""
    if tok.isascii():
        return tok[:width]
    end, used = 0, 0
    while end < len(tok) and used + P.width(tok[end]) <= width:
        used += P.width(tok[end])
        end += 1
    return tok[: max(end, 1)]


def _pad(text: str, width: int, align: str) -> str:
    fill = " " * max(0, width - P.width(text))
    return fill + text if align == "r" else text + fill


def fit_widths(natural: list[int], available: int) -> list[int]:
    """Shrink the widest columns, one character at a time, until they fit."""
    widths = list(natural)
    while sum(widths) > available:
        i = max(range(len(widths)), key=lambda k: widths[k])
        if widths[i] <= SHRINK_FLOOR:
            break  # cannot shrink further: the table will be wider than asked
        widths[i] -= 1
    return widths


def draw(
    header: list[str],
    rows: list[list[str]],
    *,
    align: str,
    width: int = DEFAULT_WIDTH,
    min_widths: tuple[int, ...] = (),
    box: Box = UNICODE,
) -> list[str]:
    """A boxed table; ``align`` is one of ``l``/``r`` per column."""
    # every cell may hold user text: escaped before it is measured
    header = [P.text(c) for c in header]
    rows = [[P.text(c) for c in r] for r in rows]
    n = len(header)
    mins = list(min_widths) + [0] * (n - len(min_widths))
    # each cell measured once: a summary of thousands of rows and ten columns
    # spends its time here
    sizes = [[P.width(c) for c in r] for r in rows]
    natural = [max([P.width(header[i]), mins[i]] + [s[i] for s in sizes]) for i in range(n)]
    widths = fit_widths(natural, max(width, MIN_WIDTH) - (3 * n + 1))

    def rule(chars: str) -> str:
        left, fill, joint, right = chars
        return left + joint.join(fill * (w + 2) for w in widths) + right

    def line(cells: list[str], chars: str, sized: list[int] | None = None) -> list[str]:
        left, sep, right = chars
        if sized is not None and all(k <= w for k, w in zip(sized, widths, strict=True)):
            # the common case: every cell fits on one line
            parts = [
                " " * (w - k) + c if a == "r" else c + " " * (w - k)
                for c, k, w, a in zip(cells, sized, widths, align, strict=False)
            ]
            return [left + " " + f" {sep} ".join(parts) + " " + right]
        wrapped = [wrap(c, w) for c, w in zip(cells, widths, strict=True)]
        height = max(len(c) for c in wrapped)
        out = []
        for k in range(height):
            parts = []
            for i, cell in enumerate(wrapped):
                text = cell[k] if k < len(cell) else ""
                parts.append(f" {_pad(text, widths[i], align[i])} ")
            out.append(left + sep.join(parts) + right)
        return out

    between = rule(box.between)
    out = [rule(box.top), *line(header, box.head), rule(box.below_head)]
    for i, (r, sized) in enumerate(zip(rows, sizes, strict=True)):
        if i:
            out.append(between)
        out.extend(line(r, box.body, sized))
    out.append(rule(box.bottom))
    return out


def torch_shape(s) -> str:
    """``[-1, 32, 26, 26]``: the batch as -1, as torch summaries print it."""
    if isinstance(s, list):
        return ", ".join(torch_shape(x) for x in s)
    return "[" + ", ".join(["-1", *(P.expr(d) for d in s)]) + "]"


def torch_params(n) -> str:
    return "--" if n == 0 else P.number(n)


def summary(
    model,
    *,
    width: int = DEFAULT_WIDTH,
    ascii: bool = False,
    expand: bool = False,
    depth: int | None = None,
) -> str:
    """``symcount summary``: the model's name, one row per layer (a block or a
    repeat is one row unless ``expand``), the totals."""
    columns = model.columns  # "Param #", and any declared or chosen (--columns)
    header = ["Layer (type)", "Output Shape", *(model.heading(q) for q in columns)]
    align = "ll" + "r" * len(columns)
    rows = list(model.walk(expand=expand, depth=depth))
    frozen = any(r.frozen for _, r in rows)
    torch_style = model.convention == "torch"
    body = []
    for depth, r in rows:
        if torch_style:  # torchinfo's habits: [-1, C, H, W] (batch -1) and "--" for none
            cells = [label(r, depth), torch_shape(r.output_shape)]
            cells += [torch_params(r.count(q.name)) for q in columns]
        else:
            cells = [label(r, depth), P.shape(r.output_shape, size=model.stated_batch)]
            cells += [P.number(r.count(q.name)) for q in columns]
        if frozen:
            cells.append("N" if r.frozen else "Y")
        body.append(cells)
    if frozen:  # Keras's show_trainable column, shown when it says something
        header.append("Trainable")
        align += "l"
    lines = []
    if model.name:
        lines.append(P.text(f'Model: "{model.name}"'))
    lines += draw(
        header,
        body,
        align=align,
        width=width,
        min_widths=SUMMARY_MIN_WIDTHS,
        box=ASCII if ascii else UNICODE,
    )
    lines += [" " + t for t in totals_lines(model)]  # escaped there
    note = compute_note(model)
    if note:
        lines.append(" " + note)
    if model.symbols:
        lines.append(P.text(" Symbols: " + ", ".join(model.symbols)))
    return "\n".join(lines) + "\n"
