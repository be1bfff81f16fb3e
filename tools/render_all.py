"""Render every example, golden command and reference case to a folder, so a
refactor can be checked byte for byte against the code before it:

    python tools/render_all.py /tmp/before      # on the old commit
    python tools/render_all.py /tmp/after       # on the new one
    diff -r /tmp/before /tmp/after              # nothing: behaviour unchanged

Each command's exit code, stdout and stderr go to one file. The corpus: each
example under every summary format, algebra option, explain (text and LaTeX)
and diff; the golden files' commands; ``symcount layers`` for both
conventions; and every reference case (Keras and PyTorch) as summary JSON and
explain text, errors included.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

EXAMPLES = sorted((ROOT / "examples").glob("*.sc"))

# Values that make each symbolic example numeric (for --set runs).
NUMERIC = {
    "gpt2.sc": [
        "--set",
        "V=50257",
        "--set",
        "T=1024",
        "--set",
        "d=768",
        "--set",
        "h=12",
        "--set",
        "L=12",
    ],
    "gpt3.sc": ["--set", "L=96"],
    "lstm_symbolic.sc": ["--set", "u=64", "--set", "f=6"],
    "stacked_lstm_symbolic.sc": ["--set", "u=64"],
    "transformer_symbolic.sc": [
        "--set",
        "L=2",
        "--set",
        "h=4",
        "--set",
        "d=64",
        "--set",
        "V=1000",
        "--set",
        "T=16",
    ],
}

SUMMARY_VARIANTS = [
    [],
    ["--ascii"],
    ["--format", "json"],
    ["--format", "markdown"],
    ["--format", "csv"],
    ["--expand"],
    ["--expand", "--format", "json"],
    ["--latex"],
    ["--latex", "--standalone"],
    ["--simplify"],
    ["--factor"],
    ["--expand-counts"],
    ["--collect"],
    ["--leading"],
    ["--width", "60"],
]

GOLDEN_COMMANDS = [
    ["solve", "examples/stacked_lstm_symbolic.sc", "--params", "59910", "--for", "u"],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--params", "60000"],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--at-most", "1M"],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--at-least", "1M"],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--at-most", "1M", "--multiple-of", "8"],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--params", "1M", "--multiple-of", "8"],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--at-most", "1M", "--where", "u in 1..100"],
    [
        "solve",
        "examples/transformer_symbolic.sc",
        "--at-most",
        "1B",
        "--for",
        "d",
        "--set",
        "L=24",
        "--set",
        "h=12",
        "--set",
        "V=50257",
        "--set",
        "T=1024",
        "--multiple-of",
        "128",
        "--where",
        "d % h == 0",
    ],
    [
        "solve",
        "examples/transformer_symbolic.sc",
        "--at-most",
        "1B",
        "--for",
        "d,h",
        "--set",
        "L=24",
        "--set",
        "V=50257",
        "--set",
        "T=1024",
        "--let",
        "d=64*h",
    ],
    [
        "solve",
        "examples/gpt2.sc",
        "--params",
        "350M",
        "--for",
        "d",
        "--set",
        "L=24",
        "--set",
        "V=50257",
        "--set",
        "T=1024",
    ],
    ["solve", "examples/stacked_lstm_symbolic.sc", "--at-most", "1M", "--format", "json"],
    ["layers"],
    ["layers", "--convention", "torch"],
    ["layers", "Conv2D"],
    ["layers", "LSTM", "--convention", "torch"],
    ["summary", "-e", "input(t, f) -> LSTM(u, return_sequences=true) -> LSTM(u) -> Dense(1)"],
    ["diff", "-e", "input(t, f) -> LSTM(u)"],
    ["summary", "-e", "input(28, 28, 1) -> Conv2D(24, 3, paddin=same)"],
    [
        "summary",
        "-e",
        "input(d) -> Dense(u) -> Dense(u, use_bias=false) -> Dense(10)",
        "--let",
        "u=2*k",
    ],
]


def run(argv: list[str]) -> str:
    from symcount import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as e:  # argparse
            code = e.code
    return f"$ symcount {' '.join(argv)}\nexit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"


def layer_names(path: Path) -> list[str]:
    import symcount

    try:
        model = symcount.load(path)
    except symcount.SymcountError:
        return []
    return [r.name for _, r in model.walk(expand=True)]


def corpus():
    """(key, argv) for every command rendered."""
    for path in EXAMPLES:
        rel = f"examples/{path.name}"
        stem = path.stem
        for i, variant in enumerate(SUMMARY_VARIANTS):
            yield f"{stem}.summary.{i:02d}", ["summary", rel, *variant]
            if path.name in NUMERIC:
                yield f"{stem}.summary.{i:02d}.set", ["summary", rel, *variant, *NUMERIC[path.name]]
        yield f"{stem}.explain", ["explain", rel]
        yield f"{stem}.explain.latex", ["explain", rel, "--latex"]
        for name in layer_names(path)[:40]:
            yield f"{stem}.explain.{name}", ["explain", rel, "--layer", name]
        yield f"{stem}.diff", ["diff", rel]
        yield f"{stem}.diff.json", ["diff", rel, "--format", "json"]
        if path.name in NUMERIC:
            yield f"{stem}.explain.set", ["explain", rel, *NUMERIC[path.name]]
            yield f"{stem}.diff.set", ["diff", rel, *NUMERIC[path.name]]
    for i, argv in enumerate(GOLDEN_COMMANDS):
        yield f"command.{i:02d}", argv


def reference_cases():
    import differential
    import torch_differential

    # the two files share ids (Permute-0000 is a case of each): torch's get a prefix
    for file, module, prefix in (
        ("keras_layers.json", differential, ""),
        ("torch_layers.json", torch_differential, "torch-"),
    ):
        data = json.loads((ROOT / "tests" / "reference" / file).read_text())
        for case in data["cases"]:
            yield prefix + case["id"], module.case_source(case)


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for key, argv in corpus():
        (out / f"{key}.txt").write_text(run(argv))
        n += 1
    ref = out / "reference"
    ref.mkdir(exist_ok=True)
    for key, src in reference_cases():
        text = run(["summary", "-e", src, "--format", "json"])
        text += run(["explain", "-e", src])
        if not src.startswith("convention torch"):
            text += run(["diff", "-e", src])
        (ref / f"{key}.txt").write_text(text)
        n += 1
    print(f"{n} renders written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
