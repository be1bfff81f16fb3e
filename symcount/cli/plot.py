"""``symcount plot``: a count against one symbol, with a budget line and the
best fit under it, saved as PNG, SVG or PDF (matplotlib, the ``plot`` extra).

The curve is the model's own closed form, evaluated with ``lambdify``
(``dummify=True``) over NumPy arrays, so 10^6 points cost milliseconds; the
value marked under a budget is found exactly by :func:`symcount.analysis.solve.solve`
(:func:`budget_fit`).

Python::

    from symcount.cli.plot import figure
    fig, info = figure(symcount.load("examples/stacked_lstm_symbolic.sc"), "u", 1, 512,
                       budget=60_000)
    fig.savefig("u.png")
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

from ..errors import ArgumentError, SymcountError, did_you_mean
from .args import add_batch, positive_count
from .args import short as _short

FORMATS = ("png", "svg", "pdf")
MAX_RANGE = 10_000_000  # values of the varied symbol evaluated for the curve and the fit
MAX_VALUE = 10**15  # the varied symbol's largest value: exact in the float64 the curve is drawn in
MAX_PIXELS = 10_000  # per side of a PNG
MIN_INCHES = 1.5  # per side: smaller, the axes' labels and ticks do not fit (tight_layout fails)
MAX_INCHES = 1_000.0  # per side (and at most MAX_PIXELS at the figure's dpi)
MIN_DPI, MAX_DPI = 10, 1200
MAX_DRAWN = (
    1e200  # a count above this cannot be drawn (float64 axes, log margins included, overflow)
)

EPILOG = """\
examples:
  symcount plot examples/stacked_lstm_symbolic.sc --vary u=1..512 -o u.png
  symcount plot examples/stacked_lstm_symbolic.sc --vary u=1..512 --budget 60000 -o u.svg
  symcount plot examples/lstm_symbolic.sc --vary u=8..4096 --set f=32 --log --trainable
  symcount plot examples/gpt2.sc --vary d=64..2048 --count flops --budget 1e12 \\
      --set V=50257 --set T=1024 --set h=12 --set L=12 --batch 8 -o flops.png

The figure shows the total (and with --trainable the trainable count) for
every integer value of the symbol in the range (about 2,000 evenly spaced
points for wider ranges). With --budget N: a dashed line at N and, marked,
the value whose count comes closest to N without passing it (checked
exactly). Every other symbol needs a value (--set). Needs matplotlib:
pip install 'symcount[plot]'."""

_RANGE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\Z")
_VALID_RANGE = f"integers from 1 to {MAX_VALUE:,}, at most {MAX_RANGE:,} values"
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*[xX]\s*(\d+(?:\.\d+)?)\s*\Z")


def range_arg(text: str) -> tuple[str, int, int]:
    """``u=1..512`` -> ("u", 1, 512)."""
    m = _RANGE.match(text)
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=FIRST..LAST (e.g. --vary u=1..512)")
    name = m.group(1)
    # more digits than MAX_VALUE has: out of range, and never handed to int()
    digits = len(str(MAX_VALUE))
    lo, hi = (int(g) if len(g) <= digits + 1 else None for g in (m.group(2), m.group(3)))
    if lo is None or hi is None or max(lo, hi) > MAX_VALUE:
        raise argparse.ArgumentTypeError(
            f"{_short(text)}: a value is out of range; the range takes {_VALID_RANGE}"
        )
    if lo < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: symbols are positive sizes; start the range at 1 or more"
            f" (the range takes {_VALID_RANGE})"
        )
    if hi <= lo:
        # (the docs show this message: it stays as it is)
        raise argparse.ArgumentTypeError(f"{text!r}: the last value must be above the first")
    if hi - lo + 1 > MAX_RANGE:
        raise argparse.ArgumentTypeError(
            f"{text!r}: at most {MAX_RANGE:,} values; narrow the range"
        )
    return name, lo, hi


_VALID_SIZE = f"each side from {MIN_INCHES:g} to {MAX_INCHES:,g} inches"


def size_arg(text: str) -> tuple[float, float]:
    """``6.4x4.8`` (inches) -> (6.4, 4.8)."""
    m = _SIZE.match(text)
    if m is None:
        raise argparse.ArgumentTypeError(
            f"{_short(text)} is not WIDTHxHEIGHT in inches (e.g. 8x5; {_VALID_SIZE})"
        )
    size = float(m.group(1)), float(m.group(2))
    if not all(MIN_INCHES <= side <= MAX_INCHES for side in size):
        raise argparse.ArgumentTypeError(f"{_short(text)}: give {_VALID_SIZE}")
    return size


def dpi_arg(text: str) -> int:
    try:
        n = int(text) if len(text) <= 10 else MAX_DPI + 1
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{_short(text)} is not a whole number of dots per inch"
        ) from None
    if not MIN_DPI <= n <= MAX_DPI:
        raise argparse.ArgumentTypeError(
            f"{_short(text)}: give between {MIN_DPI} and {MAX_DPI} dots per inch"
        )
    return n


def check_figure(first: int, last: int, size, dpi: int, budget=None) -> None:
    """What a figure can draw, for the Python API as for the options (which
    check each on its own): the range, the size in inches and in pixels, the budget."""

    def error(message: str):
        return ArgumentError(message).at(None, filename="symcount plot")

    if not (isinstance(first, int) and isinstance(last, int) and 1 <= first < last <= MAX_VALUE):
        raise error(f"--vary {first}..{last}: the range takes {_VALID_RANGE}")
    if last - first + 1 > MAX_RANGE:
        raise error(f"--vary {first}..{last}: at most {MAX_RANGE:,} values; narrow the range")
    width, height = size
    if not all(MIN_INCHES <= side <= MAX_INCHES for side in (width, height)):
        raise error(f"--size {width:g}x{height:g}: give {_VALID_SIZE}")
    if not (isinstance(dpi, int) and MIN_DPI <= dpi <= MAX_DPI):
        raise error(f"--dpi {dpi}: give between {MIN_DPI} and {MAX_DPI} dots per inch")
    if max(width, height) * dpi > MAX_PIXELS:
        raise error(
            f"--size {width:g}x{height:g} at --dpi {dpi} is over {MAX_PIXELS:,} pixels a side"
        )
    if budget is not None and not (isinstance(budget, int) and 1 <= budget <= MAX_DRAWN):
        raise error(f"--budget: give a whole number from 1 to {MAX_DRAWN:g}")


# the numbers -----------------------------------------------------------------------


@dataclass
class Fit:
    """The value of the varied symbol whose count is closest to the budget
    without passing it, and that count (exact)."""

    value: int
    count: int
    budget: int

    @property
    def under(self) -> int:
        return self.budget - self.count


@dataclass
class PlotInfo:
    """What a figure shows, for the command's one-line report and the tests."""

    symbol: str
    first: int
    last: int
    points: int
    counts: list[str]  # "total", and "trainable" when drawn
    budget: int | None = None
    fit: Fit | None = None
    notes: list[str] = field(default_factory=list)


def _matplotlib():
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError:
        raise SymcountError(
            "symcount plot needs matplotlib, which is not installed: "
            "pip install 'symcount[plot]' (or pip install matplotlib)"
        ).at(None, filename="symcount plot") from None
    return Figure


def check_symbol(model, name: str, counts=()) -> None:
    """``name`` must be a symbol of the model, and the only one left in the
    ``counts`` drawn (a symbol that changes only shapes, like a sequence
    length, needs no value)."""
    from .. import dims as D

    if name not in model.symbols:
        if model.symbols:
            message = (
                f"--vary: {name!r} is not a symbol of the model; its symbols are "
                + ", ".join(model.symbols)
            )
        else:
            message = f"--vary: {name!r} is not a symbol of the model; it has no symbols left"
        raise ArgumentError(message, hint=did_you_mean(name, model.symbols)).at(
            None, filename=model.filename
        )
    used = set()
    for c in counts:
        if D.is_symbolic(c):
            used |= {s.name for s in c.free_symbols}
    others = [s for s in model.symbols if s != name and s in used]
    if others:
        raise ArgumentError(
            f"--vary {name}: the model has other symbols without values: {', '.join(others)}",
            hint="give them values: " + " ".join(f"--set {s}=..." for s in others),
        ).at(None, filename=model.filename)


def _depends(expr, name: str) -> bool:
    from .. import dims as D

    return D.is_symbolic(expr) and D.symbol(name) in expr.free_symbols


def sample(first: int, last: int, *, log: bool, points: int = 2000):
    """Every integer from first to last, or about ``points`` of them spread
    evenly (geometrically with ``log``) for a wider range; both ends included."""
    import numpy as np

    if last - first + 1 <= points:
        return np.arange(first, last + 1, dtype=np.int64)
    xs = np.geomspace(first, last, points) if log else np.linspace(first, last, points)
    xs = np.unique(np.rint(xs).astype(np.int64))
    xs[0], xs[-1] = first, last
    return np.unique(xs)


def curve(expr, name: str, xs):
    """``expr`` at the integers ``xs`` (floats), through ``lambdify`` on NumPy."""
    import numpy as np

    from .. import dims as D

    if not D.is_symbolic(expr):
        return np.full(len(xs), _drawable(expr))
    fn = D.sp().lambdify([D.symbol(name)], expr, modules="numpy", dummify=True)
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        ys = np.asarray(fn(xs.astype(np.float64)), dtype=np.float64)
    ys = np.broadcast_to(ys, xs.shape).copy()
    bad = ~(np.abs(ys) <= MAX_DRAWN)  # inf and nan too
    if bad.any():
        at = int(xs[np.argmax(bad)])
        raise ArgumentError(
            f"--vary {name}: the count is too large to draw from {name} = {at:,} on"
            f" (above {MAX_DRAWN:g}); narrow the range"
        ).at(None, filename="symcount plot")
    return ys


def _drawable(v) -> float:
    """A constant count as the float a figure draws, if it is one."""
    try:
        f = float(v)
    except OverflowError:
        f = float("inf")
    if not abs(f) <= MAX_DRAWN:
        raise ArgumentError(f"the count is too large to draw (above {MAX_DRAWN:g})").at(
            None, filename="symcount plot"
        )
    return f


def exact_at(expr, name: str, k: int) -> int:
    """The count at ``name = k``, exactly (integer substitution)."""
    from .. import dims as D

    if not D.is_symbolic(expr):
        return D.normalize(expr)
    v = D.normalize(expr.xreplace({D.symbol(name): D.sp().Integer(k)}))
    return v


def plotted(counts=None, trainable: bool = False) -> list:
    """The quantities a figure draws: ``counts`` (names, labels or aliases)
    or the total, then the trainable count with ``trainable``."""
    from ..model import quantities as Q

    names = [*(counts or ["params"]), *(["trainable"] if trainable else [])]
    out = []
    for n in names:
        try:
            q = Q.lookup(n)
        except KeyError:
            choices = ", ".join(Q.REGISTRY.choices())
            raise ArgumentError(f"--count {n!r}: not a quantity; one of {choices}").at(
                None, filename="symcount plot"
            ) from None
        if q not in out:
            out.append(q)
    return out


def budget_fit(
    model, name: str, first: int, last: int, budget: int, of: str = "params"
) -> Fit | None:
    """The value in first..last whose count ``of`` (the total) is closest to
    ``budget`` without passing it; None if none fits. :func:`symcount.analysis.solve.solve`
    finds it exactly (``at_most``, with the range as a condition)."""
    from ..analysis.solve import solve

    where = [f"{name} in {first}..{last}"]
    best = solve(model, name, at_most=budget, of=of, where=where).best
    return None if best is None else Fit(int(best.values[name]), int(best.count), budget)


# the figure ------------------------------------------------------------------------


def _format_count(v: float, _pos=None) -> str:
    return f"{v:,.0f}"


def _format_short(v: float, _pos=None) -> str:
    """``1.5B``, ``350M``, ``20k``: how parameter counts are spoken of."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:,g}{suffix}"
    return f"{v:g}"


def figure(
    model,
    name: str,
    first: int,
    last: int,
    *,
    budget: int | None = None,
    trainable: bool = False,
    counts=None,
    log: bool = False,
    size: tuple[float, float] = (6.4, 4.8),
    dpi: int = 100,
):
    """A matplotlib Figure of the model's total against ``name`` over
    first..last (no pyplot, no global state), and a :class:`PlotInfo`.
    ``counts``: the quantities drawn (symcount.model.quantities; default the
    total, and the trainable count with ``trainable``); the first is solid and
    is the one ``budget`` applies to."""
    Figure = _matplotlib()
    from matplotlib.ticker import FuncFormatter

    from .. import printing as P

    check_figure(first, last, size, dpi, budget)
    quantities = plotted(counts, trainable)
    series = [(q, model.sum(q.name)) for q in quantities]
    check_symbol(model, name, [expr for _, expr in series])
    xs = sample(first, last, log=log)
    info = PlotInfo(name, first, last, len(xs), [q.short for q, _ in series], budget)
    lead = quantities[0]
    if not _depends(series[0][1], name):
        what = "the total" if lead.name == "params" else f"the {lead.spoken}"
        info.notes.append(f"{what} does not depend on {name}")
    if any(q.per == "call" for q in quantities):  # compute: its convention and batch
        from ..render import compute_text

        info.notes.append(f"compute: {compute_text(model.counting, model.batch)}")

    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_subplot()
    top = 0.0
    for i, (q, expr) in enumerate(series):
        ys = curve(expr, name, xs)
        top = max(top, float(ys.max()))
        text = q.spoken
        if len(series) == 1 and len(P.expr(expr)) <= 60:
            text += f" = {_math(P.expr(expr))}"
        ax.plot(xs, ys, label=text, linestyle="-" if i == 0 else "--")
    if budget is not None:
        ax.axhline(budget, color="0.4", linestyle=":", label=f"budget {budget:,}")
        fit = budget_fit(model, name, first, last, budget, of=quantities[0].name)
        info.fit = fit
        if fit is not None:
            ax.plot([fit.value], [fit.count], "o", color="C3", label=f"{name} = {fit.value}")
            # written on the side of the point with room: near the right edge a
            # label to its right would be cut off
            right = _position(fit.value, first, last, log) > 0.6
            ax.annotate(
                f"{name} = {fit.value}: {fit.count:,}",
                (fit.value, fit.count),
                textcoords="offset points",
                xytext=(-8, 8) if right else (8, 8),
                ha="right" if right else "left",
            )
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    else:
        ax.yaxis.set_major_formatter(
            FuncFormatter(_format_count if max(top, budget or 0) < 1e7 else _format_short)
        )
        if last >= 1e5:
            ax.xaxis.set_major_formatter(FuncFormatter(_format_short))
    ax.set_xlabel(name)
    units = {q.unit for q in quantities}
    unit = lead.unit if len(units) == 1 else "count"
    ax.set_ylabel(unit)
    # a model without a name (-e TEXT) has no prefix: "model:" would read as one
    ax.set_title((f"{_plain(model.name)}: " if model.name else "") + f"{unit} against {name}")
    ax.grid(True, alpha=0.3)
    # below the axes, never over a curve
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=min(len(ax.get_lines()), 3),
        fontsize="small",
        frameon=False,
    )
    import warnings

    with warnings.catch_warnings():  # a long title may not fit: the figure is still right
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
    return fig, info


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _math(formula: str) -> str:
    """A formula as printed (``4*u**2 + 3*u``) as a reader writes it:
    ``4·u² + 3·u`` (integer powers as superscripts, other powers with ^)."""
    formula = re.sub(r"\*\*([0-9]+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), formula)
    return formula.replace("**", "^").replace("*", "·")


def _position(x: int, first: int, last: int, log: bool) -> float:
    """Where ``x`` falls across the x axis, from 0 (left) to 1 (right)."""
    if last <= first:
        return 0.0
    if log:
        import math

        return (math.log(x) - math.log(first)) / (math.log(last) - math.log(first))
    return (x - first) / (last - first)


def _plain(text: str) -> str:
    """User text in a figure: escaped (printing.text), and no $ that would
    start matplotlib's mathtext (an unbalanced one is an error)."""
    from .. import printing as P

    return P.text(text).replace("$", r"\$")


# the command -----------------------------------------------------------------------


def register(subparsers, add_model_args) -> None:
    p = subparsers.add_parser(
        "plot",
        help="draw the parameter count against one symbol (PNG, SVG or PDF)",
        description="Draw the model's total parameter count against one symbol over a\n"
        "range of values, optionally with a budget line and the best fit under it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(p)
    p.add_argument(
        "--vary",
        required=True,
        type=range_arg,
        metavar="NAME=FIRST..LAST",
        help="the symbol on the x axis and its range: --vary u=1..512",
    )
    p.add_argument(
        "--budget",
        type=positive_count,
        metavar="N",
        help="draw a line at N (of the first --count) and mark the value closest to it "
        "from below (60000, 60_000, 350M, 1.5B, 1e12)",
    )
    p.add_argument("--trainable", action="store_true", help="draw the trainable count too (dashed)")
    p.add_argument(
        "--count",
        dest="counts",
        action="append",
        default=[],
        metavar="NAME",
        help="a count to draw instead of the total (repeatable; the first is solid and "
        "takes --budget): "
        "total, trainable, non_trainable, buffers or a registered quantity",
    )
    p.add_argument("--log", action="store_true", help="logarithmic axes")
    add_batch(p)
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to save: .png, .svg or .pdf (default: MODEL-NAME.png, e.g. mlp-u.png)",
    )
    p.add_argument(
        "--size",
        type=size_arg,
        default=(6.4, 4.8),
        metavar="WxH",
        help="figure size in inches (default 6.4x4.8)",
    )
    p.add_argument(
        "--dpi",
        type=dpi_arg,
        default=100,
        metavar="N",
        help="dots per inch of a PNG (default 100: 6.4x4.8 is 640x480 pixels)",
    )
    p.set_defaults(run=run, parser=p)


def _output(args, model, name: str, parser) -> tuple[str, str]:
    path = args.output
    if path is None:
        from pathlib import Path

        stem = model.name or (Path(args.file).stem if args.file not in (None, "-") else "model")
        path = f"{stem}-{name}.png"
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext not in FORMATS:
        parser.error(f"-o {path}: the file name must end in .png, .svg or .pdf")
    return path, ext


def run(args, parser) -> str:
    name, first, last = args.vary
    if name in dict(args.values):
        parser.error(f"--vary {name} and --set {name} both give {name}; give one")
    width, height = args.size
    if max(width, height) * args.dpi > MAX_PIXELS:
        parser.error(
            f"--size {width:g}x{height:g} at --dpi {args.dpi} is over {MAX_PIXELS:,} pixels a side"
        )
    if args.budget is not None and args.budget > MAX_DRAWN:
        parser.error(f"--budget: give a whole number from 1 to {MAX_DRAWN:g}")
    from . import _model

    model = _model(args, parser)
    path, ext = _output(args, model, name, parser)
    fig, info = figure(
        model,
        name,
        first,
        last,
        budget=args.budget,
        trainable=args.trainable,
        counts=args.counts or None,
        log=args.log,
        size=args.size,
        dpi=args.dpi,
    )
    import matplotlib

    try:
        with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text
            fig.savefig(path, format=ext, dpi=args.dpi)
    except OSError as e:
        raise SymcountError(f"cannot write {path}: {e.strerror or e}").at(
            None, filename="symcount plot"
        ) from None
    return report(info, path, ext, round(width * args.dpi), round(height * args.dpi))


def report(info: PlotInfo, path: str, ext: str, px_w: int, px_h: int) -> str:
    """``wrote u.png (640x480 px): total params for u = 1..512 (512 points)`` and the fit."""
    size = f"{px_w}x{px_h} px" if ext == "png" else ext.upper()
    from ..model.quantities import lookup

    what = " and ".join(lookup(c).spoken for c in info.counts)
    lines = [
        f"wrote {path} ({size}): {what} for {info.symbol} = {info.first}..{info.last}"
        f" ({info.points:,} points)"
    ]
    if info.budget is not None:
        if info.fit is None:
            lines.append(
                f"budget {info.budget:,}: no {info.symbol} in {info.first}..{info.last} fits"
            )
        else:
            f = info.fit
            gap = "exactly" if f.under == 0 else f"{f.under:,} under"
            lines.append(
                f"budget {info.budget:,}: {info.symbol} = {f.value} gives {f.count:,} ({gap})"
            )
    lines += [f"note: {n}" for n in info.notes]
    from .. import printing as P

    return "\n".join(P.text(line) for line in lines) + "\n"  # the path is user text
