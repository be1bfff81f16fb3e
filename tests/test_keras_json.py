"""Keras 3 saved models read as data (docs/keras_json.md), without Keras:
configs written here in the format model.to_json() writes (the live
differential tests, tests/test_live_keras_json.py, check them against real
Keras), their positioned errors, .keras archives and the CLI."""

from __future__ import annotations

import json
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.cli import main
from symcount.importers.keras_json import _object_offsets

DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}}
INIT = {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None}}


def tensor(name, node=0, index=0, shape=None):
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": shape, "dtype": "float32", "keras_history": [name, node, index]},
    }


def layer(cls, name, *calls, **config):
    """A layer's object; each call is the list of its input tensors."""
    out = {
        "module": "keras.layers",
        "class_name": cls,
        "config": {"name": name, "trainable": True, "dtype": DTYPE, **config},
        "registered_name": None,
        "name": name,
    }
    if calls:
        out["inbound_nodes"] = [{"args": [c if len(c) > 1 else c[0]], "kwargs": {}} for c in calls]
    return out


def input_layer(name, *dims):
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, *dims], "dtype": "float32", "name": name},
        "registered_name": None,
        "name": name,
        "inbound_nodes": [],
    }


def dense(name, units, *calls, **kw):
    config = {"units": units, "activation": "relu", "use_bias": True, "kernel_initializer": INIT}
    return layer("Dense", name, *calls, **{**config, "kernel_regularizer": None, **kw})


def sequential(name, layers, **kw):
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": name, "trainable": True, "dtype": DTYPE, "layers": layers, **kw},
        "registered_name": None,
    }


def functional(name, layers, inputs, outputs):
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": name,
            "trainable": True,
            "layers": layers,
            "input_layers": inputs,
            "output_layers": outputs,
        },
        "registered_name": "Functional",
    }


def rows(model):
    return [
        (r.name, r.type, tuple(r.output_shape), r.trainable, r.non_trainable) for r in model.rows
    ]


SEQ = sequential(
    "mlp",
    [
        input_layer("x", 784),
        dense("hidden", 128),
        layer("BatchNormalization", "bn", axis=-1, momentum=0.99, epsilon=0.001),
        layer("Dropout", "drop", rate=0.5, seed=None, noise_shape=None),
        dense("out", 10, trainable=False),
    ],
)

SHARED = functional(
    "siamese",
    [
        input_layer("a", 16),
        input_layer("b", 16),
        dense("enc", 8, [tensor("a")], [tensor("b")]),
        layer("Concatenate", "cat", [tensor("enc", 0), tensor("enc", 1)], axis=-1),
        dense("head", 1, [tensor("cat")]),
    ],
    [["a", 0, 0], ["b", 0, 0]],
    [["head", 0, 0]],
)

NESTED = functional(
    "outer",
    [
        input_layer("img", 8, 8, 3),
        {
            **sequential(
                "stem",
                [
                    layer(
                        "Conv2D",
                        "conv",
                        filters=4,
                        kernel_size=[3, 3],
                        strides=[1, 1],
                        padding="same",
                        use_bias=False,
                        kernel_initializer=INIT,
                    ),
                    layer("BatchNormalization", "conv_bn", axis=3),
                ],
            ),
            "inbound_nodes": [{"args": [tensor("img")], "kwargs": {}}],
        },
        layer("GlobalAveragePooling2D", "gap", [tensor("stem")], data_format="channels_last"),
        dense("logits", 5, [tensor("gap")]),
    ],
    [["img", 0, 0]],
    [["logits", 0, 0]],
)


@pytest.mark.parametrize(
    ("config", "total", "trainable", "expected_rows"),
    [
        (
            SEQ,
            101_770 + 512,
            100_480 + 256,
            [
                ("hidden", "Dense", (128,), 100_480, 0),
                ("bn", "BatchNormalization", (128,), 256, 256),
                ("drop", "Dropout", (128,), 0, 0),
                ("out", "Dense", (10,), 0, 1290),
            ],
        ),
        (
            SHARED,
            136 + 17,
            153,
            [
                ("enc", "Dense", (8,), 136, 0),
                ("cat", "Concatenate", (16,), 0, 0),
                ("head", "Dense", (1,), 17, 0),
            ],
        ),
        (
            NESTED,
            108 + 16 + 25,
            108 + 8 + 25,
            [
                ("stem", "stem", (8, 8, 4), 116, 8),
                ("gap", "GlobalAveragePooling2D", (4,), 0, 0),
                ("logits", "Dense", (5,), 25, 0),
            ],
        ),
    ],
    ids=["sequential", "shared", "nested"],
)
def test_models(config, total, trainable, expected_rows, tmp_path):
    text = json.dumps(config)
    for model in (symcount.parse_keras_json(text), load_keras(tmp_path, config)):
        assert model.name == config["config"]["name"]
        assert rows(model) == expected_rows
        assert (model.total, model.trainable) == (total, trainable)


def load_keras(tmp_path, config):
    path = tmp_path / "model.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        z.writestr("config.json", json.dumps(config, indent=2))
        z.writestr("model.weights.h5", b"\x89HDF not read")
    return symcount.load(path)


def test_a_json_file_loads_by_its_suffix(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(SHARED))
    assert symcount.load(path).total == 153


def with_layer(bad):
    return json.dumps(sequential("m", [input_layer("x", 4), bad]), indent=2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"class_name": "Sequential",\n "config": {]}',
            "m.json:2:13: syntax error: this is not valid JSON",
        ),
        ("[1, 2]", "m.json:1:1: argument error: this JSON is not a Keras model config"),
        (
            with_layer(dense("d", 3, use_gate=True)),
            "argument use_gate=true of the layer 'd' (Dense) changes its weights",
        ),
        (
            with_layer(dense("d", 3, mystery=1)),
            "argument mystery=1 of the layer 'd' (Dense) is not read",
        ),
        (with_layer(layer("NoSuchLayer", "n")), "unknown layer 'NoSuchLayer'"),
        (
            json.dumps(sequential("m", [dense("d", 3)])),
            "this Sequential model was never built",
        ),
        (
            json.dumps(
                functional(
                    "old",
                    [input_layer("x", 4), {**dense("d", 3), "inbound_nodes": [[["x", 0, 0, {}]]]}],
                    ["x", 0, 0],
                    ["d", 0, 0],
                )
            ),
            "the Keras 2 format",
        ),
    ],
    ids=["json", "not-a-model", "gate", "unknown-argument", "unknown-layer", "unbuilt", "keras2"],
)
def test_errors(text, message):
    with pytest.raises(symcount.SymcountError) as e:
        symcount.parse_keras_json(text, filename="m.json")
    assert message in str(e.value)


def test_an_error_points_at_the_layer_object():
    text = with_layer(dense("d", 3, mystery=1))
    with pytest.raises(symcount.SymcountError) as e:
        symcount.parse_keras_json(text, filename="m.json")
    start = text.rindex("{", 0, text.index('"class_name": "Dense"'))
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    assert str(e.value).startswith(f"m.json:{line}:{column}: ")


def test_cli_summary_import_and_diff(tmp_path, capsys):
    path = tmp_path / "siamese.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("config.json", json.dumps(SHARED))
    assert main(["summary", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'Model: "siamese"' in out and "enc (Dense) [shared: 2 calls]" in out
    assert "Total params: 153" in out
    sc = tmp_path / "siamese.sc"
    assert main(["import", str(path), "--flat", "-o", str(sc)]) == 0  # row by row: --flat
    text = sc.read_text()
    assert "let enc_ = Dense(8, activation=" in text or "let enc_ = Dense(units=8" in text
    assert rows(symcount.load(sc)) == rows(load_keras(tmp_path, SHARED))
    assert main(["diff", str(path)]) == 0
    assert "Linear(16, 8)" in capsys.readouterr().out


def test_a_broken_archive_is_a_user_error(tmp_path, capsys):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip")
    assert main(["summary", str(path)]) == 2
    assert "not a .keras archive" in capsys.readouterr().err
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model.weights.h5", b"")
    assert main(["summary", str(path)]) == 2
    assert "has no config.json" in capsys.readouterr().err


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab{}"\\\n ', max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]))
def test_object_offsets_are_each_objects_text(value, indent):
    """Each JSON object, in the order it opens, is the text between its offsets."""
    text = json.dumps(value, indent=indent)
    objects = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            objects.append(v)
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))
    offsets = _object_offsets(text)
    assert len(offsets) == len(objects)
    for (start, end), obj in zip(offsets, objects, strict=True):
        assert json.loads(text[start:end]) == obj
