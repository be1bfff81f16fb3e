"""Live differential test of issue 11's last Keras layers (RNN with cells,
EinsumDense, SpectralNormalization, RandomColorDegeneration): random
configurations built in real Keras 3 (torch backend) now, compared with
symcount; and the EinsumDense inputs symcount refuses, shown to be the ones
where Keras's symbolic shape is not the shape it computes. Needs the
`frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
import random
from collections import Counter

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402
from tests.differential import compare  # noqa: E402
from tests.reference.keras_cases import keras_reference  # noqa: E402
from tests.reference.keras_rest_cases import SAMPLERS  # noqa: E402

pytestmark = pytest.mark.live

SEED = int(os.environ.get("SYMCOUNT_LIVE_SEED", "7"))
PER_LAYER = int(os.environ.get("SYMCOUNT_LIVE_PER_LAYER", "40"))


@pytest.fixture(scope="module")
def results():
    out = []
    for name, sampler in SAMPLERS.items():
        rng = random.Random(f"live/{SEED}/{name}")
        for i in range(PER_LAYER):
            args, kwargs, shape = sampler(rng, name)
            case = {"id": f"{name}-{i}", "layer": name, "args": args, "kwargs": kwargs}
            out.append(keras_reference({**case, "input_shape": shape}, check_eager=False))
    return out


def test_live_cases_cover_every_layer(results):
    valid = Counter(r["layer"] for r in results if "error" not in r)
    rejected = Counter(r["layer"] for r in results if "error" in r)
    assert all(valid[n] >= PER_LAYER // 2 for n in SAMPLERS), valid
    assert all(rejected[n] >= 1 for n in SAMPLERS), rejected  # the refusals are tried too


def test_symcount_matches_live_keras(results):
    mismatches = [p for r in results for p in compare(r)]
    shown = "\n".join(mismatches[:20])
    assert not mismatches, f"{len(mismatches)} of {len(results)} configurations differ:\n{shown}"


def _keras_shapes(equation, output_shape, shape):
    layer = keras.layers.EinsumDense(equation, output_shape)
    symbolic = tuple(layer(keras.Input(shape)).shape[1:])
    try:
        computed = tuple(layer(keras.ops.zeros((2, *shape))).shape[1:])
    except Exception:  # Keras cannot run it
        computed = None
    return symbolic, computed


@pytest.mark.parametrize(
    ("equation", "output_shape", "shape", "message"),
    [
        ("...b,bc->...c", 64, (5, 6, 32), "Keras 3 reports them in reverse order"),
        ("...b,bc->...c", 8, (2, 3, 4, 5), "Keras 3 reports them in reverse order"),
        ("ab,bc->ac", 64, (5, 32), "add '...' for the axes it does not name"),
        ("abc,cd->abd", (None, 8), (4, 5, 6), "add '...' for the axes it does not name"),
    ],
)
def test_einsum_refusals_are_where_keras_disagrees_with_itself(
    equation, output_shape, shape, message
):
    symbolic, computed = _keras_shapes(equation, output_shape, shape)
    assert symbolic != computed  # reversed axes, or a tensor Keras cannot compute
    dims = ", ".join(map(str, shape))
    with pytest.raises(symcount.SymcountError) as info:
        symcount.parse(f"input({dims}) -> EinsumDense({equation!r}, {output_shape!r})")
    assert message in info.value.message


def test_einsum_none_output_axis_is_none_as_keras_reports_it():
    """output_shape's None over a known input length: Keras's summary says None
    (its computation has the length); symcount prints what the summary prints."""
    symbolic, computed = _keras_shapes("abc,cd->abd", (None, 64), (5, 32))
    assert (symbolic, computed) == ((None, 64), (5, 64))
    row = symcount.parse("input(5, 32) -> EinsumDense('abc,cd->abd', (None, 64))").rows[-1]
    assert tuple(row.output_shape) == symbolic


def test_rnn_weight_paths_match_kerass():
    """The cells' names inside the layer, as Keras's weight paths show them."""
    keras.backend.clear_session()
    cells = [keras.layers.LSTMCell(8), keras.layers.GRUCell(4)]
    layer = keras.layers.RNN(keras.layers.StackedRNNCells(cells))
    layer(keras.Input((5, 3)))
    theirs = [("/".join(w.path.split("/")[1:]), tuple(w.shape)) for w in layer.weights]
    row = symcount.parse("input(5, 3) -> RNN(StackedRNNCells([LSTMCell(8), GRUCell(4)]))").rows[-1]
    assert [(w.name, tuple(w.shape)) for w in row.weights] == theirs
    assert row.params == sum(math.prod(w.shape) for w in layer.weights)


@pytest.mark.parametrize(
    ("source", "build", "shape"),
    [
        (
            "Bidirectional(RNN(LSTMCell(8)))",
            lambda L: L.Bidirectional(L.RNN(L.LSTMCell(8))),
            (5, 3),
        ),
        (
            "Bidirectional(RNN([LSTMCell(8), GRUCell(3)], return_sequences=true), merge_mode=sum)",
            lambda L: L.Bidirectional(
                L.RNN([L.LSTMCell(8), L.GRUCell(3)], return_sequences=True), merge_mode="sum"
            ),
            (5, 3),
        ),
        (
            "TimeDistributed(RNN(SimpleRNNCell(8)))",
            lambda L: L.TimeDistributed(L.RNN(L.SimpleRNNCell(8))),
            (4, 5, 3),
        ),
    ],
)
def test_a_wrapped_rnn_matches_keras(source, build, shape):
    layer = build(keras.layers)
    out = layer(keras.Input(shape))
    row = symcount.parse(f"input{shape} -> {source}").rows[-1]
    assert (tuple(row.output_shape), row.params) == (tuple(out.shape[1:]), layer.count_params())
