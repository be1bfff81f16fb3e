"""``symcount diff``'s one evaluation: a model written in Keras vocabulary
is evaluated once, with rules that run each Keras layer's op as usual and
also note its PyTorch equivalent (:mod:`.to_torch`: the op's arguments read
off the torch table). :func:`split` gives that evaluation's rows without and
with the equivalents' weights, so the two models correspond one to one.

An op without a :data:`~.to_torch.TO_TORCH` entry either has no parameters
(an operation such as ``x + y``) or is named as having no equivalent, and
left out of PyTorch's total.
"""

from __future__ import annotations

import dataclasses
import functools

from ..ops.spec import Out
from . import (
    to_torch_attention,  # noqa: F401  (registers the Keras attention layers' equivalents)
    to_torch_params,  # noqa: F401  (registers Parameter's and LayerScale's)
    to_torch_rest,  # noqa: F401  (registers the remaining Keras layers' equivalents)
)
from .base import Registry
from .keras import registry as keras
from .to_torch import Equivalent, canonical, inner_equivalent, none, op_text


def equivalent_of(name: str, shape, p, out: Out) -> Equivalent:
    """The equivalent of one applied Keras layer (``out``: what Keras's rule gave)."""
    eq = inner_equivalent(name, shape, p)
    if eq is not None:
        return eq
    if not out.weights:
        return op_text("(no parameters)")
    return none(f"torch.nn has no module for {canonical(name)}")


def _noting(rule):
    def fn(shape, p, ctx):
        out = rule.fn(shape, p, ctx)
        eq = equivalent_of(rule.name, shape, p, out)
        # a wrapper passes on its inner layer's notes: its own equivalent replaces the inner's
        out.notes = [*(n for n in out.notes if not isinstance(n, Equivalent)), eq]
        return out

    fn.entry = getattr(rule.fn, "entry", None)  # the op it runs (a Parameter's merges read it)
    return dataclasses.replace(rule, fn=fn)


@functools.cache
def noting_rules() -> Registry:
    """Keras's rules, each also noting its layer's PyTorch equivalent (built once)."""
    rules = Registry("keras+torch")
    rules.rules = {name: _noting(rule) for name, rule in keras.rules.items()}
    rules.aliases = keras.aliases
    rules.name_base = keras.name_base  # Keras's generated names (grouped_query_attention)
    return rules


def of(row) -> Equivalent | None:
    return next((n for n in row.notes if isinstance(n, Equivalent)), None)


def split(model):
    """(the Keras model, the same model with each layer's torch weights): the
    rows of the one evaluation, without and with their equivalents."""

    def keras_row(r):
        notes = [n for n in r.notes if not isinstance(n, Equivalent)]
        kids = [keras_row(c) for c in r.children]
        return dataclasses.replace(r, notes=notes, children=kids, _counts=None)

    def torch_row(r):
        kids = [torch_row(c) for c in r.children]
        if r.group:
            return dataclasses.replace(r, children=kids, _counts=None, state_as_buffers=True)
        eq = of(r)
        weights = [] if eq is None else eq.weights
        notes = [] if eq is None else [eq]
        return dataclasses.replace(
            r, weights=weights, notes=notes, children=kids, state_as_buffers=True, _counts=None
        )

    keras = dataclasses.replace(model, rows=[keras_row(r) for r in model.rows], _totals=None)
    torch = dataclasses.replace(
        model, rows=[torch_row(r) for r in model.rows], convention="torch", _totals=None
    )
    return keras, torch
