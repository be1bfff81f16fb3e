"""Shared by the fixture test and the live test: a Keras reference case as
symcount source, and the comparison of symcount's answer with Keras's."""

from __future__ import annotations

import symcount
from tests.reference import keras_attention_cases as attention


def value_source(v) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "None"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        inner = ", ".join(value_source(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, dict):
        return layer_source(v)
    raise TypeError(v)


def layer_source(d: dict) -> str:
    parts = [value_source(x) for x in d.get("args", [])]
    parts += [f"{k}={value_source(x)}" for k, x in d.get("kwargs", {}).items()]
    return f"{d['layer']}({', '.join(parts)})"


def dims_source(shape) -> str:
    return ", ".join("None" if d is None else str(d) for d in shape)


def case_source(case: dict) -> str:
    if "other_inputs" in case or "call_kwargs" in case:  # attention applied to tensors
        return attention.source(case, layer_source(case), dims_source)
    return f"input({dims_source(case['input_shape'])}) -> {layer_source(case)}"


def flat_shapes(shape):
    """Keras nests a stacked cell's states ([out, [h1, c1], h2]); symcount lists
    them flat, as a model's text unpacks them."""
    if shape and isinstance(shape[0], list) and any(isinstance(s[0], list) for s in shape if s):
        return [t for s in shape for t in (s if s and isinstance(s[0], list) else [s])]
    return shape


def compare(case: dict) -> list[str]:
    """Differences between symcount and the recorded Keras result (empty: agree)."""
    src = case_source(case)
    if "error" in case:
        try:
            symcount.parse(src)
        except symcount.SymcountError:
            return []
        return [f"Keras rejects it ({case['error'][:100]}), symcount accepts: {src}"]
    try:
        got = symcount.parse(src).to_dict()["layers"][0]
    except symcount.SymcountError as e:
        if "eager_error" in case:  # Keras builds it but cannot run it: refusing it is right
            return []
        return [f"symcount rejects what Keras accepts: {src}\n{e}"]
    problems = []
    want = {**case, "output_shape": flat_shapes(case["output_shape"])}
    for key in ("output_shape", "trainable", "non_trainable"):
        if got[key] != want[key]:
            problems.append(f"{key}: symcount {got[key]!r}, Keras {case[key]!r}: {src}")
    return problems
