"""examples/symcount_tour.ipynb runs from top to bottom in a real Jupyter
kernel (nbclient + ipykernel), and its cells show the numbers they should."""

from __future__ import annotations

import base64
import os
import struct
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "symcount_tour.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    # the kernel's connection file and IPython's profile go to a temporary
    # directory, so the test needs no writable home
    home = tmp_path_factory.mktemp("jupyter")
    saved = {k: os.environ.get(k) for k in ("JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLBACKEND")}
    os.environ.update(
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLBACKEND="Agg",
    )
    try:
        return _execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _execute():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:  # run from scratch: the stored outputs do not count
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()
    return [c for c in nb.cells if c.cell_type == "code"]


def _outputs(cell) -> dict:
    """mime type (or 'stream') -> text of one executed cell; errors fail the test."""
    out: dict = {}
    for o in cell.outputs:
        assert o.output_type != "error", "\n".join(o.get("traceback", []))
        if o.output_type == "stream":
            out["stream"] = out.get("stream", "") + o.text
        else:
            out.update(o.get("data", {}))
    return out


def _cell(executed, source_start: str) -> dict:
    for c in executed:
        if c.source.startswith(source_start):
            return _outputs(c)
    raise AssertionError(f"no cell starts with {source_start!r}")


def test_every_cell_runs_without_error(executed):
    assert len(executed) == 9
    for c in executed:
        _outputs(c)
        assert c.outputs, c.source  # every cell shows something


def test_mnist_model_shows_the_keras_numbers(executed):
    out = _cell(executed, "import symcount")
    html = out["text/html"]
    assert '<td style="text-align:right">7,812</td>' in html
    assert "<li><strong>Total params:</strong> 2,663,678</li>" in html
    assert "<code>(k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36</code>" in html
    assert out["text/latex"].startswith(r"$$ N_{\text{params}} = 2{,}663{,}678 $$")
    assert "| conv2d_1 (Conv2D) | `(None, 24, 24, 36)` | 7,812 |" in out["text/markdown"]


def test_one_row_shows_its_derivation(executed):
    out = _cell(executed, 'mnist.row("conv2d_1")')
    assert "params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812" in out["text/html"]
    assert r"\left(3 \cdot 3 \cdot 24 + 1\right) \cdot 36 = 7{,}812" in out["text/latex"]
    assert out["text/plain"] == "<Row conv2d_1 (Conv2D): params=7812>"


def test_symbolic_lstm_and_substitution(executed):
    out = _cell(executed, "lstm = symcount.parse(")
    assert "<code>4*u*(f + u + 1)</code>" in out["text/html"]
    assert "<code>4*u*(2*u + 1)</code>" in out["text/html"]
    assert _cell(executed, "lstm.total")["text/plain"] == "4*u*(2*u + 1) + 4*u*(f + u + 1) + u + 1"
    out = _cell(executed, "lstm.subs(u=64, f=6)")
    # 4*64*(6 + 64 + 1) + 4*64*(2*64 + 1) + 64 + 1
    assert "<li><strong>Total params:</strong> 51,265</li>" in out["text/html"]


def test_solve_results(executed):
    out = _cell(executed, 'stacked = symcount.load("stacked_lstm_symbolic.sc")')
    assert (
        '<tr><td style="text-align:left"><code>u = 64</code></td>'
        '<td style="text-align:right">59,910</td><td style="text-align:left">exact</td></tr>'
    ) in out["text/html"]
    out = _cell(executed, 'stacked.solve("u", at_most=1_000_000, multiple_of=64)')
    # 14*u**2 + 40*u + 6 at u = 256 is 927,750; at 320 it is 1,446,406
    assert '<code>u = 256</code></td><td style="text-align:right">927,750</td>' in out["text/html"]
    assert r"\le 1{,}000{,}000" in out["text/latex"]


def test_latex_cell_prints_the_booktabs_table(executed):
    text = _cell(executed, "print(mnist.to_latex())")["stream"]
    assert r"N_{\text{params}} = 240 + 7{,}812 + 2{,}654{,}336 + 1{,}290 = 2{,}663{,}678" in text
    assert r"\toprule" in text and r"\bottomrule" in text


def test_plot_cell_shows_a_png(executed):
    out = _cell(executed, "import io")
    assert out["stream"] == "u = 64 gives 59,910 parameters\n"
    png = base64.b64decode(out["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (640, 480)
    assert len(png) > 10_000
