"""Text of a solve result (``symcount solve``).

total params = 14*u**2 + 40*u + 6
target: exactly 59,910; u a positive integer
1 solution:
  u = 64  59,910  exact
"""

from __future__ import annotations

from .. import printing as P

MAX_EXPR_CHARS = 300  # a longer count is cut in the header (it is in --format json)


def _target(result) -> str:
    n = P.number(result.target)
    return {"exact": f"exactly {n}", "at_most": f"at most {n}", "at_least": f"at least {n}"}[
        result.mode
    ]


def _domain(result) -> str:
    names = ", ".join(result.unknowns)
    plural = len(result.unknowns) > 1
    text = f"{names} positive integers" if plural else f"{names} a positive integer"
    if result.constraints:
        text += "; " + "; ".join(result.constraints)
    return text


MAX_IMPLIED_LINES = 6  # a convolution stack solved for its input size adds one per layer


def _implied(result) -> list[str]:
    """What the sizes add on their own, a line each: never applied silently."""
    lines = [
        f"constraint: {c['constraint']} (the {c['what']} of {c['layer']} is {c['size']})"
        for c in result.implied
    ]
    if len(lines) > MAX_IMPLIED_LINES:
        rest = len(lines) - MAX_IMPLIED_LINES + 1
        lines = lines[: MAX_IMPLIED_LINES - 1]
        lines.append(f"constraint: and {rest} more sizes of the model (--format json lists them)")
    return lines


def _heading(result) -> str:
    n = len(result.solutions)
    if result.mode == "exact":
        if result.exact:
            total = result.found if result.complete else None
            if n == 1 and result.complete:
                return "1 solution:"
            if total is not None:
                return f"{total} solutions:"
            return f"{n} solutions shown; there are more (--limit for more, a range to narrow):"
        if len(result.unknowns) == 1:
            if n == 1:
                return "no exact solution; the nearest:"
            return "no exact solution; the nearest on each side:"
        return "no exact solution; the nearest feasible values, closest first:"
    if len(result.unknowns) == 1:
        side = "at or under" if result.mode == "at_most" else "at or over"
        return f"the closest fit {side} the target:"
    head = f"{result.found} feasible, closest first"
    if result.found > n:
        head += f" (the first {n}; --limit for more)"
    return head + ":"


def _distance(s) -> str:
    if s.distance == 0:
        return "exact"
    return f"{P.number(abs(s.distance))} {'below' if s.distance < 0 else 'above'}"


def solve_text(result) -> str:
    expr = P.expr(result.expression)
    if len(expr) > MAX_EXPR_CHARS:
        expr = expr[:MAX_EXPR_CHARS] + " ..."
    lines = [
        f"{result.what} = {expr}",
        f"target: {_target(result)}; {_domain(result)}",
    ]
    if result.compute:
        from . import compute_text

        c = result.compute
        lines.append(f"compute: {compute_text(c['convention'], c['batch'])}")
    if result.memory:
        m = result.memory
        lines.append(
            f"memory: {m['dtype']} weights, optimizer {m['optimizer']}, batch {P.expr(m['batch'])}"
        )
    lines += _implied(result)
    lines += [f"note: {n}" for n in result.notes]
    if not result.solutions:
        side = {"at_most": "under", "at_least": "over"}.get(result.mode)
        if side:
            lines.append(f"no values fit {side} the target with these constraints")
        else:
            lines.append("no values satisfy the constraints")
        return "\n".join(P.text(line) for line in lines) + "\n"
    lines.append(_heading(result))
    cells = [
        (
            P.text(", ".join(f"{k} = {v}" for k, v in s.values.items())),
            P.number(s.count),
            _distance(s),
        )
        for s in result.solutions
    ]
    w0 = max(len(c[0]) for c in cells)
    w1 = max(len(c[1]) for c in cells)
    w2 = max(len(c[2]) for c in cells)
    for a, b, c in cells:
        lines.append(f"  {a.ljust(w0)}  {b.rjust(w1)}  {c.rjust(w2)}".rstrip())
    return "\n".join(P.text(line) for line in lines) + "\n"
