"""Shared pytest setup.

Golden files: tests compare CLI output with files in tests/golden/. Run
``pytest --update-golden`` (or set ``SYMCOUNT_UPDATE_GOLDEN=1``) to rewrite
them from the current output, then review the diff.

Property tests (hypothesis) are derandomized by default, so a run of the
suite (and CI) is reproducible; ``pytest --hypothesis-profile=explore`` draws
fresh random examples (and more of them) to look for new failures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", max_examples=500, print_blob=True)
settings.load_profile("repeatable")

GOLDEN_DIR = Path(__file__).parent / "golden"


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output",
    )


@pytest.fixture
def golden(request):
    """``golden("name.txt", text)``: assert text equals the golden file (or rewrite it)."""
    update = request.config.getoption("--update-golden") or os.environ.get(
        "SYMCOUNT_UPDATE_GOLDEN"
    ) not in (None, "", "0")

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"output differs from {path} (pytest --update-golden rewrites it)"

    return check


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With ``SYMCOUNT_REQUIRE_LATEX=1`` (CI, once it has installed pdflatex)
    a test skipped for want of pdflatex fails instead: the LaTeX compile
    checks of issue 14 must run there, never pass by skipping."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or os.environ.get("SYMCOUNT_REQUIRE_LATEX") != "1":
        return
    reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if "pdflatex" in reason:
        report.outcome = "failed"
        report.longrepr = f"SYMCOUNT_REQUIRE_LATEX=1 but the test was skipped: {reason}"
