"""Where the rule tables used to live: :mod:`symcount.conventions.registry`."""

from ..conventions.registry import Registry, keras, snake_case, torch, torch_name  # noqa: F401
