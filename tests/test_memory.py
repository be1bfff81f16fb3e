"""The memory quantities and estimates (docs/memory.md), without the
frameworks: the rules per dtype and optimizer, the outputs they reach, the
options, and the symbolic forms checked by substitution."""

from __future__ import annotations

import contextlib
import doctest
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symcount
from symcount import cli
from symcount import dims as D
from symcount.model.estimates import Zero, accelerate, largest_layer_params, zero
from symcount.render.memory import accelerate_size, keras_size

ROOT = Path(__file__).resolve().parent.parent
MLP = "input(784) -> Dense(300) -> Dense(10)"
P_MLP = 785 * 300 + 301 * 10


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue() + err.getvalue()


# the rules ---------------------------------------------------------------------------

# dtype, optimizer: (param, grad, optimizer) bytes per trainable parameter
RULES = {
    ("float32", "adam"): (4, 4, 8),
    ("float32", "adamw"): (4, 4, 8),
    ("float32", "sgd-momentum"): (4, 4, 4),
    ("float32", "sgd"): (4, 4, 0),
    ("float32", "none"): (4, 4, 0),
    ("float64", "adam"): (8, 8, 16),
    ("bfloat16", "adam"): (2, 2, 4),
    ("float16", "sgd-momentum"): (2, 2, 2),
    ("int8", "adam"): (1, 1, 2),
    ("mixed", "adam"): (2, 2, 12),  # 16 bytes a parameter: ZeRO's 2 + 2 + K
    ("mixed", "sgd-momentum"): (2, 2, 8),
    ("mixed", "sgd"): (2, 2, 4),
    ("mixed", "none"): (2, 2, 0),
}


@pytest.mark.parametrize("dtype,optimizer", list(RULES))
def test_bytes_per_parameter(dtype, optimizer):
    m = symcount.parse(MLP).with_memory(dtype=dtype, optimizer=optimizer)
    p, g, o = RULES[dtype, optimizer]
    assert (m.sum("param_bytes"), m.sum("grad_bytes"), m.sum("optimizer_bytes")) == (
        p * P_MLP,
        g * P_MLP,
        o * P_MLP,
    )


def test_int4_is_half_a_byte_an_entry():
    m = symcount.parse("input(3) -> Dense(1)").with_memory(dtype="int4")
    assert m.sum("param_bytes") == Fraction(4, 2)
    assert symcount.parse("input(2) -> Dense(1)").with_memory(dtype="int4").sum(
        "param_bytes"
    ) == Fraction(3, 2)


def test_frozen_and_non_trainable_weights_have_no_gradients_or_state():
    m = symcount.parse(
        "input(8) -> Dense(4, trainable=false) -> BatchNormalization -> Dense(2)"
    ).with_memory(optimizer="adam")
    trainable = 2 * 4 + (4 * 2 + 2)  # BatchNormalization's gamma and beta, the last Dense
    assert m.sum("grad_bytes") == 4 * trainable
    assert m.sum("optimizer_bytes") == 8 * trainable
    assert m.sum("param_bytes") == 4 * (36 + 16 + 10)


def test_torch_num_batches_tracked_stays_int64():
    text = "convention torch\ninput(3, 8, 8) -> BatchNorm2d(3)"
    for dtype, nb in [("float32", 4), ("bfloat16", 2), ("int8", 1)]:
        m = symcount.parse(text).with_memory(dtype=dtype)
        assert m.sum("param_bytes") == nb * (6 + 6) + 8


def test_shared_layers_once_and_repeats_symbolically():
    shared = symcount.parse(
        "let d = Dense(5)\na = input(5) -> d\nb = input(5) -> d\nAdd(a, b)"
    ).with_memory(optimizer="adam")
    assert shared.sum("param_bytes") == 4 * 30
    assert shared.sum("optimizer_bytes") == 8 * 30
    rep = symcount.parse("input(d) -> repeat L { Dense(d) }").with_memory(optimizer="adam")
    d, L = D.symbol("d"), D.symbol("L")
    assert D.equal(rep.sum("param_bytes"), 4 * L * d * (d + 1))


@pytest.mark.parametrize("example", ["gpt2.sc", "lstm_symbolic.sc", "transformer_symbolic.sc"])
@pytest.mark.parametrize("dtype,optimizer", [("float32", "adam"), ("mixed", "sgd-momentum")])
def test_symbolic_forms_by_substitution(example, dtype, optimizer):
    """The symbolic totals with numbers put in are the counts of the model
    evaluated at those numbers."""
    text = (ROOT / "examples" / example).read_text()
    sym = symcount.parse(text).with_memory(dtype=dtype, optimizer=optimizer)
    for k, values in enumerate([2, 3, 8]):
        at = {s: values + i + k for i, s in enumerate(sym.symbols)}
        if "h" in at:  # transformer_symbolic: d a multiple of h
            at["d"] = at["h"] * 2
        num = symcount.parse(text, values=at).with_memory(dtype=dtype, optimizer=optimizer)
        for q in ("param_bytes", "grad_bytes", "optimizer_bytes"):
            assert sym.subs(**at).sum(q) == num.sum(q), (q, at)


# Keras's and accelerate's number formats ------------------------------------------------


def _readable_memory_size(weight_memory_size):
    # keras/src/utils/summary_utils.py, Keras 3.15.1, verbatim but for the name
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    scale = 1024
    for unit in units:
        if weight_memory_size / scale < 1:
            return f"{weight_memory_size:.2f} {unit}"
        else:
            weight_memory_size /= scale
    return f"{weight_memory_size:.2f} {units[-1]}"


@given(st.integers(min_value=0, max_value=10**19))
def test_keras_size_is_kerass_readable_memory_size(n):
    assert keras_size(n) == _readable_memory_size(n)


@pytest.mark.parametrize(
    "n,text",
    [(10_654_712, "10.16 MB"), (0, "0.00 B"), (288, "288.00 B"), (1023, "1023.00 B"),
     (1024, "1.00 KB"), (1024**3, "1.00 GB"), (Fraction(3, 2), "1.50 B")],
)  # fmt: skip
def test_keras_sizes(n, text):
    assert keras_size(n) == text


@pytest.mark.parametrize(
    "n,text",
    [(497_759_232, "474.7 MB"), (1_991_036_928, "1.85 GB"), (512, "512 bytes"),
     (512.0, "512.0 bytes"), (None, "N/A")],
)  # fmt: skip
def test_accelerate_sizes(n, text):
    assert accelerate_size(n) == text


# the estimates ----------------------------------------------------------------------------


def test_zero_formulas():
    m = symcount.parse(MLP)
    p = P_MLP
    assert zero(m, Zero(2, 8)) == (2 * p + 18 * p // 8, 6 * p * 8)
    assert zero(m, Zero(1, 8)) == zero(m, Zero(2, 8))  # one DeepSpeed estimate for both
    assert zero(m, Zero(2, 2, 1, "cpu")) == (2 * p, 24 * p)  # max(4*2, 16) * 1.5
    assert largest_layer_params(m) == 785 * 300
    assert zero(m, Zero(3, 4, 1, "cpu")) == (4 * 785 * 300, 27 * p)


def test_accelerate_on_a_named_block_counts_the_block_whole():
    m = symcount.parse(
        "block b { Dense(10) -> Dense(10) }\ninput(10) -> repeat 3 { b } -> Dense(2)"
    )
    largest = accelerate(m)["float32"][0]
    assert largest == 4 * 2 * 110  # one pass of the block, not one Dense


# the command line -----------------------------------------------------------------------------


def test_default_output_has_no_memory():
    code, text = run("summary", "-e", MLP, "--format", "json")
    assert code == 0 and "memory" not in json.loads(text) and "param_bytes" not in text


def test_json_memory_object():
    _, text = run("summary", "-e", MLP, "--optimizer", "adam", "--format", "json")
    d = json.loads(text)
    assert d["memory"] == {
        "dtype": "float32",
        "optimizer": "adam",
        "param_bytes": 4 * P_MLP,
        "grad_bytes": 4 * P_MLP,
        "optimizer_bytes": 8 * P_MLP,
        "optimizer_params": 2 * P_MLP + 2,
    }
    assert [r["param_bytes"] for r in d["layers"]] == [4 * 785 * 300, 4 * 3010]
    _, text = run("summary", "-e", "input(f) -> Dense(u)", "--memory", "--format", "json")
    assert json.loads(text)["memory"]["param_bytes"] == "4*u*(f + 1)"


def test_csv_and_markdown_columns():
    _, csv = run("summary", "-e", MLP, "--optimizer", "adam", "--format", "csv")
    assert csv.splitlines()[0].endswith("param_bytes,grad_bytes,optimizer_bytes")
    _, md = run("summary", "-e", MLP, "--memory", "--format", "markdown")
    assert "| Bytes |" in md and "**Parameter memory:** 954,040" in md


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--devices", "8"], "--devices goes with --zero"),
        (["--offload", "cpu"], "--offload goes with --zero"),
        (["--zero", "4"], "invalid choice"),
        (["--dtype", "float8"], "invalid choice"),
        (["--optimizer", "lion"], "invalid choice"),
    ],
)
def test_option_mistakes(argv, message):
    code, text = run("summary", "-e", MLP, *argv)
    assert code == 2 and message in text


def test_solve_for_a_memory_budget():
    code, text = run(
        "solve", "-e", "input(784) -> Dense(u) -> Dense(10)", "--count", "optimizer_bytes",
        "--optimizer", "adam", "--at-most", "1M",
    )  # fmt: skip
    assert code == 0
    # 8 bytes a trainable parameter: 8*(785u + 10u + 10) <= 10**6 -> u = 157
    assert "u = 157" in text and 8 * (795 * 157 + 10) <= 10**6 < 8 * (795 * 158 + 10)


def test_the_docs_pages_python_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "docs" / "memory.md"), module_relative=False)
    assert result.attempted >= 3 and result.failed == 0
