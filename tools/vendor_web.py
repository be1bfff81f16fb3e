"""Vendor the playground's front-end pieces from the npm registry.

``python tools/vendor_web.py`` runs ``npm pack katex@VERSION`` (the pinned
version below), checks the tarball's SHA-512 against npm's ``integrity``
record, and copies KaTeX's minified script and stylesheet, its WOFF2 fonts
(every browser the page supports reads WOFF2; the CSS's WOFF and TTF
fallbacks are never fetched) and its LICENSE into
``symcount/serve/static/vendor/katex/``. The copied files are committed, so
``pip install .`` needs only Python and pip, and the page needs no network.
Run it again only to move to another KaTeX version (change VERSION).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "katex"
VERSION = "0.19.1"
ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "symcount" / "serve" / "static" / "vendor" / "katex"
FILES = ("dist/katex.min.js", "dist/katex.min.css", "LICENSE")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--json", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(out.stdout)[0]
        tarball = Path(tmp) / info["filename"]
        algo, _, want = info["integrity"].partition("-")
        got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
        if got != want:
            print(f"{tarball.name}: integrity mismatch", file=sys.stderr)
            return 1
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        src = Path(tmp) / "package"
        if DEST.exists():
            shutil.rmtree(DEST)
        (DEST / "fonts").mkdir(parents=True)
        for name in FILES:
            shutil.copy(src / name, DEST / Path(name).name)
        fonts = sorted((src / "dist" / "fonts").glob("*.woff2"))
        for font in fonts:
            shutil.copy(font, DEST / "fonts" / font.name)
        (DEST / "VERSION").write_text(f"{PACKAGE} {VERSION} {info['integrity']}\n")
    print(
        f"{PACKAGE} {VERSION}: {len(FILES)} files and {len(fonts)} fonts in {DEST.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
