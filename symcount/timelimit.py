"""Bounded time for algebra that could run long (solving, factoring).

Two layers: a :class:`Deadline` that loops check cooperatively, and, in the
main thread of a Unix process where nobody else uses ``SIGALRM``, an alarm
that interrupts a SymPy call stuck past the deadline. Either way the caller
gets the error it asked for, never a hang.
"""

from __future__ import annotations

import contextlib
import threading
import time


class Timeout(Exception):
    """The time budget ran out (turned into a SymcountError by the caller)."""


class Deadline:
    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise Timeout

    def left(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - time.monotonic())


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Yield a Deadline; also arm SIGALRM (when possible) a little after it."""
    deadline = Deadline(seconds)
    armed = False
    old = None
    if seconds is not None and threading.current_thread() is threading.main_thread():
        import signal

        if hasattr(signal, "setitimer"):
            old = signal.getsignal(signal.SIGALRM)
            if old in (signal.SIG_DFL, signal.SIG_IGN, None):
                live = [True]

                def on_alarm(signum, frame):
                    if live[0]:
                        raise Timeout

                signal.signal(signal.SIGALRM, on_alarm)
                # Repeating: an alarm that lands in a callback that swallows
                # exceptions (a gc callback, a __del__) is raised again 0.1 s later.
                signal.setitimer(signal.ITIMER_REAL, seconds + 0.05, 0.1)
                armed = True
    try:
        yield deadline
    finally:
        if armed:
            import signal

            # The alarm may fire while we disarm it: retry until it is off, so
            # no Timeout can escape later into code that did not ask for one.
            while True:
                try:
                    live[0] = False
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, old)
                    break
                except Timeout:
                    continue
