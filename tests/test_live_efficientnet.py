"""examples/efficientnet_b0.sc against keras.applications.EfficientNetB0
(weights=None, built once): totals, and every layer (type, output shape,
trainable and non-trainable counts) in the order efficientnet.py creates them,
and each MBConv block's count. Needs the `frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402
from tests.test_live_architectures import (  # noqa: E402
    in_creation_order,
    keras_layers,
    leaves,
    mismatches,
)

pytestmark = pytest.mark.live

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "efficientnet_b0.sc"

# efficientnet.py's block() creates its layers in this order; model.layers lists
# them by graph depth (the squeeze-excite branch and the skip interleave)
PARTS = ["expand_conv", "expand_bn", "expand_activation", "dwconv_pad", "dwconv", "bn"]
PARTS += ["activation", "se_squeeze", "se_reshape", "se_reduce", "se_expand", "se_excite"]
PARTS += ["project_conv", "project_bn", "drop", "add"]
BLOCK = re.compile(r"^(block\d[a-z])_(.+)$")


@pytest.fixture(scope="module")
def keras_b0():
    return keras.applications.EfficientNetB0(weights=None)


@pytest.fixture(scope="module")
def ours():
    return symcount.load(EXAMPLE)


def test_totals_match_keras(keras_b0, ours):
    frozen = sum(math.prod(w.shape) for w in keras_b0.non_trainable_weights)
    assert (ours.total, ours.non_trainable) == (keras_b0.count_params(), frozen)
    assert (ours.total, ours.trainable, ours.non_trainable) == (5_330_571, 5_288_548, 42_023)
    assert tuple(ours.output_shape) == tuple(keras_b0.output.shape[1:]) == (1000,)


def test_every_layer_matches_keras_in_order(keras_b0, ours):
    theirs, mine = in_creation_order(keras_b0, BLOCK, PARTS), leaves(ours)
    assert len(theirs) == len(mine) == 239
    assert mismatches(zip(theirs, mine, strict=True)) == []
    # Rescaling and Normalization, as Keras builds them (not a stand-in)
    assert [r.type for r in mine[:2]] == ["Rescaling", "Normalization"]
    assert mine[1].non_trainable == 7  # mean and variance of 3 channels, and a count


def test_each_block_matches_kerass_block(keras_b0, ours):
    groups: dict[str, int] = {}
    for layer in keras_layers(keras_b0):
        m = BLOCK.match(layer.name)
        if m:
            groups[m[1]] = groups.get(m[1], 0) + layer.count_params()
    assert len(groups) == 16
    mine = [r for _, r in ours.walk() if r.type.startswith("mbconv")]
    assert [r.params for r in mine] == list(groups.values())[1:]  # block2a to block7a
    first = [r for r in ours.rows if r.name in ("depthwise", "squeeze_excite", "project")]
    assert len(first) == 3  # block1a, without expansion: its three parts
    assert sum(r.params for r in first) == groups["block1a"]
