"""mkdocs hooks (mkdocs.yml): the docs/ pages as a site, with links as GitHub reads them.

Three rules, so that a page reads the same on GitHub and on the site:

- A page may link to a repository file outside docs/ as GitHub resolves it
  (``../examples/gpt2.sc``). The site carries each such file that exists, at
  the same path under the site's root, and mkdocs then resolves the link as
  any other. A link to a file that does not exist is left alone, so the
  strict build fails on it; a link out of docs/ to a Markdown file
  (``../README.md``) is refused, since the site's pages are docs/ only.
- A table cell's code may hold an escaped pipe (``keras\\|torch``), which
  GitHub needs and shows as ``|``; Python-Markdown already keeps a pipe in
  code in its cell and would show the backslash, so the site drops it.
- A nav entry may name a heading of a page (``diff: torch.md#keras-vs-...``):
  it becomes a link to that heading of the built page; a page or heading that
  does not exist fails the strict build.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from mkdocs.structure.files import File, InclusionLevel
from mkdocs.structure.nav import Link

log = logging.getLogger("mkdocs.hooks.docs_site")

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
OUTSIDE = re.compile(r"\]\((\.\./[^)\s#]+)")  # a Markdown link that leaves docs/
CODE = re.compile(r"`[^`\n]*`")
ANCHORED = "symcount-nav-heading:"  # how a heading's nav entry waits for its page's URL

_headings: dict[str, tuple[str, str]] = {}  # the nav marker -> (page, anchor)
_wanted: dict[str, set[str]] = {}  # page -> the anchors the nav links to


def on_config(config):
    _headings.clear()
    _wanted.clear()
    config.nav = _mark(config.nav)
    return config


def _mark(item):
    """The nav with each ``page.md#anchor`` entry replaced by a marker link
    (an absolute URL, which mkdocs leaves for on_nav to resolve)."""
    if isinstance(item, list):
        return [_mark(i) for i in item]
    if isinstance(item, dict):
        return {k: _mark(v) for k, v in item.items()}
    if isinstance(item, str) and "#" in item and "://" not in item:
        page, _, anchor = item.partition("#")
        marker = f"{ANCHORED}//{len(_headings)}"
        _headings[marker] = (page, anchor)
        _wanted.setdefault(page, set()).add(anchor)
        return marker
    return item


def on_files(files, config):
    docs = Path(config.docs_dir)
    for page in sorted(docs.glob("*.md")):
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in sorted(set(OUTSIDE.findall(text))):
            src = (docs / target).resolve()
            if target.endswith(".md"):
                log.warning(f"{page.name} links to {target}: the site's pages are docs/ only")
            elif src.is_file() and files.get_file_from_path(target) is None:
                files.append(
                    File(
                        target,
                        src_dir=str(docs),
                        dest_dir=config.site_dir,
                        use_directory_urls=config.use_directory_urls,
                        dest_uri=target[len("../") :],
                        # included as it is: mkdocs's default excludes names that start with "."
                        inclusion=InclusionLevel.INCLUDED,
                    )
                )
    return files


def on_page_markdown(markdown, page, config, files):
    pieces = re.split(r"(^```.*?^```)", markdown, flags=re.M | re.S)
    for i in range(0, len(pieces), 2):  # the text between fences
        pieces[i] = re.sub(r"^\|.*$", _cells, pieces[i], flags=re.M)
    return "".join(pieces)


def _cells(row: re.Match) -> str:
    return CODE.sub(lambda code: code.group(0).replace("\\|", "|"), row.group(0))


def on_nav(nav, config, files):
    for link in _links(nav.items):
        if link.url in _headings:
            page, anchor = _headings[link.url]
            file = files.get_file_from_path(page)
            if file is None or file.page is None:
                log.warning(f"the nav entry {link.title!r} names {page}, which is not a page")
                continue
            link.url = f"{file.url}#{anchor}"
    return nav


def _links(items):
    for item in items:
        if isinstance(item, Link):
            yield item
        yield from _links(getattr(item, "children", None) or [])


def on_page_content(html, page, config, files):
    wanted = _wanted.get(page.file.src_uri)
    if wanted:
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        for anchor in sorted(wanted - ids):
            log.warning(f"the nav links to {page.file.src_uri}#{anchor}, a heading it lacks")
    return html
