"""Issue 10: every plot option at its extremes is a clean error (exit 2)
that names the option and what it takes, never a traceback."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("matplotlib")

from symcount import cli
from symcount.cli import plot as PL

MODEL = "input(u) -> Dense(u)"
HUGE = "9" * 5000  # more digits than int() reads
POWER = "*".join(["u"] * 71)  # input(u**71) -> Dense(u): (u**71 + 1)*u params
# the first u whose count is over what a figure draws
TOO_LARGE = next(u for u in range(1, 10**4) if (u**71 + 1) * u > PL.MAX_DRAWN)

EXTREMES = [
    # (arguments, the option named, what it takes)
    (
        ["--vary", "u=9223372036854775807..9223372036854775900"],
        "--vary",
        "1 to 1,000,000,000,000,000",
    ),
    (["--vary", f"u=1..{HUGE}"], "--vary", "1 to 1,000,000,000,000,000"),
    (["--vary", f"u={HUGE}..{HUGE}9"], "--vary", "1 to 1,000,000,000,000,000"),
    (["--vary", "u=1..1000000000000001"], "--vary", "1 to 1,000,000,000,000,000"),
    (["--vary", "u=1..10000001"], "--vary", "at most 10,000,000 values"),
    (["--vary", "u=7..7"], "--vary", "the last value must be above the first"),
    (["--vary", "u=0..7"], "--vary", "start the range at 1"),
    (["--vary", "u=-5..7"], "--vary", "start the range at 1"),
    (
        ["--vary", "u=1..10", "--size", "0.001x0.001", "--dpi", "10"],
        "--size",
        "from 1.5 to 1,000 inches",
    ),
    (["--vary", "u=1..10", "--size", "0x5"], "--size", "from 1.5 to 1,000 inches"),
    (["--vary", "u=1..10", "--size", "5x0"], "--size", "from 1.5 to 1,000 inches"),
    (["--vary", "u=1..10", "--size=-1x5"], "--size", "from 1.5 to 1,000 inches"),
    (["--vary", "u=1..10", "--size", f"{HUGE}x5"], "--size", "from 1.5 to 1,000 inches"),
    (["--vary", "u=1..10", "--size", "1000x1000"], "--size", "10,000 pixels a side"),
    (["--vary", "u=1..10", "--dpi", "0"], "--dpi", "between 10 and 1200"),
    (["--vary", "u=1..10", "--dpi", "-3"], "--dpi", "between 10 and 1200"),
    (["--vary", "u=1..10", "--dpi", HUGE], "--dpi", "between 10 and 1200"),
    (["--vary", "u=1..10", "--budget", "1" + "0" * 400], "--budget", "from 1 to 1e+200"),
    (["--vary", "u=1..10", "--budget", "0"], "--budget", "positive"),
]


@pytest.mark.parametrize(("args", "option", "valid"), EXTREMES)
def test_extreme_options_are_clean_errors(capsys, tmp_path, monkeypatch, args, option, valid):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["plot", "-e", MODEL, *args, "-o", "out.png"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and out == ""
    assert option in err and valid in err, err
    assert len(err) < 2000  # a huge value is not echoed whole
    assert not list(tmp_path.iterdir())


def test_a_count_too_large_to_draw_is_a_clean_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = cli.main(["plot", "-e", f"input({POWER}) -> Dense(u)", "--vary", "u=1..1000"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert f"--vary u: the count is too large to draw from u = {TOO_LARGE} on" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("log", [False, True])
def test_the_largest_drawable_counts_draw(capsys, tmp_path, log):
    out_file = tmp_path / "big.svg"
    argv = ["plot", "-e", f"input({POWER}) -> Dense(u)", "--vary", f"u=1..{TOO_LARGE - 1}"]
    argv += ["-o", str(out_file)]
    code = cli.main(argv + (["--log"] if log else []))
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""  # no warning from matplotlib either
    assert out.startswith(f"wrote {out_file} (SVG)")


@pytest.mark.parametrize(
    ("size", "dpi"), [((1.5, 1.5), 10), ((1000, 1.5), 10), ((1.5, 8), 1200), ((100, 1.5), 100)]
)
def test_the_extreme_valid_sizes_draw(capsys, tmp_path, size, dpi):
    out_file = tmp_path / "edge.png"
    argv = ["plot", "-e", MODEL, "--vary", "u=1..2", "-o", str(out_file)]
    code = cli.main([*argv, "--size", f"{size[0]:g}x{size[1]:g}", "--dpi", str(dpi)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    assert f"({round(size[0] * dpi)}x{round(size[1] * dpi)} px)" in out


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"first": 0, "last": 5}, "--vary 0..5"),
        ({"first": 5, "last": 5}, "--vary 5..5"),
        ({"last": 2**63}, "the range takes integers from 1"),
        ({"size": (0.001, 0.001)}, "--size 0.001x0.001"),
        ({"dpi": 0}, "--dpi 0"),
        ({"size": (100, 100), "dpi": 1200}, "pixels a side"),
        ({"budget": 10**400}, "--budget"),
    ],
)
def test_the_python_api_checks_the_same_bounds(kw, words):
    import symcount
    from symcount.errors import ArgumentError

    m = symcount.parse(MODEL)
    args = {"first": 1, "last": 10, **kw}
    first, last = args.pop("first"), args.pop("last")
    with pytest.raises(ArgumentError, match=words.replace("(", r"\(").replace(".", r"\.")):
        PL.figure(m, "u", first, last, **args)


def test_report_escapes_the_output_path():
    info = PL.PlotInfo("u", 1, 2, 2, ["total"])
    out = PL.report(info, "\x1b]0;PWNED\x07.png", "png", 640, 480)
    assert "\x1b" not in out and "\x07" not in out
    assert "wrote \\x1b]0;PWNED\\x07.png" in out


def test_a_model_name_with_mathtext_dollars_draws():
    import symcount

    m = symcount.parse(MODEL)
    m.name = "cost $\\frac$ \x1b[31m"  # mathtext fails on a \frac with no arguments
    fig, _ = PL.figure(m, "u", 1, 10)
    fig.savefig(io.BytesIO(), format="png")
    assert fig.axes[0].get_title() == "cost \\$\\frac\\$ \\x1b[31m: parameters against u"
