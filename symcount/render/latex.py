"""LaTeX for papers: the total as an equation, a booktabs table of the layers,
and ``explain``'s derivations as aligned equations.

Expressions are printed from the text symcount already prints (SymPy's
``str()``, or the fast printer for big sums, and the count formulas of
:mod:`symcount.formula`): a small tokenizer and precedence parser of that
text gives LaTeX in one linear pass, so a 10,000-term total takes
milliseconds where ``sympy.latex`` takes over a minute. Nothing is
evaluated: the text is only read.

Symbols are written as papers write them::

    u -> u    d_model -> d_{\\text{model}}    alpha -> \\alpha    k_h -> k_{h}
    u1 -> u_{1}    units -> \\mathrm{units}    num_heads -> \\mathrm{num\\_heads}

Numbers get thousands separators as ``{,}`` (``2{,}654{,}336``).
"""

from __future__ import annotations

import functools
import re

from .. import printing as P
from . import label, total_items

_LOWER_GREEK = "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
_UPPER_GREEK = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
GREEK = frozenset(f"{_LOWER_GREEK} {_UPPER_GREEK}".split(" "))
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
\allowdisplaybreaks
"""

# text --------------------------------------------------------------------------

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEXT_SPECIAL = re.compile(r"[\\&%$#_{}~^]")


def text(s: str) -> str:
    """Plain text with LaTeX's special characters escaped."""
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group()], s)


# symbols -----------------------------------------------------------------------

_TRAILING_DIGITS = re.compile(r"([A-Za-z]+)(\d+)\Z")


def _piece(part: str, *, sub: bool) -> str:
    """One part of a name: a Greek letter, a single letter, digits, or a word."""
    if part in GREEK:
        return "\\" + part
    if len(part) == 1 or part.isdigit():
        return part
    return r"\text{" + text(part) + "}" if sub else r"\mathrm{" + text(part) + "}"


@functools.lru_cache(maxsize=4096)
def symbol(name: str) -> str:
    """A symbol's name as a paper writes it (see the module docstring)."""
    parts = name.split("_")
    if "" in parts or not name.isascii():
        return r"\mathrm{" + text(name) + "}"
    if len(parts) == 1:
        m = _TRAILING_DIGITS.match(name)
        if m and (len(m.group(1)) == 1 or m.group(1) in GREEK):  # u1 -> u_{1}
            return f"{_piece(m.group(1), sub=False)}_{{{m.group(2)}}}"
        return _piece(name, sub=False)
    base, subs = parts[0], parts[1:]
    if len(base) > 1 and base not in GREEK:  # num_heads: one word
        return r"\mathrm{" + text(name) + "}"
    return f"{_piece(base, sub=False)}_{{{','.join(_piece(s, sub=True) for s in subs)}}}"


# numbers -----------------------------------------------------------------------


def integer(n: int) -> str:
    """``2654336`` -> ``2{,}654{,}336``."""
    return f"{n:,}".replace(",", "{,}")


def _number(tok: str) -> str:
    if tok.isdigit():
        return integer(int(tok))
    return tok  # a decimal


# expressions: text -> tree -> LaTeX ---------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|//|[-+*/%(),^]))")

_FUNCTIONS = {
    "floor": (r"\left\lfloor ", r" \right\rfloor"),
    "ceiling": (r"\left\lceil ", r" \right\rceil"),
    "ceil": (r"\left\lceil ", r" \right\rceil"),
    "Abs": (r"\left|", r"\right|"),
    "sqrt": (r"\sqrt{", "}"),
}
_OPERATORS = {"Max": r"\max", "Min": r"\min", "max": r"\max", "min": r"\min"}


class _Unreadable(Exception):
    pass


def _tokens(s: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    s = s.rstrip()
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m:
            raise _Unreadable(s)
        num, name, op = m.groups()
        out.append(("num", num) if num else ("name", name) if name else ("op", op))
        pos = m.end()
    return out


class _Parser:
    """expr := term (('+'|'-') term)* ; term := unary (('*'|'/'|'//'|'%') unary)* ;
    unary := '-' unary | power ; power := atom ('**' unary)? ;
    atom := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'."""

    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self, value=None):
        tok = self.peek()
        if tok[0] == "end" or (value is not None and tok[1] != value):
            raise _Unreadable(value)
        self.i += 1
        return tok

    def parse(self):
        tree = self.expr()
        if self.i != len(self.toks):
            raise _Unreadable("trailing")
        return tree

    def expr(self):
        terms = [("+", self.term())]
        while self.peek() in (("op", "+"), ("op", "-")):
            sign = self.take()[1]
            terms.append((sign, self.term()))
        return terms[0][1] if len(terms) == 1 else ("add", terms)

    def term(self):
        factors = [("*", self.unary())]
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/", "//", "%"):
            op = self.take()[1]
            factors.append((op, self.unary()))
        return factors[0][1] if len(factors) == 1 else ("mul", factors)

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[0] == "op" and self.peek()[1] in ("**", "^"):
            self.take()
            return ("pow", base, self.unary())
        return base

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return ("num", value)
        if kind == "name":
            if self.peek() == ("op", "("):
                self.take()
                args = [self.expr()]
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.expr())
                self.take(")")
                return ("call", value, args)
            return ("name", value)
        if value == "(":
            inner = self.expr()
            self.take(")")
            return ("paren", inner)
        raise _Unreadable(value)


def _bare(node):
    """Without the brackets a fraction, an exponent or a function call makes redundant."""
    while node[0] == "paren":
        node = node[1]
    return node


def _paren(s: str) -> str:
    return r"\left(" + s + r"\right)"


def _latex(node) -> str:
    kind = node[0]
    if kind == "num":
        return _number(node[1])
    if kind == "name":
        return symbol(node[1])
    if kind == "paren":  # brackets around a product or an atom say nothing
        inner = _bare(node)
        body = _latex(inner)
        return _paren(body) if inner[0] in ("add", "neg") else body
    if kind == "neg":
        inner = node[1]
        body = _latex(inner)
        return "-" + (_paren(body) if inner[0] == "add" else body)
    if kind == "add":
        out = []
        for i, (sign, term) in enumerate(node[1]):
            body = _latex(term)
            if i == 0:
                out.append(body)
            elif body.startswith("-"):  # a + -b
                out.append(f" {'+' if sign == '-' else '-'} {body[1:]}")
            else:
                out.append(f" {sign} {body}")
        return "".join(out)
    if kind == "mul":
        return _mul(node[1])
    if kind == "pow":
        base, exp = node[1], node[2]
        base = _bare(base)
        b = _latex(base)
        if base[0] in ("neg", "add", "mul", "pow") or (base[0] == "num" and "." in base[1]):
            b = _paren(b)
        return f"{b}^{{{_latex(_bare(exp))}}}"
    if kind == "call":
        name, args = node[1], [_bare(a) for a in node[2]]
        if name in _FUNCTIONS and len(args) == 1:
            left, right = _FUNCTIONS[name]
            return left + _latex(args[0]) + right
        if name == "Mod" and len(args) == 2:
            return f"{_operand(args[0])} \\bmod {_operand(args[1])}"
        op = _OPERATORS.get(name, r"\operatorname{" + text(name) + "}")
        return op + _paren(", ".join(_latex(a) for a in args))
    raise _Unreadable(kind)  # pragma: no cover - the parser makes no other nodes


def _operand(node) -> str:
    """A factor next to another: sums and negations get brackets."""
    body = _latex(node)
    return _paren(body) if node[0] in ("add", "neg") else body


def _wide(node) -> bool:
    return node[0] == "name" and symbol(node[1]).startswith(r"\mathrm")


def _mul(factors) -> str:
    first = factors[0][1]
    bare = _latex(_bare(first))  # the numerator when a fraction follows one factor
    if _bare(first) is not first:
        out = _latex(first) if first[0] == "neg" else _operand(first)  # -4*u: -4 u
    else:  # the same text: render it once (twice a level is 2**depth for nested floors)
        out = _paren(bare) if first[0] == "add" else bare
    prev = first
    for op, node in factors[1:]:
        if op == "/":
            out = r"\frac{" + bare + "}{" + _latex(_bare(node)) + "}"
        elif op == "//":
            out = r"\left\lfloor \frac{" + bare + "}{" + _latex(_bare(node)) + r"} \right\rfloor"
        elif op == "%":
            out = f"{out} \\bmod {_operand(node)}"
        else:
            body = _operand(node)
            if body[0].isdigit() or body[0] == "-" or (prev[0] == "num" and "." in prev[1]):
                sep = r" \cdot "
            elif _wide(prev) or _wide(node):
                sep = r" \, "
            else:
                sep = " "
            out = f"{out}{sep}{body}"
        prev = node
        bare = out
    return out


@functools.lru_cache(maxsize=4096)
def _tree(s: str):
    return _Parser(_tokens(s)).parse()


@functools.lru_cache(maxsize=4096)
def math(s: str) -> str:
    """Expression text as symcount prints it (``4*u*(f + u + 1)``) in LaTeX
    math (``4 u \\left(f + u + 1\\right)``). Text that is not an expression
    (it cannot happen with symcount's own output) is set verbatim."""
    try:
        return _latex(_tree(s))
    except (_Unreadable, RecursionError):
        return r"\texttt{" + text(s) + "}"


@functools.lru_cache(maxsize=1 << 16)
def _str(v) -> str:
    """``printing.expr``, remembered for as many rows as a big model has (the
    table, the formulas and the totals print the same counts again)."""
    return P.expr(v)


def value(v) -> str:
    """A count or a dimension: an integer with separators, or an expression."""
    if isinstance(v, int) and not isinstance(v, bool):
        return integer(v)
    if v is None:
        return r"\mathrm{None}"
    return math(_str(v))


def shape(s) -> str:
    """An output shape without the batch axis: ``26 \\times 26 \\times 24``;
    several outputs are separated by semicolons."""
    if isinstance(s, list):
        return r";\ ".join(shape(x) for x in s)
    if not s:
        return r"\mathrm{scalar}"
    return r" \times ".join(_factor_text(d) for d in s)


def _factor_text(d) -> str:
    body = value(d)
    if isinstance(d, int) or d is None:
        return body
    try:
        sum_ = _tree(_str(d))[0] in ("add", "neg")
    except (_Unreadable, RecursionError):
        sum_ = True
    return _paren(body) if sum_ else body


def _terms(s: str) -> list[str]:
    """The top-level terms of an expression's LaTeX, each with its sign
    (for breaking a long display); one piece if it is not a sum."""
    try:
        tree = _tree(s)
    except (_Unreadable, RecursionError):
        return [math(s)]
    if tree[0] != "add":
        return [math(s)]
    out = []
    for i, (sign, term) in enumerate(tree[1]):
        body = _latex(term)
        if body.startswith("-"):
            sign, body = ("+" if sign == "-" else "-"), body[1:]
        out.append(body if i == 0 and sign == "+" else f"{sign} {body}")
    return out


# the summary ---------------------------------------------------------------------


def _formula_of(row):
    from .explain import formula_of

    return formula_of(row)


def formula(row) -> str:
    """A row's count as a formula in its weights' names, then with the numbers
    put in (a step is left out when it reads like the one before or the value)."""
    f = _formula_of(row)
    if row.group:  # a block's formula in its parameters (mlp(w): 4*w*(d + 1) + ...)
        return math(f.general)
    steps = [f.general]
    if f.numbers not in (f.general, _str(row.params)):
        steps.append(f.numbers)
    return " = ".join(math(s) for s in steps)


def _layer_cell(row, depth: int = 0) -> str:
    cell = r"\quad " * depth + r"\texttt{" + text(row.name) + "} (" + text(row.type) + ")"
    if row.multiplier != 1:
        cell += r" $\times\, " + value(row.multiplier) + "$"
    if row.calls > 1:
        cell += f" [shared: {row.calls} calls]"
    return cell


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
    if _visible(body) <= LINE_CHARS or not last_terms or len(last_terms) < 2:
        return "\\begin{equation*}\n  " + body + "\n\\end{equation*}"
    lines, cur = [], f"{lhs} = " + "".join(s + " = " for s in steps[:-1])
    for t in last_terms:
        if _visible(cur) + _visible(t) > LINE_CHARS and cur.strip() not in ("", f"{lhs} ="):
            lines.append(cur.rstrip())
            cur = ""
        cur += t + " "
    lines.append(cur.rstrip())
    return "\\begin{multline*}\n  " + " \\\\\n  ".join(lines) + "\n\\end{multline*}"


def total_equation(model) -> str:
    """``N_params = 240 + 7,812 + ... = 2,663,678`` (the sum of the layers'
    counts is spelled out for up to 12 layers with weights)."""
    total_text = _str(model.total)
    steps = []
    terms = [r.params for r in model.rows if not (isinstance(r.params, int) and r.params == 0)]
    if 2 <= len(terms) <= MAX_SUM_TERMS and isinstance(model.total, int):
        steps.append(" + ".join(value(t) for t in terms))
    steps.append(value(model.total))
    return _display(_total_name(), steps, _terms(total_text))


def _rows(model, expand: bool):
    return list(model.walk(expand=expand))


def totals_rows(model) -> list[tuple[str, str, object]]:
    """(row title, name in equations, value) of the totals (symcount.quantities)."""
    return [(q.title.removesuffix(" params"), q.tex_name, v) for q, v in total_items(model)]


def _long(v) -> bool:
    return _visible(value(v)) > TABLE_CELL_CHARS


def split_equations(model) -> list[str]:
    """The trainable, non-trainable and buffer counts too long for a table
    cell, as equations of their own (the table names them)."""
    out = []
    for _, name, v in totals_rows(model)[1:]:
        if _long(v) and _str(v) != _str(model.total):
            out.append(_display(_total_name(name), [value(v)], _terms(_str(v))))
    return out


def _split_cell(model, name: str, v) -> str:
    if not _long(v):
        return value(v)
    return _total_name("params" if _str(v) == _str(model.total) else name)


def summary_table(model, *, formulas: bool = True, expand: bool = False) -> str:
    """A booktabs table: layer, output shape, formula, parameters; then the totals."""
    rows = _rows(model, expand)
    head = ["Layer", "Output shape", *(["Formula"] if formulas else []), "Parameters"]
    cols = "@{}ll" + ("l" if formulas else "") + "r@{}"
    body = []
    for depth, r in rows:
        cells = [_layer_cell(r, depth), f"${shape(r.output_shape)}$"]
        if formulas:
            cells.append(f"${formula(r)}$")
        cells.append(f"${value(r.params)}$")
        body.append(" & ".join(cells) + r" \\")
    empty = " & " * (len(head) - 2)
    totals = [
        f"{title}{empty} & ${_split_cell(model, name, v)}$ \\\\"
        for title, name, v in totals_rows(model)
    ]
    caption = "Parameters of " + (
        r"\texttt{" + text(model.name) + "}" if model.name else "the model"
    )
    if model.symbols:
        names = [f"${symbol(s)}$" for s in model.symbols[:CAPTION_SYMBOLS]]
        more = len(model.symbols) - CAPTION_SYMBOLS
        caption += "; symbols " + ", ".join(names) + (f" and {more:,} more" if more > 0 else "")
    caption += "."
    header = " & ".join(head) + r" \\"
    if len(rows) > TABLE_ROWS_PER_PAGE:
        lines = [
            f"\\begin{{longtable}}{{{cols}}}",
            f"\\caption{{{caption}}}\\\\",
            r"\toprule",
            header,
            r"\midrule",
            r"\endhead",
            *body,
            r"\midrule",
            *totals,
            r"\bottomrule",
            r"\end{longtable}",
        ]
        return "\n".join(lines)
    lines = [
        r"\begin{table}[ht]",
        r"\centering",
        f"\\caption{{{caption}}}",
        f"\\begin{{tabular}}{{{cols}}}",
        r"\toprule",
        header,
        r"\midrule",
        *body,
        r"\midrule",
        *totals,
        r"\bottomrule",
        r"\end{tabular}",
        r"\end{table}",
    ]
    return "\n".join(lines)


def _comment(model) -> str:
    what = f"model {model.name}" if model.name else "a model"
    return f"% symcount: {what} ({model.convention} convention)"


def model_latex(
    model, *, formulas: bool = True, standalone: bool = False, expand: bool = False
) -> str:
    """``symcount summary --latex``: the total as an equation and the table
    (needs amsmath and booktabs; longtable for more than 40 rows)."""
    body = "\n".join(
        [
            _comment(model),
            total_equation(model),
            *split_equations(model),
            "",
            summary_table(model, formulas=formulas, expand=expand),
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


def _explain_lines(row, depth: int, frozen: bool, buffers: bool) -> list[str]:
    from ..formula import weight_formula

    frozen, buffers = frozen or row.frozen, buffers or row.state_as_buffers
    indent = r"\quad " * depth
    head = indent + r"\text{" + text(label(row)) + "}"
    if not row.group and not _has_weights(row):
        return [f"&{head} &&\\text{{no weights; output }} {shape(row.output_shape)}"]
    steps = formula(row)
    if value(row.params) != steps.rsplit(" = ", 1)[-1]:
        steps += " = " + value(row.params)
    lines = _chain_lines(head, steps.split(" = "))
    children = [c for c in row.children if row.group or _has_weights(c)]
    if children:
        for c in children:
            lines += _explain_lines(c, depth + 1, frozen, buffers)
        return lines
    for w in row.weights:
        f = weight_formula(w)
        chain = [math(f.general)]
        if f.numbers not in (f.general, _str(w.size)):
            chain.append(math(f.numbers))
        if value(w.size) != chain[-1]:
            chain.append(value(w.size))
        note = _status(row, w, frozen, buffers)
        tail = f" \\quad \\text{{({text(note)})}}" if note else ""
        name = r"\text{" + text(w.name) + "}"
        weight = rf"\quad {indent}{name}\ \left({shape(w.shape)}\right)"
        lines += _chain_lines(weight, chain, tail)
    return lines


def _chain_lines(head: str, steps: list[str], tail: str = "") -> list[str]:
    """``head = step = step`` as one alignat* row, or, when that is wider
    than a line, one row per step under the first."""
    if _visible(head + " = ".join(steps)) <= LINE_CHARS or len(steps) < 2:
        return [f"&{head} &&{{}}= {' = '.join(steps)}{tail}"]
    return [f"&{head} &&{{}}= {steps[0]}"] + [
        f"& &&{{}}= {step}{tail if i == len(steps) - 1 else ''}"
        for i, step in enumerate(steps[1:], 1)
    ]


def explain_latex(model, *, layer: str | None = None, standalone: bool = False) -> str:
    """``symcount explain --latex``: each layer's formula, the numbers put in
    and the value, then each weight's, as ``alignat*`` lines; then the total."""
    rows = [model.row(layer)] if layer is not None else list(model.rows)
    groups, lines = [], []
    for r in rows:  # one alignat* per screenful of layers: TeX holds a display in memory
        more = _explain_lines(r, 0, False, False)
        if lines and len(lines) + len(more) > ALIGN_LINES:
            groups.append(lines)
            lines = []
        lines += more
    groups.append(lines)
    parts = [_comment(model)]
    for lines in groups:
        block = " \\\\\n  ".join(lines)
        parts.append(f"\\begin{{alignat*}}{{2}}\n  {block}\n\\end{{alignat*}}")
    if layer is None:
        parts.append(total_equation(model))
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
