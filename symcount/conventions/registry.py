"""The rules a convention's tables compile to, by class name: what the
evaluator, binding and `symcount layers` read."""

from __future__ import annotations

import dataclasses
import re

from ..ops.spec import LayerRule


def snake_case(name: str) -> str:
    """Keras's to_snake_case, for generated layer names."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class Registry:
    """A convention's rule table, and the few habits that differ between
    frameworks: how layers are auto-named and how state is reported."""

    def __init__(self, convention: str, *, state_as_buffers: bool = False, name_base=snake_case):
        self.convention = convention
        self.rules: dict[str, LayerRule] = {}
        self.aliases: dict[str, list[str]] = {}  # a layer's other names (Convolution2D)
        self.state_as_buffers = state_as_buffers  # PyTorch: running stats are buffers
        self.name_base = name_base  # type name -> the stem of generated names

    def add(self, rule: LayerRule, aliases=()) -> None:
        """``rule`` under its name and under each alias (the same function)."""
        for n in (rule.name, *aliases):
            if n in self.rules:
                raise ValueError(f"duplicate rule {n}")
            self.rules[n] = rule if n == rule.name else dataclasses.replace(rule, name=n)
        self.aliases[rule.name] = list(aliases)

    def __contains__(self, name: str) -> bool:
        return name in self.rules

    def get(self, name: str) -> LayerRule | None:
        return self.rules.get(name)


# filled by each convention's register (its flags and naming too), on import
keras = Registry("keras")
torch = Registry("torch")
