"""Under ``convention torch`` too, every integer a module takes may be a
symbol: evaluating with symbols and substituting afterwards gives PyTorch's
recorded numbers (count-then-substitute equals substitute-then-count)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import symcount
from symcount.conventions import rules_for
from tests.torch_differential import case_source

CASES = [
    c
    for c in json.loads((Path(__file__).parent / "reference" / "torch_layers.json").read_text())[
        "cases"
    ]
    if "error" not in c
][::4]

RULES = rules_for("torch")

# Literal by nature: axes (batch = 0), -1 sizes, indices, LPPool's power.
LITERAL = {"dim", "start_dim", "end_dim", "unflattened_size", "padding_idx", "norm_type"}
LITERAL |= {"dim0", "dim1", "dims"}  # Transpose's and Permute's axes
KEYS = ("output_shape", "trainable", "non_trainable", "buffers")


class _Sym(int):
    """An int that prints as a name, so case_source writes a symbol."""

    def __new__(cls, name):
        obj = super().__new__(cls, 1)
        obj.name = name
        return obj

    def __repr__(self):
        return self.name

    __str__ = __repr__


def symbolize(case: dict) -> tuple[dict, dict]:
    """The case with every positive integer argument and input dim a symbol,
    one per distinct value (so a given input size is the input's own symbol,
    and torch's equalities, kdim = the key's width, stay provable)."""
    values: dict[str, int] = {}

    def sym(v):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            return v
        name = next((k for k, x in values.items() if x == v), f"s{len(values)}")
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
        names = [a.name for a in RULES.get(v["layer"]).args]
        return {
            **v,
            # past the declared arguments: the values a last *name argument takes
            "args": [
                walk(x, names[min(i, len(names) - 1)]) for i, x in enumerate(v.get("args", []))
            ],
            "kwargs": {k: walk(x, k) for k, x in v.get("kwargs", {}).items()},
        }

    out = walk_layer(case)
    out["input_shape"] = [sym(d) for d in case["input_shape"]]
    if "other_inputs" in case:
        out["other_inputs"] = [[sym(d) for d in s] for s in case["other_inputs"]]
    return out, values


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_symbolic_then_substitute_matches_torch(case):
    sym_case, values = symbolize(case)
    source = case_source(sym_case)
    try:
        model = symcount.parse(source)
    except symcount.SymcountError as e:
        pytest.fail(f"symbolic form refused: {source}\n{e}")
    values = {k: v for k, v in values.items() if k in model.symbols}
    got = model.subs(values).to_dict()["layers"][-1]
    assert {k: got[k] for k in KEYS} == {k: case[k] for k in KEYS}, f"{source} with {values}"
    direct = symcount.parse(source, values=values).to_dict()["layers"][-1]
    assert {k: direct[k] for k in KEYS} == {k: case[k] for k in KEYS}
