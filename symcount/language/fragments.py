"""Option text (``--let``, ``--where``, strings given to the API) by the
language's own grammar: its ``expression`` and ``condition`` start rules,
with a smaller vocabulary, to the syntax tree's nodes. Never evaluated."""

from __future__ import annotations

import functools
import re

from . import ast
from .syntax import _Builder, _import_lark, _span, grammar_text

FRAGMENTS = ("expression", "condition")  # start rules of option text (--let, --where)

# Option text has its own, smaller vocabulary (no strings, decimals, lists or
# comments: a quote or a point is a mistake there, reported as a character),
# tokenized whole before parsing so such a mistake is reported first.
_OPTION_TOKEN = re.compile(
    r"\s*(?:(?P<INT>[0-9]+(?:_[0-9]+)*)"
    r"|(?P<NAME>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<OP>\*\*|//|==|!=|<=|>=|\.\.|[-+*/%^()<>=,]))"
)
_OPTION_OPS = {
    **dict.fromkeys(("**", "^"), "POW"),
    **dict.fromkeys(("==", "!=", "<=", ">=", "<", ">"), "COMPARE"),
    "//": "FLOORDIV",
    "..": "DOTS",
    "=": "EQUAL",
    "-": "MINUS",
    "+": "PLUS",
    "*": "STAR",
    "/": "SLASH",
    "%": "PERCENT",
    "(": "LPAR",
    ")": "RPAR",
    ",": "COMMA",
}


def _option_tokens(text: str) -> list:
    from lark import Token

    out, pos, end = [], 0, len(text.rstrip())
    while pos < end:
        m = _OPTION_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise Unexpected("char", text[col], col)
        kind = m.lastgroup
        value, start = m.group(kind), m.start(kind)
        kind = _OPTION_OPS[value] if kind == "OP" else "IN" if value == "in" else kind
        out.append(Token(kind, value, start, 1, start + 1, 1, m.end() + 1, m.end()))
        pos = m.end()
    return out


def _option_stream(tokens: list, functions, max_digits):
    """The tokens, checked as the parser takes them (so a mistake earlier in
    the text is reported first): a number too long once the parser has
    taken it, an unknown function at its '('. A '(' after a number or a ')'
    is no call: the parser is given a token it cannot take there."""
    from lark import Token

    prev, parens = None, []  # parens: True for a call's, False for grouping
    for tok in tokens:
        if prev is not None and prev.type == "INT" and _too_long(prev, max_digits):
            raise Unexpected("digits", str(prev), prev.start_pos)
        if tok.type == "LPAR":
            call = prev is not None and prev.type == "NAME"
            if call and functions is not None and str(prev) not in functions:
                raise Unexpected("function", str(prev), prev.start_pos)
            if prev is not None and prev.type in ("INT", "RPAR"):
                tok = Token(
                    "VALUE_LPAR", "(", tok.start_pos, 1, tok.column, 1, tok.end_column, tok.end_pos
                )
            else:
                parens.append(call)
        elif tok.type == "RPAR":
            if prev is not None and prev.type == "LPAR":  # () is no tuple, f() no call here
                raise Unexpected("token", ")", tok.start_pos, {"NAME", "INT"}, "RPAR")
            if parens:
                parens.pop()
        elif (
            tok.type in ("COMMA", "EQUAL")
            and parens
            and not (tok.type == "COMMA" and parens[-1])
            and prev.type in ("NAME", "INT", "RPAR")  # after an operand: wanted ')'
        ):
            raise Unexpected("token", str(tok), tok.start_pos, {"RPAR"}, tok.type)  # (a, b), f(x=1)
        yield tok
        prev = tok
    if prev is not None and prev.type == "INT" and _too_long(prev, max_digits):
        raise Unexpected("digits", str(prev), prev.start_pos)


def _too_long(tok, max_digits) -> bool:
    return max_digits is not None and len(str(tok).replace("_", "")) > max_digits


def _option_lexer():
    from lark.lexer import Lexer

    class OptionLexer(Lexer):
        def __init__(self, lexer_conf):
            pass

        def lex(self, data):  # a custom lexer is given the text itself
            text, functions, max_digits = data
            return _option_stream(_option_tokens(text), functions, max_digits)

    return OptionLexer


@functools.cache
def _fragment_parser(start: str):
    """One LALR parser per start rule, built on first use."""
    Lark = _import_lark().Lark

    return Lark(
        grammar_text(),
        start=start,
        parser="lalr",
        lexer=_option_lexer(),
        propagate_positions=True,
        maybe_placeholders=True,
    )


class Unexpected(Exception):
    """Option text the grammar does not accept: at ``column`` (0-based) an
    unexpected character (``kind`` "char"), token ("token") or the end
    ("end"); ``expected``: the terminals the parser would have taken there
    (exactly: Lark's ``accepts``, not the LALR state's merged lookaheads)."""

    def __init__(self, kind: str, value: str, column: int, expected=frozenset(), token_type=""):
        super().__init__(kind, value, column)
        self.kind, self.value, self.column = kind, value, column
        self.expected, self.token_type = frozenset(expected), token_type


def parse_fragment(text: str, start: str = "expression", *, functions=None, max_digits=None):
    """Option text (one line) by the language's expression grammar:
    ``expression`` gives an AST expression; ``condition`` gives
    ``(op, left, right)`` with ``op`` one of == != <= >= < > = in, and for
    ``in`` ``right`` = ``(lo, hi)`` (``hi`` None when open). ``functions``:
    the names that may be called (None: any); ``max_digits``: how long an
    integer may be (None: any). Nesting is not limited: building is iterative."""
    from lark.exceptions import UnexpectedEOF, UnexpectedToken

    try:
        tree = _fragment_parser(start).parse((text, functions, max_digits))
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            raise Unexpected("end", "", len(text), e.accepts or e.expected) from None
        col = tok.start_pos if tok.start_pos is not None else len(text)
        raise Unexpected("token", str(tok), col, e.accepts or e.expected, tok.type) from None
    except UnexpectedEOF as e:
        raise Unexpected("end", "", len(text), e.expected) from None
    return _fragment_ast(tree)


def _fragment_ast(tree):
    """The Lark tree as AST nodes, built by the language's own builder, but
    iteratively: a 1,000-term sum is a 1,000-deep tree, deeper than Lark's
    recursive transformer goes."""
    from lark import Tree

    builder = _Builder()
    out: list = []
    stack = [(tree, False)]
    while stack:
        node, done = stack.pop()
        if not isinstance(node, Tree):
            out.append(node)
            continue
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in reversed(node.children))
            continue
        n = len(node.children)
        kids = out[len(out) - n :]
        del out[len(out) - n :]
        out.append(_fragment_node(builder, node, kids))
    return out[0]


def _fragment_node(builder, node, kids):
    data, meta = node.data, node.meta
    if data == "expression":
        return kids[0]
    if data == "compare":
        return (str(kids[1]), kids[0], kids[2])
    if data == "equation":
        return ("=", kids[0], kids[1])
    if data == "range":
        return ("in", kids[0], (kids[1], kids[3]))
    if data == "int":  # no digit limit: option text words its own
        return ast.Num(int(str(kids[0]).replace("_", "")), span=_span(meta))
    if data == "decimal":
        return ast.Dec(str(kids[0]).replace("_", ""), span=_span(meta))
    return getattr(builder, data)(meta, kids)
