"""The process's streams and exit statuses: the output written once, errors
on stderr only, and the ways a run can end that are no mistake in the input
(interrupted, the reader of a pipe gone, standard output closed or full),
each one line and a status, never a traceback."""

from __future__ import annotations

import os
import sys

EXIT_OUTPUT = 1  # the output could not be written: standard output closed or full
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141  # the reader went away (128 + SIGPIPE)


class OutputFailed(Exception):
    """Standard output is closed or cannot take the output (a full disk)."""


def write(text: str) -> None:
    """``text`` on standard output, flushed: a failure is an OutputFailed
    (a broken pipe stays a BrokenPipeError: it is no error to report)."""
    out = sys.stdout
    if out is None:  # started with it closed (>&-)
        raise OutputFailed("standard output is closed")
    try:
        if text:  # even an empty write reaches a full disk
            try:
                out.write(text)
            except UnicodeEncodeError:  # a terminal that cannot show a layer's name
                enc = out.encoding or "ascii"
                out.write(text.encode(enc, "replace").decode(enc))
        out.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as e:
        raise OutputFailed(f"cannot write the output: {getattr(e, 'strerror', 0) or e}") from None


def say(message: str) -> None:
    """One message on stderr; with stderr closed or failing, the exit status tells."""
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """After the output failed: no second error when the interpreter exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


def guarded(run, argv) -> int:
    """``run(argv)``'s exit status, with the process-level endings caught."""
    if sys.stderr is None:  # started with it closed: argparse would fall back to stdout
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    try:
        code = run(argv)
        if sys.stdout is not None:
            write("")  # what argparse printed (--help) is flushed here, its failure caught
        return code
    except KeyboardInterrupt:
        say("symcount: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OutputFailed as e:
        _silence_stdout()
        say(f"symcount: error: {e}")
        return EXIT_OUTPUT
