"""symcount: closed-form shapes and parameter counts of neural networks.

>>> m = parse("input(28,28,1) -> Conv2D(24,3) -> Conv2D(36,3) -> Flatten -> Dense(128) -> Dense(10)")
>>> m.total
2663678
>>> str(parse("input(t, f) -> LSTM(u)").total)
'4*u*(f + u + 1)'
"""

from __future__ import annotations

from pathlib import Path

from .errors import (
    ArgumentError,
    LimitError,
    ShapeError,
    SolveError,
    SymcountError,
    SyntaxError_,
    UnknownLayerError,
)
from .model import Model, Row

__all__ = [
    "ArgumentError",
    "LimitError",
    "Model",
    "Row",
    "ShapeError",
    "SolveError",
    "SymcountError",
    "SyntaxError_",
    "UnknownLayerError",
    "load",
    "parse",
]
__version__ = "0.1.0"


def parse(
    text: str,
    *,
    values: dict | None = None,
    convention: str | None = None,
    filename: str | None = None,
) -> Model:
    """Evaluate a model written in the symcount language.

    ``values`` binds free symbols before evaluation (``{"u": 64}``), as
    ``--set`` does; ``convention`` overrides the file's ``convention`` line.
    Raises a :class:`SymcountError` (with line, column and caret) for any
    mistake in the input.
    """
    from .evaluator import Evaluator
    from .syntax import parse_program

    # No change to process-wide state (the recursion limit): parsing and
    # evaluation are iterative where input can be long, and depth is bounded
    # where it can nest (brackets, expressions, blocks, computed dims).
    try:
        program = parse_program(text)
        model = Evaluator(values=_check_values(values), convention=convention).run(program)
    except SymcountError as e:
        raise e.at(None, text, filename) from None
    except RecursionError:
        raise LimitError(
            "the input is nested too deeply (an expression or bracket nesting too long)"
        ).at(None, text, filename) from None
    model.source = text
    model.filename = filename
    return model


def load(path: str | Path, **kw) -> Model:
    """Read and evaluate a model file."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as e:
        raise SymcountError(f"cannot read {p}: {e.strerror or e}").at(None, None, str(p)) from None
    except UnicodeDecodeError as e:
        raise SymcountError(f"cannot read {p}: not UTF-8 text (byte {e.start})").at(
            None, None, str(p)
        ) from None
    return parse(text, filename=str(path), **kw)


def _check_values(values):
    if not values:
        return {}
    out = {}
    for k, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise ArgumentError(f"the value of {k} must be an integer, not {v!r}")
        if v < 1:
            raise ArgumentError(f"{k} must be a positive integer, not {v}")
        out[k] = v
    return out
