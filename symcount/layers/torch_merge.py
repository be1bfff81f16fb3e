"""Merges under torch. torch has no modules for them (``x + y``,
``torch.cat``); the language still needs them for graphs and ``residual``.
Elementwise merges are Keras's rules; ``Concatenate`` takes torch's ``dim``
(batch counted as 0; default 1, the channel axis). No weights."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .merge import MANY
from .registry import keras, torch
from .spec import Out, a, fail
from .torch_common import batch_axis

for _name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
    torch.rules[_name] = keras.rules[_name]


@torch.rule("Concatenate", a("dim", "axis", 1), inputs=MANY, aliases=("Cat",))
def concatenate(shapes, p):
    """torch.cat along dim (batch = 0; default 1, the channels); the other axes must agree."""
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        fail(f"inputs have different ranks: {', '.join(P.shape(s) for s in shapes)}")
    idx = batch_axis(p.dim, shapes[0], p, "dim", layer="Concatenate")
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, (x, y) in enumerate(zip(out, s, strict=True)):
            if i == idx:
                out[i] = None if x is None or y is None else D.add(x, y)
            elif x is None:
                out[i] = y
            elif y is not None and D.equal(x, y) is False:
                fail(
                    f"inputs must agree on every axis but dim {p.dim}: "
                    f"{', '.join(P.shape(s) for s in shapes)} differ on axis {i + 1}"
                )
    return Out(tuple(out))
