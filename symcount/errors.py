"""One error family for everything a user can get wrong.

Rules raise short messages without positions; the evaluator attaches the
source span of the offending node, so the user sees one message with
file:line:column, the source line and a caret under the culprit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A region of source text; lines and columns are 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0


class SymcountError(Exception):
    """Base class: every error symcount raises for bad input is one of these.

    ``str(error)`` is the message as the command prints it: the file, line
    and column, the message, the source line with a caret under the
    culprit, and a hint when there is one.

    Attributes:
        message: The message alone.
        span: Where in the text the mistake is (``line``, ``column``, 1-based), or ``None``.
        hint: A suggestion (``did you mean Dense?``), or ``None``.
        kind: The kind of mistake, as the message starts (``syntax error``, ...).
    """

    kind = "error"

    def __init__(self, message: str, span: Span | None = None, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        # the hint rewrites the model's text (leave in_features out): good advice
        # for a .sc file, none for pasted code or a live module, which drop it
        self.hint_rewrites_text = False
        self.source: str | None = None
        self.filename: str | None = None
        # a mistake in an option's text (--let, --where) has no place in the
        # model: (the option's text, 0-based column) puts the caret there
        self.excerpt: tuple[str, int] | None = None

    def at(self, span: Span | None, source: str | None = None, filename: str | None = None):
        """Attach a position unless a more precise one is already known."""
        if self.span is None and span is not None:
            self.span = span
        if source is not None and self.source is None:
            self.source = source
        if filename is not None and self.filename is None:
            self.filename = filename
        return self

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        """The positioned message: ``file:line:column: kind: message``, the line, a caret."""
        where = shown(self.filename or "<input>")
        message = "\n".join(shown(part) for part in self.message.split("\n"))
        hint = [f"  hint: {shown(self.hint)}"] if self.hint else []
        if self.span is None:
            lines = [f"{where}: {self.kind}: {message}"]
            if self.excerpt is not None:
                text, col = self.excerpt
                lines += _excerpt(text, col + 1, 1)
            return "\n".join(lines + hint)
        head = f"{where}:{self.span.line}:{self.span.column}: {self.kind}: {message}"
        lines = [head]
        if self.source is not None:
            src_lines = source_lines(self.source)
            text = src_lines[min(self.span.line, len(src_lines)) - 1]
            width = 1
            if self.span.end_line == self.span.line:
                width = max(1, self.span.end_column - self.span.column)
            lines += _excerpt(text, self.span.column, width)
        return "\n".join(lines + hint)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(source: str) -> list[str]:
    """The lines of ``source`` as the parser counts them: broken at \\n, \\r\\n
    and \\r only (str.splitlines also breaks at \\f, \\v, \\x1c-\\x1e, \\x85 and
    U+2028/9, which are no line ends of the language)."""
    return _LINE_BREAK.split(source)


def is_control(ch: str) -> bool:
    """C0 and C1 controls, DEL, format characters (bidirectional overrides),
    line and paragraph separators, lone surrogates (undecodable bytes); not
    a tab (shown as a space), nor the zero-width joiner of emoji."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in "\t\u200d"


def shown(text: str) -> str:
    """``text`` with control characters escaped (ESC, BEL, CR, DEL, C1, U+2028,
    bidirectional overrides ...): an error message never drives the terminal."""
    if not any(is_control(ch) for ch in text):
        return text
    return "".join(_escaped(ch) if is_control(ch) else ch for ch in text)


def _escaped(ch: str) -> str:
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def _width(ch: str) -> int:
    """Columns ``ch`` takes on a terminal (as shown: escapes, a tab as a space)."""
    if is_control(ch):
        return len(_escaped(ch))
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _excerpt(text: str, column: int, width: int) -> list[str]:
    """The source line and a caret under characters ``column`` (1-based) to
    ``column + width``, placed by what the terminal shows: wide (CJK)
    characters take two columns, a tab one (it is shown as a space),
    control characters their escape."""
    col = max(1, min(column, len(text) + 1))
    lo, hi = 0, len(text)
    if len(text) > 200:  # keep huge one-line inputs readable
        lo = max(0, col - 80)
        hi = lo + 160
    before = text[lo : col - 1]
    culprit = text[col - 1 : min(col - 1 + width, hi)]
    after = text[col - 1 + len(culprit) : hi]
    pieces = ["..." if lo else "", before, culprit, after]
    pad = len(pieces[0]) + sum(_width(ch) for ch in before)
    carets = max(1, sum(_width(ch) for ch in culprit))
    line = "".join(pieces[:1] + [shown(p.replace("\t", " ")) for p in pieces[1:]])
    return [f"    {line}", "    " + " " * pad + "^" * carets]


class SyntaxError_(SymcountError):
    """Text the grammar does not accept (``SyntaxError_``: Python's name is taken)."""

    kind = "syntax error"


class UnknownLayerError(SymcountError):
    """A layer type the model's convention does not know; the hint names the closest."""

    kind = "unknown layer"


class ArgumentError(SymcountError):
    """A layer called with arguments it does not take, or values it cannot have."""

    kind = "argument error"


class ShapeError(SymcountError):
    """A layer given a tensor of a shape it cannot take (too few axes, a kernel larger than its input)."""

    kind = "shape error"


class LimitError(SymcountError):
    """Input past one of the limits: size, nesting, magnitude or time (docs/limits.md)."""

    kind = "limit exceeded"


class SolveError(SymcountError):
    """A solve that cannot be asked or answered as given (docs/solve.md)."""

    kind = "solve error"


def did_you_mean(word: str, choices) -> str | None:
    """A hint naming the closest valid choice, if one is close enough."""
    import difflib

    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f"did you mean {close[0]!r}?" if close else None
