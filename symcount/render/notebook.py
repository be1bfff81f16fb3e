"""Rich display in Jupyter: models, rows and solve results as HTML tables,
LaTeX math (for MathJax, and for nbconvert's LaTeX export) and Markdown.

``Model``, ``Row`` (through :mod:`symcount.api`) and ``SolveResult`` call
these from their ``_repr_html_``, ``_repr_latex_`` and ``_repr_markdown_``
methods; the front end shows the richest one it can (JupyterLab: the HTML).
The LaTeX here uses only what both MathJax and LaTeX know (``array`` and
``\\hline``, not booktabs); :mod:`symcount.render.latex` writes the booktabs
tables for papers.
"""

from __future__ import annotations

import html
import re

from .. import printing as P
from . import compute_note, label, totals
from . import latex as L

MAX_ROWS = 200  # a bigger model shows its first and last rows in a notebook
HEAD_ROWS = 100

_STYLE = "text-align:left"


def _e(text: str) -> str:
    """User text in HTML: control characters escaped, then <, > and & (no
    text goes into an attribute, so quotes stay as they are)."""
    return html.escape(P.text(text), quote=False)


def _code(text: str) -> str:
    return f"<code>{_e(text)}</code>"


def _value_html(v) -> str:
    """A number with separators, or an expression as code."""
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return _code(P.expr(v))


def _rows(model, limit: int = MAX_ROWS):
    """(depth, row) to show, and how many rows were left out in the middle."""
    rows = list(model.walk())
    if len(rows) <= limit:
        return rows, 0
    return rows[:HEAD_ROWS] + rows[-(limit - HEAD_ROWS) :], len(rows) - limit


def _formula_text(row) -> str:
    from .explain import chain, formula_of

    f = formula_of(row)
    if row.group:  # a block's formula in its parameters
        return f.general
    steps = chain(f.general, f.numbers, row.params).split(" = ")
    return " = ".join(steps[:-1]) if len(steps) > 1 else steps[0]


# models ---------------------------------------------------------------------------------


def model_html(model) -> str:
    """A table like ``model.summary()`` with a formula column, then the totals."""
    rows, skipped = _rows(model)
    out = ['<div class="symcount-model">']
    if model.name:
        out.append(f"<p><strong>Model:</strong> <code>{_e(model.name)}</code></p>")
    columns = model.columns  # "Param #", and any declared or chosen
    out.append("<table>")
    out.append(
        "<thead><tr>"
        + "".join(
            f'<th style="{_STYLE}">{_e(h)}</th>'
            for h in ("Layer (type)", "Output Shape", "Formula", *map(model.heading, columns))
        )
        + "</tr></thead><tbody>"
    )
    for i, (depth, r) in enumerate(rows):
        if skipped and i == HEAD_ROWS:
            out.append(
                f'<tr><td colspan="{3 + len(columns)}">… {skipped:,} more layers …</td></tr>'
            )
        out.append(
            "<tr>"
            f'<td style="{_STYLE}">{_e(label(r, depth))}</td>'
            f'<td style="{_STYLE}">{_code(P.shape(r.output_shape, size=model.stated_batch))}</td>'
            f'<td style="{_STYLE}">{_code(_formula_text(r))}</td>'
            + "".join(
                f'<td style="text-align:right">{_value_html(r.count(q.name))}</td>' for q in columns
            )
            + "</tr>"
        )
    out.append("</tbody></table>")
    out.append("<ul>")
    for name, v in totals(model):
        out.append(f"<li><strong>{_e(name)}:</strong> {_value_html(v)}</li>")
    note = compute_note(model)  # "Compute: FLOPs = 2 x MACs ...", when they are listed
    if note:
        head, _, rest = note.partition(": ")
        out.append(f"<li><strong>{_e(head)}:</strong> {_e(rest)}</li>")
    if model.symbols:
        out.append(
            "<li><strong>Symbols:</strong> " + ", ".join(_code(s) for s in model.symbols) + "</li>"
        )
    out.append("</ul></div>")
    return "\n".join(out)


def _mathjax_label(row, depth: int = 0) -> str:
    """``\\text{Conv2D 1}``, ``\\mathtt{encoder\\_out}\\ \\text{(Dense)}``: the
    labels of render/latex_labels.py in what MathJax and LaTeX both know."""
    from .latex_labels import REPEAT_TYPE, generated

    kind = "".join(c for c in row.type if c.isalnum() or c in " -.")
    n = generated(row.name, row.type)
    if row.type.startswith(REPEAT_TYPE) and generated(row.name, "repeat") is not None:
        text = r"\text{repeated }" + L.math(row.type[len(REPEAT_TYPE) :]) + r"\text{ times}"
    elif row.type == "repeat pass":
        text = r"\text{" + L.text(row.name) + "}"
    elif n is not None:
        text = r"\text{" + kind + (f" {n}" if n else "") + "}"
    else:
        text = r"\mathtt{" + L.math_text(row.name) + r"}\ \text{(" + kind + ")}"
    text = r"\quad " * depth + text
    if row.multiplier != 1:
        text += r" \times " + L.value(row.multiplier)
    if row.calls != 1:
        n = row.calls if isinstance(row.calls, int) else "$" + L.value(row.calls) + "$"
        text += rf"\text{{, called {n} times}}"
    return text


def model_latex(model) -> str:
    """The total as an equation and the layers as an ``array`` (MathJax)."""
    rows, skipped = _rows(model)
    columns = L._columns(model)  # MACs, FLOPs when listed
    lines = []
    for i, (depth, r) in enumerate(rows):
        if skipped and i == HEAD_ROWS:
            lines.append(
                rf"\vdots & & & \text{{{skipped:,} more layers}}" + " &" * len(columns) + r" \\"
            )
        extra = "".join(f" & {L.value(r.count(q.name))}" for q in columns)
        lines.append(
            f"{_mathjax_label(r, depth)} & {L.shape(r.output_shape)}"
            f" & {L.table_formula(r, model.symbols)}"
            f" & {L.value(r.params)}{extra} \\\\"
        )
    heads = "".join(rf" & \text{{{L.text(q.column)}}}" for q in columns)
    head = (
        r"\text{Layer} & \text{Output shape} & \text{Formula} & \text{Parameters}"
        + heads
        + r" \\ \hline"
    )
    # each total under Parameters, named by its row (Total MACs): a row may end early
    sums = [rf"\text{{{title}}} & & & {L.value(v)} \\" for title, _, v in L.totals_rows(model)]
    note = compute_note(model)
    if note:
        sums.append(rf"\text{{{L.text(note)}}} \\")
    spec = "l" * (4 + len(columns))
    table = "\n".join(
        [rf"\begin{{array}}{{{spec}}}", head, *lines, r"\hline", *sums, r"\end{array}"]
    )
    return f"$$ {L._total_name()} = {L.value(model.total)} $$\n$$\n{table}\n$$"


# rows ---------------------------------------------------------------------------------


def row_html(row) -> str:
    """The layer's count as explain shows it, and its weights."""
    from .explain import layer_lines

    lines = layer_lines(row)
    return '<pre class="symcount-row">' + "\n".join(_e(line) for line in lines) + "</pre>"


def row_latex(row) -> str:
    """``N_{conv2d_1} = (k_h k_w c_in + 1) filters = (3·3·24 + 1)·36 = 7,812``,
    then the output shape and how it follows, as explain shows them
    (render/latex_shapes.py): ``output 24 × 24 × 36: h_out = w_out = 26 - 3 + 1 = 24``
    and ``c_in = 24 (the channels of conv2d's output)``."""
    from . import latex_shapes as S

    steps = L.formula(row)
    value = L.value(row.params)
    if steps.rsplit(" = ", 1)[-1] != value:
        steps += " = " + value
    lines = [r"$$ N_{\mathtt{" + L.math_text(row.name) + "}} = " + steps + " $$"]
    if row.group:  # a block's or repeat's shapes are its layers'
        return lines[0]
    shape = S.output_head(row, "")
    how = S.output_steps(row)
    lines.append("$$ " + shape + (r":\ " + r";\quad ".join(how) if how else "") + " $$")
    lines += [rf"$$ {a}\ \text{{({b})}} $$" for a, b in S.sources(row)]
    return "\n".join(lines)


def row_markdown(row) -> str:
    from .explain import layer_lines

    return _fenced([P.text(line) for line in layer_lines(row)])


def _fenced(lines: list[str]) -> str:
    """A code block whose fence no line of it can close (a name with ```)."""
    longest = max([0, *(len(r) for line in lines for r in re.findall("`+", line))])
    fence = "`" * max(3, longest + 1)
    return fence + "\n" + "\n".join(lines) + "\n" + fence + "\n"


# solve results ----------------------------------------------------------------------------


def _solution_cells(result):
    for s in result.solutions:
        values = ", ".join(f"{k} = {v}" for k, v in s.values.items())
        if s.distance == 0:
            gap = "exact"
        else:
            gap = f"{abs(s.distance):,} {'below' if s.distance < 0 else 'above'}"
        yield values, s.count, gap


def _solve_heading(result) -> str:
    """The text's lines above the solutions: the count, the target, notes, the verdict."""
    lines = result.text().rstrip("\n").split("\n")  # escaped by the text renderer
    return "\n".join(line for line in lines if not line.startswith("  "))


def solve_html(result) -> str:
    """The question (count, target, constraints) and the solutions as a table."""
    out = [
        '<div class="symcount-solve">',
        "<pre>" + "\n".join(_e(line) for line in _solve_heading(result).split("\n")) + "</pre>",
    ]
    if not result.solutions:
        out.append("</div>")
        return "\n".join(out)
    out.append(
        "<table><thead><tr>"
        f'<th style="{_STYLE}">Values</th><th style="text-align:right">Count</th>'
        f'<th style="{_STYLE}">Distance</th></tr></thead><tbody>'
    )
    for values, count, gap in _solution_cells(result):
        out.append(
            f'<tr><td style="{_STYLE}">{_code(values)}</td>'
            f'<td style="text-align:right">{count:,}</td>'
            f'<td style="{_STYLE}">{_e(gap)}</td></tr>'
        )
    out.append("</tbody></table></div>")
    return "\n".join(out)


def solve_latex(result) -> str:
    """``u = 64`` with its count, one line per solution (MathJax)."""
    target = L.integer(result.target)
    relation = {"exact": "=", "at_most": r"\le", "at_least": r"\ge"}[result.mode]
    head = rf"{L._total_name()} = {L.value(result.expression)} {relation} {target}"
    if not result.solutions:
        return f"$$ {head} $$\n$$ \\text{{no solution}} $$"
    lines = []
    for s in result.solutions:
        values = r",\ ".join(f"{L.symbol(k)} = {L.integer(int(v))}" for k, v in s.values.items())
        gap = (
            r"\text{exact}"
            if s.distance == 0
            else rf"\text{{{abs(s.distance):,} {'below' if s.distance < 0 else 'above'}}}"
        )
        lines.append(f"{values} & {L.integer(s.count)} & {gap} \\\\")
    body = "\n".join(lines)
    return f"$$ {head} $$\n$$\n\\begin{{array}}{{lrl}}\n{body}\n\\end{{array}}\n$$"


def solve_markdown(result) -> str:
    from .formats import md_code

    lines = [_fenced(_solve_heading(result).split("\n")).rstrip("\n"), ""]
    if not result.solutions:
        return "\n".join(lines)
    lines += ["| Values | Count | Distance |", "|---|---:|---|"]
    for values, count, gap in _solution_cells(result):
        lines.append(f"| {md_code(values)} | {count:,} | {gap} |")
    return "\n".join(lines) + "\n"
