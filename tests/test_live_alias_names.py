"""A Keras alias is its class: ``MaxPool2D()`` is a MaxPooling2D named
max_pooling2d, ``GroupQueryAttention`` a GroupedQueryAttention named
grouped_query_attention. Every alias of the Keras table is shown (type and
generated name) as its main name is, and as real Keras shows it (skipped
without Keras)."""

from __future__ import annotations

import os
import re

import pytest

import symcount
from symcount.conventions import rules_for

REGISTRY = rules_for("keras")
# every name of a row that has aliases: (name written, the row's main name)
NAMES = [(n, main) for main, al in REGISTRY.aliases.items() if al for n in (main, *al)]
INPUTS = {"1": (8, 3), "2": (8, 8, 3), "3": (4, 4, 4, 3)}


def _text(name: str) -> str:
    if "Attention" in name:
        return f"q = input(5, 16)\n{name}(4, 4, 2)(q, q)"
    rank = re.search(r"([123])D", name).group(1)
    args = "()" if "Global" in name else "(1)" if "Pool" in name else "(4, 1)"
    return f"input{INPUTS[rank]} -> {name}{args}"


def _row(name: str):
    return symcount.parse(_text(name)).rows[-1]


def test_every_alias_is_covered():
    assert len(NAMES) >= 40
    assert ("MaxPool2D", "MaxPooling2D") in NAMES
    assert ("GroupedQueryAttention", "GroupQueryAttention") in NAMES


@pytest.mark.parametrize(("name", "main"), NAMES, ids=[n for n, _ in NAMES])
def test_alias_is_shown_as_its_main_name(name, main):
    a, b = _row(name), _row(main)
    assert (a.type, a.name) == (b.type, b.name)
    assert a.counts == b.counts


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("MaxPool2D", ("MaxPooling2D", "max_pooling2d")),
        ("AvgPool1D", ("AveragePooling1D", "average_pooling1d")),
        ("GlobalAvgPool3D", ("GlobalAveragePooling3D", "global_average_pooling3d")),
        ("Convolution2D", ("Conv2D", "conv2d")),
        ("Convolution3DTranspose", ("Conv3DTranspose", "conv3d_transpose")),
        ("SeparableConvolution1D", ("SeparableConv1D", "separable_conv1d")),
        ("GroupQueryAttention", ("GroupedQueryAttention", "grouped_query_attention")),
    ],
)
def test_alias_shows_keras_class(name, shown):
    row = _row(name)
    assert (row.type, row.name) == shown


def test_a_second_alias_layer_is_numbered_with_its_class():
    rows = symcount.parse("input(8, 8, 3) -> MaxPooling2D(1) -> MaxPool2D(1)").rows
    assert [r.name for r in rows] == ["max_pooling2d", "max_pooling2d_1"]


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="real Keras is not installed")


@pytest.mark.live
def test_against_keras(keras):
    for name, _ in NAMES:
        cls = getattr(keras.layers, name, None)
        if cls is None:  # GroupedQueryAttention: the class, not exported by this Keras
            continue
        keras.backend.clear_session()
        if "Attention" in name:
            layer = cls(4, 4, 2)
            q = keras.Input((5, 16))
            layer(q, q)
        else:
            rank = re.search(r"([123])D", name).group(1)
            layer = cls() if "Global" in name else cls(1) if "Pool" in name else cls(4, 1)
            layer(keras.Input(INPUTS[rank]))
        row = _row(name)
        assert (type(layer).__name__, layer.name) == (row.type, row.name), name
