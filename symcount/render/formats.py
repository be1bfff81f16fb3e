"""Machine-readable and document formats of the summary: JSON, Markdown, CSV."""

from __future__ import annotations

from .. import printing as P
from . import label, totals

CSV_COLUMNS = ("name", "type", "output_shape", "params", "trainable", "non_trainable", "buffers")


def to_json(model) -> str:
    """``json.dumps(model.to_dict())`` on one line: the stable contract."""
    import json

    return json.dumps(model.to_dict()) + "\n"


def _md_cell(text: str, *, code: bool) -> str:
    text = text.replace("|", "\\|")
    return f"`{text}`" if code else text


def _md_value(v) -> str:
    """Numbers as Keras prints them; expressions as code (``*`` is emphasis)."""
    text = P.number(v)
    return _md_cell(text, code=not isinstance(v, int))


def to_markdown(model) -> str:
    """A GitHub table, then the totals."""
    lines = []
    if model.name:
        lines += [f"**Model:** `{model.name}`", ""]
    lines += ["| Layer (type) | Output Shape | Param # |", "|---|---|---:|"]
    for r in model.rows:
        cells = [
            _md_cell(label(r), code=False),
            _md_cell(P.shape(r.output_shape), code=True),
            _md_value(r.params),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for name, v in totals(model):
        lines.append(f"- **{name}:** {_md_value(v)}")
    if model.symbols:
        lines.append("- **Symbols:** " + ", ".join(f"`{s}`" for s in model.symbols))
    return "\n".join(lines) + "\n"


def _csv_value(v):
    return P.json_value(v)


def to_csv(model) -> str:
    """One row per layer under a header row; values as in the JSON (plain
    integers or expressions), shapes as Keras prints them."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in model.rows:
        w.writerow(
            [
                r.name,
                r.type,
                P.shape(r.output_shape),
                _csv_value(r.params),
                _csv_value(r.trainable),
                _csv_value(r.non_trainable),
                _csv_value(r.buffers),
            ]
        )
    return buf.getvalue()
