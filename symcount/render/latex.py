"""LaTeX for papers: the total as an equation, a booktabs table of the layers,
and ``explain``'s derivations as aligned equations.

Counts, shapes and formulas are printed by :mod:`symcount.render.latex_printer`
(a subclass of SymPy's LatexPrinter) from the expressions and formula objects
themselves; symbols read as papers write them (``d_model -> d_{\\text{model}}``)
and numbers get thousands separators as ``{,}`` (``2{,}654{,}336``).
"""

from __future__ import annotations

import functools
import re

from .. import printing as P
from ..model.formula import Formula
from . import compute_note, total_items
from . import latex_labels as LB
from . import latex_rows as R
from . import latex_shapes as S
from .latex_printer import (
    GREEK,
    formula_latex,
    integer,
    math,
    math_text,
    paren,
    symbol,
    text,
    value_item,
)
from .latex_printer import terms as latex_terms

__all__ = [
    "GREEK",
    "integer",
    "math",
    "math_text",
    "symbol",
    "text",
]  # the printer's, read from here too

TABLE_ROWS_PER_PAGE = 40  # more rows than this: a longtable, which breaks across pages
LINE_CHARS = 80  # a display wider than this (in characters shown) is broken at + and -
ALIGN_LINES = 60  # explain: a new alignat* after this many lines
TABLE_CELL_CHARS = 40  # a longer total is named in the table and given as an equation
CAPTION_SYMBOLS = 12  # the caption names this many symbols
MAX_SUM_TERMS = 12  # the total is spelled out as a sum of the layers' counts up to this

PREAMBLE = r"""\documentclass{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath}
\usepackage{booktabs}
\usepackage{longtable}
\usepackage{array}
\allowdisplaybreaks
"""


@functools.lru_cache(maxsize=1 << 16)
def _str(v) -> str:
    """``printing.expr``, remembered for as many rows as a big model has (the
    table, the formulas and the totals print the same counts again)."""
    return P.expr(v)


def value(v) -> str:
    """A count or a dimension: an integer with separators, or an expression."""
    return value_item(v).body


def shape(s) -> str:
    """An output shape without the batch axis: ``26 \\times 26 \\times 24``;
    several outputs are separated by semicolons."""
    if isinstance(s, list):
        return r";\ ".join(shape(x) for x in s)
    if not s:
        return r"\mathrm{scalar}"
    return r" \times ".join(_factor_text(d) for d in s)


def _factor_text(d) -> str:
    it = value_item(d)
    return paren(it.body) if it.kind in ("add", "neg") else it.body


# the summary ---------------------------------------------------------------------


def _formula_of(row):
    from .explain import formula_of

    return formula_of(row)


def formula(row) -> str:
    """A row's count as a formula in its weights' names, then with the numbers
    put in (a step is left out when it reads like the one before or the value)."""
    f = _formula_of(row)
    if row.group:  # a block's formula in its parameters (mlp(w): 4*w*(d + 1) + ...)
        return _formula_step(f, False)
    steps = [_formula_step(f, False)]
    if f.numbers not in (f.general, _str(row.params)):
        steps.append(_formula_step(f, True))
    return " = ".join(steps)


def table_formula(row, symbols) -> str:
    """The summary's Formula cell: the count with each label replaced by what
    it stands for (``(3 \\cdot 3 \\cdot 24 + 1) \\cdot 36``, ``2 d`` for
    LayerNormalization's ``2 c``), so no symbol of the table goes undefined;
    a block's formula in its parameters, or its value when a parameter is
    none of the model's ``symbols`` (``w`` of ``block mlp(w)``)."""
    f = _formula_of(row)
    if not row.group:
        return _formula_step(f, True)
    free = getattr(f.tree, "free_symbols", ()) if isinstance(f, Formula) and f.plain else ()
    if {s.name for s in free} - set(symbols):
        return value(row.params)
    return _formula_step(f, False)


def _formula_step(f, numbers: bool) -> str:
    """A formula object printed as such; a formula given as text (a rule's
    override) read by the language's expression grammar."""
    if isinstance(f, Formula):
        return formula_latex(f, numbers=numbers)
    return math(f.numbers if numbers else f.general)


def _layer_cell(row, depth: int = 0) -> str:
    return r"\quad " * depth + LB.label(row)


def _total_name(kind: str = "params") -> str:
    return r"N_{\text{" + kind + "}}"


_COMMAND = re.compile(r"\\[A-Za-z]+|[{}\s]")


def _visible(s: str) -> int:
    """About how many characters a display shows (commands and braces left out)."""
    return len(_COMMAND.sub("", s))


def _display(lhs: str, steps: list[str], last_terms: list[str] | None = None) -> str:
    """``lhs = step = ... `` as an equation, or a multline broken at the
    terms of the last step when it is long."""
    body = f"{lhs} = " + " = ".join(steps)
    if steps and _visible(body) > LINE_CHARS and (not last_terms or len(last_terms) < 2):
        last_terms = [steps[-1]]
    # a term wider than a line (L (...)) is broken inside its brackets
    last_terms = [p for t in last_terms or () for p in _pieces(t)]
    if steps and (_visible(body) <= LINE_CHARS or not last_terms or len(last_terms) < 2):
        return "\\begin{equation*}\n  " + body + "\n\\end{equation*}"
    lines, cur = [], f"{lhs} = " + "".join(s + " = " for s in steps[:-1])
    for t in last_terms:
        if R.visible(cur) + R.visible(t) > LINE_CHARS and cur.strip() not in ("", f"{lhs} ="):
            lines.append(cur.rstrip())
            cur = ""
        cur += t + " "
    lines.append(cur.rstrip())
    return "\\begin{multline*}\n  " + " \\\\\n  ".join(lines) + "\n\\end{multline*}"


def _pieces(term: str) -> list[str]:
    return R.terms(R.loosened(term)) if R.visible(term) > LINE_CHARS else [term]


def total_equation(model) -> str:
    """``N_params = 240 + 7,812 + ... = 2,663,678`` (the sum of the layers'
    counts is spelled out for up to 12 layers with weights)."""
    steps = []
    terms = [r.params for r in model.rows if not (isinstance(r.params, int) and r.params == 0)]
    if 2 <= len(terms) <= MAX_SUM_TERMS and isinstance(model.total, int):
        steps.append(" + ".join(value(t) for t in terms))
        body = f"{_total_name()} = {steps[0]} = {value(model.total)}"
        if _visible(body) > LINE_CHARS:
            # the sum is what is long: broken at its + signs, the total on its last line
            shown = [value(terms[0])] + [f"+ {value(t)}" for t in terms[1:]]
            shown[-1] += f" = {value(model.total)}"
            return _display(_total_name(), [], shown)
    steps.append(value(model.total))
    return _display(_total_name(), steps, latex_terms(model.total))


def _rows(model, expand: bool, depth: int | None = None):
    return list(model.walk(expand=expand, depth=depth))


def totals_rows(model) -> list[tuple[str, str, object]]:
    """(row title, name in equations, value) of the totals (symcount.model.quantities)."""
    return [(q.title.removesuffix(" params"), q.tex_name, v) for q, v in total_items(model)]


def _long(v) -> bool:
    return _visible(value(v)) > TABLE_CELL_CHARS


def split_equations(model) -> list[str]:
    """The trainable, non-trainable and buffer counts too long for a table
    cell, as equations of their own (the table names them)."""
    out = []
    for _, name, v in totals_rows(model)[1:]:
        if _long(v) and _str(v) != _str(model.total):
            out.append(_display(_total_name(name), [value(v)], latex_terms(v)))
    return out


def _split_cell(model, name: str, v) -> str:
    if not _long(v):
        return value(v)
    return _total_name("params" if _str(v) == _str(model.total) else name)


def _columns(model) -> list:
    """The quantities with a column of their own after Parameters: those the
    model lists beyond the default ones that declare a column (MACs, FLOPs)."""
    return [q for q in model.quantities if q.column and not q.default]


def _cell(math: str) -> str:
    """Inline math for a table cell, breakable: TeX breaks a formula only
    after a + or = outside any group, and \\left( ... \\right) is one, so a
    cell has plain brackets (no tall fraction needs them in a line of text)."""
    for a, b in ((r"\left(", "("), (r"\right)", ")"), (r"\left[", "["), (r"\right]", "]")):
        math = math.replace(a, b)
    # and between the factors of a product, and the shapes of several outputs
    math = math.replace(r"\,", r"\,\allowbreak{}").replace(r";\ ", r";\allowbreak\ ")
    return f"${math}$"


# Each column's share of the line: the table is as wide as the text (a paper's
# column too) and its cells wrap (math breaks after + and x), never wider.
_SHARES = {"layer": 2.9, "shape": 1.8, "formula": 2.4, "count": 2.0}
_GAPS = 0.025  # of the line, for the space between two columns (2 x \tabcolsep)


def _column_spec(formulas: bool, extra: int, shape: bool = True) -> str:
    shares = [_SHARES["layer"]] + ([_SHARES["shape"]] if shape else [])
    shares += [_SHARES["formula"]] if formulas else []
    shares += [_SHARES["count"]] * (1 + extra)
    room = 1 - _GAPS * (len(shares) - 1)
    widths = [room * x / sum(shares) for x in shares]
    left = r">{\raggedright\arraybackslash}p{%.3f\linewidth}"
    right = r">{\raggedleft\arraybackslash}p{%.3f\linewidth}"
    n_left = 1 + shape + formulas
    cells = [(left if i < n_left else right) % w for i, w in enumerate(widths)]
    return "@{}" + "".join(cells) + "@{}"


def summary_table(
    model, *, formulas: bool = True, expand: bool = False, depth: int | None = None
) -> str:
    """A booktabs table: layer, output shape, formula, parameters; then the
    totals. The quantities listed with a column of their own (MACs, FLOPs,
    bytes) get a second table, layer by layer (issue 14: seven columns do not
    fit a page's width; two tables of four do, as a paper would set them)."""
    rows = _rows(model, expand, depth)
    columns = _columns(model)
    head = ["Layer", "Output shape", *(["Formula"] if formulas else []), "Parameters"]
    body = []
    for depth, r in rows:
        cells = [_layer_cell(r, depth), _cell(shape(r.output_shape))]
        if formulas:
            cells.append(_cell(table_formula(r, model.symbols)))
        cells.append(_cell(value(r.params)))
        body.append(" & ".join(cells) + r" \\")
    empty = " & " * (len(head) - 2)
    # each total under Parameters, named by its row (Trainable): a row may end early
    items = totals_rows(model)
    # with a second table, the other quantities' totals go there (under their columns)
    main = [it for it, (q, _) in zip(items, total_items(model), strict=True) if q.default]
    main = main if columns else items
    totals = [
        f"{title}{empty} & {_cell(_split_cell(model, name, v))} \\\\" for title, name, v in main
    ]
    caption = "Parameters of " + (
        r"\texttt{" + text(model.name) + "}" if model.name else "the model"
    )
    if model.symbols:
        names = [f"${symbol(s)}$" for s in model.symbols[:CAPTION_SYMBOLS]]
        more = len(model.symbols) - CAPTION_SYMBOLS
        caption += "; symbols " + ", ".join(names) + (f" and {more:,} more" if more > 0 else "")
    caption += "."
    cols = _column_spec(formulas, 0)
    table = _float(cols, caption, " & ".join(head) + r" \\", body, totals)
    if not columns:
        return table
    return table + "\n" + _columns_table(model, rows, columns, items)


def _columns_table(model, rows, columns, items) -> str:
    """Layer by layer, the quantities with a column of their own; their totals
    under their column (a total with none, such as the optimizer's state
    memory, under the last)."""
    head = ["Layer", *(text(q.column) for q in columns)]
    body = [
        " & ".join([_layer_cell(r, d), *(_cell(value(r.count(q.name))) for q in columns)]) + r" \\"
        for d, r in rows
    ]
    totals = []
    for (title, name, v), (q, _) in zip(items, total_items(model), strict=True):
        if q.default:
            continue
        at = columns.index(q) if q in columns else len(columns) - 1
        cells = [title, *([""] * at), _cell(_split_cell(model, name, v))]
        totals.append(" & ".join(cells) + r" \\")
    what = ", ".join(text(q.column) for q in columns[:-1])
    what = (what + " and " if what else "") + text(columns[-1].column)
    caption = what + " of " + (r"\texttt{" + text(model.name) + "}" if model.name else "the model")
    caption += " by layer."
    note = compute_note(model)  # "Compute: FLOPs = 2 x MACs ..., batch 1"
    if note:
        caption += " " + text(note) + "."
    cols = _column_spec(False, len(columns) - 1, shape=False)
    return _float(cols, caption, " & ".join(head) + r" \\", body, totals)


def _float(cols: str, caption: str, header: str, body: list[str], totals: list[str]) -> str:
    """A booktabs table; with more rows than a page holds, a longtable."""
    rule = [r"\midrule", *totals, r"\bottomrule"]
    if len(body) > TABLE_ROWS_PER_PAGE:
        head = [f"\\begin{{longtable}}{{{cols}}}", f"\\caption{{{caption}}}\\\\", r"\toprule"]
        lines = [*head, header, r"\midrule", r"\endhead", *body, *rule, r"\end{longtable}"]
        return "\n".join(lines)
    head = [r"\begin{table}[ht]", r"\centering", f"\\caption{{{caption}}}"]
    head += [f"\\begin{{tabular}}{{{cols}}}", r"\toprule", header, r"\midrule"]
    return "\n".join([*head, *body, *rule, r"\end{tabular}", r"\end{table}"])


def _comment(model) -> str:
    # a name could end the comment (a newline) and start TeX: escaped like any text
    what = f"model {P.text(model.name, ascii=True)}" if model.name else "a model"
    return f"% symcount: {what} ({model.convention} convention)"


def model_latex(
    model,
    *,
    formulas: bool = True,
    standalone: bool = False,
    expand: bool = False,
    depth: int | None = None,
    leading: str | None = None,
) -> str:
    """``symcount summary --latex``: the total as an equation and the table
    (needs amsmath, booktabs and array; longtable for more than 40 rows);
    ``leading``: LaTeX put after the table (--leading, render/latex_leading.py)."""
    body = "\n".join(
        [
            _comment(model),
            total_equation(model),
            *split_equations(model),
            "",
            summary_table(model, formulas=formulas, expand=expand, depth=depth),
            *([leading] if leading else []),
        ]
    )
    body = _wrap_source(body)
    return document(body, model) if standalone else body + "\n"


# explain -------------------------------------------------------------------------


def _status(row, weight, frozen: bool, buffers: bool) -> str:
    from .explain import status

    s = status(row, weight, frozen=frozen, buffers=buffers)
    return "" if s == "trainable" else s


def _has_weights(row) -> bool:
    return bool(row.weights) or any(_has_weights(c) for c in row.children)


def _explain_lines(row, depth: int, frozen: bool, buffers: bool, names: dict) -> list[R.Row]:
    from ..model.formula import weight_formula

    frozen, buffers = frozen or row.frozen, buffers or row.state_as_buffers
    indent = r"\quad " * depth
    head = indent + r"\text{" + LB.label(row, breakable=False) + "}"
    steps = S.output_steps(row)
    if not row.group and not _has_weights(row):
        out = r"\text{no weights; output}\ " + shape(row.output_shape)
        if not steps:
            return [R.line(head, out)]
        one = out + r":\ " + r";\ ".join(steps)
        if R.visible(one) <= R.LINE - R.HEAD_MAX:
            return [R.line(head, one)]
        return [R.line(head, out), R.Row(indent + r"\quad ", tuple(steps), "", r";\ ")]
    chain = formula(row).split(" = ")
    if value(row.params) != chain[-1]:
        chain.append(value(row.params))
    lines = [R.chain(head, chain)]
    if not row.group:  # the output shape and how it follows, where each size comes from
        lines.append(R.Row(S.output_head(row, indent + r"\quad "), tuple(steps), "", r";\ "))
        lines += [
            R.line(indent + r"\quad " + a, rf"\text{{{b}}}") for a, b in S.sources(row, names)
        ]
    children = [c for c in row.children if row.group or _has_weights(c)]
    if children:
        for c in children:
            lines += _explain_lines(c, depth + 1, frozen, buffers, names)
        return lines
    for w in row.weights:
        f = weight_formula(w)
        chain = [formula_latex(f)]
        if f.numbers not in (f.general, _str(w.size)):
            chain.append(formula_latex(f, numbers=True))
        if value(w.size) != chain[-1]:
            chain.append(value(w.size))
        note = _status(row, w, frozen, buffers)
        tail = f" \\quad \\text{{({text(note)})}}" if note else ""
        name = r"\text{" + text(w.name) + "}"
        weight = rf"\quad {indent}{name}\ \left({shape(w.shape)}\right)"
        lines.append(R.chain(weight, chain, tail))
    return lines


def _macs_lines(row, model) -> list[R.Row]:
    """explain's ``MACs = 26*26*3*3*1*24 = 146,016`` typeset, one line per call
    (render/explain_compute.py), when the model lists its compute."""
    if not model.compute_shown:
        return []
    head = r"\quad \text{MACs}"
    if row.group:
        return [R.chain(head, [value(row.count("macs"))])]
    lines = []
    calls = row.call_costs
    for i, costs in enumerate(calls):
        v = costs.get("macs", 0)
        name = head if len(calls) == 1 else rf"\quad \text{{call {i + 1}: MACs}}"
        terms = costs.get("macs_terms") or ()
        steps = []
        if terms and v is not None:
            product = " + ".join(r" \cdot ".join(_factor_text(f) for f in t) for t in terms)
            general = _labelled_macs(costs)
            if model.batch != 1:
                batch = _factor_text(model.batch)
                product = f"{batch} \\cdot " + (paren(product) if len(terms) > 1 else product)
                if general:
                    many = len(terms) > 1
                    general = r"\mathrm{batch} \, " + (paren(general) if many else general)
            if general and general != product:
                steps.append(general)
            steps.append(product)
        if v is None or not steps or value(v) != steps[-1]:
            steps.append(r"\text{unknown}" if v is None else value(v))
        lines.append(R.chain(name, steps))
    if row.multiplier != 1 and lines:
        head = rf"\quad \text{{counted}} \times {value(row.multiplier)}"
        lines.append(R.chain(head, [value(row.count("macs"))]))
    return lines


_LABEL_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[^A-Za-z0-9_]+)")


def _label_tex(name: str) -> str:
    """A cost factor's label typeset: ``c_in + units`` as symbols, in
    parentheses when it is a sum."""
    out = []
    for tok in _LABEL_TOKEN.findall(name):
        if tok[0].isalpha() or tok[0] == "_":
            out.append(symbol(tok))
        elif tok.isdigit():
            out.append(tok)
        else:
            op = tok.strip()
            out.append({"*": r" \, ", "/": "/", "+": " + ", "-": " - "}.get(op, text(op)))
    body = "".join(out)
    return paren(body) if " + " in name or " - " in name else body


def _labelled_macs(costs) -> str | None:
    """The MACs in the op's labels (a factor it did not name: its value)."""
    from .explain_compute import labelled_terms

    terms = labelled_terms(costs)
    if terms is None:
        return None
    return " + ".join(
        r" \, ".join(_factor_text(v) if n is None else _label_tex(n) for n, v in t) for t in terms
    )


def explain_latex(model, *, layer: str | None = None, standalone: bool = False) -> str:
    """``symcount explain --latex``: each layer's formula, the numbers put in
    and the value, then each weight's, as ``alignat*`` lines; then the total."""
    rows = [model.row(layer)] if layer is not None else list(model.rows)
    # a size's source named as its layer's label reads (c_in = 24, the channels of Conv2D's output)
    names = {r.name: LB.label(r, breakable=False) for _, r in model.walk(expand=True)}
    groups, lines = [], []
    for r in rows:  # one alignat* per screenful of layers: TeX holds a display in memory
        more = _explain_lines(r, 0, False, False, names) + _macs_lines(r, model)
        if lines and len(lines) + len(more) > ALIGN_LINES:
            groups.append(lines)
            lines = []
        lines += more
    groups.append(lines)
    parts = [_comment(model)]
    for group in groups:
        block = " \\\\\n  ".join(R.layout(group))
        parts.append(f"\\begin{{alignat*}}{{2}}\n  {block}\n\\end{{alignat*}}")
    if layer is None:
        parts.append(total_equation(model))
        for q in _columns(model):  # N_MACs, N_FLOPs: the compute's totals
            v = model.sum(q.name)
            parts.append(_display(_total_name(q.tex_name), [value(v)], latex_terms(v)))
        note = compute_note(model)
        if note:
            parts.append(r"\noindent " + text(note) + ".")
    body = _wrap_source("\n".join(parts))
    return document(body, model) if standalone else body + "\n"


SOURCE_LINE = 400  # longer source lines are broken at spaces (TeX reads lines into a buffer)


def _wrap_source(body: str) -> str:
    """Long lines broken at spaces, which TeX reads as spaces; comment lines
    are left alone."""
    if all(len(line) <= SOURCE_LINE for line in body.split("\n")):
        return body
    out = []
    for line in body.split("\n"):
        while len(line) > SOURCE_LINE and not line.lstrip().startswith("%"):
            cut = line.rfind(" ", 0, SOURCE_LINE)
            if cut <= 0:
                cut = line.find(" ", SOURCE_LINE)
            if cut <= 0:
                break
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


# a whole document ----------------------------------------------------------------


def document(body: str, model) -> str:
    """A complete article around ``body`` that pdflatex compiles."""
    title = text(model.name) if model.name else "Model"
    return (
        PREAMBLE + "\\begin{document}\n" + f"\\section*{{{title}}}\n" + body + "\n\\end{document}\n"
    )
