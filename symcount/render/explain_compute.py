"""explain's compute lines: each layer's MACs as its op's matmul and
convolution terms with the numbers put in, then the value (docs/compute.md).

    conv2d (Conv2D)  params = ...
      MACs = 26*26*3*3*1*24 = 146,016
"""

from __future__ import annotations

from .. import printing as P

TERMS = "macs_terms"  # ops/costs.py: each term's factors, as its op wrote them


def _factor(f) -> str:
    text = P.expr(f)
    return f"({text})" if getattr(f, "is_Add", False) else text


def _terms(costs) -> str | None:
    terms = costs.get(TERMS)
    if not terms:
        return None
    return " + ".join("*".join(_factor(f) for f in t) for t in terms)


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
        if batch != 1:
            terms = f"{_factor(batch)}*({terms})" if " + " in terms else f"{_factor(batch)}*{terms}"
        text = P.number(value)
        lines.append(head + (terms if terms == text else f"{terms} = {text}"))
    if row.multiplier != 1 and lines:
        lines.append(f"{indent}counted x{P.expr(row.multiplier)}: {P.number(row.count('macs'))}")
    return lines
