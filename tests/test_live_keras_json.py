"""Live differential tests of Keras saved models (docs/keras_json.md): real
Keras 3 models (torch backend) written with ``model.to_json()`` and
``model.save(...keras)``, read back by symcount, compared with Keras layer by
layer (name, output shape, trainable and non-trainable weights) and in total.
Needs the `frameworks` extra; skipped without."""

from __future__ import annotations

import json
import math
import os
import random
import re
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402

pytestmark = pytest.mark.live

REFERENCE = Path(__file__).resolve().parent / "reference" / "keras_layers.json"


def weights(layer) -> tuple[int, int]:
    t = sum(math.prod(w.shape) for w in layer.trainable_weights)
    f = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
    return t, f


def keras_rows(model) -> list[tuple]:
    """(name, output shape without the batch, trainable, non-trainable) of each top-level layer."""
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        node = layer._inbound_nodes[0]  # a shared layer: its first call, as symcount shows
        shapes = [tuple(t.shape[1:]) for t in node.output_tensors]
        shape = shapes[0] if len(shapes) == 1 else tuple(shapes)
        out.append((layer.name, shape, *weights(layer)))
    return out


def our_rows(model) -> list[tuple]:
    return [(r.name, tuple(r.output_shape), r.trainable, r.non_trainable) for r in model.rows]


def op_names(text: str) -> set[str]:
    """The keras.ops calls of the graph (x + y): a row in symcount, no layer in Keras."""
    layers = json.loads(text)["config"]["layers"]
    return {la["name"] for la in layers if la.get("module", "").startswith("keras.src.ops")}


def check(real, ours) -> None:
    assert ours.name == real.name
    ops = op_names(real.to_json())
    rows = our_rows(ours)
    assert all(r[2:] == (0, 0) for r in rows if r[0] in ops)
    assert [r for r in rows if r[0] not in ops] == keras_rows(real)
    t, f = weights(real)
    assert (ours.total, ours.trainable, ours.non_trainable) == (real.count_params(), t, f)


def as_model_file(text: str):
    """The config written as a model file (what `symcount import` writes), read back."""
    from symcount.importers import read_keras_json
    from symcount.importers.keras_json import printable
    from symcount.language.printer import to_text

    program, _ = read_keras_json(text)
    model = symcount.parse(to_text(printable(program)[0]))
    name = json.loads(text)["config"]["name"]
    assert model.name == re.sub(
        r"\W", "_", name
    )  # mobilenetv2_1.00_224: model mobilenetv2_1_00_224
    model.name = name
    return model


def both_ways(real, tmp_path) -> None:
    """to_json(), a .keras archive and the model file symcount import writes,
    each read back and compared with ``real``."""
    text = real.to_json()
    check(real, symcount.parse_keras_json(text))
    check(real, as_model_file(text))
    path = tmp_path / f"{real.name}.keras"
    real.save(path)
    check(real, symcount.load(path))


# keras.applications, with and without the top ---------------------------------------

APPLICATIONS = [
    "VGG16",
    "ResNet50",
    "MobileNetV2",
    "MobileNetV3Small",
    "MobileNetV3Large",
    "DenseNet121",
    "InceptionV3",
    "Xception",
    "EfficientNetB0",
    "EfficientNetV2B0",
    "ConvNeXtTiny",
]


@pytest.mark.parametrize("top", [True, False], ids=["top", "notop"])
@pytest.mark.parametrize("name", APPLICATIONS)
def test_application(name, top, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras.backend.clear_session(free_memory=False)
        real = getattr(keras.applications, name)(weights=None, include_top=top)
    both_ways(real, tmp_path)


# hand-built models: nested, shared, frozen --------------------------------------------


def test_nested_shared_and_frozen(tmp_path):
    L = keras.layers
    keras.backend.clear_session(free_memory=False)
    inner = keras.Sequential(
        [keras.Input((16,)), L.Dense(8), L.BatchNormalization(), L.Dense(8)], name="inner"
    )
    a = keras.Input((16,), name="a")
    b = keras.Input((16,), name="b")
    shared = L.Dense(16, name="shared")
    frozen = L.Dense(4, name="frozen", trainable=False)
    x = L.Add()([shared(a), shared(b)])
    y = frozen(inner(x))
    real = keras.Model([a, b], [y, x], name="two_outputs")
    both_ways(real, tmp_path)
    seq = keras.Sequential([keras.Input((5, 3)), L.LSTM(7), inner_seq()], name="outer")
    both_ways(seq, tmp_path)
    i = keras.Input((6, 6, 4))
    block = keras.Model(i, L.Add()([i, L.Conv2D(4, 3, padding="same")(i)]), name="res_block")
    x = keras.Input((6, 6, 4), name="x")
    y = L.GlobalAveragePooling2D()(block(L.Conv2D(4, 1)(x)))
    both_ways(keras.Model(x, L.Dense(2)(y), name="with_functional_block"), tmp_path)


def inner_seq():
    return keras.Sequential([keras.layers.Dense(16)], name="head")


def test_errors_point_at_the_layer():
    L = keras.layers
    keras.backend.clear_session(free_memory=False)
    real = keras.Sequential([keras.Input((4,)), L.Dense(3)], name="m")
    config = json.loads(real.to_json())
    config["config"]["layers"][1]["config"]["use_gate"] = True  # no Dense has one
    text = json.dumps(config, indent=2)
    with pytest.raises(symcount.SymcountError) as e:
        symcount.parse_keras_json(text, filename="m.json")
    message = str(e.value)
    assert "use_gate=true" in message and "'dense'" in message and "(Dense)" in message
    lines = text.split("\n")
    dense = next(i for i, s in enumerate(lines) if '"class_name": "Dense"' in s)
    opens = max(i for i in range(dense) if lines[i].strip() == "{")  # the layer's object
    assert message.startswith(f"m.json:{opens + 1}:{lines[opens].index('{') + 1}:")


@pytest.mark.parametrize(
    ("make", "argument"),
    [(lambda: keras.layers.MultiHeadAttention(2, 4, use_gate=True), "use_gate=true")],
    ids=["gate"],
)
def test_arguments_that_add_weights_are_errors(make, argument):
    keras.backend.clear_session(free_memory=False)
    x = keras.Input((5, 8))
    layer = make()
    y = layer(x, x) if isinstance(layer, keras.layers.MultiHeadAttention) else layer(x)
    real = keras.Model(x, y)
    assert real.count_params() > 0
    with pytest.raises(symcount.SymcountError, match=f"argument {argument} .* changes its weights"):
        symcount.parse_keras_json(real.to_json())


# random models over the reference cases ------------------------------------------------


# layers Keras cannot make a model of alone: Equalization's graph is "part of a
# cycle" when saved as a model, the attentions take a list of tensors
ALONE_FAILS = {"Equalization", "Attention", "AdditiveAttention"}


def reference_cases() -> list[dict]:
    cases = json.loads(REFERENCE.read_text())["cases"]
    return [
        c
        for c in cases
        if c["layer"] not in ALONE_FAILS
        and "error" not in c
        and "eager_error" not in c
        and "other_inputs" not in c
        and "call_kwargs" not in c
    ]


def sampled(n: int, seed: int) -> list[dict]:
    cases = reference_cases()
    return random.Random(seed).sample(cases, n)


def real_model(case: dict, functional: bool, index: int):
    from tests.reference.keras_cases import _call, _int_input, attention, build_layer

    keras.backend.clear_session(free_memory=False)
    dtype = "int32" if _int_input(case) else "float32"
    x = keras.Input(shape=tuple(case["input_shape"]), dtype=dtype)
    layer = build_layer(case)
    several = case["layer"] in attention.SAMPLERS or case["layer"] == "MultiHeadAttention"
    if not functional and not several:  # a Sequential's layers take one tensor
        return keras.Sequential([x, layer], name=f"seq_{index}")
    y = _call(layer, case, x, [])
    if isinstance(y, list | tuple):
        y = y[0]
    return keras.Model(x, y, name=f"fn_{index}")


CASES = sampled(400, seed=13)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["id"] for c in CASES])
def test_reference_case_model(index, tmp_path):
    case = CASES[index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = real_model(case, functional=index % 2 == 1, index=index)
    real_text = real.to_json()
    check(real, symcount.parse_keras_json(real_text))
    if index % 10 == 0:  # the archive path on every tenth: saving costs more than reading
        path = tmp_path / "m.keras"
        real.save(path)
        check(real, symcount.load(path))


# random graphs: chains of reference-case layers whose shapes meet, residual
# merges, a shared layer, a nested Sequential -------------------------------------------


def chainable() -> dict[tuple, list[dict]]:
    """The reference cases of one float tensor in and one out, by input shape."""
    from tests.reference.keras_cases import _int_input, attention

    out: dict[tuple, list[dict]] = {}
    for c in reference_cases():
        single = c["output_shape"] and not isinstance(c["output_shape"][0], list)
        if (
            single
            and not _int_input(c)
            and c["layer"] not in attention.SAMPLERS
            and c["layer"] != "MultiHeadAttention"
        ):
            out.setdefault(tuple(c["input_shape"]), []).append(c)
    return out


def random_graph(rng: random.Random, index: int, by_shape: dict):
    """A functional model: a chain of 1-5 layers from one sampled input shape,
    each step a residual Add where the shape is kept, the first layer shared
    on a second input of its shape, and part of the chain a nested Sequential."""
    from tests.reference.keras_cases import build_layer

    L = keras.layers
    keras.backend.clear_session(free_memory=False)
    shape = rng.choice(sorted((s for s in by_shape if len(by_shape[s]) > 1), key=str))
    a = keras.Input(shape=shape, name="a")
    inputs, x = [a], a
    nested = rng.random() < 0.3
    steps = []
    for step in range(rng.randint(1, 5)):
        options = by_shape.get(tuple(x.shape[1:]))
        if not options:
            break
        case = rng.choice(options)
        layer = build_layer(case)
        steps.append(layer)
        if nested and step == 0:
            sub = keras.Sequential([keras.Input(shape=tuple(x.shape[1:])), layer], name="sub")
            y = sub(x)
        else:
            y = layer(x)
            if step == 0 and rng.random() < 0.3:  # the same layer on a second input: shared
                b = keras.Input(shape=tuple(x.shape[1:]), name="b")
                inputs.append(b)
                y = L.Add(name="both")([y, layer(b)])
        if tuple(y.shape[1:]) == tuple(x.shape[1:]) and rng.random() < 0.4:
            y = L.Add(name=f"residual_{step}")([x, y])
        x = y
    return keras.Model(inputs, x, name=f"graph_{index}")


GRAPHS = 150


@pytest.fixture(scope="module")
def by_shape():
    return chainable()


@pytest.mark.parametrize("index", range(GRAPHS))
def test_random_graph(index, by_shape, tmp_path):
    rng = random.Random(1000 + index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = random_graph(rng, index, by_shape)
    check(real, symcount.parse_keras_json(real.to_json()))
    check(real, as_model_file(real.to_json()))
    if index % 10 == 0:
        path = tmp_path / "g.keras"
        real.save(path)
        check(real, symcount.load(path))
