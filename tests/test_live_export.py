"""Live: keras.applications models (weights=None, with the top) written with
``model.to_json()``, exported by ``symcount import`` as a folded model file,
and that file parsed back: its totals are Keras's ``count_params()`` and
trainable split, in a few dozen lines (docs/keras_json.md). Needs the
`frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
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
