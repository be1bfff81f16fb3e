"""The playground's static build (tools/build_static.py, docs/playground.md):
the offline API in CPython, then the built folder served as plain files and
driven in Debian's Chromium, where Pyodide in a worker answers as the server
does. The build needs npm and pip's registries; without npm, or without the
browser, the browser tests skip saying why, unless SYMCOUNT_REQUIRE_BROWSER=1
(CI), where that is a failure."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from symcount.serve import handlers
from symcount.serve.offline import answer
from symcount.serve.server import MAX_BODY, compute

ROOT = Path(__file__).resolve().parent.parent
MNIST = (ROOT / "examples" / "mnist_cnn.sc").read_text()


# --- the offline API: what the worker runs, in CPython -------------------------------


@pytest.mark.parametrize(
    ("name", "request_"),
    [
        ("evaluate", {"text": MNIST}),
        ("evaluate", {"text": "input(784) -> Dense(u) -> Dense(10)", "values": {"u": "64"}}),
        ("explain", {"text": MNIST, "layer": "conv2d_1"}),
        ("evaluate", {"text": "input(28, 28, 1)\nDense(q, bogus=3)"}),
    ],
)
def test_offline_answers_what_the_server_answers(name, request_):
    status, body = compute(handlers.API[name], request_, 20)
    got = json.loads(answer(name, json.dumps(request_)))
    assert got == {"status": int(status), "body": json.loads(json.dumps(body))}


def test_offline_figures():
    body = json.loads(answer("evaluate", json.dumps({"text": MNIST})))["body"]
    assert [(t["name"], t["value"]) for t in body["totals"]] == [
        ("params", 2_663_678),
        ("trainable", 2_663_678),
        ("non_trainable", 0),
    ]
    error = json.loads(answer("evaluate", json.dumps({"text": "input(4) -> Dense(q, bogus=3)"})))
    assert error["status"] == 400
    assert (error["body"]["error"]["line"], error["body"]["error"]["column"]) == (1, 22)


@pytest.mark.parametrize(
    ("name", "text", "status", "message"),
    [
        ("nope", "{}", 404, "no such call: 'nope'"),
        ("evaluate", "[1, 2]", 400, "the request is not a JSON object"),
        ("evaluate", "{", 400, "the request is not a JSON object"),
        ("evaluate", " " * (MAX_BODY + 1), 413, f"the request is larger than {MAX_BODY:,} bytes"),
    ],
)
def test_offline_refuses_what_the_server_refuses(name, text, status, message):
    got = json.loads(answer(name, text))
    assert got["status"] == status and got["body"]["error"]["message"] == message


def test_without_threads_the_time_limit_is_cooperative(monkeypatch):
    """Pyodide cannot start a thread: time_limit still yields its deadline
    (the loops' checks stop on it) instead of failing."""
    import threading
    import time

    from symcount import timelimit

    def no_threads(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_threads)
    monkeypatch.setattr(timelimit, "_arm_alarm", lambda seconds: None)  # as in a browser
    with pytest.raises(timelimit.Timeout), timelimit.time_limit(0.05) as deadline:
        time.sleep(0.1)
        deadline.check()
    with timelimit.time_limit(5) as deadline:  # nothing left armed after it
        assert deadline.left() > 4
    status, _ = compute(handlers.API["evaluate"], {"text": MNIST}, 5)
    assert status == 200


# --- the built folder in a browser ---------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("SYMCOUNT_REQUIRE_BROWSER") == "1"
LOAD = 180_000  # ms: Pyodide and SymPy's first load, on a loaded machine
STEP = 60_000  # ms: one answer from Python in WebAssembly, on a loaded machine


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if shutil.which("npm") is None:
        return "no npm: the static build takes Pyodide from the npm registry"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


def _need_browser():
    why = _missing()
    if why is not None:
        if REQUIRED:
            pytest.fail(f"SYMCOUNT_REQUIRE_BROWSER=1 but {why}", pytrace=False)
        pytest.skip(why)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The static build, served by a plain file server (no symcount in it)."""
    _need_browser()
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_static
    finally:
        sys.path.remove(str(ROOT / "tools"))
    out = tmp_path_factory.mktemp("static") / "site"
    config = build_static.build(out)

    class Files(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Files, directory=str(out))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", out, config
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(site):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import ARTIFACTS, FLAGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        problems: list[str] = []
        fetched: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
        page.on("request", lambda r: fetched.append(r.url))
        page.problems, page.fetched = problems, fetched
        yield page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "static_build.png"), full_page=True)
        context.close()
        browser.close()


def test_the_build_holds_the_page_pyodide_and_pure_wheels(site):
    _, out, config = site
    assert (out / "worker.js").is_file()
    assert '<meta name="symcount-backend" content="static">' in (out / "index.html").read_text()
    assert (out / "pyodide" / "pyodide.asm.wasm").stat().st_size > 1_000_000
    assert {w.split("-")[0] for w in config["wheels"]} == {"lark", "mpmath", "sympy", "symcount"}
    assert all(w.endswith("-py3-none-any.whl") for w in config["wheels"])
    names = {e["name"] for e in json.loads((out / "api" / "examples").read_text())["examples"]}
    assert {"mnist_cnn", "gpt2", "vgg16"} <= names


def test_a_link_runs_in_the_page_with_no_server(site, page):
    from playwright.sync_api import expect

    url = site[0]
    page.goto(url + "#model=" + urllib.parse.quote(MNIST, safe=""))
    expect(page.locator("[data-total=params]")).to_have_text("2,663,678", timeout=LOAD)
    row = page.locator("#rows tr[data-name=conv2d_1]")
    expect(row.locator("td.num .katex-html")).to_have_text("7,812", timeout=STEP)
    tex = row.locator("td.formula .katex annotation").text_content()
    assert tex.endswith(r"= \left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36")
    # typing, a value, a mistake at its place, and solve: all answered in the page
    source = page.locator("#source")
    source.fill("input(784) -> Dense(u) -> Dense(10)")
    expect(page.locator("[data-total=params]")).to_have_text("795*u + 10", timeout=STEP)
    page.locator("#symbols input[name=u]").fill("64")
    expect(page.locator("[data-total=params]")).to_have_text("50,890", timeout=STEP)
    source.fill("input(28, 28, 1)\nConv2D(24, 3)\nDense(q, bogus=3)")
    expect(page.locator("#error")).to_contain_text(
        "line 3, column 10: argument error: Dense has no keyword 'bogus'", timeout=STEP
    )
    source.fill((ROOT / "examples" / "stacked_lstm_symbolic.sc").read_text())
    page.locator("#symbols input[name=u]").fill("")  # the page keeps u=64 from above
    expect(page.locator("[data-total=params]")).to_contain_text("u", timeout=STEP)
    page.locator("#solve-box summary").click()
    page.locator("#solve-target").fill("59910")
    page.locator("#solve-run").click()
    expect(page.locator("#solve-result table tbody tr td")).to_have_text(
        ["64", "59,910", "0", "exact"], timeout=STEP
    )
    # nothing came from anywhere but the folder, and no script failed
    assert page.fetched and all(u.startswith(url) for u in page.fetched), page.fetched
    assert page.problems == []
