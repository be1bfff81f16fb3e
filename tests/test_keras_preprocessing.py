"""Keras 3's preprocessing layers (issue 11, point 3): exact shapes and
counts on hand-picked cases (the random ones are in tests/reference/)."""

from __future__ import annotations

import pytest

import symcount

CASES = [
    # source, output shape, trainable, non-trainable
    ("input(5) -> Normalization()", [5], 0, 11),
    ("input(5, 3, 2) -> Normalization(axis=(1, 2))", [5, 3, 2], 0, 31),
    ("input(5, 3) -> Normalization(axis=None)", [5, 3], 0, 3),
    ("input(5) -> Normalization(mean=2.0, variance=3.0)", [5], 0, 0),
    ("input(n, 3) -> Normalization(axis=1)", ["n", 3], 0, "2*n + 1"),
    ("input(10, 12, 3) -> Resizing(4, 6)", [4, 6, 3], 0, 0),
    ("input(3, 10, 12) -> Resizing(4, 6, data_format=channels_first)", [3, 4, 6], 0, 0),
    ("input(None, None, 3) -> CenterCrop(4, 6)", [4, 6, 3], 0, 0),
    ("input(10, 12, 3) -> RandomCrop(14, 6)", [14, 6, 3], 0, 0),
    ("input(10, 12, 3) -> RandomRotation(0.2) -> RandomZoom(0.1, 0.1)", [10, 12, 3], 0, 0),
    ("input(7) -> Rescaling(1/255, offset=-1)", [7], 0, 0),
    ("input(None, 12, 4) -> AdaptiveAveragePooling2D(3)", [3, 3, 4], 0, 0),
    ("input(10, 12, 4) -> AdaptiveMaxPooling2D((3, 5))", [3, 5, 4], 0, 0),
    (
        "input(4, 10, 12, 5) -> AdaptiveMaxPooling3D(2, data_format=channels_first)",
        [4, 2, 2, 2],
        0,
        0,
    ),
    ("input(l, 4) -> AdaptiveAveragePooling1D(n)", ["n", 4], 0, 0),
    ("input(5) -> CategoryEncoding(7, output_mode=one_hot)", [5, 7], 0, 0),
    ("input(4, 1) -> CategoryEncoding(7, output_mode=one_hot)", [4, 7], 0, 0),
    ("input(5) -> CategoryEncoding(t)", ["t"], 0, 0),
    ("input(3, None) -> CategoryEncoding(7, output_mode=one_hot)", [3, None, 7], 0, 0),
    ("input(4, 5) -> Discretization(bin_boundaries=[0.5])", [4, 5], 0, 0),
    ("input(3) -> Discretization(num_bins=6, output_mode=count)", [6], 0, 0),
]


@pytest.mark.parametrize(("source", "shape", "trainable", "frozen"), CASES)
def test_preprocessing_counts(source, shape, trainable, frozen):
    row = symcount.parse(source).to_dict()["layers"][-1]
    assert row["output_shape"] == shape
    assert (row["trainable"], row["non_trainable"]) == (trainable, frozen)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("input(3, None) -> Normalization()", "axis -1, which Normalization keeps, must have"),
        ("input(3, None) -> Normalization(axis=2, mean=1, variance=2)", "axis 2, which"),
        ("input(3) -> Normalization(mean=1)", "give both mean and variance, or neither"),
        ("input(4) -> Normalization(axis=2)", "axis 2 is out of range"),
        ("input(5, 3, 2) -> Normalization(axis=(-3, 1))", "axis 1 names an axis already kept"),
        ("input(10, 12) -> Resizing(4, 6)", "expects an input of shape (H, W, C)"),
        ("input(2, 10, 12, 3) -> CenterCrop(4, 6)", "expects an input of shape (H, W, C)"),
        ("input(10, 4) -> AdaptiveAveragePooling2D(3)", "expects an input of rank 4"),
        ("input(4, 5) -> CategoryEncoding(7)", "takes an input of rank 2"),
        ("input(n) -> CategoryEncoding(7, output_mode=one_hot)", "if the last axis is 1"),
        ("input(4) -> Discretization()", "give exactly one of bin_boundaries and num_bins"),
        ("input(4) -> Discretization(bin_boundaries=[1.0], num_bins=2)", "exactly one of"),
    ],
)
def test_preprocessing_refuses(source, message):
    with pytest.raises(symcount.SymcountError) as info:
        symcount.parse(source)
    assert message in info.value.message
