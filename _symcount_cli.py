"""The ``symcount`` command's entry point, kept outside the package so that
it runs before ``import symcount`` does: Ctrl-C while symcount and its
dependencies are still being imported ends the run as Ctrl-C does later,
with one line and exit status 130, not a KeyboardInterrupt traceback.
(Only the interpreter's own start-up, before this module, stays Python's.)
"""

import contextlib
import sys


def main() -> int:
    try:
        from symcount.cli import main as run
    except KeyboardInterrupt:
        with contextlib.suppress(AttributeError, OSError, ValueError):  # stderr closed
            sys.stderr.write("symcount: interrupted\n")
        return 130
    return run()
