"""Live differential test of examples/unet.sc: the U-Net as the Keras code
writes it (skips passed to an `up` block, Concatenate()([u, skip])), built in
real Keras 3 at several base widths f, compared with symcount's totals,
per-layer counts and output shape. Skipped without Keras."""

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

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "unet.sc"
L = keras.layers
# the count is a quadratic in f: three widths where Keras agrees fix it everywhere
WIDTHS = (2, 8, 32)


def keras_unet(f: int):
    def conv_block(x, n):
        x = L.Conv2D(n, 3, padding="same", activation="relu")(x)
        return L.Conv2D(n, 3, padding="same", activation="relu")(x)

    def up(x, skip, n):
        x = L.Conv2DTranspose(n, 2, strides=2, padding="same")(x)
        return conv_block(L.Concatenate()([x, skip]), n)

    inputs = keras.Input((128, 128, 3))
    s1 = conv_block(inputs, f)
    s2 = conv_block(L.MaxPooling2D(2)(s1), 2 * f)
    s3 = conv_block(L.MaxPooling2D(2)(s2), 4 * f)
    s4 = conv_block(L.MaxPooling2D(2)(s3), 8 * f)
    x = conv_block(L.MaxPooling2D(2)(s4), 16 * f)
    for skip, n in ((s4, 8 * f), (s3, 4 * f), (s2, 2 * f), (s1, f)):
        x = up(x, skip, n)
    return keras.Model(inputs, L.Conv2D(1, 1, activation="sigmoid")(x))


@pytest.fixture(scope="module")
def real():
    return {f: keras_unet(f) for f in WIDTHS}


@pytest.fixture(scope="module")
def ours():
    return symcount.load(EXAMPLE)


def _weights(ws) -> int:
    return sum(math.prod(w.shape) for w in ws)


@pytest.mark.parametrize("f", WIDTHS)
def test_totals_and_output(real, ours, f):
    k, m = real[f], ours.subs(f=f)
    assert m.total == k.count_params()
    assert m.trainable == _weights(k.trainable_weights)
    assert m.non_trainable == _weights(k.non_trainable_weights) == 0
    assert [tuple(s) for s in m.outputs] == [tuple(k.output.shape[1:])]


@pytest.mark.parametrize("f", WIDTHS)
def test_layer_by_layer(real, ours, f):
    """Every leaf row in order: the type, its output shape and its weights."""
    k, m = real[f], ours.subs(f=f)
    theirs = [
        (type(x).__name__, tuple(x.output.shape[1:]), x.count_params())
        for x in k.layers
        if not isinstance(x, L.InputLayer)
    ]
    mine = [
        (r.type, tuple(r.output_shape), r.params) for _, r in m.walk(expand=True) if not r.group
    ]
    assert mine == theirs


def test_the_classic_count(ours):
    """The classic U-Net's width, f = 64: its well-known 31,031,745 (the
    quadratic checked against Keras at three widths above)."""
    assert ours.subs(f=64).total == 31_031_745
