"""symcount against recorded real-Keras results (tests/reference/keras_layers.json).

No framework needed: the fixtures were produced by tests/reference/generate.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.differential import case_source, compare
from tests.reference.keras_cases import LAYERS

FIXTURES = json.loads((Path(__file__).parent / "reference" / "keras_layers.json").read_text())
CASES = FIXTURES["cases"]


def test_fixtures_cover_every_layer():
    valid = Counter(c["layer"] for c in CASES if "error" not in c)
    assert len(CASES) >= 500
    missing = [name for name in LAYERS if valid[name] < 5]
    assert not missing, f"layers with fewer than 5 valid reference cases: {missing}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_keras(case):
    assert compare(case) == [], case_source(case)
