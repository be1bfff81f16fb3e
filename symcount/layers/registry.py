"""Rule tables per convention. A convention is a table of rules by class name."""

from __future__ import annotations

import inspect

from .spec import LayerRule


class Registry:
    def __init__(self, convention: str):
        self.convention = convention
        self.rules: dict[str, LayerRule] = {}

    def rule(self, name: str, *args, ignored=(), aliases=(), doc: str = ""):
        """Decorator: ``@keras.rule("Dense", a("units", "dim", REQUIRED), ...)``."""

        def register(fn):
            # Most rules need only (shape, args); wrappers also get a context
            # to run their inner layer.
            takes_ctx = len(inspect.signature(fn).parameters) == 3
            call = fn if takes_ctx else (lambda shape, p, ctx, _fn=fn: _fn(shape, p))
            for n in (name, *aliases):
                if n in self.rules:
                    raise ValueError(f"duplicate rule {n}")
                self.rules[n] = LayerRule(
                    n, tuple(args), call, frozenset(ignored), doc or fn.__doc__ or ""
                )
            return fn

        return register

    def __contains__(self, name: str) -> bool:
        return name in self.rules

    def get(self, name: str) -> LayerRule | None:
        return self.rules.get(name)


keras = Registry("keras")
