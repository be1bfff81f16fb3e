"""Models brought as they are: pasted Keras and PyTorch code (docs/python.md).

``read_python(text)`` gives the symcount program the code builds (a syntax
tree, never text), the convention it is written for, and notes on what was
left out; :func:`symcount.load` and the CLI take ``.py`` files through it.
"""

from __future__ import annotations

from .reader import detect, read


def read_python(text: str, *, convention: str | None = None, input_shape=None):
    """(program, convention, notes) of Python model code, read and never run."""
    conv = convention or detect(text)
    program, notes = read(text, convention=conv, input_shape=input_shape)
    return program, conv, notes


def read_keras_json(text: str):
    """(program, notes) of a Keras 3 model config (model.to_json(), a .keras's config.json)."""
    from .keras_json import read

    return read(text)


__all__ = ["read_keras_json", "read_python"]
