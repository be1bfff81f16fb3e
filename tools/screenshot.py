"""Save the playground's screenshot for the docs: docs/images/playground.png.

``python tools/screenshot.py [OUT.png]`` starts ``symcount serve``'s server on
a free port, opens examples/mnist_cnn.sc in Debian's Chromium (headless,
through Playwright, as tests/test_browser.py does), clicks conv2d_1 for its
explain, and saves the page as it is first seen. Needs ``apt-get install
chromium`` and ``pip install playwright`` (the test extra).
"""

from __future__ import annotations

import sys
import threading
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symcount.serve import make_server  # noqa: E402

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
OUT = ROOT / "docs" / "images" / "playground.png"


def main(out: Path = OUT) -> int:
    from playwright.sync_api import expect, sync_playwright

    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    text = (ROOT / "examples" / "mnist_cnn.sc").read_text()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(server.url + "#model=" + urllib.parse.quote(text, safe=""))
            expect(page.locator("[data-total=params]")).to_have_text("2,663,678")
            page.locator("#rows tr[data-name=conv2d_1]").click()
            expect(page.locator("#explain-math .katex-display")).to_have_count(1)
            page.locator("#graph-box summary").click()  # closed: the explain is in view
            page.wait_for_timeout(300)  # the fonts settle
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
