"""A block called again as before has its formula worked out once (explain
asks for every call's: a ResNet's identical bottlenecks), and a call that
differs — in its arguments, its input, what it sees — gets its own."""

from __future__ import annotations

import symcount
from symcount.evaluation.blocks import LazyFormula
from symcount.render.explain import explain

TEXT = """
block unit(f) { Dense(f) -> Dense(f) }
input(8) -> unit(4) -> unit(4) -> unit(4) -> unit(6) -> unit(4)
"""  # the last unit(4) reads unit(6)'s 6 features


def _context(model):
    lazy = [r.formula for r in model.rows if isinstance(r.formula, LazyFormula)]
    assert len(lazy) == 5
    return lazy[0]._context


def test_identical_calls_share_one_dry_run():
    m = symcount.parse(TEXT)
    ctx = _context(m)
    text = explain(m)
    # five calls, four different: unit(4) on 8 features, unit(4) on 4 (twice), unit(6) on 4,
    # unit(4) on 6
    assert len(ctx.formulas) == 4
    assert text.count("params = f*(f + 1) + 5*f = 40") == 2
    assert "params = f*(f + 1) + 9*f = 56" in text
    assert "params = f*(f + 1) + 5*f = 72" in text
    assert "params = f*(f + 1) + 7*f = 48" in text


def test_the_cache_gives_what_a_fresh_dry_run_gives(monkeypatch):
    import itertools

    from symcount.evaluation import blocks

    cached = explain(symcount.parse(TEXT))
    fresh = itertools.count()
    monkeypatch.setattr(blocks, "_call_key", lambda *a: next(fresh))  # never the same key
    assert explain(symcount.parse(TEXT)) == cached
