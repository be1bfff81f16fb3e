"""Every command shown in README.md and docs/ prints what the page says.

A console block in the docs is a sequence of ``$ command`` lines, each
followed by its expected output (standard output, then standard error). The
commands run in-process through :func:`symcount.cli.main`; the few shell forms
the pages use are understood here: a here-document on standard input
(``- <<'EOF'``), ``echo '...' |`` and ``printf '...' |`` feeding ``-``, and a
trailing ``; echo "exit status $?"``. Any other shell form fails the test, so
a page cannot show a command nobody checks.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from symcount import cli

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
HEREDOC = re.compile(r"\s*<<\s*'?(\w+)'?\s*$")
STATUS = '; echo "exit status $?"'


@dataclass
class Example:
    page: str
    line: int
    command: str
    stdin: str | None
    expected: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def _examples(path: Path) -> list[Example]:
    text = path.read_text("utf-8")
    out: list[Example] = []
    for fence in FENCE.finditer(text):
        lang, body = fence.group(1), fence.group(2)
        if lang not in ("console", "") or not body.startswith("$ "):
            if lang == "console":
                raise AssertionError(f"{path.name}: a console block must start with '$ '")
            continue
        first = text.count("\n", 0, fence.start(2)) + 1
        lines = body.split("\n")
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            start, command, stdin = i, lines[i][2:], None
            i += 1
            heredoc = HEREDOC.search(command)
            if heredoc:
                command = command[: heredoc.start()]
                end = lines.index(heredoc.group(1), i)
                stdin = "\n".join(lines[i:end]) + "\n"
                i = end + 1
            expected = []
            while i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i])
                i += 1
            out.append(
                Example(path.name, first + start, command, stdin, "\n".join(expected).rstrip())
            )
    return out


def _run(example: Example) -> str:
    command, stdin, status = example.command, example.stdin, False
    if command.endswith(STATUS):
        command, status = command[: -len(STATUS)], True
    if "|" in command:
        feed, command = (part.strip() for part in command.split("|", 1))
        words = shlex.split(feed)
        assert words[0] in ("echo", "printf") and len(words) == 2, example
        stdin = words[1] + "\n" if words[0] == "echo" else words[1].replace("\\n", "\n")
    words = shlex.split(command)
    assert words[0] == "symcount" and not {";", "&&", ">", "<"} & set(words), example
    stdout, stderr = _Terminal(), _Terminal()
    with (
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        _stdin(stdin),
    ):
        code = cli.main(words[1:])
    text = stdout.getvalue() + stderr.getvalue()
    if status:
        text += f"exit status {code}\n"
    else:
        assert code == 0 or stderr.getvalue(), example
    return "\n".join(line.rstrip() for line in text.rstrip().split("\n"))


class _Terminal(io.StringIO):
    """Captured output that, like the pages' terminal, can show box drawing."""

    encoding = "utf-8"


@contextlib.contextmanager
def _stdin(text: str | None):
    saved = sys.stdin
    sys.stdin = io.StringIO(text or "")
    try:
        yield
    finally:
        sys.stdin = saved


EXAMPLES = [example for page in PAGES for example in _examples(page)]


def test_the_pages_have_examples():
    assert len(EXAMPLES) >= 60
    assert {e.page for e in EXAMPLES} >= {"README.md", "language.md", "summary.md", "explain.md"}


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_documented_command_prints_what_the_page_says(example, monkeypatch):
    monkeypatch.chdir(ROOT)
    actual = _run(example)
    if "\n...\n" not in f"\n{example.expected}\n":
        assert actual == example.expected
        return
    # a line '...' on the page stands for lines left out: the rest must appear in order
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else re.escape(line) + r"\n"
        for line in example.expected.split("\n")
    )
    assert re.fullmatch(pattern, actual + "\n"), (
        f"{example}: the page's lines do not appear in order in:\n{actual}"
    )


# --- links and the README's Python session ------------------------------------

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.M)


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings (lowercased, punctuation
    dropped, spaces to hyphens, a repeated heading numbered)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    anchors = set()
    for title in HEADING.findall(text):
        slug = re.sub(r"[^\w\- ]", "", title.replace("`", "").lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _links():
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in LINK.findall(text):
            if not target.startswith(("http://", "https://", "mailto:")):
                yield pytest.param(page, target, id=f"{page.name}->{target}")


@pytest.mark.parametrize(("page", "target"), list(_links()))
def test_relative_links_reach_a_file_and_heading(page, target):
    path, _, anchor = target.partition("#")
    dest = (page.parent / path).resolve() if path else page
    assert dest.exists(), f"{page.name} links to {path}, which does not exist"
    if anchor:
        assert anchor in _anchors(dest), f"{page.name}: no heading #{anchor} in {dest.name}"


def test_the_anchor_rule_matches_github():
    page = ROOT / "docs" / "cli.md"
    assert {"the-symcount-command", "exit-status-and-errors"} <= _anchors(page)


def test_readme_python_session(monkeypatch):
    import doctest

    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False)
    assert result.attempted >= 8
    assert result.failed == 0
