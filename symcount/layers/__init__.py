"""Layer rules, one family per module, registered per convention."""

from __future__ import annotations

import importlib

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
    wrappers,
)
from .registry import Registry, keras, torch

# torch.nn's rules register when a model first asks for convention torch, so a
# Keras model's start-up does not pay for them (about 15 ms).
TORCH_MODULES = (
    "torch_attention",
    "torch_conv",
    "torch_core",
    "torch_merge",
    "torch_norm",
    "torch_pooling",
    "torch_recurrent",
    "torch_reshaping",
)


def rules_for(convention: str, span: Span | None = None) -> Registry:
    if convention == "keras":
        return keras
    if convention == "torch":
        for name in TORCH_MODULES:
            importlib.import_module(f"{__name__}.{name}")  # once: Python caches modules
        return torch
    raise ArgumentError(
        f"convention {convention!r} is not available in this version (keras and torch are)",
        span,
    )
