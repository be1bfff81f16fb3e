"""The docs site: ``mkdocs build --strict`` over docs/ (mkdocs.yml, tools/docs_site.py).

The build runs once into a temporary directory; the tests read what it
wrote: a page for every docs/*.md, a nav that lists them all, the API
reference with the docstrings' own text, the search index, and the
repository files the pages link to. Tiny sites built with the same hooks
show that each broken link the rules cover fails the strict build.
"""

from __future__ import annotations

import html
import importlib.util
import inspect
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import symcount

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
# mkdocs, mkdocs-material, mkdocstrings and mkdocstrings-python, by their import names
NEEDED = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers")
MISSING = [m for m in NEEDED if importlib.util.find_spec(m) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"the docs site needs {', '.join(MISSING)} (pip install -e '.[test]')"
)


def _mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    start = time.monotonic()
    done = _mkdocs("build", "--strict", "--site-dir", str(out), cwd=ROOT)
    took = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    assert took < 120, f"mkdocs build took {took:.0f} s"
    return out


def _url(page: Path) -> str:
    """The page's URL under the site's root (mkdocs's directory URLs)."""
    return "" if page.stem == "index" else f"{page.stem}/"


def _html(site: Path, page: Path) -> str:
    return (site / _url(page) / "index.html").read_text(encoding="utf-8")


def _text(markup: str) -> str:
    """The words of an HTML page, tags dropped and spaces collapsed."""
    words = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return " ".join(words.split())


def _letters(text: str) -> str:
    """Text without its spaces: what a page says, whatever tags split it."""
    return re.sub(r"\s+", "", text)


def _title(page: Path) -> str:
    heading = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.M).group(1)
    return heading.replace("`", "")


def test_the_docs_have_pages():
    assert len(PAGES) >= 23
    assert {"index.md", "playground.md", "reference.md"} <= {p.name for p in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_docs_page_became_a_page_of_the_site(site, page):
    markup = _html(site, page)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", markup, re.S)
    assert h1 is not None, page.name
    assert _text(h1.group(1)).removesuffix(" ¶") == _title(page)


def _nav_links(markup: str) -> set[str]:
    nav = markup[markup.index('class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index('<div class="md-sidebar md-sidebar--secondary"')]
    return set(re.findall(r'<a href="([^"]*)" class="md-nav__link', nav))


def test_the_nav_lists_every_page(site):
    links = _nav_links((site / "index.html").read_text(encoding="utf-8"))
    assert {_url(p) or "." for p in PAGES} <= links
    # the nav's entries for a heading lead to that heading of its page
    assert "torch/#keras-vs-pytorch-symcount-diff" in links
    assert "python/#as-a-model-file-symcount-import" in links
    assert 'id="keras-vs-pytorch-symcount-diff"' in _html(site, DOCS / "torch.md")
    assert 'id="as-a-model-file-symcount-import"' in _html(site, DOCS / "python.md")


# the objects the reference documents, with the docstring each must show
DOCUMENTED = [
    ("symcount.parse", symcount.parse),
    ("symcount.load", symcount.load),
    ("symcount.parse_python", symcount.parse_python),
    ("symcount.parse_keras_json", symcount.parse_keras_json),
    ("symcount.parse_hf_config", symcount.parse_hf_config),
    ("symcount.from_torch", symcount.from_torch),
    ("symcount.api.run_program", symcount.api.run_program),
    ("symcount.Model", symcount.Model),
    ("symcount.Model.summary", symcount.Model.summary),  # attached by symcount.api
    ("symcount.Model.solve", symcount.Model.solve),
    ("symcount.Model.to_latex", symcount.Model.to_latex),
    ("symcount.Model.subs", symcount.Model.subs),
    ("symcount.Model.total", symcount.Model.total),
    ("symcount.Row", symcount.Row),
    ("symcount.Row.count", symcount.Row.count),
    ("symcount.SymcountError", symcount.SymcountError),
    ("symcount.LimitError", symcount.LimitError),
]


def _first_paragraph(obj) -> str:
    doc = inspect.getdoc(obj)
    assert doc, f"{obj!r} has no docstring"
    return " ".join(doc.split("\n\n")[0].replace("``", "").split())


@pytest.mark.parametrize(("path", "obj"), DOCUMENTED, ids=[p for p, _ in DOCUMENTED])
def test_the_reference_shows_each_documented_object_with_its_docstring(site, path, obj):
    markup = _html(site, DOCS / "reference.md")
    assert f'id="{path}"' in markup
    assert _letters(_first_paragraph(obj)) in _letters(_text(markup))


def test_the_reference_shows_signatures_and_attributes(site):
    text = _letters(_text(_html(site, DOCS / "reference.md")))
    assert "summary(*,width:int=100,ascii:bool=False" in text
    assert 'conventionstr"keras"or"torch":whosecountstheseare.' in text
    assert ":class:" not in text and ":func:" not in text and ":meth:" not in text


def test_the_search_index_has_every_page(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {d["location"].partition("#")[0] for d in index["docs"]}
    assert {_url(p) for p in PAGES} <= locations
    words = " ".join(d["text"] for d in index["docs"])
    assert "Conv2D" in words and "Evaluate a model written in the symcount language" in words


def test_links_out_of_docs_reach_the_files_the_site_carries(site):
    markup = _html(site, DOCS / "huggingface.md")
    assert 'href="../examples/gpt2.sc"' in markup
    for name in ("gpt2.sc", "llama_gqa.sc", "convnext_tiny.sc", "symcount_tour.ipynb"):
        assert (site / "examples" / name).read_bytes() == (ROOT / "examples" / name).read_bytes()
    # only the files linked to: the site is the docs, not a copy of the repository
    linked = {n for p in PAGES for n in re.findall(r"\]\(\.\./examples/([^)#]+)", p.read_text())}
    assert {p.name for p in (site / "examples").iterdir()} == linked


def test_a_pipe_escaped_in_a_table_cell_shows_as_on_github(site):
    assert "--convention keras\\|torch" in (DOCS / "summary.md").read_text(encoding="utf-8")
    markup = _html(site, DOCS / "summary.md")
    assert "<code>--convention keras|torch</code>" in markup
    assert "keras\\|torch" not in markup
    # the page's console blocks keep their text as it is
    assert _letters("$ symcount summary examples/mnist_cnn.sc") in _letters(_text(markup))


def test_the_playground_page_shows_its_screenshot(site):
    markup = _html(site, DOCS / "playground.md")
    assert 'src="../images/playground.png"' in markup
    assert (site / "images" / "playground.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the rules fail the strict build on what they cover -------------------------

SMALL_CONFIG = """\
site_name: t
theme: {{name: material}}
hooks: [{hooks}]
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify {{kwds: {{case: lower}}}}
validation: {{omitted_files: warn, not_found: warn, absolute_links: warn,
             unrecognized_links: warn, anchors: warn}}
nav:
  - Home: index.md
  - Part: {part}
"""

CASES = [
    # (index.md's text, the nav's heading entry, what the build says; "" = it builds)
    ("# Home\n\n## The part\n\n[f](../data.txt)", "index.md#the-part", ""),
    ("# Home\n\n[f](../missing.txt)", "index.md", "'../missing.txt'"),
    ("# Home\n\n[f](../README.md)", "index.md", "the site's pages are docs/ only"),
    ("# Home\n\n[f](other.md)", "index.md", "'other.md'"),
    ("# Home\n\n## The part\n\n[f](#no-such)", "index.md", "'#no-such'"),
    ("# Home\n\n## The part", "index.md#no-such-part", "index.md#no-such-part"),
    ("# Home", "gone.md#part", "gone.md"),
]


@pytest.mark.parametrize(("text", "part", "said"), CASES, ids=[c[2] or "builds" for c in CASES])
def test_a_broken_link_fails_the_strict_build(tmp_path, text, part, said):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "data.txt").write_text("data\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# readme\n", encoding="utf-8")
    hooks = json.dumps(str(ROOT / "tools" / "docs_site.py"))
    config = SMALL_CONFIG.format(hooks=hooks, part=part)
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    done = _mkdocs("build", "--strict", cwd=tmp_path)
    if not said:
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "site" / "data.txt").read_text() == "data\n"
        index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
        assert 'href="#the-part"' in index or 'href="./#the-part"' in index
        return
    assert done.returncode != 0
    assert said in done.stderr, done.stderr
