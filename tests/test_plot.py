"""``symcount plot``: the files (PNG size from the header, SVG as XML, PDF),
the budget fit (exact, against brute force), and clear errors."""

from __future__ import annotations

import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import symcount
from symcount import cli
from symcount.cli import plot as PL

ROOT = Path(__file__).resolve().parent.parent
STACKED = str(ROOT / "examples" / "stacked_lstm_symbolic.sc")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _run(capsys, argv) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# files --------------------------------------------------------------------------------


def test_png_with_budget(capsys, tmp_path):
    out_file = tmp_path / "u.png"
    code, out, err = _run(
        capsys, ["plot", STACKED, "--vary", "u=1..512", "--budget", "60000", "-o", str(out_file)]
    )
    assert (code, err) == (0, "")
    assert out == (
        f"wrote {out_file} (640x480 px): total params for u = 1..512 (512 points)\n"
        "budget 60,000: u = 64 gives 59,910 (90 under)\n"
    )
    assert out_file.stat().st_size > 10_000  # a drawn figure, not an empty canvas
    assert png_size(out_file) == (640, 480)


@pytest.mark.parametrize(
    ("size", "dpi", "pixels"), [("5x3", "80", (400, 240)), ("8x4.5", "150", (1200, 675))]
)
def test_png_size_follows_size_and_dpi(capsys, tmp_path, size, dpi, pixels):
    out_file = tmp_path / "p.png"
    argv = ["plot", STACKED, "--vary", "u=1..64", "--size", size, "--dpi", dpi, "-o", str(out_file)]
    code, out, _ = _run(capsys, argv)
    assert code == 0
    assert f"({pixels[0]}x{pixels[1]} px)" in out
    assert png_size(out_file) == pixels


def test_png_pixels_are_drawn(tmp_path):
    """The curve is in the picture: many distinct colours, not a blank canvas."""
    m = symcount.load(STACKED)
    fig, info = PL.figure(m, "u", 1, 512, budget=60_000)
    fig.savefig(tmp_path / "a.png")
    from matplotlib.image import imread

    img = imread(tmp_path / "a.png")
    assert img.shape[:2] == (480, 640)
    colours = {tuple(p) for p in (img[::4, ::4, :3] * 255).astype(int).reshape(-1, 3).tolist()}
    assert len(colours) > 20
    assert info.fit == PL.Fit(64, 59_910, 60_000)


def test_svg_is_xml_with_the_fit_marked(capsys, tmp_path):
    out_file = tmp_path / "l.svg"
    argv = ["plot", "-e", "input(t, f) -> LSTM(u)", "--set", "f=32", "--vary", "u=8..4096"]
    code, out, _ = _run(
        capsys, [*argv, "--log", "--trainable", "--budget", "1M", "-o", str(out_file)]
    )
    assert code == 0
    assert out.splitlines() == [
        f"wrote {out_file} (SVG): total params and trainable params for u = 8..4096 (1,130 points)",
        "budget 1,000,000: u = 483 gives 996,912 (3,088 under)",
    ]
    root = ET.parse(out_file).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "460.8pt" and root.get("height") == "345.6pt"
    text = out_file.read_text("utf-8")
    assert "u = 483: 996,912" in text  # the annotation, as text (svg.fonttype none)


def test_pdf(capsys, tmp_path):
    out_file = tmp_path / "x.pdf"
    code, _, _ = _run(capsys, ["plot", STACKED, "--vary", "u=1..10", "-o", str(out_file)])
    assert code == 0
    assert out_file.read_bytes().startswith(b"%PDF")


def test_default_file_name(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, ["plot", STACKED, "--vary", "u=1..10"])
    assert code == 0
    assert out.startswith("wrote stacked_lstm_symbolic-u.png (640x480 px)")
    assert png_size(tmp_path / "stacked_lstm_symbolic-u.png") == (640, 480)


def test_exact_hit_and_no_fit(capsys, tmp_path):
    out_file = str(tmp_path / "a.png")
    _, out, _ = _run(
        capsys, ["plot", STACKED, "--vary", "u=1..512", "--budget", "59_910", "-o", out_file]
    )
    assert out.endswith("budget 59,910: u = 64 gives 59,910 (exactly)\n")
    _, out, _ = _run(
        capsys, ["plot", STACKED, "--vary", "u=1..512", "--budget", "10", "-o", out_file]
    )
    assert out.endswith("budget 10: no u in 1..512 fits\n")


def test_a_symbol_only_in_shapes_needs_no_value(capsys, tmp_path):
    argv = ["plot", "-e", "input(t, f) -> LSTM(u)", "--vary", "t=1..100", "--set", "f=3"]
    code, out, err = _run(capsys, [*argv, "--set", "u=2", "-o", str(tmp_path / "t.png")])
    assert (code, err) == (0, "")
    assert out.endswith("note: the total does not depend on t\n")
    argv = ["plot", "-e", "input(t, f) -> LSTM(u)", "--vary", "u=1..100", "--set", "f=3"]
    code, _, err = _run(capsys, [*argv, "-o", str(tmp_path / "u.png")])
    assert code == 0, err  # t is not in the count


# the numbers ----------------------------------------------------------------------------

FIT_MODELS = [
    "input(100, 6) -> LSTM(u, return_sequences=true) -> LSTM(u) -> Dense(u) -> Dense(6)",
    "input(64, 64, 3) -> Conv2D(u, 3, strides=2) -> Conv2D(2*u, 3, strides=2) -> Flatten -> Dense(10)",
    "input(t, 8) -> Conv1D(4, u) -> Flatten -> Dense(3)",  # fewer params as u grows
    "input(50, 7) -> Conv1D(8, 3, strides=u) -> MaxPooling1D(2) -> Flatten -> Dense(5)",
]


def _brute(m, name, first, last, budget):
    best = None
    for k in range(first, last + 1):
        c = PL.exact_at(m.total, name, k)
        if c <= budget and (best is None or (c, k) > (best.count, best.value)):
            best = PL.Fit(k, c, budget)
    return best


@pytest.mark.parametrize("src", FIT_MODELS)
@pytest.mark.parametrize("budget", [1_000, 25_000, 123_457, 10**7])
def test_fit_matches_brute_force(src, budget):
    m = symcount.parse(src.replace("(t, 8)", "(60, 8)"))
    first, last = 1, 40
    expected = _brute(m, "u", first, last, budget)
    got = PL.budget_fit(m, "u", first, last, budget)
    if expected is None:
        assert got is None
    else:
        assert got is not None and got.count == expected.count


def test_curve_equals_the_exact_counts():
    m = symcount.parse(FIT_MODELS[3])
    xs = PL.sample(1, 40, log=False)
    ys = PL.curve(m.total, "u", xs)
    assert [int(y) for y in ys] == [PL.exact_at(m.total, "u", int(k)) for k in xs]


def test_sample_wide_ranges():
    xs = PL.sample(1, 10**6, log=False)
    assert xs[0] == 1 and xs[-1] == 10**6 and 1900 <= len(xs) <= 2000
    xs = PL.sample(1, 10**6, log=True)
    assert xs[0] == 1 and xs[-1] == 10**6 and len(set(xs.tolist())) == len(xs)


# errors -------------------------------------------------------------------------------------

USAGE = [
    (["--vary", "u=5..2"], "the last value must be above the first"),
    (["--vary", "u=0..3"], "start the range at 1 or more"),
    (["--vary", "u=a..b"], "is not NAME=FIRST..LAST"),
    (["--vary", "1..5"], "is not NAME=FIRST..LAST"),
    (["--vary", "u=1..99999999"], "at most 10,000,000 values"),
    (["--vary", "u=1..5", "--budget", "lots"], "is not a count"),
    (["--vary", "u=1..5", "--size", "big"], "is not WIDTHxHEIGHT"),
    (["--vary", "u=1..5", "--size", "200x200"], "pixels a side"),
    (["--vary", "u=1..5", "--dpi", "0"], "between 10 and 1200"),
    (["--vary", "u=1..5", "-o", "x.jpg"], "must end in .png, .svg or .pdf"),
    (["--vary", "u=1..5", "--set", "u=3"], "--vary u and --set u both give u"),
    ([], "--vary"),
]


@pytest.mark.parametrize(("args", "words"), USAGE)
def test_usage_errors(capsys, args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, ["plot", STACKED, *args])
    assert code == 2
    assert words in err
    assert "Traceback" not in err and out == ""
    assert not list(tmp_path.iterdir())  # nothing written


def test_symbol_not_in_model(capsys, tmp_path):
    code, _, err = _run(
        capsys, ["plot", STACKED, "--vary", "v=1..5", "-o", str(tmp_path / "a.png")]
    )
    assert code == 2
    assert err == (
        f"{STACKED}: argument error: --vary: 'v' is not a symbol of the model; its symbols are u\n"
    )
    code, _, err = _run(capsys, ["plot", "-e", "input(t, f) -> LSTM(units)", "--vary", "unit=1..5"])
    assert code == 2
    assert "hint: did you mean 'units'?" in err


def test_other_symbols_need_values(capsys):
    code, _, err = _run(
        capsys, ["plot", "-e", "input(t, f) -> LSTM(u) -> Dense(k)", "--vary", "u=1..5"]
    )
    assert code == 2
    assert "the model has other symbols without values: f, k" in err
    assert "hint: give them values: --set f=... --set k=..." in err


def test_missing_matplotlib_names_the_extra(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, out, err = _run(
        capsys, ["plot", STACKED, "--vary", "u=1..5", "-o", str(tmp_path / "a.png")]
    )
    assert code == 2 and out == ""
    assert "symcount plot needs matplotlib" in err
    assert "pip install 'symcount[plot]'" in err
    assert not (tmp_path / "a.png").exists()


def test_unwritable_output(capsys, tmp_path):
    code, _, err = _run(
        capsys, ["plot", STACKED, "--vary", "u=1..5", "-o", str(tmp_path / "no" / "a.png")]
    )
    assert code == 2
    assert "cannot write" in err and "Traceback" not in err


def test_cli_start_up_does_not_import_matplotlib():
    import subprocess

    code = "import sys, symcount.cli as c; c.build_parser(); print('matplotlib' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (950, "950"), (20_000, "20k"), (350e6, "350M"), (1.5e9, "1.5B"), (3e16, "30,000T")],
)
def test_short_counts_on_big_axes(value, text):
    assert PL._format_short(value) == text


def _drawn(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return fig.axes[0], canvas.get_renderer()


@pytest.mark.parametrize(
    "text, title",
    [
        ("input(t, f) -> LSTM(u)", "parameters against u"),  # -e: no model name
        ("model tiny\ninput(t, f) -> LSTM(u)", "tiny: parameters against u"),
    ],
)
def test_the_title_names_the_model_only_when_it_has_a_name(text, title):
    fig, _ = PL.figure(symcount.parse(text, values={"f": 6}), "u", 1, 100)
    assert fig.axes[0].get_title() == title


@pytest.mark.parametrize(
    "formula, shown",
    [
        ("4*u*(u + 7)", "4·u·(u + 7)"),
        ("2*d**2 + 13*d", "2·d² + 13·d"),
        ("u**12 + u**(1/2)", "u¹² + u^(1/2)"),
    ],
)
def test_the_legend_writes_formulas_as_a_reader_does(formula, shown):
    assert PL._math(formula) == shown


def test_the_legend_is_below_the_axes_and_the_fit_label_inside_the_figure():
    # the fit at u = 83 of 1..100 on log axes: near the right edge, so its label
    # goes to the left of the point, and nothing is cut off at the figure's edge
    m = symcount.parse("input(t, f) -> LSTM(u)", values={"f": 6})
    fig, info = PL.figure(m, "u", 1, 100, budget=30_000, log=True)
    assert info.fit == PL.Fit(83, 29_880, 30_000)
    ax, renderer = _drawn(fig)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "total params = 4·u·(u + 7)",
        "budget 30,000",
        "u = 83",
    ]
    axes_box = ax.get_window_extent(renderer)
    assert legend.get_window_extent(renderer).y1 < axes_box.y0  # below: over no curve
    (label,) = [t for t in ax.texts if t.get_text() == "u = 83: 29,880"]
    box = label.get_window_extent(renderer)
    assert label.get_horizontalalignment() == "right"
    figure_box = fig.bbox
    assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1
