"""Argument types shared by the commands (argparse ``type=`` callables)."""

from __future__ import annotations

import argparse
import re


def positive(text: str) -> int:
    """A positive integer option value (``--limit 5``, ``--width 120``)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive")
    return n


_COUNT = re.compile(r"(?P<num>[0-9][0-9_,]*(?:\.[0-9]+)?)\s*(?P<unit>[kKmMbBgGtT]?)\Z")
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9, "t": 10**12}


def count(text: str) -> int:
    """A parameter count: ``59910``, ``59_910``, ``59,910``, ``350M``, ``1.5B``, ``10k``."""
    from fractions import Fraction

    m = _COUNT.match(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a count (e.g. 59910, 59_910, 350M, 1.5B)"
        )
    value = Fraction(m["num"].replace("_", "").replace(",", "")) * _UNITS[m["unit"].lower()]
    if value.denominator != 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of parameters")
    return int(value)


def positive_count(text: str) -> int:
    """A count of at least 1 (a budget line)."""
    n = count(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return n
