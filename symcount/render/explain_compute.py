"""explain's compute lines: each layer's MACs as its op's matmul and
convolution terms in the op's own labels, then with the numbers put in,
then the value (docs/compute.md).

    conv2d (Conv2D)  params = ...
      MACs = h_out*w_out*k_h*k_w*c_in*filters = 26*26*3*3*1*24 = 146,016
"""

from __future__ import annotations

from .. import printing as P

TERMS = "macs_terms"  # ops/costs.py: each term's factors, as its op wrote them
LABELS = "macs_labels"  # and their labels, where the op named them


def _factor(f) -> str:
    text = P.expr(f)
    return f"({text})" if getattr(f, "is_Add", False) else text


def _terms(costs) -> str | None:
    terms = costs.get(TERMS)
    if not terms:
        return None
    return " + ".join("*".join(_factor(f) for f in t) for t in terms)


def _label(name: str) -> str:
    return f"({name})" if " " in name else name


def labelled_terms(costs) -> list[list] | None:
    """Each term's factors as (label or None, value), when the op named any."""
    terms, labels = costs.get(TERMS), costs.get(LABELS)
    if not terms or not labels or len(terms) != len(labels):
        return None
    if any(len(t) != len(n) for t, n in zip(terms, labels, strict=True)):
        return None
    return [list(zip(n, t, strict=True)) for t, n in zip(terms, labels, strict=True)]


def _general(costs) -> str | None:
    """The terms in the op's labels (a factor it did not name: its value)."""
    terms = labelled_terms(costs)
    if terms is None:
        return None
    return " + ".join("*".join(_factor(v) if n is None else _label(n) for n, v in t) for t in terms)


def _batched(batch, terms: str, prefix: str) -> str:
    return f"{prefix}*({terms})" if " + " in terms else f"{prefix}*{terms}"


def macs_lines(row, model, indent: str) -> list[str]:
    """``MACs = <terms> = value`` for a layer (one line per call of a shared
    layer, on its own shapes); a block's or repeat's total; nothing when the
    model does not list its compute."""
    if not model.compute_shown:
        return []
    if row.group:
        return [f"{indent}MACs = {P.number(row.count('macs'))}"]
    lines = []
    calls = row.call_costs
    batch = model.batch
    for i, costs in enumerate(calls):
        value = costs.get("macs", 0)
        head = f"{indent}{'' if len(calls) == 1 else f'call {i + 1}: '}MACs = "
        terms = _terms(costs)
        if terms is None or value is None:
            lines.append(head + P.number(value))
            continue
        general = _general(costs)
        if batch != 1:
            terms = _batched(batch, terms, _factor(batch))
            general = general and _batched(batch, general, "batch")
        steps = [general] if general and general != terms else []
        text = P.number(value)
        steps += [terms] if terms == text else [terms, text]
        lines.append(head + " = ".join(steps))
    if row.multiplier != 1 and lines:
        lines.append(f"{indent}counted x{P.expr(row.multiplier)}: {P.number(row.count('macs'))}")
    return lines
