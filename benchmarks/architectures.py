"""Benchmarks of the architecture examples: the symbolic repeat is not unrolled
(GPT-3 with a symbol L costs what one block costs), and real models written
with blocks summarize in a fraction of a second.

    python benchmarks/architectures.py             # medians of 5 runs
    python benchmarks/architectures.py --runs 11

Columns: "in process" is the median wall-clock time of the `summary` command
run in this process (parse, evaluate, table and totals; SymPy already imported,
its caches warm after the first run); "CLI" the median of whole `symcount
summary` processes, start-up included (Python, Lark, and SymPy where a formula
needs it). Read the figures as ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import io
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


def summary_in_process(argv: list[str]) -> tuple[float, str]:
    from symcount.cli import main

    out = io.StringIO()
    t = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    elapsed = time.perf_counter() - t
    assert code == 0, out.getvalue()[-500:]
    return elapsed, out.getvalue()


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

    import sympy  # noqa: F401  - paid once, as in any process that prints a formula

    print(f"median of {args.runs} runs, seconds")
    head = f"{'model':<48} {'in process':>10} {'CLI':>7}  total"
    print(head)
    print("-" * (len(head) + 24))
    for label, example, extra in CASES:
        argv = ["summary", str(EXAMPLES / example), *extra]
        times, text = [], ""
        for _ in range(args.runs):
            t, text = summary_in_process(argv)
            times.append(t)
        cli = process_time(["summary", f"examples/{example}", *extra], args.runs)
        print(f"{label:<48} {statistics.median(times):>10.3f} {cli:>7.3f} {total_line(text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
