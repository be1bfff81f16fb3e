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
from ..model.keras_layout import InputRow, functional_layout
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
CONNECTED_MIN_WIDTH = 20  # "Connected to": room for a reference or two
SHRINK_FLOOR = 12  # a column never gets narrower than this when shrinking

_BREAK = re.compile(r"(?<=[ ,*])")
_LABEL_PARTS = re.compile(r" (?=[(\[])")  # name, (Type), [shared: 2 calls]


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap of one cell: break after a space, a comma or ``*``;
    split a piece that is still too long."""
    if P.width(text) <= width:
        return [text]
    pieces: list[str] = []
    for tok in _unbroken(_BREAK.split(text)):
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


def _unbroken(tokens: list[str]) -> list[str]:
    """The tokens with a shared layer's note (``[shared: 2 calls]``) kept whole."""
    out: list[str] = []
    inside = False
    for tok in tokens:
        if inside:
            out[-1] += tok
        else:
            out.append(tok)
            inside = tok.startswith("[shared:")
        if "]" in tok:
            inside = False
    return out


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


def fit_widths(natural: list[int], available: int, floors: list[int] | None = None) -> list[int]:
    """Shrink the widest columns, one character at a time, until they fit;
    a column never below its floor (SHRINK_FLOOR unless given)."""
    widths = list(natural)
    floors = [max(SHRINK_FLOOR, f) for f in floors] if floors else [SHRINK_FLOOR] * len(widths)
    while sum(widths) > available:
        room = [k for k in range(len(widths)) if widths[k] > floors[k]]
        if not room:
            break  # cannot shrink further: the table will be wider than asked
        widths[max(room, key=lambda k: widths[k])] -= 1
    return widths


def draw(
    header: list[str],
    rows: list[list[str]],
    *,
    align: str,
    width: int = DEFAULT_WIDTH,
    min_widths: tuple[int, ...] = (),
    floors: list[int] | None = None,
    box: Box = UNICODE,
) -> list[str]:
    """A boxed table; ``align`` is one of ``l``/``r`` per column; ``floors``
    are the widths below which a column is never shrunk."""
    # every cell may hold user text: escaped before it is measured
    header = [P.text(c) for c in header]
    rows = [[P.text(c) for c in r] for r in rows]
    n = len(header)
    mins = list(min_widths) + [0] * (n - len(min_widths))
    # each cell measured once: a summary of thousands of rows and ten columns
    # spends its time here
    sizes = [[P.width(c) for c in r] for r in rows]
    natural = [max([P.width(header[i]), mins[i]] + [s[i] for s in sizes]) for i in range(n)]
    widths = fit_widths(natural, max(width, MIN_WIDTH) - (3 * n + 1), floors)

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
    torch_style = model.convention == "torch"
    layout = None if torch_style else functional_layout(model)
    # the layout's entries all say what they read, or (a chain) none does
    connected = layout is not None and layout[0].connected is not None
    if layout is None:
        rows = [(d, r, None) for d, r in model.walk(expand=expand, depth=depth)]
    else:  # Keras's functional summary: its order, InputLayer rows, "Connected to"
        rows = _functional_rows(layout, expand, depth)
    if connected:
        header.append("Connected to")
        align += "l"
    frozen = any(r.frozen for _, r, _ in rows if not isinstance(r, InputRow))
    body = []
    for depth, r, reads in rows:
        if isinstance(r, InputRow):
            cells = [
                P.text(f"{r.name} ({r.type})"),
                P.shape(r.output_shape, size=model.stated_batch),
            ]
            cells += [P.number(0) for _ in columns]
        elif torch_style:  # torchinfo's habits: [-1, C, H, W] (batch -1) and "--" for none
            cells = [label(r, depth), torch_shape(r.output_shape)]
            cells += [torch_params(r.count(q.name)) for q in columns]
        else:
            cells = [label(r, depth), P.shape(r.output_shape, size=model.stated_batch)]
            cells += [P.number(r.count(q.name)) for q in columns]
        if reads is not None:
            cells.append(reads)
        if frozen:
            cells.append("-" if isinstance(r, InputRow) else "N" if r.frozen else "Y")
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
        min_widths=(*SUMMARY_MIN_WIDTHS, *[0] * (len(columns) - 1), CONNECTED_MIN_WIDTH)
        if connected
        else SUMMARY_MIN_WIDTHS,
        floors=_reference_floors(body, 2 + len(columns)) if connected else None,
        box=ASCII if ascii else UNICODE,
    )
    lines += [" " + t for t in totals_lines(model)]  # escaped there
    note = compute_note(model)
    if note:
        lines.append(" " + note)
    if model.symbols:
        lines.append(P.text(" Symbols: " + ", ".join(model.symbols)))
    return "\n".join(lines) + "\n"


def _functional_rows(layout, expand: bool, depth: int | None) -> list[tuple]:
    """(depth, row, connected) of a functional layout; the rows inside an
    opened block read its tensors, not the model's: Keras prints "-" for them."""
    out = []
    for e in layout:
        if isinstance(e.row, InputRow):
            out.append((0, e.row, e.connected))
            continue
        opened = depth > 0 if depth is not None else expand
        for d, r in e.row.walk(0, expand=opened, levels=depth):
            out.append((d, r, e.connected if d == 0 or e.connected is None else "-"))
    return out


def _reference_floors(body: list[list[str]], at: int) -> list[int]:
    """Column floors that keep every word of a label, and each ``name[0][0]``
    of "Connected to" (column ``at``), on one line (up to 32 characters each)."""

    def longest(col: int, sep: str) -> int:
        return max((P.width(w) for r in body for w in r[col].split(sep)), default=0)

    floors = [0] * len(body[0])
    floors[0] = min(
        32, max((P.width(p) for r in body for p in _LABEL_PARTS.split(r[0])), default=0)
    )
    floors[at] = min(32, longest(at, ", ") + 1)  # the "," that follows it
    return floors
