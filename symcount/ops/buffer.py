"""A bare buffer: torch's ``register_buffer`` of a tensor that is no module's
weight, as Hugging Face's BERT keeps its embeddings' ``position_ids`` and
``token_type_ids`` (1, max_position_embeddings), counted as transformers'
``model.buffers()`` counts them. A parameter (ops/parameter.py) in every other
respect: a shape, no input, named by name=."""

from __future__ import annotations

from dataclasses import replace

from .base import Args, Entry, op
from .parameter import parameter
from .spec import Out


@op("buffer", inputs=(0, 0))
def buffer(x, a: Args, e: Entry) -> Out:
    """A tensor of the given shape that torch keeps as a buffer, not a parameter."""
    out = parameter(x, a, e)
    out.weights = [
        replace(w, trainable=False, state=True, what="registered by register_buffer")
        for w in out.weights
    ]
    return out
