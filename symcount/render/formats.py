"""Machine-readable and document formats of the summary: JSON, Markdown, CSV."""

from __future__ import annotations

import re

from .. import printing as P
from ..model.quantities import REGISTRY
from . import compute_note, label, totals

CSV_LEADING = ("name", "type", "output_shape")  # then one column per quantity listed


def csv_columns(model) -> tuple[str, ...]:
    """The CSV header: name, type, output shape and each quantity the model lists."""
    return (*CSV_LEADING, *(q.json_key for q in _csv_quantities(model)))


def _csv_quantities(model) -> list:
    """Every quantity the model lists, or the columns chosen (--columns)."""
    return model.quantities if model.column_names is None else model.columns


# the header of a model that lists the default quantities
CSV_COLUMNS = (*CSV_LEADING, *(q.json_key for q in REGISTRY.shown()))


def to_json(model) -> str:
    """``json.dumps(model.to_dict())`` on one line: the stable contract."""
    import json

    return json.dumps(model.to_dict()) + "\n"


# Markdown that a name could carry: HTML (``<script>``), entities, a cell's
# end (``|``), code, emphasis, links, strikethrough and math. ``_`` is escaped
# only where it could open or close emphasis: ``conv2d_1`` reads as it is.
_MD_SPECIAL = re.compile(r"[\\`*\[\]<>&|~$]")
_MD_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _md_escape(m) -> str:
    c = m.group()
    return _MD_ENTITIES.get(c) or "\\" + c


def md_text(text: str) -> str:
    """User text as plain Markdown: shown, never read as markup or HTML."""
    text = P.text(text)
    if _MD_SPECIAL.search(text) is not None:
        text = _MD_SPECIAL.sub(_md_escape, text)
    if "_" in text:
        text = _MD_EDGE_UNDERSCORE.sub(r"\\_", text)
    return text


_BACKTICKS = re.compile(r"`+")


def md_code(text: str, *, table: bool = True) -> str:
    """Text as a code span (where nothing is markup), fenced by more backticks
    than it holds; in a table, ``|`` still ends the cell, so it is escaped."""
    text = P.text(text)
    if table and "|" in text:
        text = text.replace("|", "\\|")
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(r) for r in _BACKTICKS.findall(text)) + 1)
    return f"{fence} {text} {fence}"


def _md_value(v) -> str:
    """Numbers as Keras prints them; expressions as code (``*`` is emphasis)."""
    text = P.number(v)
    return text if isinstance(v, int) else md_code(text)


def to_markdown(model) -> str:
    """A GitHub table, then the totals."""
    lines = []
    if model.name:
        lines += [f"**Model:** {md_code(model.name, table=False)}", ""]
    columns = model.columns
    heads = ["Layer (type)", "Output Shape", *(model.heading(q) for q in columns)]
    lines += ["| " + " | ".join(heads) + " |", "|---|---|" + "---:|" * len(columns)]
    for r in model.rows:
        cells = [
            label(r, escape=md_text),
            md_code(P.shape(r.output_shape, size=model.stated_batch)),
            *(_md_value(r.count(q.name)) for q in columns),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for name, v in totals(model):
        lines.append(f"- **{md_text(name)}:** {_md_value(v)}")
    note = compute_note(model)  # "Compute: FLOPs = 2 x MACs ...", when they are listed
    if note:
        head, _, rest = note.partition(": ")
        lines.append(f"- **{head}:** {md_text(rest)}")
    if model.symbols:
        lines.append("- **Symbols:** " + ", ".join(md_code(s, table=False) for s in model.symbols))
    return "\n".join(lines) + "\n"


# OWASP's advice against formula injection: a spreadsheet runs a cell that
# starts with one of these (=cmd|' /C calc'!A0), so a text cell that does is
# written after a ', which the spreadsheet shows as text. Numbers are written
# as numbers: a count is a JSON integer (never negative), and an expression
# is text (u**2 - u, or -u + 3 written '-u + 3).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_text(text: str) -> str:
    """A text cell: control characters escaped, and never read as a formula."""
    text = P.text(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_value(v):
    v = P.json_value(v)
    return csv_text(v) if isinstance(v, str) else v


def to_csv(model) -> str:
    """One row per layer under a header row; values as in the JSON (plain
    integers or expressions), shapes as Keras prints them."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    quantities = _csv_quantities(model)
    w.writerow(csv_columns(model))
    for r in model.rows:
        values = [_csv_value(r.count(q.name)) for q in quantities]
        shape = csv_text(P.shape(r.output_shape, size=model.stated_batch))
        w.writerow([csv_text(r.name), csv_text(r.type), shape, *values])
    return buf.getvalue()
