"""Text to syntax tree. The only module that imports lark."""

from __future__ import annotations

import functools
from pathlib import Path

from .. import dims as D
from ..errors import LimitError, Span, SyntaxError_, is_control
from . import ast

MAX_SOURCE_CHARS = 2_000_000
# A file or standard input is read up to this many bytes, then refused: the
# most MAX_SOURCE_CHARS characters can take in UTF-8, so no text within the
# character limit is cut, and /dev/zero or an endless pipe costs 8 MB, not all.
MAX_SOURCE_BYTES = 4 * MAX_SOURCE_CHARS
MAX_DEPTH = 200  # brackets and operators nested deeper than this are refused
MAX_INT_DIGITS = 61  # the digits of dims.MAX_MAGNITUDE


_HERE = Path(__file__).resolve().parent
_INSTALLED_GRAMMAR = _HERE.parent / "grammar"  # symcount/grammar/, as installed
_SOURCE_GRAMMAR = _HERE.parents[1] / "grammar"  # grammar/ beside symcount/, in a source tree


def grammar_text() -> str:
    # read as a file where there is one (no importlib.resources machinery at
    # start-up); through importlib.resources for an install inside a zip
    for where in (_INSTALLED_GRAMMAR, _SOURCE_GRAMMAR):
        if (where / "symcount.lark").is_file():
            return (where / "symcount.lark").read_text("utf-8")
    from importlib import resources

    return resources.files("symcount.grammar").joinpath("symcount.lark").read_text("utf-8")


class _Continuations:
    """Post-lexer: a newline inside brackets, after `->` or `,`, or before a
    line starting with `->` does not end the statement."""

    always_accept = ("_NL",)

    def process(self, stream):
        depth = 0
        prev = None
        pending = None  # a newline token held back until we see what follows
        for tok in stream:
            if tok.type == "_NL":
                if depth > 0 or prev in ("->", ","):
                    continue
                if pending is None:
                    pending = tok
                continue
            value = tok.value if tok.type not in ("STRING", "NAME", "INT", "DECIMAL") else None
            if pending is not None:
                if value != "->":
                    yield pending
                pending = None
            if value in ("(", "["):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LimitError(f"brackets nested deeper than {MAX_DEPTH}", _tok_span(tok))
            elif value in (")", "]"):
                depth = max(0, depth - 1)
            prev = value
            yield tok
        if pending is not None:
            yield pending


def _import_lark():
    """lark without the third-party ``regex`` module, which lark imports when
    installed (transformers brings it) only for ``regex=True``, never asked
    here: 10% of a small model's run. A later ``import regex`` still works."""
    import sys

    if "lark" not in sys.modules and "regex" not in sys.modules:
        sys.modules["regex"] = None  # makes `import regex` raise ImportError
        try:
            import lark
        finally:
            del sys.modules["regex"]
    import lark

    return lark


def _build(**options):
    """The parser built from the grammar; ``options``: more of Lark's (tools
    and tests ask for other start rules, or lark's own cache)."""
    Lark = _import_lark().Lark

    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=True,
        postlex=_Continuations(),
        **options,
    )


def tables_key() -> str:
    """What the prebuilt tables were made from: the grammar and lark's version."""
    import hashlib

    lark = _import_lark()
    return hashlib.sha256(f"{lark.__version__}\n{grammar_text()}".encode()).hexdigest()


@functools.cache
def _parser():
    # Lark's own cache (its cache option) would pickle.load a file at a predictable
    # path in the shared temp dir, which another local user could plant.
    # The tables are prebuilt into a module of the package instead: as fast
    # to start, and nothing is read from outside the installed package.
    tables = _prebuilt_tables()
    if tables is None or getattr(tables, "KEY", None) != tables_key():
        return _build()  # stale tables (the grammar was edited): built, not trusted
    from lark import Lark

    return Lark.__new__(Lark)._load(tables.TABLES, postlex=_Continuations())


def _prebuilt_tables():
    """grammar/tables.py: the installed package's, or this source tree's own
    (run without installing, e.g. benchmarks/compare.py); None without one."""
    try:
        from symcount.grammar import tables

        return tables
    except ImportError:
        import importlib.util

        path = _SOURCE_GRAMMAR / "tables.py"
        spec = importlib.util.spec_from_file_location("_symcount_tables", path)
        if not path.is_file() or spec is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def lark_parser():
    """A freshly built Lark object with its grammar (for tools such as
    hypothesis's from_lark; a loaded parser does not keep the grammar)."""
    return _build()


def _tok_span(tok) -> Span:
    end_line = getattr(tok, "end_line", None) or tok.line
    end_col = getattr(tok, "end_column", None) or tok.column + max(1, len(str(tok)))
    return Span(tok.line, tok.column, end_line, end_col, tok.start_pos or 0, tok.end_pos or 0)


_EXPECT_NAMES = {
    "RPAR": "')'",
    "LPAR": "'('",
    "RSQB": "']'",
    "LSQB": "'['",
    "COMMA": "','",
    "NAME": "a name",
    "INT": "a number",
    "DECIMAL": "a number",
    "STRING": "a string",
    "_NL": "end of line",
    "SEMICOLON": "';'",
    "EQUAL": "'='",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "PERCENT": "'%'",
    "POW": "'**'",
    "ARROW": "'->'",
    "FLOORDIV": "'//'",
    "DOT": "'.'",
    "COLON": "':'",
    "ELLIPSIS": "'...'",
    "$END": "end of input",
    "MODEL": "'model'",
    "CONVENTION": "'convention'",
    "SYMBOLS": "'symbols'",
    "LET": "'let'",
    "OUTPUT": "'output'",
    "BLOCK": "'block'",
    "REPEAT": "'repeat'",
    "RESIDUAL": "'residual'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
}


def _describe_expected(expected) -> str:
    names = []
    for e in sorted(expected):
        pretty = _EXPECT_NAMES.get(e)
        if pretty is None:
            if e.startswith("__ANON"):
                continue
            pretty = e.lower()
        if pretty not in names:
            names.append(pretty)
    if not names:
        return ""
    if len(names) > 5:  # inside an expression almost anything may follow: name the useful few
        key = [n for n in ("')'", "']'", "','", "'->'", "end of line") if n in names]
        if not key:  # nothing closes here: a value is missing
            return "expected a value (a number, a name or '(')"
        return "expected " + ", ".join(key) + ", or an operator"
    return "expected " + " or ".join(
        [", ".join(names[:-1]), names[-1]] if len(names) > 1 else names
    )


def parse_program(text: str) -> ast.Program:
    """Parse source text into a Program, raising SyntaxError_ with a position."""
    if len(text) > MAX_SOURCE_CHARS:
        raise LimitError(f"input is {len(text):,} characters; the limit is {MAX_SOURCE_CHARS:,}")
    _import_lark()
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

    try:
        tree = _parser().parse(text)
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            line, col = _end_position(text)
            span = Span(line, col, line, col + 1)
            what = "unexpected end of input"
        else:
            span = _tok_span(tok)
            shown = "end of line" if tok.type == "_NL" else repr(str(tok))
            what = f"unexpected {shown}"
        keyword = _keyword_as_name(text, tok, e.expected)
        if keyword is not None:
            raise keyword from None
        hint = _describe_expected(e.expected)
        raise SyntaxError_(
            what + (f"; {hint}" if hint else ""), span, hint=_unclosed(text, span, e.expected)
        ) from None
    except UnexpectedCharacters as e:
        span = Span(e.line, e.column, e.line, e.column + 1)
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        raise SyntaxError_(f"unexpected character {ch!r}", span) from None
    except UnexpectedEOF as e:
        line, col = _end_position(text)
        hint = _describe_expected(e.expected)
        raise SyntaxError_(
            "unexpected end of input" + (f"; {hint}" if hint else ""),
            Span(line, col, line, col + 1),
        ) from None
    except LimitError:
        raise
    try:
        return _Builder().transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, (SyntaxError_, LimitError)):
            raise e.orig_exc from None
        if isinstance(e.orig_exc, RecursionError):
            raise RecursionError from None
        raise


# The language's keywords (reserved by the lexer), and a name to suggest instead.
KEYWORDS = {
    "MODEL": "net",
    "CONVENTION": "conv_name",
    "SYMBOLS": "syms",
    "LET": "let_",
    "OUTPUT": "out",
    "BLOCK": "blk",
    "REPEAT": "rep",
    "RESIDUAL": "res",
}


# what cannot follow a keyword used as the language uses it: where one of these
# comes just after it, the keyword was meant as a name (`output = ...`, `x = repeat`)
_CANNOT_FOLLOW = ("EQUAL", "COMMA", "RPAR", "RSQB", "$END", "_NL", "SEMICOLON", "ARROW", "DOT")


def _keyword_as_name(text: str, tok, expected) -> SyntaxError_ | None:
    """A keyword written where a name belongs (``output = Dense(10)(x)``,
    ``let model = ...``, ``block repeat(n)``): say so, at the keyword. The
    parser meets it either at the keyword (a name was expected) or just
    after it (``output =``: the '=' cannot follow the keyword)."""
    keyword = None
    if tok.type in KEYWORDS and ("NAME" in expected):
        keyword = tok
    elif tok.type in _CANNOT_FOLLOW:
        previous = None
        end = tok.type == "$END"
        try:
            for t in _parser().lex(text):
                if not end and (t.line, t.column) >= (tok.line, tok.column):
                    break
                if t.type != "_NL":
                    previous = t
        except Exception:  # a lexing error further on: the plain message
            return None
        if previous is not None and previous.type in KEYWORDS:
            keyword = previous
    if keyword is None:
        return None
    before, after, depth, first = _around(text, keyword)
    if before is None and after is None:  # `output` alone: a statement missing its rest
        return None
    if first == "symbols":
        what = "name a symbol"
    elif depth > 0:
        what = "name a keyword argument" if after == "=" else "be used as a name"
    elif before == "block":
        what = "name a block"
    elif after in ("=", ",") or before in ("let", ","):
        what = "name a tensor"
    else:
        what = "be used as a name"
    return SyntaxError_(
        f"{str(keyword)!r} is a keyword of the symcount language and cannot {what}; "
        f"choose another name (e.g. {KEYWORDS[keyword.type]})",
        _tok_span(keyword),
    )


def _around(text: str, tok):
    """The tokens just before and after ``tok`` (None at a statement's edge),
    the depth of brackets it is in, and its statement's first token."""
    before, depth, seen, first = None, 0, False, None
    try:
        for t in _parser().lex(text):
            if seen:
                after = None if t.type in ("_NL", "SEMICOLON") else str(t)
                return before, after, depth, first
            if (t.line, t.column) == (tok.line, tok.column):
                seen = True
                continue
            if before is None and depth == 0:
                first = str(t)
            before = None if t.type in ("_NL", "SEMICOLON") else str(t)
            if t.type in ("LPAR", "LSQB"):
                depth += 1
            elif t.type in ("RPAR", "RSQB"):
                depth = max(0, depth - 1)
    except Exception:  # a lexing error further on: what was seen so far
        pass
    return before, None, depth, first


def _unclosed(text: str, span: Span, expected) -> str | None:
    """Name the bracket left open when the parser wanted it closed."""
    if "RPAR" not in expected and "RSQB" not in expected:
        return None
    stack = []
    try:
        for tok in _parser().lex(text):
            if (tok.line, tok.column) >= (span.line, span.column):
                break
            if tok.type in ("LPAR", "LSQB"):
                stack.append(tok)
            elif tok.type in ("RPAR", "RSQB") and stack:
                stack.pop()
    except Exception:  # a lexing error further on: no hint, the error says enough
        return None
    if not stack:
        return None
    tok = stack[-1]
    close = ")" if tok.type == "LPAR" else "]"
    return f"the {tok.value!r} at line {tok.line}, column {tok.column} is not closed: add {close!r}"


def _end_position(text: str) -> tuple[int, int]:
    """Just after the last visible character: where the missing piece belongs."""
    lines = text.rstrip().split("\n")
    return len(lines), len(lines[-1]) + 1


def _span(meta) -> Span:
    if getattr(meta, "empty", True):
        return Span(1, 1, 1, 1)
    return Span(
        meta.line, meta.column, meta.end_line, meta.end_column, meta.start_pos, meta.end_pos
    )


def _make_builder():
    from lark import Transformer_NonRecursive, v_args

    @v_args(meta=True)
    class Builder(Transformer_NonRecursive):  # iterative: a long sum is a deep tree
        def start(self, meta, items):
            return ast.Program(tuple(items), span=_span(meta))

        def model_stmt(self, meta, items):
            return ast.ModelStmt(str(items[0]), span=_span(meta))

        def convention_stmt(self, meta, items):
            return ast.ConventionStmt(str(items[0]), _tok_span(items[0]), span=_span(meta))

        def symbols_stmt(self, meta, items):
            return ast.SymbolsStmt(tuple(str(t) for t in items), span=_span(meta))

        def let_stmt(self, meta, items):
            return ast.LetStmt(str(items[0]), items[1], span=_span(meta))

        def assign_stmt(self, meta, items):
            return ast.AssignStmt(str(items[0]), items[1], span=_span(meta))

        def unpack_stmt(self, meta, items):
            names = [t for t in items[:-1] if t is not None]
            seen = set()
            for t in names:
                if str(t) in seen and str(t) != "_":  # `_` may be repeated: names nothing
                    raise SyntaxError_(f"{str(t)!r} is named twice", _tok_span(t))
                seen.add(str(t))
            return ast.UnpackStmt(
                tuple(str(t) for t in names),
                tuple(_tok_span(t) for t in names),
                items[-1],
                span=_span(meta),
            )

        def output_stmt(self, meta, items):
            return ast.OutputStmt(tuple(items), span=_span(meta))

        def block_stmt(self, meta, items):
            name, params, body = items
            return ast.BlockStmt(str(name), tuple(params or ()), body, span=_span(meta))

        def params(self, meta, items):
            return [p for p in items if p is not None]

        def param(self, meta, items):
            return ast.Param(str(items[0]), items[1], span=_span(meta))

        def body(self, meta, items):
            return tuple(items)

        def repeat(self, meta, items):
            return ast.Repeat(items[0], items[1], span=_span(meta))

        def residual(self, meta, items):
            return ast.Residual(items[0], span=_span(meta))

        def pipeline(self, meta, items):
            return ast.Pipeline(tuple(items), span=_span(meta))

        def _bin(op):
            def rule(self, meta, items):
                return ast.BinOp(op, items[0], items[-1], span=_span(meta))

            return rule

        add = _bin("+")
        sub = _bin("-")
        mul = _bin("*")
        div = _bin("/")
        floordiv = _bin("//")
        mod = _bin("%")
        pow = _bin("**")

        def neg(self, meta, items):
            return ast.Neg(items[0], span=_span(meta))

        def pos(self, meta, items):
            return items[0]

        def call(self, meta, items):
            func, arglist = items
            args, kwargs, seen = [], [], set()
            for a in arglist or ():
                if isinstance(a, ast.Kwarg):
                    if a.name in seen:
                        raise SyntaxError_(f"keyword {a.name!r} given twice", a.span)
                    seen.add(a.name)
                    kwargs.append(a)
                elif kwargs:
                    raise SyntaxError_("positional argument after a keyword argument", a.span)
                else:
                    args.append(a)
            return ast.Call(func, tuple(args), tuple(kwargs), span=_span(meta))

        def attr(self, meta, items):
            return ast.Attr(items[0], str(items[1]), span=_span(meta))

        def index(self, meta, items):
            return ast.Index(
                items[0], tuple(i for i in items[1:] if i is not None), span=_span(meta)
            )

        def at(self, meta, items):
            return items[0]

        def slice(self, meta, items):
            start, stop, step = [*items, None, None, None][:3]
            return ast.Slice(start, stop, step, span=_span(meta))

        def ellipsis(self, meta, items):
            return ast.EllipsisItem(span=_span(meta))

        def arglist(self, meta, items):
            return items

        def kwarg(self, meta, items):
            return ast.Kwarg(str(items[0]), items[1], span=_span(meta))

        def name(self, meta, items):
            return ast.Name(str(items[0]), span=_span(meta))

        def int(self, meta, items):
            digits = str(items[0]).replace("_", "").lstrip("0") or "0"
            # one limit for a number written out and one computed (dims.MAX_MAGNITUDE);
            # more digits than it has are refused unread (int() of a million is slow)
            if len(digits) > MAX_INT_DIGITS or int(digits) > D.MAX_MAGNITUDE:
                raise LimitError(D.TOO_LARGE, _span(meta))
            return ast.Num(int(digits), span=_span(meta))

        def decimal(self, meta, items):
            text = str(items[0]).replace("_", "")
            if len(text) > MAX_INT_DIGITS:
                raise LimitError(
                    f"number too long; the limit is {MAX_INT_DIGITS} characters", _span(meta)
                )
            return ast.Dec(text, span=_span(meta))

        def string(self, meta, items):
            text = str(items[0])[1:-1]
            for i, ch in enumerate(text):
                if is_control(ch) or ch == "\t":  # a name is printed: it must not drive a terminal
                    col = meta.column + 1 + i
                    raise SyntaxError_(
                        f"control character {ch!r} in a string (names and strings are "
                        "printed: no control characters)",
                        Span(meta.line, col, meta.line, col + 1),
                    )
            return ast.Str(text, span=_span(meta))

        def tuple(self, meta, items):
            return ast.Seq(tuple(i for i in items if i is not None), "()", span=_span(meta))

        def list(self, meta, items):
            return ast.Seq(tuple(i for i in items if i is not None), "[]", span=_span(meta))

    return Builder


class _Builder:
    """Lazily defined so that importing this module does not import lark."""

    _cls = None

    def __new__(cls):
        if cls._cls is None:
            cls._cls = _make_builder()
        return cls._cls()
