"""Benchmarks of the architecture examples: the symbolic repeat is not unrolled
(GPT-3 with a symbol L costs what one block costs), and real models written
with blocks summarize in a fraction of a second.

    python benchmarks/architectures.py             # medians of 5 runs
    python benchmarks/architectures.py --runs 11

Columns: "evaluate" is the `summary` command run in a fresh process whose
imports are done (symcount, and SymPy): parse, evaluate, print the table and
the totals, the first time; "warm" the same again in that process (printing
caches filled); "CLI" a whole `symcount summary` process, start-up included
(Python, Lark, and SymPy only where a formula needs it). Medians of --runs
processes; read the figures as ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT))

GPT2_SMALL = ["--set", "V=50257", "--set", "T=1024", "--set", "d=768", "--set", "h=12"]
GPT2_SMALL += ["--set", "L=12"]

# label, example, extra arguments
CASES = [
    ("GPT-3, L symbolic (one block, counted L times)", "gpt3.sc", []),
    ("GPT-3, L = 1", "gpt3.sc", ["--set", "L=1"]),
    ("GPT-3, L = 96 (unrolled: 96 blocks)", "gpt3.sc", ["--set", "L=96"]),
    ("ResNet-50 (unrolled, 176 layers in blocks)", "resnet50.sc", []),
    ("ResNet-50 --expand", "resnet50.sc", ["--expand"]),
    ("VGG16", "vgg16.sc", []),
    ("VQA (nested vision block)", "vqa.sc", []),
    ("BERT-base (12 blocks)", "bert_base.sc", []),
    ("GPT-2, all symbolic", "gpt2.sc", []),
    ("GPT-2 small (12 blocks)", "gpt2.sc", GPT2_SMALL),
]


TIMER = """
import contextlib, io, sys, time
import sympy  # imports are not what "evaluate" measures
from symcount.cli import main
times = []
for _ in range(2):
    out = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(sys.argv[1:])
    times.append(time.perf_counter() - t)
assert code == 0
print(times[0], times[1])
print(out.getvalue())
"""


def in_fresh_process(argv: list[str]) -> tuple[float, float, str]:
    """(first run, second run, output) of the summary command in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", TIMER, *argv], check=True, capture_output=True, text=True, cwd=ROOT
    )
    first, rest = done.stdout.split("\n", 1)
    cold, warm = (float(x) for x in first.split())
    return cold, warm, rest


def total_line(text: str) -> str:
    return next(x for x in text.splitlines() if x.startswith(" Total params:")).split(":", 1)[1]


def process_time(argv: list[str], runs: int) -> float:
    cmd = [sys.executable, "-m", "symcount", *argv]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    args = ap.parse_args()

    print(f"median of {args.runs} runs, seconds")
    head = f"{'model':<48} {'evaluate':>8} {'warm':>6} {'CLI':>6}  total"
    print(head)
    print("-" * (len(head) + 24))
    for label, example, extra in CASES:
        argv = ["summary", f"examples/{example}", *extra]
        runs = [in_fresh_process(argv) for _ in range(args.runs)]
        cold = statistics.median(r[0] for r in runs)
        warm = statistics.median(r[1] for r in runs)
        cli = process_time(argv, args.runs)
        print(f"{label:<48} {cold:>8.3f} {warm:>6.3f} {cli:>6.3f} {total_line(runs[0][2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
