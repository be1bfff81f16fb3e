"""Shared by the torch fixture test and the live torch test: a PyTorch
reference case as symcount source (``convention torch``), and the comparison
of symcount's answer with PyTorch's, buffers included."""

from __future__ import annotations

import re

import symcount
from symcount.conventions import rules_for
from tests.differential import value_source


def layer_source(d: dict, omit: str | None = None, frozen: bool = False) -> str:
    args = list(d.get("args", []))
    kwargs = dict(d.get("kwargs", {}))
    if omit is not None:  # leave the input size out: symcount infers it
        if omit in kwargs:
            del kwargs[omit]
        else:
            names = [x.name for x in rules_for("torch").get(d["layer"]).args]
            del args[names.index(omit)]
    parts = [_value(x) for x in args]
    parts += [f"{k}={_value(x)}" for k, x in kwargs.items()]
    if frozen:
        parts.append("trainable=false")
    return f"{d['layer']}({', '.join(parts)})"


def _value(v) -> str:
    if isinstance(v, dict):
        return layer_source(v)
    if isinstance(v, list):
        inner = ", ".join(_value(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return value_source(v)


def _input(shape) -> str:
    return "input(" + ", ".join(str(d) for d in shape) + ")"


def case_source(case: dict) -> str:
    layer = layer_source(case, case.get("omit"), case.get("frozen", False))
    others = case.get("other_inputs")
    if not others:
        return f"convention torch\n{_input(case['input_shape'])} -> {layer}"
    # several tensors (key and value, a memory): named inputs, then Layer(...)(x0, x1, ...)
    shapes = [case["input_shape"], *others]
    lines = [f"x{i} = {_input(s)}" for i, s in enumerate(shapes)]
    names = ", ".join(f"x{i}" for i in range(len(shapes)))
    return "\n".join(["convention torch", *lines, f"{layer}({names})"])


def compare(case: dict) -> list[str]:
    """Differences between symcount and the recorded PyTorch result (empty: agree)."""
    src = case_source(case).replace("\n", "; ")
    if "error" in case:
        try:
            symcount.parse(case_source(case))
        except symcount.SymcountError:
            return []
        except Exception as e:
            return [f"symcount crashes ({type(e).__name__}: {e}): {src}"]
        return [f"torch rejects it ({case['error'][:120]}), symcount accepts: {src}"]
    try:
        got = symcount.parse(case_source(case)).to_dict()["layers"][-1]
    except symcount.SymcountError as e:
        return [f"symcount rejects what torch accepts: {src}\n{e}"]
    except Exception as e:  # a bug, not a user error: say which case
        return [f"symcount crashes ({type(e).__name__}: {e}): {src}"]
    want = {
        "output_shape": case["output_shape"],
        "trainable": case["trainable"],
        "non_trainable": case["non_trainable"],
        "buffers": case["buffers"],
    }
    problems = [
        f"{key}: symcount {got[key]!r}, torch {value!r}: {src}"
        for key, value in want.items()
        if got[key] != value
    ]
    mine, theirs = symcount_weights(case), torch_weights(case)
    if mine != theirs:
        problems.append(f"weights: symcount {mine}, torch {theirs}: {src}")
    return problems


def symcount_weights(case: dict) -> list:
    """(name, shape, kind) of every tensor symcount lists, sorted."""
    row = symcount.parse(case_source(case)).rows[-1]
    return sorted(
        (w.name, [int(d) for d in w.shape], "buffer" if w.state else "parameter")
        for w in row.weights
    )


_COPY = re.compile(r"layers\.(\d+)\.")


def torch_weights(case: dict) -> list:
    """torch's named tensors, with the copies of a stacked layer
    (``layers.0.x``, ``layers.1.x``) as one tensor with a leading count axis,
    which is how symcount lists them (``layers.*.x``)."""
    copies: dict[tuple, int] = {}
    out = []
    for w in case["weights"]:
        name = _COPY.sub("layers.*.", w["name"])
        if name == w["name"]:
            out.append((name, list(w["shape"]), w["kind"]))
        else:
            key = (name, tuple(w["shape"]), w["kind"])
            copies[key] = copies.get(key, 0) + 1
    out += [(n, [k, *shape], kind) for (n, shape, kind), k in copies.items()]
    return sorted(out)
