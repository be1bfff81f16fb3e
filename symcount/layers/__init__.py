"""Layer rules, one family per module, registered per convention."""

from __future__ import annotations

from .. import conventions
from ..errors import Span
from .registry import Registry


def rules_for(convention: str, span: Span | None = None) -> Registry:
    return conventions.rules_for(convention, span)
