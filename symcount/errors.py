"""One error family for everything a user can get wrong.

Rules raise short messages without positions; the evaluator attaches the
source span of the offending node, so the user sees one message with
file:line:column, the source line and a caret under the culprit.
"""

from __future__ import annotations

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
    """Base class: every error symcount raises for bad input is one of these."""

    kind = "error"

    def __init__(self, message: str, span: Span | None = None, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
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
        where = self.filename or "<input>"
        head = f"{where}: {self.kind}: {self.message}"
        if self.span is None:
            lines = [head]
            if self.excerpt is not None:
                text, col = self.excerpt
                lines += [f"    {text}", "    " + " " * min(col, len(text)) + "^"]
            if self.hint:
                lines.append(f"  hint: {self.hint}")
            return "\n".join(lines)
        head = f"{where}:{self.span.line}:{self.span.column}: {self.kind}: {self.message}"
        lines = [head]
        if self.source is not None:
            src_lines = self.source.splitlines() or [""]
            idx = min(self.span.line, len(src_lines)) - 1
            text = src_lines[idx].replace("\t", " ")
            if len(text) > 200:  # keep huge one-line inputs readable
                lo = max(0, self.span.column - 80)
                text = ("..." if lo else "") + text[lo : lo + 160]
                col = self.span.column - lo + (3 if lo else 0)
            else:
                col = self.span.column
            width = 1
            if self.span.end_line == self.span.line:
                width = max(1, self.span.end_column - self.span.column)
            width = max(1, min(width, len(text) - col + 2))
            lines.append(f"    {text}")
            lines.append("    " + " " * (col - 1) + "^" * width)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class SyntaxError_(SymcountError):
    kind = "syntax error"


class UnknownLayerError(SymcountError):
    kind = "unknown layer"


class ArgumentError(SymcountError):
    kind = "argument error"


class ShapeError(SymcountError):
    kind = "shape error"


class LimitError(SymcountError):
    kind = "limit exceeded"


class SolveError(SymcountError):
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
