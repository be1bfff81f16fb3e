"""Time limits off the main thread, and one parsed Model shared by threads."""

from __future__ import annotations

import threading
import time

import pytest

import symcount
from symcount import printing as P
from symcount.analysis import algebra
from symcount.errors import LimitError, SolveError
from symcount.render.table import summary
from symcount.timelimit import Timeout, time_limit

# A count that is a polynomial of degree 60, not monotonic in u: solving it
# isolates the real roots of a big polynomial inside SymPy, with no
# cooperative deadline check (5.4 s in a thread before the watchdog).
WIGGLY = (
    "input(3) -> Dense(u**2) -> Dense(1 + u**60 + "
    + " + ".join(f"{(-1) ** i * (i + 1)}*u**{i}" for i in range(1, 60))
    + ")"
)
HUGE = "input(4) -> Dense((a+b+c+d+e+f+g+h)**12 + (a-b+c)**9) -> Dense(3)"


def in_thread(fn, join=30.0):
    """(seconds, result or exception) of ``fn()`` run in a fresh thread."""
    box = {}

    def go():
        t = time.perf_counter()
        try:
            box["value"] = fn()
        except BaseException as e:
            box["value"] = e
        box["seconds"] = time.perf_counter() - t

    th = threading.Thread(target=go, daemon=True)
    th.start()
    th.join(join)
    assert not th.is_alive(), f"still running after {join} s"
    return box["seconds"], box["value"]


def _stuck(*args, **kwargs):
    """SymPy stuck in a long computation: pure Python that never checks a deadline."""
    end = time.perf_counter() + 30
    while time.perf_counter() < end:
        pass
    raise AssertionError("the time limit never interrupted the work")


def test_solve_timeout_works_in_a_thread(monkeypatch):
    # Root isolation of WIGGLY's degree-60 count takes seconds on a loaded
    # machine but may finish in under 0.5 s on a quiet one, or from SymPy's
    # cache: make it certainly long, so the test does not depend on speed.
    import sympy

    monkeypatch.setattr(sympy.Poly, "intervals", _stuck)
    model = symcount.parse(WIGGLY)
    seconds, got = in_thread(lambda: model.solve("u", params=10**40, timeout=0.5))
    assert isinstance(got, SolveError), got
    assert "no answer within 0.5 s" in got.message
    assert seconds < 2.0


@pytest.mark.parametrize("how", ["factor", "expand"])
def test_rewrite_time_limit_works_in_a_thread(monkeypatch, how):
    monkeypatch.setattr(algebra, "TIME_LIMIT", 1.0)
    model = symcount.parse(HUGE)
    seconds, got = in_thread(lambda: getattr(model, how)())
    assert isinstance(got, LimitError), got
    assert f"{how} did not finish within 1 s" in got.message
    assert seconds < 3.5


def test_no_timeout_escapes_after_the_block():
    """Limits that expire just as their work ends, hundreds of times: no
    Timeout may surface later in code that did not ask for one."""

    def busy(seconds):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass

    def many():
        caught = 0
        for i in range(100):
            try:  # the interruption comes 0.05 s after the limit: some land, some just miss
                with time_limit(0.005 * (i % 4)):
                    busy(0.02 * (i % 6))
            except Timeout:
                caught += 1
            busy(0.003)  # outside any limit: must never be interrupted
        busy(0.3)  # past every watchdog's repeat
        return caught

    _, got = in_thread(many)
    assert isinstance(got, int), got
    assert got > 0  # some limits did interrupt their work


def test_work_within_its_limit_in_a_thread_is_untouched():
    def work():
        with time_limit(5) as deadline:
            total = sum(range(10**5))
            deadline.check()
        time.sleep(0.2)
        return total

    _, got = in_thread(work)
    assert got == sum(range(10**5))


SHARED = """
block attn(d, h) {
  residual { LayerNormalization -> MultiHeadAttention(h, d // h) }
  residual { LayerNormalization -> Dense(4 * d) -> Dense(d) }
}
input(t, d) -> repeat L { attn(d, 8) } -> Dense(v)
"""


def _reading(model):
    return (
        summary(model),
        str(model.to_dict()),
        P.expr(model.total),
        [r.formula.general if r.formula is not None else None for r in model.rows],
        P.expr(model.subs({"d": 64}).total),
    )


def test_threads_share_one_model():
    want = _reading(symcount.parse(SHARED))
    model = symcount.parse(SHARED)
    results = [None] * 8
    start = threading.Barrier(len(results))

    def read(i):
        start.wait()
        results[i] = _reading(model)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(r == want for r in results)
