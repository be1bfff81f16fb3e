"""Whole-process cost of `symcount summary` at two commits, side by side.

    python benchmarks/compare.py 1be7200              # that commit against the work tree
    python benchmarks/compare.py 1be7200 HEAD --runs 20
    python benchmarks/compare.py 1be7200 --instructions   # valgrind: exact, load-proof

Each side runs from its own source tree (a temporary `git worktree` for a
commit, PYTHONPATH pointing at it), with bytecode compiled first, on the MNIST
CNN and on 1,000 and 10,000 layers of distinct symbols. CPU seconds
(user + system) are the median of alternating runs, so a busy machine slows
both sides alike; ``--instructions`` counts instructions under valgrind's
callgrind instead (about 50 times slower, the same figure on every run), the
measure to trust on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import model_text  # noqa: E402


@contextlib.contextmanager
def source_tree(ref: str | None):
    """The repository at ``ref`` (None: the work tree as it is)."""
    if ref is None:
        yield ROOT
        return
    where = Path(tempfile.mkdtemp(prefix="symcount-compare-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(where), ref], cwd=ROOT, check=True
    )
    try:
        yield where
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT)
        shutil.rmtree(where.parent, ignore_errors=True)


def interpreter(where: Path) -> str:
    """A bare venv that sees this interpreter's packages (sympy, lark) but not
    an editable install of symcount, whose import hook would hand each side
    the work tree's grammar: a .pth naming a directory adds it to the path
    without running that directory's own .pth files."""
    import sysconfig
    import venv

    venv.create(where, with_pip=False)
    site = next((where / "lib").glob("python*/site-packages"))
    (site / "base.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return str(where / "bin" / "python")


PYTHON = sys.executable


def environment(tree: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    return env


def command(path: Path) -> list[str]:
    return [PYTHON, "-m", "symcount", "summary", str(path)]


def cpu_seconds(tree: Path, path: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        command(path), env=environment(tree), cwd=tree, stdout=subprocess.DEVNULL, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def instructions(tree: Path, path: Path) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command(path)],
        env=environment(tree),
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    ).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("old", help="a commit (the baseline)")
    p.add_argument("new", nargs="?", help="a commit (default: the work tree)")
    p.add_argument("--runs", type=int, default=10, help="alternating runs per side (CPU time)")
    p.add_argument("--instructions", action="store_true", help="count instructions (valgrind)")
    p.add_argument("--quick", action="store_true", help="skip 10,000 layers")
    args = p.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        p.error("--instructions needs valgrind (Debian: apt install valgrind)")
    global PYTHON
    work = Path(tempfile.mkdtemp(prefix="symcount-models-"))
    PYTHON = interpreter(work / "venv")
    cases = {"MNIST CNN": ROOT / "examples" / "mnist_cnn.sc"}
    for n in (1000,) if args.quick else (1000, 10_000):
        cases[f"{n:,} distinct"] = work / f"distinct{n}.sc"
        cases[f"{n:,} distinct"].write_text(model_text(n, distinct=True))
    with source_tree(args.old) as old, source_tree(args.new) as new:
        sides = {"old": old, "new": new}
        for tree in sides.values():
            subprocess.run(
                [PYTHON, "-m", "compileall", "-q", "symcount"],
                cwd=tree,
                env=environment(tree),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        unit = "instructions" if args.instructions else "CPU s (median)"
        print(f"{'case':<18} {'old ' + unit:>24} {'new ' + unit:>24} {'new/old':>8}")
        for name, path in cases.items():
            got = {}
            if args.instructions:
                for side, tree in sides.items():
                    got[side] = instructions(tree, path)
                text = {k: f"{v / 1e6:,.1f}M" for k, v in got.items()}
            else:
                runs = {side: [] for side in sides}
                for _ in range(args.runs if "10,000" not in name else max(3, args.runs // 3)):
                    for side, tree in sides.items():
                        runs[side].append(cpu_seconds(tree, path))
                got = {k: statistics.median(v) for k, v in runs.items()}
                text = {k: f"{v:.3f}" for k, v in got.items()}
            print(f"{name:<18} {text['old']:>24} {text['new']:>24} {got['new'] / got['old']:>8.3f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
