"""Live: keras.applications models (weights=None, with the top) written with
``model.to_json()``, exported by ``symcount import`` as a folded model file,
and that file parsed back: its totals are Keras's ``count_params()`` and
trainable split, in a few dozen lines (docs/keras_json.md). Needs the
`frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
import random
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402
from symcount.cli import main  # noqa: E402

pytestmark = pytest.mark.live

# name: (lines flat, at most this many folded) -- measured: 180 -> 51, 26 -> 20,
# 160 -> 61, 432 -> 39 (the header comment included)
APPLICATIONS = {
    "ResNet50": 55,
    "VGG16": 22,
    "MobileNetV2": 65,
    "DenseNet121": 45,
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each model built once: (its Keras counts, the flat and the folded file's text)."""
    out = {}
    folder = tmp_path_factory.mktemp("export")
    for name in APPLICATIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            keras.backend.clear_session(free_memory=False)
            real = getattr(keras.applications, name)(weights=None, include_top=True)
        trainable = sum(math.prod(w.shape) for w in real.trainable_weights)
        path = folder / f"{name}.json"
        path.write_text(real.to_json())
        texts = []
        for extra in (["--flat"], []):
            sc = folder / f"{name}{'.flat' if extra else ''}.sc"
            assert main(["import", str(path), *extra, "-o", str(sc)]) == 0
            texts.append(sc.read_text())
        out[name] = (real.count_params(), trainable, *texts)
    return out


@pytest.mark.parametrize("name", list(APPLICATIONS))
def test_the_folded_export_gives_keras_counts_in_a_few_dozen_lines(name, exported, capsys):
    total, trainable, flat, folded = exported[name]
    capsys.readouterr()
    model = symcount.parse(folded)
    assert (model.total, model.trainable, model.non_trainable) == (
        total,
        trainable,
        total - trainable,
    )
    assert "block " in folded or "repeat " in folded or " * " in folded
    lines = folded.count("\n")
    assert lines <= APPLICATIONS[name] < flat.count("\n"), (lines, flat.count("\n"))
    print(f"{name}: {flat.count(chr(10))} lines flat, {lines} folded")


def test_resnet50_reads_as_its_stages(exported):
    """Bottlenecks of 3, 4, 6 and 3, the first of each with a projection."""
    folded = exported["ResNet50"][3]
    for stage in (
        "(64, 1)\n  -> block2(64) * 2",
        "(128, 2)\n  -> block2(128) * 3",
        "(256, 2)\n  -> block2(256) * 5",
        "(512, 2)\n  -> block2(512) * 2",
    ):
        assert stage in folded
    assert "Conv2D(4 * filters, (1, 1)" in folded


def test_the_docs_show_the_resnet50_export_as_it_is(exported):
    """docs/keras_json.md's folded ResNet50 is what import writes today."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "keras_json.md").read_text()
    shown = page.split("### Folded")[1].split("```text\n")[1].split("```")[0]
    folded = exported["ResNet50"][3]
    assert shown.split("\n", 1)[1] == folded.split("\n", 1)[1]


# random models that repeat themselves ------------------------------------------------

RANDOM = 40


@pytest.fixture(scope="module")
def keeping():
    """The reference cases whose layer keeps its input's shape, by that shape."""
    from tests.test_live_keras_json import chainable

    out = {}
    for shape, cases in chainable().items():
        kept = [c for c in cases if tuple(c["output_shape"]) == shape]
        if len(kept) >= 2:
            out[shape] = kept
    return out


def repeating_model(rng, index: int, keeping):
    """A unit of 1-3 layers that keep the shape (fresh ones at each use, as a
    Python function makes them), perhaps added back to its input, applied
    2-4 times in a row, then a unit of other layers once."""
    from tests.reference.keras_cases import build_layer

    keras.backend.clear_session(free_memory=False)
    shape = rng.choice(sorted(keeping, key=str))
    unit = [rng.choice(keeping[shape]) for _ in range(rng.randint(1, 3))]
    residual = rng.random() < 0.5
    x = inputs = keras.Input(shape=shape)
    for _ in range(rng.randint(2, 4)):
        y = x
        for case in unit:
            y = build_layer(case)(y)
        x = keras.layers.Add()([x, y]) if residual else y
    x = build_layer(rng.choice(keeping[shape]))(x)
    return keras.Model(inputs, x, name=f"repeats_{index}")


def test_random_repeating_models_fold_to_keras_counts(keeping, tmp_path, capsys):
    folded = 0
    for index in range(RANDOM):
        rng = random.Random(7000 + index)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            real = repeating_model(rng, index, keeping)
        path = tmp_path / "m.json"
        path.write_text(real.to_json())
        out = tmp_path / "m.sc"
        assert main(["import", str(path), "-o", str(out)]) == 0, index
        capsys.readouterr()
        text = out.read_text()
        model = symcount.parse(text)
        trainable = sum(math.prod(w.shape) for w in real.trainable_weights)
        assert (model.total, model.trainable) == (real.count_params(), trainable), (index, text)
        folded += "symcount's automatic" in text
    print(f"{folded} of {RANDOM} folded")
    assert folded == RANDOM
