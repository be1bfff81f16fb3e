"""Issue 10, the process: standard output closed or full, standard error
closed, Ctrl-C in start-up or in a long solve. One line on stderr (or only
the exit status, when stderr is gone), never a traceback, never an
"Exception ignored" at exit, never an error on stdout."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symcount import cli

ROOT = Path(__file__).resolve().parent.parent
MNIST = str(ROOT / "examples" / "mnist_cnn.sc")
SYMBOLIC = str(ROOT / "examples" / "lstm_symbolic.sc")
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file descriptors and signals")


def sh(script: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """A shell line, so its redirections (>&-, 2>&-) close what they say."""
    return subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PY": sys.executable},
    )


def quiet(err: str) -> bool:
    return "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.parametrize(
    ("args", "stdout", "status", "message"),
    [
        ([MNIST], ">&-", cli.EXIT_OUTPUT, "symcount: error: standard output is closed\n"),
        (
            [MNIST],
            "> /dev/full",
            cli.EXIT_OUTPUT,
            "symcount: error: cannot write the output: No space left on device\n",
        ),
        (
            ["--format", "json", MNIST],
            "> /dev/full",
            cli.EXIT_OUTPUT,
            "symcount: error: cannot write the output: No space left on device\n",
        ),
        (["-e", "input("], "> /dev/full", cli.EXIT_USAGE, None),  # the input's error comes first
        (["-e", "input("], ">&-", cli.EXIT_USAGE, None),
    ],
)
def test_stdout_closed_or_full_is_one_line_and_a_status(args, stdout, status, message):
    p = sh(f'"$PY" -m symcount summary {shlex.join(args)} {stdout}')
    assert p.returncode == status, p.stderr
    assert quiet(p.stderr), p.stderr
    if message is not None:
        assert p.stderr == message
    else:
        assert p.stderr.startswith("<expr>:1:7: syntax error")


@pytest.mark.parametrize("argv", [["--help"], ["summary", "--help"], ["--version"]])
def test_help_to_a_full_disk_is_one_line(argv):
    p = sh(f'"$PY" -m symcount {" ".join(argv)} > /dev/full')
    assert p.returncode == cli.EXIT_OUTPUT
    assert p.stderr == "symcount: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize(
    "argv",
    [
        "summary -e 'input('",
        "summary",  # argparse: no model given
        "summary --nope x",  # argparse: an unknown option
        "",  # no command: the help would go to stderr
        "summary /nonexistent.sc",
        "solve -e 'input(u) -> Dense(2)' --params 1 --for q",
    ],
)
def test_with_stderr_closed_errors_never_reach_stdout(argv):
    p = sh(f'"$PY" -m symcount {argv} 2>&-')
    assert p.returncode == cli.EXIT_USAGE
    assert p.stdout == ""


def test_with_stderr_closed_the_output_is_still_written():
    p = sh(f'"$PY" -m symcount summary {MNIST} --format csv 2>&-')
    assert p.returncode == 0
    assert p.stdout.startswith("name,type,output_shape")


def test_help_with_stdout_closed_is_one_line():
    p = sh('"$PY" -m symcount --help >&-')
    assert p.returncode == cli.EXIT_OUTPUT
    assert p.stderr == "symcount: error: standard output is closed\n"


def test_both_closed_is_a_status_only():
    p = sh(f'"$PY" -m symcount summary {MNIST} >&- 2>&-')
    assert p.returncode == cli.EXIT_OUTPUT


def _started(argv: list[str], prelude: str = "") -> subprocess.Popen:
    """symcount.cli.main(argv) in a child that says 'ready' on stderr as the
    command starts, inside main's guard (a signal between a 'ready' written
    before main and main's first line would be the test's own race): what
    follows is symcount's own start-up (lark, SymPy, the model), which
    Ctrl-C may interrupt anywhere."""
    code = (
        "import os, sys\n"
        f"{prelude}\n"
        "import symcount.cli\n"
        "command = symcount.cli.run\n"
        "def run(argv):\n"
        "    os.write(2, b'ready\\n')\n"
        "    return command(argv)\n"
        "symcount.cli.run = run\n"
        f"sys.exit(symcount.cli.main({argv!r}))\n"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert p.stderr.readline() == b"ready\n"
    return p


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.2])
def test_ctrl_c_in_start_up_exits_130_quietly(delay):
    p = _started(["summary", SYMBOLIC, "--format", "json"])
    time.sleep(delay)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    if p.returncode == 0:  # finished before the signal came: nothing to see
        assert out
        return
    assert p.returncode == cli.EXIT_INTERRUPTED, err
    assert err == b"symcount: interrupted\n"


STUCK = """
import sympy, time
def _stuck(*args, **kwargs):  # root isolation that takes long
    end = time.perf_counter() + 30
    while time.perf_counter() < end:
        pass
sympy.Poly.intervals = _stuck
"""

WIGGLY = (  # tests/test_threads.py's: its roots are isolated by Poly.intervals
    "input(3) -> Dense(u**2) -> Dense(1 + u**60 + "
    + " + ".join(f"{(-1) ** i * (i + 1)}*u**{i}" for i in range(1, 60))
    + ")"
)


def test_ctrl_c_in_a_long_solve_exits_130_quietly():
    p = _started(["solve", "-e", WIGGLY, "--params", str(10**40)], prelude=STUCK)
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)
    start = time.perf_counter()
    out, err = p.communicate(timeout=60)
    assert time.perf_counter() - start < 10
    assert p.returncode == cli.EXIT_INTERRUPTED, err
    assert err == b"symcount: interrupted\n"
    assert out == b""


def test_help_is_fast():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    best = min(_timed([sys.executable, "-m", "symcount", "--help"], env) for _ in range(3))
    assert best < 1.0  # about 0.1 s: no lark, no SymPy
    code = "import sys, symcount.cli as c\ntry:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\nprint('lark' in sys.modules, 'sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False False")


def _timed(cmd, env) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env=env, check=True)
    return time.perf_counter() - t


INTERRUPT_WHILE_IMPORTING = """
import builtins, sys
real = builtins.__import__
def interrupted(name, *args, **kwargs):  # Ctrl-C arriving while symcount is imported
    if name.startswith("symcount"):
        raise KeyboardInterrupt
    return real(name, *args, **kwargs)
builtins.__import__ = interrupted
from _symcount_cli import main
sys.exit(main())
"""


def test_ctrl_c_while_symcount_is_imported_exits_130_quietly():
    # what the installed `symcount` command runs: _symcount_cli.main, which
    # imports the package itself, so an interrupt during that import is caught
    p = subprocess.run(
        [sys.executable, "-c", INTERRUPT_WHILE_IMPORTING], capture_output=True, text=True
    )
    assert (p.returncode, p.stderr) == (cli.EXIT_INTERRUPTED, "symcount: interrupted\n")


def test_the_installed_command_runs_the_launcher():
    import shutil

    script = shutil.which("symcount", path=str(Path(sys.executable).parent))
    assert script is not None
    assert "_symcount_cli" in Path(script).read_text()
