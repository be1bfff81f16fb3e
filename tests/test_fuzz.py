"""Grammar fuzzing: every string the grammar generates either evaluates to a
model or raises symcount's own error, never anything else (and never hangs)."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

import symcount
from symcount.language.syntax import lark_parser

# Names that exercise real layers, functions, constants and symbols. Spaces
# around them keep generated text tokenizing the way the grammar meant it.
NAMES = [
    "Dense",
    "Conv2D",
    "Conv1D",
    "LSTM",
    "GRU",
    "Flatten",
    "Reshape",
    "Embedding",
    "BatchNormalization",
    "Bidirectional",
    "TimeDistributed",
    "MaxPooling2D",
    "Dropout",
    "MultiHeadAttention",
    "input",
    "Input",
    "ceil",
    "floor",
    "min",
    "max",
    "true",
    "None",
    "relu",
    "same",
    "valid",
    "u",
    "f",
    "x",
    "units",
    "padding",
    "strides",
    "shape",
    "return_sequences",
    "name",
    "keras",
    "torch",
    "Conv2d",
]
EXPLICIT = {
    "NAME": st.sampled_from(NAMES).map(lambda n: f" {n} "),
    "INT": st.integers(0, 70).map(lambda n: f" {n} "),
    "DECIMAL": st.sampled_from([" 0.5 ", " 1e3 ", " .25 "]),
    "STRING": st.sampled_from(['"same"', '"relu"', '"x"', "'valid'"]),
}

SETTINGS = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(from_lark(lark_parser(), start="start", explicit=EXPLICIT))
def test_generated_programs_evaluate_or_raise_symcount_errors(text):
    try:
        model = symcount.parse(text)
    except symcount.SymcountError as e:
        assert str(e)  # renders with a position
        return
    model.to_dict()


@SETTINGS
@given(st.text(alphabet="()[],;=->*+/%^#\n 0123456789abcDLSTMe_.'\"", max_size=80))
def test_arbitrary_text_never_crashes(text):
    with contextlib.suppress(symcount.SymcountError):
        symcount.parse(text)
