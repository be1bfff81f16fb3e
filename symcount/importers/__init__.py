"""Models brought as they are: pasted Keras and PyTorch code (docs/python.md).

``read_python(text)`` gives the symcount program the code builds (a syntax
tree, never text), the convention it is written for, and notes on what was
left out; :func:`symcount.load` and the CLI take ``.py`` files through it.
"""

from __future__ import annotations

from .reader import detect, read


def read_python(text: str, *, convention: str | None = None, input_shape=None):
    """(program, convention, notes) of Python model code, read and never run.
    A Keras model config (model.to_json() piped in, where no file name says
    which it is) is read as one: it is never Python that builds a model."""
    from .keras_json import looks_like_keras_json

    if looks_like_keras_json(text):
        return _keras_config(text, convention, input_shape)
    conv = convention or detect(text)
    program, notes = read(text, convention=conv, input_shape=input_shape)
    return program, conv, notes


def read_keras_json(text: str):
    """(program, notes) of a Keras 3 model config (model.to_json(), a .keras's config.json)."""
    from .keras_json import read

    return read(text)


def _keras_config(text: str, convention, input_shape):
    from ..errors import SymcountError
    from .keras_json import printable, read

    if convention not in (None, "keras"):
        raise SymcountError("a Keras model config is counted under convention keras")
    if input_shape is not None:
        raise SymcountError("a Keras model config states its input: --input-shape is for code")
    program, notes = read(text)
    program, renamed = printable(program)  # a model name the model language can write
    return program, "keras", [*notes, *renamed]


__all__ = ["read_keras_json", "read_python"]
