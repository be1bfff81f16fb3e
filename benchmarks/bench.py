"""Benchmarks: how symcount's cost grows with model size, and how its CLI
compares with running Keras's own model.summary().

    python benchmarks/bench.py            # everything (about a minute)
    python benchmarks/bench.py --quick    # skip 10,000 layers and Keras

Figures are wall-clock seconds on this machine: read them as ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KERAS_MNIST = """
import keras
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(24, 3, activation="relu"),
    keras.layers.Conv2D(36, 3, activation="relu"),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()
"""


def model_text(n: int, distinct: bool) -> str:
    if distinct:  # every layer its own symbol: nothing collapses
        return "input(d0)\n" + "".join(f"Dense(d{i + 1})\n" for i in range(n))
    return "input(d)\n" + "Dense(u)\n" * n


def in_process(n: int, distinct: bool) -> tuple[float, float, int]:
    """(parse + evaluate + totals seconds, whole `summary` command seconds, output chars)."""
    import symcount
    from symcount.cli import main

    text = model_text(n, distinct)
    t0 = time.perf_counter()
    _ = symcount.parse(text).total  # totals are computed lazily: force them
    t1 = time.perf_counter()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["summary", "-e", text])
    t2 = time.perf_counter()
    assert code == 0, out.getvalue()[-500:]
    return t1 - t0, t2 - t1, len(out.getvalue())


def timed(cmd: list[str], runs: int, env=None) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip 10,000 layers and Keras")
    ap.add_argument("--runs", type=int, default=5, help="CLI runs per median (default 5)")
    args = ap.parse_args()

    sizes = [10, 100, 1000] + ([] if args.quick else [10_000])
    print("in one process: parse + evaluate + totals; then the whole `summary` command")
    print("(parse, evaluate, print the table and the totals), each from scratch")
    print(f"{'layers':>8} {'symbols':>9} {'evaluate s':>11} {'summary s':>10}")
    for n in sizes:
        for distinct in (False, True):
            ev, summ, _ = in_process(n, distinct)
            kind = "distinct" if distinct else "shared"
            print(f"{n:>8,} {kind:>9} {ev:>11.3f} {summ:>10.3f}")

    print()
    print(f"end to end, median of {args.runs} runs")
    exe = [sys.executable, "-m", "symcount"]
    ours = timed([*exe, "summary", "examples/mnist_cnn.sc"], args.runs)
    floor = timed([sys.executable, "-c", "pass"], args.runs)
    print(f"  python -c pass                          {floor:6.3f} s")
    print(f"  symcount summary examples/mnist_cnn.sc  {ours:6.3f} s")
    sym = timed([*exe, "summary", "examples/stacked_lstm_symbolic.sc"], args.runs)
    print(f"  symcount summary (symbolic, SymPy)      {sym:6.3f} s")
    if args.quick:
        return 0
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    try:
        keras = timed([sys.executable, "-c", KERAS_MNIST], max(1, args.runs // 2), env=env)
    except subprocess.CalledProcessError:
        print("  Keras model.summary(): Keras not installed (pip install -e '.[frameworks]')")
        return 0
    print(f"  Keras model.summary() of the same model {keras:6.3f} s")
    print(f"  ratio symcount / Keras                  {ours / keras:6.3f}  (target <= 0.125)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
