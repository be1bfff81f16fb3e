"""Bounded time for algebra that could run long (solving, factoring).

Two layers: a :class:`Deadline` that loops check cooperatively, and an
interruption of a SymPy call stuck past the deadline. In the main thread of
a Unix process where nobody else uses ``SIGALRM`` that is an alarm, as it
always was; anywhere else (another thread, or ``SIGALRM`` taken) a watchdog
thread raises :class:`Timeout` asynchronously in the thread that asked for
the limit. Either way the caller gets the error it asked for, never a hang,
and no Timeout escapes after the ``with`` block. Where no thread can start
(Pyodide, in the playground's static build) only the cooperative checks
remain, and the page bounds the rest by stopping its worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import time

REPEAT = 0.1  # an interruption swallowed by a broad ``except`` is repeated this often
GRACE = 0.05  # the interruption comes this long after the deadline loops check


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
    """Yield a Deadline; also arrange an interruption a little after it."""
    deadline = Deadline(seconds)
    if seconds is None:
        yield deadline
        return
    disarm = _arm_alarm(seconds) or _arm_watchdog(seconds)
    try:
        yield deadline
    finally:
        disarm()


# SIGALRM, in the main thread ---------------------------------------------------


def _arm_alarm(seconds: float):
    """Arm SIGALRM and return its disarm, or None when it cannot be used."""
    if threading.current_thread() is not threading.main_thread():
        return None
    import signal

    if not hasattr(signal, "setitimer"):
        return None
    old = signal.getsignal(signal.SIGALRM)
    if old not in (signal.SIG_DFL, signal.SIG_IGN, None):
        return None  # someone else's alarm: leave it alone
    live = [True]

    def on_alarm(signum, frame):
        if live[0]:
            raise Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    # Repeating: an alarm that lands in a callback that swallows exceptions
    # (a gc callback, a __del__) is raised again REPEAT s later.
    signal.setitimer(signal.ITIMER_REAL, seconds + GRACE, REPEAT)

    def disarm():
        # The alarm may fire while we disarm it: retry until it is off, so no
        # Timeout can escape later into code that did not ask for one.
        while True:
            try:
                live[0] = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
                break
            except Timeout:
                continue

    return disarm


# A watchdog thread, anywhere else ----------------------------------------------


def _set_async_exc(ident: int, exc) -> int:
    """Raise ``exc`` in thread ``ident`` at its next bytecode (None: cancel
    one that is pending). CPython's documented C API, called with the GIL."""
    arg = ctypes.py_object(exc) if exc is not None else ctypes.c_void_p(0)
    return ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), arg)


def _no_interruption() -> None:
    return None


class _Watch:
    """One armed limit. The target thread and the watchdog hand over with
    two flags (no lock the target could be interrupted while holding):
    the watchdog sets ``injecting`` before it reads ``live``; the target
    clears ``live`` before it reads ``injecting``. Under the GIL one of them
    sees the other, so after the target's disarm no interruption is in
    flight and none can start."""

    __slots__ = ("ident", "injecting", "live", "woken")

    def __init__(self, ident: int):
        self.ident = ident
        self.live = True
        self.injecting = False
        self.woken = threading.Event()


def _arm_watchdog(seconds: float):
    watch = _Watch(threading.get_ident())
    thread = threading.Thread(
        target=_watchdog, args=(watch, seconds + GRACE), name="symcount-time-limit", daemon=True
    )
    try:
        thread.start()
    except RuntimeError:
        # no threads (Pyodide in a browser): the loops' cooperative checks
        # stay; the page bounds the rest by stopping its worker
        return _no_interruption

    def disarm():
        while True:
            try:
                watch.live = False
                while watch.injecting:
                    time.sleep(0)
                _set_async_exc(watch.ident, None)  # one sent but not yet raised
                break
            except Timeout:
                continue
        watch.woken.set()  # nothing can interrupt us any more: let the watchdog go

    return disarm


def _watchdog(watch: _Watch, first: float) -> None:
    wait = first
    while not watch.woken.wait(wait):
        watch.injecting = True
        try:
            if watch.live:
                _set_async_exc(watch.ident, Timeout)
        finally:
            watch.injecting = False
        wait = REPEAT
