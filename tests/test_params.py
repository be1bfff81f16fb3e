"""Bare parameters, LayerScale and torch's tensor methods: shapes, counts,
names and the errors, table-driven (the live tests check them against real
torch and Keras: tests/test_live_params.py)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symcount
from symcount.cli import main
from symcount.errors import ArgumentError, ShapeError
from symcount.render.table import summary

TORCH = "convention torch\n"

# (source, the last row's output shape, total, trainable)
CASES = [
    # ViT: a cls token joined to the patches, position embeddings added
    (
        TORCH + "x = input(196, 768); c = Parameter(1, 1, 768); Concatenate(c, x, dim=1)",
        (197, 768),
        768,
        768,
    ),
    (TORCH + "x = input(197, 768); p = Parameter(1, 197, 768); Add(x, p)", (197, 768), 151_296, 151_296),
    # the leading 1 is optional for a broadcast: (197, 768) meets (B, 197, 768) the same
    (TORCH + "x = input(197, 768); p = Parameter(197, 768); Add(x, p)", (197, 768), 151_296, 151_296),
    # ConvNeXt's layer scale: (dim,) over (B, H, W, dim); torchvision's (dim, 1, 1) over (B, dim, H, W)
    (TORCH + "x = input(7, 7, 96); g = Parameter(96); Multiply(g, x)", (7, 7, 96), 96, 96),
    (TORCH + "x = input(96, 7, 7); g = Parameter(96, 1, 1); Multiply(x, g)", (96, 7, 7), 96, 96),
    # broadcasting can grow an axis of 1, as torch's does
    (TORCH + "x = input(1, 5); g = Parameter(3, 1); Add(x, g)", (3, 5), 3, 3),
    (TORCH + "x = input(5); g = Parameter(5, requires_grad=false); Add(x, g)", (5,), 5, 0),
    (TORCH + "x = input(5); g = Parameter((2, 5)); Add(x, g)", None, None, None),
    # two parameters make a parameter; it meets the batch later
    (TORCH + "x = input(4); a = Parameter(4); b = Parameter(1, 4); c = Add(a, b); Add(x, c)", (4,), 8, 8),
    ("x = input(7, 7, 96); g = Parameter(96, trainable=false); Multiply(x, g)", (7, 7, 96), 96, 0),
    ("x = input(10, 64); c = Parameter(1, 1, 64); Concatenate(c, x, axis=1)", (11, 64), 64, 64),
    ("input(7, 7, 96) -> LayerScale(1e-6, 96)", (7, 7, 96), 96, 96),
    ("input(7, 7, 1) -> LayerScale(0.1, 5)", (7, 7, 5), 5, 5),  # x * gamma broadcasts
    ("input(7, 7, 96) -> StochasticDepth(0.1)", (7, 7, 96), 0, 0),
    (TORCH + "input(3, 4, 5) -> Transpose(1, 2)", (4, 3, 5), 0, 0),
    (TORCH + "input(3, 4, 5) -> Transpose(-1, -3)", (5, 4, 3), 0, 0),
    (TORCH + "input(3, 4, 5) -> Transpose(2, 2)", (3, 4, 5), 0, 0),
    (TORCH + "input(3, 4, 5) -> Permute(0, 3, 1, 2)", (5, 3, 4), 0, 0),
    (TORCH + "input(3, 4, 5) -> Permute((0, -1, 2, 1))", (5, 4, 3), 0, 0),
    (TORCH + "input(3, 4, 5) -> View(-1, 10)", (6, 10), 0, 0),
    (TORCH + "input(3, 4, 5) -> Reshape(60)", (60,), 0, 0),
    (TORCH + "input(3, 224, 224) -> Conv2d(768, 16, stride=16) -> Flatten(2)", (768, 196), 590_592, 590_592),
    (TORCH + "input(s, d) -> View(s, h, -1)", None, 0, 0),
]  # fmt: skip


@pytest.mark.parametrize(("src", "shape", "total", "trainable"), CASES)
def test_shapes_and_counts(src, shape, total, trainable):
    if total is None:
        with pytest.raises(ShapeError):
            symcount.parse(src)
        return
    m = symcount.parse(src)
    if shape is not None:
        assert tuple(m.rows[-1].output_shape) == shape
    assert (m.total, m.trainable) == (total, trainable)


def test_symbolic_view_divides():
    m = symcount.parse(TORCH + "input(s, d) -> View(s, h, -1)")
    assert str(m.rows[-1].output_shape[-1]) == "d/h"


def test_a_parameter_is_named_by_name_and_its_row_shows_it_meeting_the_batch():
    m = symcount.parse(TORCH + "x = input(196, 768)\ncls = Parameter(1, 1, 768, name=cls_token)")
    row = m.row("cls_token")
    assert (row.type, row.name) == ("Parameter", "cls_token")
    assert [(w.name, w.shape) for w in row.weights] == [("cls_token", (1, 1, 768))]
    assert tuple(row.output_shape) == (1, 768)  # printed [-1, 1, 768]: expanded over the batch
    assert row.inputs == ()
    assert "│ cls_token (Parameter)           │ [-1, 1, 768] " in summary(m)


def test_a_parameter_row_has_no_inputs_and_feeds_the_merge():
    m = symcount.parse(TORCH + "x = input(4)\ng = Parameter(4)\nAdd(x, g)")
    assert m.to_dict()["layers"][-1]["inputs"] == ["x", "g"]
    assert m.to_dict()["layers"][0]["inputs"] == []


ERRORS = [
    (TORCH + "x = input(4, 5); g = Parameter(3, 5); Add(x, g)", ShapeError, "size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1"),
    ("x = input(4, 5); g = Parameter(3, 5); Add(x, g)", ShapeError, "Cannot broadcast shape, the failure dim has value 4, which cannot be broadcasted to 3"),
    (TORCH + "x = input(4, 5); g = Parameter(2, 4, 5); Add(x, g)", ShapeError, "axis of length 2 meets the batch axis"),
    (TORCH + "x = input(5); g = Parameter(1, 1, 5); Add(x, g)", ShapeError, "would put axes before the batch"),
    (TORCH + "x = input(4, 5); g = Parameter(5); Concatenate(g, x, dim=1)", ShapeError, "torch.cat does not broadcast"),
    (TORCH + "x = input(4, 5); g = Parameter(2, 1, 5); Concatenate(g, x, dim=1)", ShapeError, "the first of length 1"),
    (TORCH + "a = Parameter(1, 5); b = Parameter(1, 5); Concatenate(a, b, dim=1)", ShapeError, "every input is a Parameter"),
    (TORCH + "g = Parameter(5) -> Linear(3)", ShapeError, "a Parameter has no batch axis"),
    (TORCH + "g = Parameter(5)\nLinear(3)", ShapeError, "a Parameter has no batch axis"),
    (TORCH + "x = input(5)\nParameter(5)(x)", ArgumentError, "a tensor cannot be called"),
    (TORCH + "Parameter", ArgumentError, "needs the argument 'shape'"),
    (TORCH + "Parameter(0, 5)", ArgumentError, "positive"),
    ("input(7, 7, 96) -> LayerScale(1e-6, 95)", ShapeError, "Cannot broadcast shape"),
    (TORCH + "input(3, 4, 5) -> Transpose(0, 1)", ArgumentError, "moves the batch axis"),
    (TORCH + "input(3, 4, 5) -> Transpose(1, 4)", ArgumentError, "Dimension out of range (expected to be in range of [-4, 3], but got 4)"),
    (TORCH + "input(3, 4, 5) -> Permute(0, 2, 1)", ArgumentError, "input.dim() = 4 is not equal to len(dims) = 3"),
    (TORCH + "input(3, 4, 5) -> Permute(0, 1, 1, 2)", ArgumentError, "duplicate dims are not allowed"),
    (TORCH + "input(3, 4, 5) -> Permute(2, 0, 1, 3)", ArgumentError, "moves the batch axis"),
    (TORCH + "input(3, 4, 5) -> View(-1, -1)", ArgumentError, "only one dimension can be inferred"),
    (TORCH + "input(3, 4, 5) -> View(7, -1)", ShapeError, "shape '(7, -1)' is invalid for input of size 60"),
    (TORCH + "input(3, 4, 5) -> View(7, 8)", ShapeError, "is invalid for input of size 60"),
]  # fmt: skip


@pytest.mark.parametrize(("src", "kind", "text"), ERRORS)
def test_errors(src, kind, text):
    with pytest.raises(kind) as e:
        symcount.parse(src)
    assert text in str(e.value)


def test_unflatten_keeps_its_own_messages():
    with pytest.raises(ArgumentError, match="only one entry of unflattened_size may be -1"):
        symcount.parse(TORCH + "input(12) -> Unflatten(1, (-1, -1))")


def test_rest_arguments_take_every_positional_and_keywords_after():
    a = symcount.parse(TORCH + "Parameter(2, 3, 4, requires_grad=false)").rows[0]
    b = symcount.parse(TORCH + "Parameter((2, 3, 4), requires_grad=false)").rows[0]
    c = symcount.parse(TORCH + "Parameter(shape=(2, 3, 4), requires_grad=false)").rows[0]
    assert a.weights[0].shape == b.weights[0].shape == c.weights[0].shape == (2, 3, 4)
    assert a.non_trainable == 24


@given(st.lists(st.integers(1, 5), min_size=1, max_size=4), st.data())
def test_permute_and_transpose_agree(shape, data):
    """A transpose is the permutation that swaps two axes."""
    n = len(shape) + 1
    i, j = data.draw(st.integers(1, n - 1)), data.draw(st.integers(1, n - 1))
    order = list(range(n))
    order[i], order[j] = order[j], order[i]
    dims = ", ".join(map(str, shape))
    t = symcount.parse(f"{TORCH}input({dims}) -> Transpose({i}, {j})").rows[-1]
    p = symcount.parse(f"{TORCH}input({dims}) -> Permute({', '.join(map(str, order))})").rows[-1]
    assert tuple(t.output_shape) == tuple(p.output_shape)


def test_diff_names_the_torch_equivalents(capsys):
    src = (
        "x = input(7, 7, 96); g = Parameter(1, 1, 1, 96); y = Multiply(x, g); LayerScale(1e-6, 96)"
    )
    assert main(["diff", "-e", src, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["torch"], r["keras_params"], r["torch_params"]) for r in rows] == [
        ("nn.Parameter(torch.zeros(1, 1, 1, 96))", 96, 96),
        ("x * y", 0, 0),
        ("x * nn.Parameter(torch.full((96,), 1e-06))", 96, 96),
    ]
