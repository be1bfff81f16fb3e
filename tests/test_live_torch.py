"""Live differential test for ``convention torch``: seeded random
configurations of every module in tests/reference/torch_cases.LAYERS, built in
real PyTorch right now (a forward pass gives the output shape; parameters,
frozen parameters and buffers are counted), compared with symcount. Needs the
`frameworks` extra (`pip install -e '.[frameworks]'`); skipped without it."""

from __future__ import annotations

import os
from collections import Counter

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)

from tests.reference.torch_cases import LAYERS, sample_cases, torch_reference
from tests.test_reference_torch import ISSUE_MODULES
from tests.torch_differential import compare

pytestmark = pytest.mark.live

SEED = int(os.environ.get("SYMCOUNT_LIVE_SEED", "1"))  # the fixtures use seed 0
PER_LAYER = int(os.environ.get("SYMCOUNT_LIVE_PER_LAYER", "8"))


@pytest.fixture(scope="module")
def results():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the fixture generator: results must not depend on it
    try:
        return [torch_reference(c) for c in sample_cases(SEED, PER_LAYER)]
    finally:
        torch.set_num_threads(threads)


def test_live_cases_cover_every_module(results):
    valid = Counter(r["layer"] for r in results if "error" not in r)
    assert len(results) >= 500
    assert [n for n in LAYERS if valid[n] == 0] == []
    assert [n for n in ISSUE_MODULES if valid[n] < 3] == []


def test_symcount_matches_live_torch(results):
    mismatches = [p for r in results for p in compare(r)]
    shown = "\n".join(mismatches[:20])
    assert not mismatches, f"{len(mismatches)} of {len(results)} configurations differ:\n{shown}"
