"""Merges under torch. torch has no modules for them (``x + y``,
``torch.cat``); the language still needs them for graphs and ``residual``.
Elementwise merges are Keras's rules; ``Concatenate`` takes torch's ``dim``
(batch counted as 0; default 1, the channel axis). No weights."""

from __future__ import annotations

from .merge import MANY, join
from .registry import keras, torch
from .spec import a
from .torch_common import batch_axis

for _name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
    torch.rules[_name] = keras.rules[_name]


@torch.rule("Concatenate", a("dim", "axis", 1), inputs=MANY, aliases=("Cat",))
def concatenate(shapes, p):
    """torch.cat along dim (batch = 0; default 1, the channels); the other axes must agree."""
    return join(
        shapes,
        lambda rank: batch_axis(p.dim, shapes[0], p, "dim", layer="Concatenate"),
        f"dim {p.dim}",
    )
