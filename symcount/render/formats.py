"""Machine-readable and document formats of the summary: JSON, Markdown, CSV."""

from __future__ import annotations

from .. import printing as P
from ..quantities import REGISTRY
from . import label, totals

CSV_LEADING = ("name", "type", "output_shape")  # then one column per quantity listed


def csv_columns(model) -> tuple[str, ...]:
    """The CSV header: name, type, output shape and each quantity the model lists."""
    return (*CSV_LEADING, *(q.json_key for q in model.quantities))


# the header of a model that lists the default quantities
CSV_COLUMNS = (*CSV_LEADING, *(q.json_key for q in REGISTRY.shown()))


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
    columns = [q for q in model.quantities if q.column]
    heads = ["Layer (type)", "Output Shape", *(q.column for q in columns)]
    lines += ["| " + " | ".join(heads) + " |", "|---|---|" + "---:|" * len(columns)]
    for r in model.rows:
        cells = [
            _md_cell(label(r), code=False),
            _md_cell(P.shape(r.output_shape), code=True),
            *(_md_value(r.count(q.name)) for q in columns),
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
    quantities = model.quantities
    w.writerow(csv_columns(model))
    for r in model.rows:
        values = [_csv_value(r.count(q.name)) for q in quantities]
        w.writerow([r.name, r.type, P.shape(r.output_shape), *values])
    return buf.getvalue()
