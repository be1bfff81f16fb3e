"""What the Keras tables share across their modules (keras.py, keras_preprocessing.py)."""

from __future__ import annotations

from .base import layer

DF = "data_format:channels_last|channels_first?"  # None: the convention's layout


def same_shape(*args, ignored=(), op="identity"):
    return layer(op, *args, ignored=ignored, doc="Changes values only: no weights, same shape.")
