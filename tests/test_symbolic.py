"""Every integer a layer takes may be a symbol: evaluating with symbols and
substituting afterwards gives Keras's numbers (count-then-substitute equals
substitute-then-count)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import symcount
from symcount.conventions import rules_for
from tests.differential import case_source, flat_shapes
from tests.reference.keras_rest_cases import tie_symbols


def _taken(case: dict) -> bool:
    """Not a case Keras builds but cannot run which symcount refuses (see
    tests/differential.py): such a case has no numbers to substitute."""
    if "eager_error" not in case:
        return True
    try:
        symcount.parse(case_source(case))
    except symcount.SymcountError:
        return False
    return True


CASES = [
    c
    for c in json.loads((Path(__file__).parent / "reference" / "keras_layers.json").read_text())[
        "cases"
    ]
    if "error" not in c
][::3]
CASES = [c for c in CASES if _taken(c)]

RULES = rules_for("keras")

# Arguments that are literal by nature: axes, permutations, special -1 values.
LITERAL = {"axis", "dims", "shared_axes", "target_shape", "groups"}


def symbolize(case: dict) -> tuple[dict, dict]:
    """The case with every positive integer argument and input dim replaced by a fresh symbol."""
    values: dict[str, int] = {}

    def sym(v):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            return v
        name = f"s{len(values)}"
        values[name] = v
        return _Sym(name)

    def walk(v, key=None):
        if key in LITERAL:
            return v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict) and "layer" in v:
            return walk_layer(v)
        return sym(v)

    def walk_layer(v):
        rule = RULES.get(v["layer"])
        return {
            "layer": v["layer"],
            "args": [walk(x, rule.args[i].name) for i, x in enumerate(v.get("args", []))],
            "kwargs": {k: walk(x, k) for k, x in v.get("kwargs", {}).items()},
        }

    out = walk_layer({"layer": case["layer"], "args": case["args"], "kwargs": case["kwargs"]})
    shape = case["input_shape"]
    out["input_shape"] = [None if d is None else sym(d) for d in shape]
    if "other_inputs" in case:  # cross-attention: the value's and the key's shapes
        out["other_inputs"] = [
            [None if d is None else sym(d) for d in s] for s in case["other_inputs"]
        ]
    if "call_kwargs" in case:
        out["call_kwargs"] = case["call_kwargs"]
    if case["kwargs"].get("output_mode") == "one_hot" and shape and shape[-1] is not None:
        # one_hot replaces a last axis of length 1 and adds one to any other: which one
        # a symbol is, is what symcount cannot know (it refuses: a test of its own)
        out["input_shape"][-1] = values.pop(str(out["input_shape"][-1]))
    tie_symbols(case, out, values)
    return out, values


class _Sym(int):
    """An int subclass that prints as a name, so case_source writes symbols."""

    def __new__(cls, name):
        obj = super().__new__(cls, 1)
        obj.name = name
        return obj

    def __repr__(self):
        return self.name

    __str__ = __repr__


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_symbolic_then_substitute_matches_keras(case):
    sym_case, values = symbolize(case)
    source = case_source(sym_case)
    model = symcount.parse(source)
    got = model.subs(values).to_dict()["layers"][0]
    case = {**case, "output_shape": flat_shapes(case["output_shape"])}
    for key in ("output_shape", "trainable", "non_trainable"):
        assert got[key] == case[key], f"{key} of {source} with {values}"
    # and binding the values before evaluation agrees
    direct = symcount.parse(source, values=values).to_dict()["layers"][0]
    assert {k: direct[k] for k in ("output_shape", "trainable", "non_trainable")} == {
        k: case[k] for k in ("output_shape", "trainable", "non_trainable")
    }
