"""Live test of examples/convnext_tiny.sc: keras.applications.ConvNeXtTiny
(weights=None) built once, compared with symcount's rows layer by layer
(type, output shape, trainable and non-trainable counts) and in total.
Needs the `frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402

pytestmark = pytest.mark.live

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "convnext_tiny.sc"


@pytest.fixture(scope="module")
def keras_convnext():
    return keras.applications.ConvNeXtTiny(weights=None)


@pytest.fixture(scope="module")
def ours():
    return symcount.load(EXAMPLE)


def keras_layers(model) -> list:
    """Every layer but the input, the stem's and downsampling's Sequentials opened."""
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        out += keras_layers(layer) if isinstance(layer, keras.Model) else [layer]
    return out


def keras_row(layer) -> tuple:
    shape = tuple(layer.output.shape[1:])
    trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
    return (type(layer).__name__, shape, trainable, frozen)


def our_rows(model) -> list:
    """symcount's layers, without the residuals' Add: Keras adds a block's input
    back with `inputs + x`, an operation and not a layer of the model."""
    rows = [r for _, r in model.walk(expand=True) if not r.group and r.type != "Add"]
    return [(r.type, tuple(r.output_shape), r.trainable, r.non_trainable) for r in rows]


def test_convnext_tiny_totals_match_keras(keras_convnext, ours):
    frozen = sum(math.prod(w.shape) for w in keras_convnext.non_trainable_weights)
    trainable = sum(math.prod(w.shape) for w in keras_convnext.trainable_weights)
    assert (ours.total, ours.trainable, ours.non_trainable) == (
        keras_convnext.count_params(),
        trainable,
        frozen,
    )
    assert ours.total == 28_589_128
    assert ours.outputs == [tuple(keras_convnext.output.shape[1:])] == [(1000,)]


def test_convnext_tiny_matches_keras_layer_by_layer(keras_convnext, ours):
    theirs = [keras_row(x) for x in keras_layers(keras_convnext)]
    mine = our_rows(ours)
    assert len(theirs) == len(mine) == 1 + 2 + 18 * 7 + 3 * 2 + 3
    bad = [
        f"{i}: keras {t} != symcount {m}"
        for i, (t, m) in enumerate(zip(theirs, mine, strict=True))
        if t != m
    ]
    assert bad == []


def test_layer_scale_is_keras_applications_own(keras_convnext):
    """LayerScale's one weight, gamma (projection_dim,), as symcount's row has it."""
    scale = next(x for x in keras_convnext.layers if type(x).__name__ == "LayerScale")
    row = symcount.parse("input(56, 56, 96) -> LayerScale(1e-6, 96)").rows[0]
    assert [tuple(w.shape) for w in scale.weights] == [w.shape for w in row.weights] == [(96,)]
