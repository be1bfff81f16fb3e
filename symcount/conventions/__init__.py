"""Conventions: each framework's tables over the neutral ops (see base.py).

keras is loaded with symcount; torch when a model first asks for it, so a
Keras model's start-up does not pay for torch.nn's tables.
"""

from __future__ import annotations

import importlib

from ..errors import ArgumentError, Span
from .base import Registry

MODULES = {"keras": "keras", "torch": "torch"}  # a convention's name -> its module of tables


def rules_for(convention: str, span: Span | None = None) -> Registry:
    """The compiled rules of ``convention`` (its tables register on first use)."""
    module = MODULES.get(convention)
    if module is None:
        raise ArgumentError(
            f"convention {convention!r} is not available in this version (keras and torch are)",
            span,
        )
    return importlib.import_module(f"{__name__}.{module}").registry  # once: Python caches it


def convention_of(name: str):
    """The Convention class (its tables and flags) of ``name``."""
    rules_for(name)
    return importlib.import_module(f"{__name__}.{MODULES[name]}").CONVENTION
