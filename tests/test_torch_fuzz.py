"""Fuzzing ``convention torch`` and ``symcount diff``: any module with any
arguments (numbers, symbols, tuples, words, booleans, in any position) on any
input either evaluates or raises symcount's own error, never anything else;
and what evaluates has non-negative counts that survive substitution."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount.cli.diff import translate
from symcount.conventions import rules_for
from symcount.ops.spec import REQUIRED

TORCH = sorted(rules_for("torch").rules)
KERAS = sorted(n for n in rules_for("keras").rules if n not in ("Bidirectional", "TimeDistributed"))

atoms = st.one_of(
    st.integers(-2, 9).map(str),
    st.sampled_from(["u", "k", "2*u", "u + 1", "0.5", "true", "false", "None"]),
    st.sampled_from(["same", "valid", "zeros", "reflect", "relu", "-1", "(1, 2)", "(2, 2, 2)"]),
)
values = st.one_of(
    atoms, st.lists(atoms, min_size=1, max_size=4).map(lambda x: f"({', '.join(x)})")
)
dims = st.one_of(
    st.integers(1, 12).map(str),
    st.integers(6, 12).map(str),
    st.sampled_from(["c", "h", "t", "None"]),
)
inputs = st.lists(dims, min_size=1, max_size=4).map(lambda d: f"input({', '.join(d)})")


def value_for(arg):
    """Mostly a plausible value for the argument's kind, sometimes any value."""
    kind = arg.kind
    rank = arg.rank or 2
    small = st.one_of(st.integers(1, 4).map(str), st.sampled_from(["u", "k"]))
    plausible = {
        "dim": small,
        "dims": st.one_of(small, st.lists(small, min_size=rank, max_size=rank).map(_tuple)),
        "dims0": st.one_of(st.integers(0, 2).map(str), st.just("0")),
        "bool": st.sampled_from(["true", "false"]),
        "enum": st.sampled_from(list(arg.choices) or ["x"]),
        "padding": st.one_of(st.integers(0, 2).map(str), st.sampled_from(["same", "valid"])),
        "number": st.sampled_from(["0.5", "0.1", "2.0"]),
        "axis": st.integers(-3, 3).map(str),
        "ints": st.integers(-1, 3).map(str),
        "sizes": st.one_of(small, st.lists(small, min_size=rank, max_size=rank).map(_tuple)),
        "numbers": st.sampled_from(["2", "0.5", "1.5"]),
        "shape": st.lists(small, min_size=1, max_size=3).map(_tuple),
    }.get(kind, atoms)
    return st.one_of(plausible, plausible, plausible, values)


def _tuple(items) -> str:
    return f"({', '.join(items)},)" if len(items) == 1 else f"({', '.join(items)})"


def call(names, registry):
    @st.composite
    def build(draw):
        rule = registry.get(draw(st.sampled_from(names)))
        required = [a for a in rule.args if a.default is REQUIRED and a.name != rule.infer]
        optional = [a for a in rule.args if a not in required and a.kind != "layer"]
        chosen = (
            draw(st.lists(st.sampled_from(optional), max_size=3, unique=True)) if optional else []
        )
        by_position = draw(st.booleans())
        parts = (
            [draw(value_for(a)) for a in required]
            if by_position
            else [f"{a.name}={draw(value_for(a))}" for a in required]
        )
        parts += [f"{a.name}={draw(value_for(a))}" for a in chosen]
        if draw(st.integers(0, 9)) == 0:
            parts.append(draw(values))  # one positional too many, or misplaced
        return f"{rule.name}({', '.join(parts)})"

    return build()


def _check(model):
    d = model.to_dict()
    for key in ("total", "trainable", "non_trainable", "buffers"):
        if isinstance(d[key], int):
            assert d[key] >= 0, (key, d)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs, st.lists(call(TORCH, rules_for("torch")), min_size=1, max_size=3))
def test_any_torch_layer_evaluates_or_raises_our_error(inp, layers):
    src = "convention torch\n" + " -> ".join([inp, *layers])
    try:
        model = symcount.parse(src)
    except symcount.SymcountError:
        return
    _check(model)
    if model.symbols:  # substitute-then-count equals count-then-substitute
        values = dict.fromkeys(model.symbols, 3)
        try:
            direct = symcount.parse(src, values=values).to_dict()
        except symcount.SymcountError:
            return  # e.g. a length the values make non-positive
        later = model.subs(values).to_dict()
        for key in ("total", "buffers"):
            if isinstance(direct[key], int) and isinstance(later[key], int):
                assert later[key] == direct[key], (key, src)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs, st.lists(call(KERAS, rules_for("keras")), min_size=1, max_size=3))
def test_diff_of_any_keras_model_evaluates_or_raises_our_error(inp, layers):
    src = " -> ".join([inp, *layers])
    try:
        symcount.parse(src)
    except symcount.SymcountError:
        return
    # what Keras accepts, the translation may refuse, but only with our own error
    with contextlib.suppress(symcount.SymcountError):
        _check(translate(src))
