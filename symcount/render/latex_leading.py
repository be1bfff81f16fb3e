"""``summary --latex --leading``: the total's dominant term after the table,
as the text summary prints it (analysis/algebra.py's ``leading_report``,
passed in: the renderers never import the analysis)::

    N_params ~ 12 L d^2   (as L, T, V, d grow)
    At L = 12, ..., d = 768: 84,934,656 against the exact 124,439,808
    (relative error -31.7%).
"""

from __future__ import annotations

from .latex_printer import integer, symbol, text, value_item

_N = r"N_{\text{params}}"


def _percent(x: float) -> str:
    return f"{x * 100:+.3g}" + r"\%"


def leading_latex(report, values: dict | None = None) -> str:
    """The report (or the message saying why there is none) in LaTeX."""
    if isinstance(report, str):
        return r"\noindent Leading term: none (" + text(report) + ")."
    syms = report["symbols"]
    if not syms:
        return r"\noindent Leading term: the count is a number (no symbols to grow)."
    grow = ", ".join(f"${symbol(s)}$" for s in syms)
    verb = "grows" if len(syms) == 1 else "grow"
    lines = [
        "\\begin{equation*}",
        f"  {_N} \\approx {value_item(report['leading']).body}"
        f" \\qquad \\text{{(as {grow} {verb})}}",
        "\\end{equation*}",
    ]
    if report["relative_error"] is not None:
        at = ", ".join(f"${symbol(s)} = {value_item(values[s]).body}$" for s in syms)
        approx, exact = report["approx"], report["exact"]
        lines.append(
            rf"\noindent At {at}: ${_number(approx)}$ against the exact ${_number(exact)}$"
            rf" (relative error ${_percent(report['relative_error'])}$)."
        )
    elif values is not None:
        lines.append(r"\noindent Give every symbol a value (\texttt{--set}) to see the error.")
    return "\n".join(lines)


def _number(v) -> str:
    return integer(v) if isinstance(v, int) else value_item(v).body
