"""Live differential test: random layer configurations built in real Keras 3
(torch backend) right now, compared with symcount. Needs the `frameworks`
extra (`pip install -e '.[frameworks]'`); skipped without it."""

from __future__ import annotations

import os
from collections import Counter

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

from tests.differential import compare
from tests.reference.keras_cases import LAYERS, keras_reference, sample_cases

pytestmark = pytest.mark.live

SEED = int(os.environ.get("SYMCOUNT_LIVE_SEED", "1"))  # the fixtures use seed 0
PER_LAYER = int(os.environ.get("SYMCOUNT_LIVE_PER_LAYER", "12"))


@pytest.fixture(scope="module")
def results():
    return [keras_reference(c) for c in sample_cases(SEED, PER_LAYER)]


def test_live_cases_cover_every_layer(results):
    valid = Counter(r["layer"] for r in results if "error" not in r)
    assert len(results) >= 500
    assert [n for n in LAYERS if valid[n] == 0] == []


def test_symcount_matches_live_keras(results):
    mismatches = [p for r in results for p in compare(r)]
    shown = "\n".join(mismatches[:20])
    assert not mismatches, f"{len(mismatches)} of {len(results)} configurations differ:\n{shown}"
