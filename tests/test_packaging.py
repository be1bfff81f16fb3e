"""The wheel ships the grammar, and the installed package loads it from there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{result.stdout}\n{result.stderr}")
    (path,) = out.glob("symcount-*.whl")
    return path


def test_wheel_contains_the_grammar(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "symcount/grammar/symcount.lark" in names
    assert "symcount/ops/conv.py" in names
    assert "symcount/conventions/torch.py" in names
    assert "symcount/grammar/tables.py" in names  # the prebuilt parser tables
    assert "_symcount_cli.py" in names  # the command's entry point
    # every module of the source tree (a subpackage missing from pyproject's list is left out)
    source = {
        str(f.relative_to(ROOT))
        for f in (ROOT / "symcount").rglob("*.py")
        if "__pycache__" not in f.parts
    }
    assert source <= set(names), sorted(source - set(names))


def test_installed_wheel_parses_without_the_source_tree(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = (
        "import symcount, symcount.language.syntax as s; "
        "assert 'site' in symcount.__file__, symcount.__file__; "
        "print(symcount.parse('input(514) -> Dense(514) -> Dense(257)').total)"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "397065"


def test_a_source_tree_runs_uninstalled_with_its_prebuilt_tables(tmp_path):
    # PYTHONPATH=checkout, no install (benchmarks/compare.py runs two commits
    # so): the grammar and the prebuilt tables are found beside the package.
    # A bare venv that sees this interpreter's packages but not an editable
    # symcount (whose import hook would supply the grammar itself).
    import sysconfig
    import venv

    venv.create(tmp_path / "venv", with_pip=False)
    site = next((tmp_path / "venv" / "lib").glob("python*/site-packages"))
    (site / "base.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = (
        "import symcount; from symcount.language import syntax; "
        f"assert symcount.__file__.startswith({str(ROOT)!r}), symcount.__file__; "
        "print(symcount.parse('input(514) -> Dense(257)').total, hasattr(syntax._parser(), 'grammar'))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "python"), "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["132355", "False"]  # loaded from the tables, not built


def test_wheel_carries_everything_the_playground_page_needs(wheel):
    """symcount serve's page, KaTeX and its fonts, and the examples menu: the
    page loads nothing from the network, so all of it is in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    static = ROOT / "symcount" / "serve" / "static"
    files = {str(f.relative_to(ROOT)) for f in static.rglob("*") if f.is_file()}
    assert len(files) > 25  # the page's own files, KaTeX's script, stylesheet, LICENSE, fonts
    assert files <= names, sorted(files - names)
    examples = {f"symcount/serve/examples/{f.name}" for f in (ROOT / "examples").glob("*.sc")}
    assert examples <= names, sorted(examples - names)


def test_installed_wheel_serves_the_page_and_its_examples(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = (
        "import json, threading, urllib.request, symcount; "
        "from symcount.serve import make_server; "
        "assert 'site' in symcount.__file__, symcount.__file__; "
        "s = make_server('127.0.0.1', 0); "
        "threading.Thread(target=s.serve_forever, daemon=True).start(); "
        "page = urllib.request.urlopen(s.url).read(); "
        "katex = urllib.request.urlopen(s.url + 'vendor/katex/katex.min.js').read(); "
        "ex = json.load(urllib.request.urlopen(s.url + 'api/examples'))['examples']; "
        "print(b'app.js' in page, len(katex) > 100_000, "
        "[e['name'] for e in ex if e['name'] == 'mnist_cnn'])"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "['mnist_cnn']"]
