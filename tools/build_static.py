"""Build the playground as plain files that run entirely in the browser.

``python tools/build_static.py OUT`` writes a folder any static host (or
``python -m http.server -d OUT``) can serve: the page of symcount/serve/static,
Pyodide from the npm registry (``npm pack pyodide@VERSION``, checked against
npm's integrity record; its core files only), and the pure-Python wheels the
page installs into it: symcount built from this checkout, and SymPy, mpmath
and Lark at the versions this environment runs (``pip download``, wheels
only). The page is marked as the static build (a ``<meta>`` that
static/api.js reads: answer in a worker, not by asking a server), and
``static.json`` names the wheels;
``api/examples`` is the server's list of examples as a file. Nothing is
fetched at run time from anywhere but OUT. Needs npm and pip (network to
their registries) at build time only. See docs/playground.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYODIDE = "314.0.8"  # Python 3.14 in WebAssembly
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "LICENSE",
)
DEPENDENCIES = ("sympy", "mpmath", "lark")  # symcount's runtime dependencies, and SymPy's


def npm_pyodide(dest: Path, tmp: Path) -> str:
    out = subprocess.run(
        ["npm", "pack", f"pyodide@{PYODIDE}", "--json", "--pack-destination", str(tmp)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    tarball = tmp / info["filename"]
    algo, _, want = info["integrity"].partition("-")
    got = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
    if got != want:
        raise SystemExit(f"{tarball.name}: integrity mismatch")
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp, filter="data")
    dest.mkdir(parents=True)
    for name in PYODIDE_FILES:
        src = tmp / "package" / name
        if src.exists():  # LICENSE is not in every release's tarball
            shutil.copy(src, dest / name)
    return info["integrity"]


def wheels(dest: Path) -> list[str]:
    dest.mkdir(parents=True)
    pins = [f"{name}=={metadata.version(name)}" for name in DEPENDENCIES]
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [*pip, "download", "-q", "--no-deps", "--only-binary=:all:", "-d", str(dest), *pins],
        check=True,
    )
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(dest), str(ROOT)], check=True)
    names = sorted(p.name for p in dest.glob("*.whl"))
    pure = [n for n in names if n.endswith("-py3-none-any.whl")]
    if len(pure) != len(names) or len(names) != len(DEPENDENCIES) + 1:
        raise SystemExit(f"expected {len(DEPENDENCIES) + 1} pure-Python wheels, got {names}")
    return names


def build(out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "symcount" / "serve" / "static", out)
    index = out / "index.html"
    head = '<meta charset="utf-8">'
    page = index.read_text("utf-8")
    if head not in page:
        raise SystemExit(f"{index}: no {head} to mark the page after")
    mark = '<meta name="symcount-backend" content="static">'  # static/api.js reads it
    index.write_text(page.replace(head, f"{head}\n{mark}", 1), "utf-8")
    sys.path.insert(0, str(ROOT))
    from symcount.serve.server import examples

    (out / "api").mkdir()
    (out / "api" / "examples").write_text(json.dumps({"examples": examples()}), "utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        integrity = npm_pyodide(out / "pyodide", Path(tmp))
    config = {"pyodide": f"{PYODIDE} {integrity}", "wheels": wheels(out / "wheels")}
    (out / "static.json").write_text(json.dumps(config, indent=1) + "\n", "utf-8")
    return config


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the folder to write (replaced if it exists)")
    args = ap.parse_args(argv)
    config = build(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{args.out}: Pyodide {PYODIDE}, {', '.join(config['wheels'])}; {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
