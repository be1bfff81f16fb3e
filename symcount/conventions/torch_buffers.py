"""Bare buffers under ``convention torch`` (ops/buffer.py). Merged into
:class:`~symcount.conventions.torch.Torch`'s LAYERS."""

from __future__ import annotations

from .base import layer

BUFFER_LAYERS = {
    "Buffer": layer(
        "buffer",
        "*shape:dims!",
        doc="module.register_buffer(name, tensor) of the given shape, named by name= (BERT's "
        "position_ids (1, max_position_embeddings)): counted as a buffer; no input.",
    ),
}
