"""The neutral ops and the convention tables over them (symcount.ops,
symcount.conventions): every row is well formed, a new convention is one
table, both conventions count the same op alike, and torch's num_layers is
counted, not unrolled."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import dims as D
from symcount.conventions import convention_of, rules_for
from symcount.conventions.base import Layer, Registry, layer
from symcount.conventions.binding import as_pads, bind
from symcount.conventions.keras import Keras
from symcount.errors import ArgumentError
from symcount.ops import OPS
from symcount.ops.base import parse_weight
from symcount.ops.spec import REQUIRED
from symcount.ops.spec import a as arg

CONVENTIONS = ("keras", "torch")


def rows():
    for name in CONVENTIONS:
        for layer_name, row in convention_of(name).LAYERS.items():
            yield name, layer_name, row


@pytest.mark.parametrize(("convention", "name", "row"), list(rows()), ids=lambda v: str(v)[:30])
def test_every_row_names_a_known_op_and_its_own_arguments(convention, name, row):
    assert row.op in OPS
    declared = [x.name for x in row.args]
    assert len(declared) == len(set(declared)), declared
    assert set(row.names) <= set(declared), sorted(set(row.names) - set(declared))
    assert row.infer is None or row.infer in declared
    for spec in row.weights.values():
        parse_weight(spec)  # raises on a malformed spec
    rule = rules_for(convention).get(name)
    assert rule.args == row.args and rule.doc == row.doc


@pytest.mark.parametrize(
    ("spec", "name", "axes"),
    [
        ("kernel(c_in, units)", "kernel", (("c_in",), ("units",))),
        ("weight(units, c_in)", "weight", (("units",), ("c_in",))),
        ("kernel(*kernel, cin, filters)", "kernel", (("*", "kernel"), ("cin",), ("filters",))),
        ("pointwise_kernel(*ones, c_in*depth_multiplier, filters)", "pointwise_kernel",
         (("*", "ones"), ("c_in", "depth_multiplier"), ("filters",))),
        ("bias(4*units)", "bias", (("4", "units"),)),
    ],
)  # fmt: skip
def test_weight_specs(spec, name, axes):
    assert parse_weight(spec) == (name, axes)


class Transposed(Keras):
    """A convention of one table: Keras, but Dense's kernel named W and stored
    (units, c_in), and a Linear that takes its input size first, as torch's."""

    name = "transposed"
    LAYERS: ClassVar[dict[str, Layer]] = {
        **Keras.LAYERS,
        "Dense": layer(
            "dense",
            arg("units", "dim", REQUIRED),
            arg("use_bias", "bool", True),
            names={"use_bias": "bias"},
            weights={"kernel": "W(units, c_in)", "bias": "b(units)"},
            doc="Dense, transposed.",
        ),
        "Linear": layer(
            "dense",
            arg("n_in", "dim", REQUIRED),
            arg("n_out", "dim", REQUIRED),
            names={"n_in": "c_in", "n_out": "units"},
            fixed={"bias": False},
            weights={"kernel": "W(units, c_in)"},
            infer="n_in",
        ),
    }


def _run(registry, name, shape, *args, **kwargs):
    rule = registry.get(name)
    ns = bind(rule, [(v, None) for v in args], {k: (v, None) for k, v in kwargs.items()})
    return rule.fn(shape, ns, None)


def test_a_new_convention_is_one_table():
    registry = Transposed.register(Registry("transposed"))
    out = _run(registry, "Dense", (7,), 3)
    assert out.shape == (3,)
    assert [(w.name, w.shape) for w in out.weights] == [("W", (3, 7)), ("b", (3,))]
    assert [f.label for f in out.weights[0].factors] == ["units", "c_in"]
    lin = _run(registry, "Linear", (7,), 3)  # the input size left out: taken from the input
    assert [(w.name, w.shape) for w in lin.weights] == [("W", (3, 7))]
    assert [f.label for f in lin.weights[0].factors] == ["n_out", "n_in"]
    assert "Conv2D" in registry.rules and "Convolution2D" in registry.rules


PAIRS = [  # (keras source, torch source) of the same op on the same input
    ("input({c}) -> Dense({f})", "input({c}) -> Linear({f})"),
    ("input({c}) -> Dense({f}, use_bias=false)", "input({c}) -> Linear({f}, bias=false)"),
    ("input({c}) -> Embedding({f}, {k})", "input({c}) -> Embedding({f}, {k})"),
    ("input(12, 12, {c}) -> Conv2D({f}, {k})", "input({c}, 12, 12) -> Conv2d({f}, {k})"),
    (
        "input(12, {c}) -> Conv1D({f}, {k}, padding=same, use_bias=false)",
        "input({c}, 12) -> Conv1d({f}, {k}, padding=same, bias=false)",
    ),
    ("input(9, 9, {c}) -> Conv2DTranspose({f}, {k})", "input({c}, 9, 9) -> ConvTranspose2d({f}, {k})"),
    ("input(12, 12, {c}) -> MaxPooling2D({k})", "input({c}, 12, 12) -> MaxPool2d({k})"),
    ("input(12, {c}) -> ZeroPadding1D({k})", "input({c}, 12) -> ZeroPad1d({k})"),
    ("input(5, {c}) -> UpSampling1D({k})", "input({c}, 5) -> Upsample(scale_factor={k})"),
    ("input(4, {c}) -> Flatten()", "input(4, {c}) -> Flatten()"),
]  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(PAIRS), st.integers(1, 9), st.integers(1, 9), st.integers(1, 3))
def test_both_conventions_count_one_op_alike(pair, c, f, k):
    """Same op, same input: the same parameter count and the same number of
    output entries, whichever convention names it."""
    keras_src, torch_src = (s.format(c=c, f=f, k=k) for s in pair)
    km = symcount.parse(keras_src)
    tm = symcount.parse("convention torch\n" + torch_src)
    assert km.total == tm.total
    (kr,), (tr,) = km.rows[-1:], tm.rows[-1:]
    assert D.prod(kr.output_shape) == D.prod(tr.output_shape)


@pytest.mark.parametrize(
    ("layers", "total"),
    [
        (3, 3 * 4 * 4 * (4 + 4 + 2)),  # listed one by one: weight_ih_l0 .. l2
        (20, 20 * 4 * 4 * (4 + 4 + 2)),
        (10**52, 10**52 * 4 * 4 * (4 + 4 + 2)),
    ],
)
def test_torch_num_layers_is_counted_not_unrolled(layers, total):
    src = f"convention torch\ninput(3, 4) -> LSTM(4, num_layers={layers})"
    row = symcount.parse(src).rows[-1]
    assert row.params == total
    assert len(row.weights) == (4 * layers if layers <= 16 else 8)


def test_a_huge_num_layers_ends_quickly():
    code = "import symcount; print(symcount.parse('convention torch; input(3, 4) -> LSTM(4, num_layers=1e52)').total > 0)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.parametrize(
    ("value", "rank", "want"),
    [
        (1, 1, ((1, 1),)),
        ((1, 2), 1, ((1, 2),)),  # a 1-D layer's one pair, bare
        (2, 2, ((2, 2), (2, 2))),
        ((1, (2, 3)), 2, ((1, 1), (2, 3))),
        (((0, 1), (2, 0), 4), 3, ((0, 1), (2, 0), (4, 4))),
        (0, 3, ((0, 0),) * 3),
        ((1, 2, 3), 1, "padding must be an integer or a pair (before, after)"),
        ((1,), 1, "padding must be an integer or a pair (before, after)"),
        ((1, 2, 3), 2, "padding must be an integer, a tuple of 2 integers, or a tuple of 2 pairs"),
        (((1, 2, 3), 1), 2, "each entry of padding must be a pair (before, after)"),
        (-1, 2, "padding must be"),  # as_dim's own message
    ],
)
def test_pads_are_before_and_after_pairs_per_axis(value, rank, want):
    if isinstance(want, str):
        with pytest.raises(ArgumentError, match=re.escape(want)):
            as_pads(value, "padding", rank)
    else:
        assert as_pads(value, "padding", rank) == want
