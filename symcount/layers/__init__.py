"""Layer rules, one family per module, registered per convention."""

from __future__ import annotations

import importlib

from .. import conventions
from ..errors import Span
from . import (  # noqa: F401  (importing registers the rules)
    conv,
    core,
    merge,
    pooling,
    reshaping,
)
from .registry import Registry

# torch.nn's rules register when a model first asks for convention torch, so a
# Keras model's start-up does not pay for them (about 15 ms).
TORCH_MODULES = (
    "torch_conv",
    "torch_merge",
    "torch_pooling",
    "torch_reshaping",
)


def rules_for(convention: str, span: Span | None = None) -> Registry:
    registry = conventions.rules_for(convention, span)
    if convention == "torch":
        for name in TORCH_MODULES:
            importlib.import_module(f"{__name__}.{name}")  # once: Python caches modules
    return registry
