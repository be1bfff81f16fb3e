"""LaTeX of counts, shapes and formulas: a subclass of SymPy's LatexPrinter
that prints the expressions themselves (nothing is re-read from text).

Symbols are written as papers write them::

    u -> u    d_model -> d_{\\text{model}}    alpha -> \\alpha    k_h -> k_{h}
    u1 -> u_{1}    units -> \\mathrm{units}    num_heads -> \\mathrm{num\\_heads}

Numbers get thousands separators as ``{,}`` (``2{,}654{,}336``); a product
is spaced as it reads: ``4 u``, ``3 \\cdot 3 \\cdot 24`` between numbers,
``4 \\, \\mathrm{units}`` around a word. Terms and factors come in the order
symcount's text prints them (SymPy's ``str()`` order; a sum of more than
``printing.FAST_PRINT_TERMS`` terms in SymPy's internal order, unsorted), so
the LaTeX and the text read alike.

Each ``_print_<Class>`` returns an :class:`Item`: the LaTeX and what kind of
expression it is, which is what the enclosing product, power or sum needs
to decide on brackets and spacing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import ClassVar

from .. import dims as D
from .. import printing as P

_LOWER_GREEK = "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
_UPPER_GREEK = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
GREEK = frozenset(f"{_LOWER_GREEK} {_UPPER_GREEK}".split(" "))

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
    # the OT1 font of plain pdflatex would print these three as ¡, ¿ and —
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_TEXT_SPECIAL = re.compile(r"[\\&%$#_{}~^<>|]")


def text(s: str) -> str:
    """Plain text (text mode) with LaTeX's special characters escaped; every
    character plain pdflatex has no glyph for (controls, CJK, any non-ASCII)
    written as its escape (``\\u4e2d``), so a document with any name compiles."""
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m.group()], P.text(s, ascii=True))


# In math mode (MathJax's too) the text-mode \\textbackslash, \\textasciitilde
# and \\textasciicircum are errors, and spaces vanish. A notebook may put the
# LaTeX into a page as HTML before MathJax reads it: "<{}script" is no tag.
_MATH_ESCAPES = {
    **_TEXT_ESCAPES,
    "\\": r"\backslash{}",
    "~": r"\sim{}",
    "^": r"\hat{}",
    " ": r"\ ",
    "<": "<{}",
}
_MATH_SPECIAL = re.compile(r"[\\&%$#_{}~^ <]")


def math_text(s: str) -> str:
    """Text inside math (``\\mathtt{...}``, ``\\mathrm{...}``), escaped as
    :func:`text` is, with math mode's own commands; valid in LaTeX and MathJax."""
    return _MATH_SPECIAL.sub(lambda m: _MATH_ESCAPES[m.group()], P.text(s, ascii=True))


# symbols and numbers -----------------------------------------------------------

_TRAILING_DIGITS = re.compile(r"([A-Za-z]+)(\d+)\Z")


def _piece(part: str, *, sub: bool) -> str:
    """One part of a name: a Greek letter, a single letter, digits, or a word."""
    if part in GREEK:
        return "\\" + part
    if len(part) == 1 or part.isdigit():
        return part
    return r"\text{" + text(part) + "}" if sub else r"\mathrm{" + math_text(part) + "}"


@functools.lru_cache(maxsize=4096)
def symbol(name: str) -> str:
    """A symbol's name as a paper writes it (see the module docstring)."""
    parts = name.split("_")
    if "" in parts or not name.isascii():
        return r"\mathrm{" + math_text(name) + "}"
    if len(parts) == 1:
        m = _TRAILING_DIGITS.match(name)
        if m and (len(m.group(1)) == 1 or m.group(1) in GREEK):  # u1 -> u_{1}
            return f"{_piece(m.group(1), sub=False)}_{{{m.group(2)}}}"
        return _piece(name, sub=False)
    base, subs = parts[0], parts[1:]
    if len(base) > 1 and base not in GREEK:  # num_heads: one word
        return r"\mathrm{" + math_text(name) + "}"
    return f"{_piece(base, sub=False)}_{{{','.join(_piece(s, sub=True) for s in subs)}}}"


def integer(n: int) -> str:
    """``2654336`` -> ``2{,}654{,}336``."""
    return f"{n:,}".replace(",", "{,}")


# items: LaTeX with the kind of expression it is ----------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """``kind``: num, name, add, neg, mul, pow, call, or paren (already
    bracketed as it needs to be). ``wide``: a word set upright, spaced off
    with ``\\,`` in a product; ``decimal``: a number with a point."""

    kind: str
    body: str
    wide: bool = False
    decimal: bool = False
    terms: tuple = ()  # a sum's (sign, Item) terms, for breaking a long display


def paren(s: str) -> str:
    return r"\left(" + s + r"\right)"


def num(n: int) -> Item:
    return Item("num", integer(n)) if n >= 0 else neg(Item("num", integer(-n)))


def name(n: str) -> Item:
    body = symbol(n)
    return Item("name", body, wide=body.startswith(r"\mathrm"))


def neg(inner: Item) -> Item:
    return Item("neg", "-" + (paren(inner.body) if inner.kind == "add" else inner.body))


def operand(it: Item) -> str:
    """A factor next to another: sums and negations get brackets."""
    return paren(it.body) if it.kind in ("add", "neg") else it.body


def product(factors: list[tuple[str, Item]]) -> Item:
    """Factors joined by ``*`` (a space, ``\\cdot`` or ``\\,``), ``/`` (a
    fraction of everything before), ``//`` (its floor) or ``%``."""
    first = factors[0][1]
    out = first.body if first.kind == "neg" else operand(first)  # -4*u: -4 u
    bare, prev = first.body, first  # bare: the numerator when a fraction follows
    for op, it in factors[1:]:
        if op == "/":
            out = r"\frac{" + bare + "}{" + it.body + "}"
        elif op == "//":
            out = r"\left\lfloor \frac{" + bare + "}{" + it.body + r"} \right\rfloor"
        elif op == "%":
            out = f"{out} \\bmod {operand(it)}"
        else:
            body = operand(it)
            if body[0].isdigit() or body[0] == "-" or prev.decimal:
                sep = r" \cdot "
            elif prev.wide or it.wide:
                sep = r" \, "
            else:
                sep = " "
            out = f"{out}{sep}{body}"
        prev, bare = it, out
    return Item("mul", out)


def signed_terms(terms: list[tuple[str, Item]]) -> list[tuple[str, str]]:
    """(sign, LaTeX) of each term of a sum; a term that reads negative flips its sign."""
    out = []
    for sign, it in terms:
        body = paren(it.body) if it.kind == "add" else it.body
        if body.startswith("-"):  # a + -b
            sign, body = ("+" if sign == "-" else "-"), body[1:]
        out.append((sign, body))
    return out


def total(terms: list[tuple[str, Item]]) -> Item:
    parts = []
    for i, ((sign, body), (_, it)) in enumerate(zip(signed_terms(terms), terms, strict=True)):
        if i == 0:  # the first term keeps its own sign: -4 u + d^{2}
            parts.append(paren(it.body) if it.kind == "add" else it.body)
        else:
            parts.append(f" {sign} {body}")
    return Item("add", "".join(parts), terms=tuple(terms))


def power(base: Item, exp: Item) -> Item:
    b = base.body
    if base.kind in ("neg", "add", "mul", "pow") or base.decimal:
        b = paren(b)
    return Item("pow", f"{b}^{{{exp.body}}}")


_FUNCTIONS = {
    "floor": (r"\left\lfloor ", r" \right\rfloor"),
    "ceiling": (r"\left\lceil ", r" \right\rceil"),
    "ceil": (r"\left\lceil ", r" \right\rceil"),
    "Abs": (r"\left|", r"\right|"),
    "sqrt": (r"\sqrt{", "}"),
}
_OPERATORS = {"Max": r"\max", "Min": r"\min", "max": r"\max", "min": r"\min"}


def call(fname: str, args: list[Item]) -> Item:
    if fname in _FUNCTIONS and len(args) == 1:
        left, right = _FUNCTIONS[fname]
        return Item("call", left + args[0].body + right)
    if fname == "Mod" and len(args) == 2:
        return Item("call", f"{operand(args[0])} \\bmod {operand(args[1])}")
    op = _OPERATORS.get(fname, r"\operatorname{" + text(fname) + "}")
    return Item("call", op + paren(", ".join(a.body for a in args)))


def verbatim(s: str) -> Item:
    return Item("call", r"\texttt{" + text(s) + "}")


# the printer ---------------------------------------------------------------------


@functools.cache
def printer_class():
    """The LatexPrinter subclass (made on first use: SymPy is imported then)."""
    from sympy import Pow, Rational, S
    from sympy.core.mul import _keep_coeff
    from sympy.core.sorting import default_sort_key
    from sympy.printing.latex import LatexPrinter

    from ..ops.spec import Factor

    class Printer(LatexPrinter):
        """Counts and shapes as LaTeX :class:`Item`; see the module docstring."""

        printmethod = "_symcount_latex"
        _default_settings: ClassVar[dict] = {**LatexPrinter._default_settings, "numbers": False}

        def item(self, expr) -> Item:
            if isinstance(expr, bool) or expr is None:
                return verbatim(str(expr))
            if isinstance(expr, int):
                return num(expr)
            e = D.to_sympy(expr)
            if e.args and self is printer():  # a big model prints a row's count again
                return _cached_item(e)  # in the total and its terms: remember them
            return self.wrap(self._print(e))

        @staticmethod
        def wrap(it) -> Item:
            return it if isinstance(it, Item) else Item("call", it)

        def doprint(self, expr) -> str:
            return self.item(expr).body

        def emptyPrinter(self, expr):
            return verbatim(P.expr(expr))

        def _print_Basic(self, expr):  # as str() writes it: Name(args), or a name
            if not expr.args:
                s = P.expr(expr)
                return name(s) if s.isidentifier() else verbatim(s)
            return call(type(expr).__name__, [self.item(a) for a in expr.args])

        def _print_Integer(self, expr):
            return num(int(expr))

        def _print_Rational(self, expr):
            p, q = int(expr.p), int(expr.q)  # str: p/q, read as a product
            top = integer(p) if p >= 0 else "-" + integer(-p)
            return Item("mul", r"\frac{" + top + "}{" + integer(q) + "}")

        def _print_Float(self, expr):
            s = P.expr(expr)
            if s.startswith("-"):
                return neg(Item("num", s[1:], decimal=True))
            return Item("num", s, decimal=True)

        def _print_Symbol(self, expr):
            return name(expr.name)

        _print_Dummy = _print_Symbol

        def _print_Label(self, expr):  # a formula's label symbol (symcount.model.formula)
            return _label(Factor(expr.label, expr.value), self._settings.get("numbers", False))

        def _print_Add(self, expr):
            if len(expr.args) > P.FAST_PRINT_TERMS:  # as printing.expr: no sort
                terms = list(expr.args)
            else:
                terms = self._as_ordered_terms(expr, order=None)
            signed = [("+", self.item(terms[0]))]
            for t in terms[1:]:
                if _negative(t):
                    signed.append(("-", self._unsigned(t)))
                else:
                    signed.append(("+", self.item(t)))
            return total(signed)

        def _unsigned(self, t) -> Item:
            if t.is_Mul:
                return self._print_Mul(t, signed=False)
            return self.item(-t)

        def _print_Mul(self, expr, signed: bool = True):
            c, e = expr.as_coeff_Mul()
            sign = bool(c < 0)
            if sign:
                expr = _keep_coeff(-c, e)
            num_, den = [], []
            args = expr.args  # a number and one factor: already in order, no sort
            two = expr.is_Mul and len(args) == 2 and args[0].is_Number
            for f in args if two else expr.as_ordered_factors():
                if f.is_commutative and f.is_Pow and bool(f.exp.as_coeff_Mul()[0] < 0):
                    den.append(f.base if f.exp is S.NegativeOne else Pow(f.base, -f.exp))
                elif f.is_Rational:
                    if f.p != 1:
                        num_.append(Rational(f.p))
                    if f.q != 1:
                        den.append(Rational(f.q))
                else:
                    num_.append(f)
            items = [self.item(f) for f in (num_ or [S.One])]
            if sign and signed:
                items[0] = neg(items[0])
            if len(items) == 1 and not den:
                return items[0]
            factors = [("*", it) for it in items]
            if len(den) == 1:
                factors.append(("/", self.item(den[0])))
            elif den:
                factors.append(("/", product([("*", self.item(d)) for d in den])))
            return product(factors)

        def _print_Pow(self, expr):
            if expr.exp is S.Half:
                return call("sqrt", [self.item(expr.base)])
            if expr.is_commutative:
                if -expr.exp is S.Half:
                    one = Item("num", "1")
                    return product([("*", one), ("/", call("sqrt", [self.item(expr.base)]))])
                if expr.exp is S.NegativeOne:
                    return product([("*", Item("num", "1")), ("/", self.item(expr.base))])
            return power(self.item(expr.base), self.item(expr.exp))

        def _print_Function(self, expr, exp=None):
            return call(type(expr).__name__, [self.item(a) for a in expr.args])

        _print_floor = _print_ceiling = _print_Abs = _print_Mod = _print_Function

        def _print_Max(self, expr, exp=None):  # str() sorts their arguments
            args = sorted(expr.args, key=default_sort_key)
            return call(type(expr).__name__, [self.item(a) for a in args])

        _print_Min = _print_Max

        # formulas ---------------------------------------------------------------

        def _print_Formula(self, formula, numbers: bool = False):
            """A count's formula (symcount.model.formula): its labels, or with
            ``numbers`` each label as its value, in the formula's own order."""
            return formula_item(formula, numbers)

    return Printer


def _negative(t) -> bool:
    """Whether ``str(t)`` starts with a minus (a sum prints it as ``- t``)."""
    if t.is_Number:
        return bool(t < 0)
    if t.is_Mul:
        return bool(t.as_coeff_Mul()[0] < 0)
    return False


@functools.cache
def printer():
    return printer_class()()


@functools.lru_cache(maxsize=1 << 16)
def _cached_item(e) -> Item:
    pr = printer()
    return pr.wrap(pr._print(e))


# formulas: their structure is printed without SymPy (a numeric model's LaTeX
# never loads it); a symbolic label's value goes through the printer


def formula_item(formula, numbers: bool = False) -> Item:
    if formula.plain:
        return value_item(formula.tree)
    return _formula_tree(formula.tree, numbers)


@functools.lru_cache(maxsize=4096)
def _formula_tree(t, numbers: bool) -> Item:
    """Remembered: a model of many equal layers has many equal formulas."""
    return _tree(t, numbers)


def _tree(t, numbers: bool) -> Item:
    from ..ops.spec import Factor

    if isinstance(t, Factor):
        return _label(t, numbers)
    if isinstance(t, int):
        return num(t)
    if numbers and t[0] in ("k", "*") and _cancels(t):  # h (d/h) reads d: the product's value
        from ..model.formula import tree_value

        return value_item(tree_value(t))
    if t[0] == "k":  # k equal terms: read k where the term reads 1
        rest = _flat(t[2], numbers)
        if len(rest) == 1 and rest[0].body == "1":
            return num(t[1])
        return product([("*", it) for it in [num(t[1]), *rest]])
    if t[0] == "+":
        return total([("+", _tree(a, numbers)) for a in t[1]])
    return product([("*", it) for it in _flat(t, numbers)])


def _cancels(t) -> bool:
    """Whether a product's numbers include a symbolic fraction (``key_dim =
    d/h`` beside ``num_heads = h``): shown multiplied out, ``3 d^{2}``, not
    ``3 d h \\frac{d}{h}``."""
    from ..ops.spec import Factor

    factors = t[2:] if t[0] == "k" else t[1]
    for f in factors:
        if isinstance(f, tuple) and f[0] in ("k", "*") and _cancels(f):
            return True
        if isinstance(f, Factor) and D.is_symbolic(f.value) and f.value.as_numer_denom()[1] != 1:
            return True
    return False


def _flat(t, numbers: bool) -> list[Item]:
    """A product's factors (``k*a*b`` reads as one product of three)."""
    if isinstance(t, tuple) and t[0] == "*":
        return [_tree(a, numbers) for a in t[1]]
    return [_tree(t, numbers)]


def _label(f, numbers: bool) -> Item:
    if not numbers:
        if f.label.isidentifier():
            return name(f.label)
        if f.label.isdigit():
            return num(int(f.label))
        return math_item(f.label)
    shown = P.expr(f.value)
    it = value_item(f.value)
    if shown.replace("_", "").isalnum() or shown.isdigit():
        return it
    return Item("paren", paren(it.body) if it.kind in ("add", "neg") else it.body)


# entry points -------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _value_item(v) -> Item:
    return printer().item(v)


def value_item(v) -> Item:
    """A count or a dimension as an :class:`Item` (remembered: the table,
    the formulas and the totals print the same counts again)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return num(v)
    if v is None:
        return Item("name", r"\mathrm{None}")
    try:
        return _value_item(v)
    except RecursionError:
        return verbatim(P.expr(v))


def formula_latex(formula, *, numbers: bool = False) -> str:
    """A formula object's general form (labels) or its numbers, in LaTeX."""
    try:
        return formula_item(formula, numbers).body
    except RecursionError:
        return verbatim(formula.numbers if numbers else formula.general).body


def terms(v) -> list[str]:
    """The top-level terms of a count's LaTeX, each with its sign (for
    breaking a long display); one piece if it is not a sum."""
    it = value_item(v)
    if it.kind != "add" or not it.terms:
        return [it.body]
    return [
        body if i == 0 and sign == "+" else f"{sign} {body}"
        for i, (sign, body) in enumerate(signed_terms(list(it.terms)))
    ]


# text written by hand (formula overrides, tests): read by the language's grammar --


def _ast_item(node) -> Item:
    from ..language import ast

    if isinstance(node, ast.Num):
        return num(node.value)
    if isinstance(node, ast.Dec):
        return Item("num", node.text, decimal=True)
    if isinstance(node, ast.Name):
        return name(node.id)
    if isinstance(node, ast.Neg):
        return neg(_ast_item(node.operand))
    if isinstance(node, ast.BinOp):
        if node.op in ("+", "-"):
            chain = _left_chain(node, ("+", "-"))
            return total([(op, _ast_item(n)) for op, n in chain])
        if node.op == "**":
            return power(_ast_item(node.left), _ast_item(node.right))
        chain = _left_chain(node, ("*", "/", "//", "%"))
        return product([(op, _ast_item(n)) for op, n in chain])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.kwargs:
        return call(node.func.id, [_ast_item(a) for a in node.args])
    raise ValueError(node)


def _left_chain(node, ops) -> list:
    """``a - b + c`` (a left-leaning tree) as [("+", a), ("-", b), ("+", c)]."""
    from ..language import ast

    out = []
    while isinstance(node, ast.BinOp) and node.op in ops:
        out.append((node.op, node.right))
        node = node.left
    out.append(("+" if "+" in ops else "*", node))
    return out[::-1]


@functools.lru_cache(maxsize=4096)
def math_item(s: str) -> Item:
    from ..language.fragments import Unexpected, parse_fragment

    try:
        return _ast_item(parse_fragment(s, "expression"))
    except (Unexpected, ValueError, RecursionError):
        return verbatim(s)


def math(s: str) -> str:
    """Expression text written in symcount's notation (``4*u*(f + u + 1)``) in
    LaTeX math (``4 u \\left(f + u + 1\\right)``), read by the language's
    expression grammar; text that is not an expression is set verbatim."""
    return math_item(s).body
