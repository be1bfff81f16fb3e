"""The cost of counting compute and memory: ``symcount summary`` with and
without ``--compute`` (MACs and FLOPs columns and totals), with ``--compute
--memory`` (and the weights' bytes), and with every memory figure
(``--optimizer adam --activations torchinfo`` too: gradient, optimizer,
activation and training bytes), in one process, imports done, the four run
in turn --runs times: the CPU time of each one's fastest run (CPU time, not
wall-clock, and interleaved: other processes on a shared machine take the
wall clock, and a load that comes and goes hits every variant alike).

    python benchmarks/compute.py              # the fastest of 15 runs
    python benchmarks/compute.py --runs 31
    python benchmarks/compute.py --base DIR   # also the default summary of another
                                              # checkout (e.g. main before compute)

The target (issue 12): at most 1.2x summary's time without the counts. The
ops write their MACs beside their shapes whether or not they are shown, so
the default summary pays for the formulas too: --base measures that against
a checkout without them. Figures are CPU seconds on this machine: read them
as ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

DENSE_1000 = "input(64)\n" + "".join(f"-> Dense({32 + i % 64})\n" for i in range(1000))
SYMBOLIC_1000 = "input(T, d)\n" + "-> Dense(d)\n" * 1000
CASES = [  # label, summary arguments
    ("MNIST CNN", [str(EXAMPLES / "mnist_cnn.sc")]),
    ("1,000 Dense layers", ["-e", DENSE_1000]),
    ("1,000 Dense layers on (T, d), symbolic", ["-e", SYMBOLIC_1000]),
    ("GPT-2, all symbolic", [str(EXAMPLES / "gpt2.sc")]),
]

MEMORY = ["--memory"]
TRAINING = ["--memory", "--optimizer", "adam", "--activations", "torchinfo"]

TIMER = """
import contextlib, io, json, sys, time
import sympy
from symcount.cli import main
variants, runs = json.loads(sys.argv[1]), int(sys.argv[2])
def once(argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        t = time.process_time()
        assert main(["summary", *argv]) == 0
        return time.process_time() - t
for argv in variants:
    once(argv)  # caches filled: what is compared is the steady cost
best = [float("inf")] * len(variants)
for _ in range(runs):  # interleaved: a load that comes and goes hits every variant alike
    for i, argv in enumerate(variants):
        best[i] = min(best[i], once(argv))  # the least disturbed run
print(json.dumps(best))
"""


def timed(variants: list[list[str]], runs: int, root: Path = ROOT) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", TIMER, json.dumps(variants), str(runs)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--base", type=Path, help="another checkout: its default summary too")
    args = p.parse_args()
    head = f"{'model':42} {'summary':>9} {'--compute':>10} {'ratio':>6} {'+memory':>9} {'ratio':>6}"
    head += f" {'+training':>10} {'ratio':>6}"
    if args.base:
        head += f" {'base':>9} {'default/base':>13}"
    print(head)
    for label, argv in CASES:
        variants = [argv, [*argv, "--compute"], [*argv, "--compute", *MEMORY]]
        variants.append([*argv, "--compute", *TRAINING])
        plain, compute, both, everything = timed(variants, args.runs)
        line = f"{label:42} {plain:9.4f} {compute:10.4f} {compute / plain:6.2f}"
        line += f" {both:9.4f} {both / plain:6.2f} {everything:10.4f} {everything / plain:6.2f}"
        if args.base:
            (base,) = timed([argv], args.runs, args.base.resolve())
            line += f" {base:9.4f} {plain / base:13.2f}"
        print(line)


if __name__ == "__main__":
    main()
