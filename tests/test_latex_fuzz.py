"""Random models through the LaTeX printer: every count, shape and formula
the engine produces is read by the printer (no verbatim fallback), the
output parses, and a batch of them compiles with pdflatex where installed."""

from __future__ import annotations

import random
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount
from symcount import printing as P
from symcount.render import latex as L

from .test_latex import check_parses

SIZES = ["u", "d_model", "alpha", "k", "h", "T2", "2", "3", "5", "8", "16"]
LAYERS = [
    "Dense({a})",
    "Dense({a} * {b})",
    "LSTM({a}, return_sequences=true)",
    "GRU({a}, return_sequences=true)",
    "SimpleRNN({a}, return_sequences=true)",
    "Conv1D({a}, {b})",
    "Conv1D({a}, {b}, strides={c})",
    "Conv1D({a}, {b}, strides={c}, padding=same)",
    "Conv1D({a}, {b}, dilation_rate={c})",
    "MaxPooling1D({b})",
    "AveragePooling1D({b}, strides={c}, padding=same)",
    "BatchNormalization",
    "LayerNormalization",
    "Dropout(0.5)",
    "MultiHeadAttention({a}, {b})",
    "Bidirectional(LSTM({a}, return_sequences=true))",
    "TimeDistributed(Dense({a}))",
    "UpSampling1D({c})",
    "ZeroPadding1D({c})",
    "Dense(({a} + {b}) // {c})",
    "Dense(max({a}, {b}))",
]


def _program(rng: random.Random) -> str:
    def pick():
        return rng.choice(SIZES)

    chain = [f"input({pick()}, {pick()})"]
    for _ in range(rng.randint(1, 5)):
        chain.append(rng.choice(LAYERS).format(a=pick(), b=pick(), c=pick()))
    if rng.random() < 0.5:
        chain += ["Flatten", f"Dense({pick()})"]
    return " -> ".join(chain)


def _model(seed: int):
    try:
        return symcount.parse(_program(random.Random(seed)))
    except symcount.SymcountError:
        return None  # a kernel larger than its input, and the like: not this test's business


def _every_expression(model):
    for _, r in model.walk(expand=True):
        yield r.params
        yield from (d for d in (r.output_shape if isinstance(r.output_shape, tuple) else ()))
        f = L._formula_of(r)
        yield from (f.general, f.numbers)
        for w in r.weights:
            yield w.size
    yield model.total


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**9))
def test_random_models_print_and_parse(seed):
    m = _model(seed)
    if m is None:
        return
    for v in _every_expression(m):
        text = v if isinstance(v, str) else P.expr(v)
        if text == "None":
            continue
        assert not L.math(text).startswith(r"\texttt"), text  # the printer read it
    check_parses(L.model_latex(m, standalone=True, expand=True))
    check_parses(L.explain_latex(m, standalone=True))


PDFLATEX = shutil.which("pdflatex")


@pytest.mark.skipif(PDFLATEX is None, reason="no pdflatex (Debian: texlive-latex-recommended)")
def test_random_models_compile(tmp_path):
    bodies, seed = [], 0
    while len(bodies) < 30:
        m = _model(seed)
        seed += 1
        if m is not None:
            bodies.append(L.model_latex(m) + "\n" + L.explain_latex(m))
    doc = L.document("\n\\clearpage\n".join(bodies), symcount.parse("input(1) -> Dense(1)"))
    (tmp_path / "fuzz.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "fuzz.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = (tmp_path / "fuzz.log").read_text("latin-1")
    assert run.returncode == 0, log[-3000:]
    assert "Undefined control sequence" not in log
