"""The playground's JSON API: each request is a dict read from JSON, each
answer a dict written as JSON. Only the public API (``symcount.parse``,
``Model``'s methods) and the renderers the command line prints with are
called; the page's options map onto them as ``summary``'s do
(``--set``, ``--convention``, ``--compute``, ``--memory``, ``--dtype``,
``--optimizer``; docs/cli.md). No request text is evaluated: the model is
read by symcount's grammar, conditions and ``let`` by its expression rules.

A mistake in the request is a :class:`RequestError` (HTTP 400); a mistake
in the model a SymcountError, which :func:`error_object` turns into
``{message, line, column, ...}`` for the page to put under the culprit.
"""

from __future__ import annotations

from .. import printing as P
from ..errors import SymcountError
from ..model.memory import OPTIMIZERS
from . import graph as G

CONVENTIONS = ("keras", "torch")
DTYPES = ("float32", "float64", "float16", "bfloat16", "int8", "int4", "mixed")
MAX_SOLVE_SECONDS = 10.0  # below the server's request limit, so solve's own message wins
MAX_SOLVE_ROWS = 50
MAX_CONDITIONS = 20


class RequestError(Exception):
    """A request the page should never send: a wrong type or a missing field."""


def _field(req: dict, name: str, kind, default=None):
    v = req.get(name, default)
    if v is None or (isinstance(v, kind) and not (kind is int and isinstance(v, bool))):
        return v
    raise RequestError(f"{name!r} must be {getattr(kind, '__name__', kind)}")


def _choice(req: dict, name: str, choices) -> str | None:
    v = _field(req, name, str)
    if v not in (None, "", *choices):
        raise RequestError(f"{name!r} must be one of {', '.join(choices)}")
    return v or None


def _integer(text: str, what: str) -> int:
    """A whole number typed on the page: digits, with ``_`` or ``,`` between
    them; longer than the magnitude limit's 61 digits is refused unread."""
    digits = text.strip().replace("_", "").replace(",", "")
    if not digits.isdigit():
        raise SymcountError(f"{what} is not a positive integer")
    if len(digits) > 61:
        raise SymcountError(f"{what}: number too large (limit 10**60)")
    return int(digits)


def _values(req: dict) -> dict[str, int]:
    given = _field(req, "values", dict, {})
    out = {}
    for name, v in given.items():
        if isinstance(v, str) and v.strip() == "":
            continue  # an empty input on the page: the symbol stays free
        if isinstance(v, str):
            v = _integer(v, f"{name} = {v!r}")
        if isinstance(v, bool) or not isinstance(v, int):
            raise SymcountError(f"{name}: give a positive integer")
        out[str(name)] = v
    return out


def model_of(req: dict):
    """The model the request describes, as ``symcount summary`` makes it:
    values are kept only for symbols the text has (the page keeps an input
    for a symbol the text has just lost), so a stale one is no error."""
    import symcount

    text = _field(req, "text", str, "")
    convention = _choice(req, "convention", CONVENTIONS)
    values = _values(req)
    model = symcount.parse(text, convention=convention, filename="model")
    written = list(model.symbols)
    kept = {k: v for k, v in values.items() if k in written}
    if kept:
        model = symcount.parse(text, values=kept, convention=convention, filename="model")
    if _field(req, "compute", bool, False):
        model = model.showing("macs", "flops")
    dtype = _choice(req, "dtype", DTYPES)
    optimizer = _choice(req, "optimizer", OPTIMIZERS)
    if _field(req, "memory", bool, False) or dtype or optimizer:
        model = model.with_memory(dtype, optimizer, ())
    return model, written, kept


def _cell(v) -> dict:
    from ..render import latex as L

    return {"value": P.json_value(v), "text": P.number(v), "latex": L.value(v)}


def _row(model, row, depth: int) -> dict:
    from ..render import label
    from ..render import latex as L

    return {
        "name": row.name,
        "type": row.type,
        "label": label(row),
        "depth": depth,
        "group": row.group,
        "multiplier": P.expr(row.multiplier),
        "calls": P.expr(row.calls),
        "shape": {"text": P.shape(row.output_shape), "latex": L.shape(row.output_shape)},
        "counts": {q.name: _cell(row.count(q.name)) for q in model.columns},
        "formula": L.formula(row),
        "line": None if row.source is None else row.source.line,
    }


def _katex(tex: str) -> str:
    """A display of render/latex.py in the environments KaTeX knows (it has
    no multline: its lines are gathered instead)."""
    tex = tex.strip()
    for env, instead in (("equation*", None), ("multline*", "gathered")):
        begin, end = f"\\begin{{{env}}}", f"\\end{{{env}}}"
        if tex.startswith(begin) and tex.endswith(end):
            inner = tex[len(begin) : -len(end)].strip()
            return inner if instead is None else f"\\begin{{{instead}}}{inner}\\end{{{instead}}}"
    return tex


def evaluate(req: dict) -> dict:
    """The summary: rows, each cell's LaTeX and (with every symbol given) its
    number; the totals; the symbols as written and the values used."""
    from ..render import compute_note, total_items, totals_lines
    from ..render import latex as L

    model, written, kept = model_of(req)
    drawn = {"graph": G.layout(model)} if _field(req, "graph", bool, False) else {}
    opened = _field(req, "expand", bool, False)  # summary --expand: the rows inside blocks
    return {
        **drawn,
        "model": model.name,
        "convention": model.convention,
        "symbols": written,
        "free": list(model.symbols),
        "values": kept,
        "columns": [{"name": q.name, "heading": model.heading(q)} for q in model.columns],
        "rows": [_row(model, r, d) for d, r in model.walk(expand=opened)],
        "totals": [{"name": q.name, "title": q.title, **_cell(v)} for q, v in total_items(model)],
        "totals_lines": totals_lines(model),
        "total_equation": _katex(L.total_equation(model)),
        "compute_note": compute_note(model),
    }


def explain(req: dict) -> dict:
    """One layer's derivation, as ``symcount explain --layer`` prints it, and in LaTeX."""
    from ..errors import ArgumentError, did_you_mean
    from ..render.explain import explain as explain_text
    from ..render.latex import explain_latex

    model, _, _ = model_of(req)
    layer = _field(req, "layer", str)
    if layer is None:
        raise RequestError("'layer' is required")
    names = [r.name for _, r in model.walk(expand=True)]
    if layer not in names:
        raise ArgumentError(
            f"the model has no layer {layer!r}", hint=did_you_mean(layer, names)
        ).at(None, filename="model")
    tex = explain_latex(model, layer=layer)
    body = tex[tex.index(r"\begin{") :] if r"\begin{" in tex else tex  # without the % comment
    return {
        "layer": layer,
        "lines": explain_text(model, layer=layer).rstrip("\n").split("\n"),
        "latex": body.strip(),
    }


def _target(req: dict) -> tuple[str, int]:
    mode = _choice(req, "mode", ("params", "at_most", "at_least"))
    if mode is None:
        raise RequestError("'mode' is required: params, at_most or at_least")
    v = req.get("target")
    if isinstance(v, str):
        v = _integer(v, f"the target {v!r}")
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise SymcountError("the target: give a whole number (59910, 59_910 or 59,910)")
    return mode, v


def _texts(req: dict, name: str) -> list[str]:
    items = _field(req, name, list, [])
    if len(items) > MAX_CONDITIONS or not all(isinstance(x, str) for x in items):
        raise RequestError(f"{name!r} must be at most {MAX_CONDITIONS} strings")
    return [x for x in items if x.strip()]


def solve(req: dict) -> dict:
    """``symcount solve``: a target or a budget, the unknowns, conditions."""
    from ..analysis.algebra import let_texts
    from ..model.quantities import REGISTRY

    model, _, kept = model_of(req)
    mode, target = _target(req)
    count = _choice(req, "count", [q.name for q in REGISTRY]) or "params"
    unknowns = [u.strip() for text in _texts(req, "unknowns") for u in text.split(",")]
    multiple = _field(req, "multiple_of", int)
    if multiple is not None and multiple < 1:
        raise SymcountError("multiple of: give a positive integer")
    seconds = _field(req, "timeout", (int, float), 5.0)
    result = model.solve(
        [u for u in unknowns if u] or None,
        **{mode: target},
        count=count,
        values=kept,
        let=let_texts(_texts(req, "let"), what="let"),
        multiple_of=multiple,
        where=_texts(req, "where"),
        timeout=min(max(float(seconds), 0.1), MAX_SOLVE_SECONDS),
        limit=MAX_SOLVE_ROWS,
    )
    return {**result.to_dict(), "text": result.text().rstrip("\n").split("\n")}


def graph(req: dict) -> dict:
    """The model's graph, folded and laid out for the page (symcount.serve.graph)."""
    model, _, _ = model_of(req)
    return G.layout(model)


def error_object(e: SymcountError) -> dict:
    """What the page shows of a mistake: the message, where, and the CLI's text."""
    span = e.span
    return {
        "message": P.text(e.message),
        "kind": e.kind,
        "hint": None if e.hint is None else P.text(e.hint),
        "line": None if span is None else span.line,
        "column": None if span is None else span.column,
        "end_line": None if span is None else span.end_line,
        "end_column": None if span is None else span.end_column,
        "text": str(e),
    }


API = {"evaluate": evaluate, "explain": explain, "solve": solve, "graph": graph}
