"""The playground in a real browser: Debian's Chromium, headless, driven by
Playwright for Python, against ``symcount serve``'s server on an ephemeral
port. Screenshots go to $SYMCOUNT_ARTIFACTS (default: test-artifacts/).

Skipped, saying why, when Chromium or Playwright is missing, unless
SYMCOUNT_REQUIRE_BROWSER=1 (CI sets it once Chromium is installed): then
their absence is a failure.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from pathlib import Path

import pytest

from symcount.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(os.environ.get("SYMCOUNT_ARTIFACTS") or ROOT / "test-artifacts")
WAIT = 15_000  # ms: a step of the page, on a loaded machine


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


_why = _missing()
if _why is not None:
    if os.environ.get("SYMCOUNT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SYMCOUNT_REQUIRE_BROWSER=1 but {_why}", pytrace=False)
    pytest.skip(_why, allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


def example(name: str) -> str:
    return (ROOT / "examples" / f"{name}.sc").read_text()


@pytest.fixture(scope="module")
def server():
    s = make_server("127.0.0.1", 0)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    yield s
    s.shutdown()
    s.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; what it logs that is an error fails the test (a CSP
    violation, a script error), and its screenshot is saved at the end."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on(
        "console",
        lambda m: (
            m.type == "error" and "400 (Bad Request)" not in m.text and problems.append(m.text)
        ),
    )
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert problems == []


def link(server, text: str) -> str:
    return server.url + "#model=" + urllib.parse.quote(text, safe="")


def total(page):
    return page.locator("[data-total=params]")


def test_a_link_shows_its_models_totals_and_typeset_formulas(server, page):
    page.goto(link(server, example("mnist_cnn")))
    expect(total(page)).to_have_text("2,663,678")
    expect(page.locator("[data-total=trainable]")).to_have_text("2,663,678")
    row = page.locator("#rows tr[data-name=conv2d_1]")
    expect(row.locator("td.num .katex-html")).to_have_text("7,812")  # typeset from 7{,}812
    formula = row.locator("td.formula .katex")
    expect(formula).to_have_count(1)
    # KaTeX keeps the TeX it typeset in its MathML annotation
    tex = formula.locator("annotation").text_content()
    assert tex == (
        r"\left(k_{h} k_{w} c_{\text{in}} + 1\right) \, \mathrm{filters}"
        r" = \left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36"
    )
    assert "3⋅3⋅24+1" in formula.locator(".katex-html").text_content().replace(" ", "")
    expect(page.locator("#source")).to_have_value(example("mnist_cnn"))
    expect(page.locator("#examples")).to_have_value("mnist_cnn")  # the example it is
    expect(page.locator("#graph svg g.node")).to_have_count(6)


def test_typing_a_model_updates_the_results_and_the_link(server, page):
    page.goto(server.url)
    expect(total(page)).to_have_text("2,663,678")  # the first example
    page.locator("#source").fill("")
    page.locator("#source").press_sequentially("input(784) -> Dense(u) -> Dense(10)")
    expect(total(page)).to_have_text("795*u + 10")
    expect(page.locator("#rows tr")).to_have_count(2)
    assert urllib.parse.unquote(page.url.split("#model=", 1)[1]) == (
        "input(784) -> Dense(u) -> Dense(10)"
    )
    page.locator("#symbols input[name=u]").fill("64")
    expect(total(page)).to_have_text("50,890")
    expect(page.locator("#rows tr[data-name=dense] td.num .katex-html")).to_have_text("50,240")
    # the link opened afresh shows the same model
    page.goto(page.url.replace("#", "?x#"))
    expect(total(page)).to_have_text("795*u + 10")


def test_a_mistake_is_shown_at_its_place_with_its_message(server, page):
    page.goto(link(server, "input(28, 28, 1)\nConv2D(24, 3)\n"))
    expect(total(page)).to_have_text("240")
    page.locator("#source").press("End")
    page.locator("#source").press("Control+End")
    page.locator("#source").press_sequentially("Dense(q, bogus=3)")
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("line 3, column 10: argument error: Dense has no keyword 'bogus'")
    expect(page.locator("#highlight .tok-error")).to_have_text(["bogus", "=", "3"])
    # mended, the message goes
    page.locator("#source").fill("input(28, 28, 1)\nConv2D(24, 3)\nDense(10)\n")
    expect(error).to_be_hidden()
    expect(total(page)).to_have_text("490")


def test_solve_from_the_form(server, page):
    page.goto(link(server, example("stacked_lstm_symbolic")))
    expect(total(page)).to_contain_text("u")
    page.locator("#solve-box summary").click()
    page.locator("#solve-target").fill("59910")
    page.locator("#solve-run").click()
    answer = page.locator("#solve-result table tbody tr")
    expect(answer).to_have_count(1)
    expect(answer.locator("td")).to_have_text(["64", "59,910", "0", "exact"])
    expect(page.locator("#solve-result pre")).to_contain_text("1 solution:")
    page.locator("#solve-mode").select_option("at_most")
    page.locator("#solve-target").fill("1000000")
    page.locator("#solve-multiple").fill("64")
    page.locator("#solve-run").click()
    expect(page.locator("#solve-result table tbody tr td").first).to_have_text("256")
    page.locator("#solve-where").fill("u <")  # a mistake in a condition: its caret
    page.locator("#solve-run").click()
    expect(page.locator("#solve-error")).to_have_text(
        "argument error: --where 'u <': expected a number, a name or '(', found the end "
        "(column 4)\n    u <\n       ^"
    )


def test_a_click_on_a_row_explains_it(server, page):
    page.goto(link(server, example("mnist_cnn")))
    page.locator("#rows tr[data-name=conv2d_1]").click()
    box = page.locator("#explain")
    expect(box).to_be_visible()
    expect(page.locator("#explain-text")).to_contain_text(
        "conv2d_1 (Conv2D)  params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812"
    )
    expect(page.locator("#explain-math .katex-display")).to_have_count(1)
    expect(page.locator("#rows tr.picked")).to_have_attribute("data-name", "conv2d_1")


def test_the_examples_menu_and_the_options(server, page):
    page.goto(server.url)
    expect(total(page)).to_have_text("2,663,678")
    page.locator("#examples").select_option("vgg16")
    expect(total(page)).to_have_text("138,357,544")
    expect(page.locator("#rows tr")).to_have_count(9)  # the blocks closed, as summary shows them
    page.locator("#expand").check()
    expect(page.locator("#rows tr")).to_have_count(32)
    page.locator("#compute").check()
    expect(page.locator("[data-total=flops]")).to_have_text("30,940,528,640")
    assert "vgg16" in urllib.parse.unquote(page.url)
