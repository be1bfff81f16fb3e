"""Layer rules, one family per module, registered per convention."""

from __future__ import annotations

from ..errors import ArgumentError, Span
from . import (  # noqa: F401  (importing registers the rules)
    attention,
    conv,
    core,
    merge,
    normalization,
    pooling,
    recurrent,
    reshaping,
    torch_attention,
    torch_conv,
    torch_core,
    torch_merge,
    torch_norm,
    torch_pooling,
    torch_recurrent,
    torch_reshaping,
    wrappers,
)
from .registry import Registry, keras, torch


def rules_for(convention: str, span: Span | None = None) -> Registry:
    if convention == "keras":
        return keras
    if convention == "torch":
        return torch
    raise ArgumentError(
        f"convention {convention!r} is not available in this version (keras is)", span
    )
