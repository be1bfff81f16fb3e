"""Every layer of both conventions, applied to inputs with an unknown (None)
axis or a symbol in each position, at ranks 1 to 5: each ends in a model
(rendered as a table, explain and JSON) or in symcount's own error, never a
traceback. The calls are made from each rule's own argument table."""

from __future__ import annotations

import contextlib

import pytest

import symcount
from symcount.conventions import rules_for
from symcount.errors import SymcountError
from symcount.ops.spec import REQUIRED
from symcount.render import explain, formats, table

# a value for each required argument, by kind (an int means every axis)
BY_KIND = {
    "dim": "4",
    "dims": "2",
    "dims0": "1",
    "pads": "1",
    "axis": "-1",
    "axes": "-1",
    "bool": "true",
    "number": "0.5",
    "shape": "(2, -1)",
    "value": "relu",
    "ints": "1",
    "numbers": "2",
    "padding": "1",
    "sizes": "2",
}
INNER = {  # a wrapper's or a stack's inner layer
    "Bidirectional": "LSTM(2)",
    "TimeDistributed": "Dense(2)",
    "TransformerEncoder": "TransformerEncoderLayer(4, 2, 4)",
    "TransformerDecoder": "TransformerDecoderLayer(4, 2, 4)",
    "SpectralNormalization": "Dense(2)",
    "TiedLinear": "Embedding(9, 4)",
}
# Keras layers whose required arguments no kind's value gives (a cell, an equation),
# by name and first argument (torch's RNN is another layer)
CALLS = {
    ("RNN", "cell"): "RNN(LSTMCell(2))",
    ("EinsumDense", "equation"): "EinsumDense('...b,bc->...c', 2)",
}


# what a layer needs beyond its required arguments to run at all
EXTRA = {
    "Lambda": ["output_shape=(2,)"],
    "Upsample": ["scale_factor=2"],
    "UpsamplingNearest2d": ["scale_factor=2"],
    "UpsamplingBilinear2d": ["scale_factor=2"],
    "Discretization": ["num_bins=3"],
}


def call(name: str, rule) -> str:
    if name == "Permute":  # Keras's counts from 1; torch's (every dim, *dims) from the batch
        return "Permute(0, 1)" if rule.args[0].rest else "Permute((1,))"
    if rule.args and (name, rule.args[0].name) in CALLS:
        return CALLS[name, rule.args[0].name]
    args = []
    for x in rule.args:
        if x.default is not REQUIRED:
            continue
        if x.kind == "layer":
            args.append(INNER[name])
        elif x.kind == "enum":
            args.append(f'"{x.choices[0]}"')
        else:
            args.append(BY_KIND[x.kind])
    args += EXTRA.get(name, [])
    return f"{name}({', '.join(args)})"


def inputs(rank: int):
    """Shapes of ``rank`` axes: one None or one symbol in each position, the rest 4."""
    for i in range(rank):
        for odd in ("None", "n"):
            yield ", ".join(odd if j == i else "4" for j in range(rank))


def program(convention: str, name: str, rule, shape: str) -> str:
    head = "convention torch\n" if convention == "torch" else ""
    layer = call(name, rule)
    if rule.inputs[1] == 0:  # a source (Parameter): beside an input, on its own line
        return f"{head}input({shape})\n{layer}"
    if rule.inputs[0] > 1:  # a merge: two tensors of that shape
        return f"{head}a = input({shape})\nb = input({shape})\n{layer.replace('(', '(a, b, ', 1)}"
    return f"{head}input({shape}) -> {layer}".replace(", )", ")")


CASES = [
    (convention, name)
    for convention in ("keras", "torch")
    for name, rule in sorted(rules_for(convention).rules.items())
    if rule.name == name and name not in rules_for(convention).aliases.get(name, ())
]


def test_every_layer_is_swept():
    names = {n for c, n in CASES if c == "torch"}
    assert {"PixelShuffle", "PixelUnshuffle", "Linear", "TransformerDecoder"} <= names
    assert len(CASES) > 200


@pytest.mark.parametrize(("convention", "name"), CASES)
def test_unknown_and_symbolic_axes_never_end_in_a_traceback(convention, name):
    rule = rules_for(convention).get(name)
    ran = 0
    for rank in (1, 2, 3, 4, 5):
        for shape in inputs(rank):
            text = program(convention, name, rule, shape)
            try:
                model = symcount.parse(text)
            except SymcountError:
                continue
            try:
                table.summary(model)
                explain.explain(model)
                formats.to_json(model)
            except SymcountError:
                pass
            ran += 1
    # the sweep reaches each layer's math: some input shape gives a model
    assert ran > 0 or (convention, name) in NEVER_RUN


# layers whose sweep ends only in clean errors: a wrong input for each (Dot
# needs two, Lambda an output_shape, ...); listed so a new one is noticed
NEVER_RUN: set = {
    # a cell runs only inside RNN (alone it is refused, whatever the input)
    *(("keras", n) for n in ("LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells")),
    ("keras", "RandomColorDegeneration"),  # images of 3 channels; the sweep's axes are 4
    # three tensors (the sweep gives two), and an applied Embedding to tie to:
    # tests/test_sdpa.py sweeps them with None and symbolic axes
    ("torch", "ScaledDotProductAttention"),
    ("torch", "TiedLinear"),
}


@pytest.mark.parametrize("name", [n for c, n in CASES if c == "keras"])
def test_time_distributed_of_every_layer_never_ends_in_a_traceback(name):
    rule = rules_for("keras").get(name)
    for rank in (2, 3, 4):
        for shape in inputs(rank):
            text = f"input({shape}) -> TimeDistributed({call(name, rule)})".replace(", )", ")")
            with contextlib.suppress(SymcountError):
                explain.explain(symcount.parse(text))


def test_time_distributed_of_a_merge_is_a_positioned_error():
    with pytest.raises(SymcountError) as info:
        symcount.parse("input(4, 8) -> TimeDistributed(Add())")
    e = info.value
    assert "Add merges 2 or more tensors" in e.message
    assert (e.span.line, e.span.column) == (1, 16)


@pytest.mark.parametrize("backward", ["Add()", "Dense(4)", "MultiHeadAttention(2, 4)"])
def test_bidirectional_with_a_backward_layer_that_is_no_rnn_is_a_positioned_error(backward):
    # found by the fuzz campaign: Add() as the backward layer ended in a TypeError
    with pytest.raises(SymcountError) as info:
        symcount.parse(f"input(t, f) -> Bidirectional(LSTM(4), backward_layer={backward})")
    e = info.value
    assert "wraps a recurrent layer (SimpleRNN, LSTM, GRU" in e.message
    assert e.message.endswith(f"not {backward.split('(')[0]}")
    assert (e.span.line, e.span.column) == (1, 16)


@pytest.mark.parametrize(
    ("layer", "shape", "out"),
    [
        ("PixelShuffle(2)", "None, 4, 4", (None, 8, 8)),
        ("PixelShuffle(2)", "8, None, 4", (2, None, 8)),
        ("PixelUnshuffle(2)", "None, 4, 4", (None, 2, 2)),
        ("PixelUnshuffle(2)", "8, 4, None", (32, 2, None)),
        ("PixelUnshuffle(2)", "3, 8, None, 4", (3, 32, None, 2)),
    ],
)
def test_pixel_shuffle_keeps_an_unknown_axis_unknown(layer, shape, out):
    """torch's lengths are concrete: an unknown one stays unknown (its
    divisibility is checked once it is given), the others are computed."""
    m = symcount.parse(f"convention torch\ninput({shape}) -> {layer}")
    assert m.rows[-1].output_shape == out
