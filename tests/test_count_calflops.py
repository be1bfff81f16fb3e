"""The calflops and deepspeed presets without the tools (the live test,
tests/test_live_count_calflops.py, checks them against calflops 0.3.2 and
DeepSpeed 0.19.8): the rules as the tools' sources write them, by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.errors import SymcountError

EXAMPLE = "examples/torch_mnist_cnn.sc"
TOOLS = ("calflops", "deepspeed")


def count(source: str, tool: str, batch=1) -> tuple:
    m = symcount.parse(f"convention torch\n{source}", counting=tool).batched(batch)
    return m.totals["flops"], m.totals["macs"]


@pytest.mark.parametrize(
    ("source", "calflops", "deepspeed"),
    [
        # Linear: 2 x MACs, no bias; a sequence's steps are rows
        ("input(5, 8) -> Linear(8, 16)", (1280, 640), (1280, 640)),
        # conv bias: one add per output entry (24 x 26 x 26)
        ("input(1, 28, 28) -> Conv2d(1, 24, 3)", (308_256, 146_016), (308_256, 146_016)),
        # "same" with an even kernel: calflops pads 1 a side, 9 positions, not 10
        ("input(2, 10) -> Conv1d(2, 3, 4, padding='same', bias=false)", (432, 216), (432, 216)),
        # transposed: calflops divides the per-group filters by the groups again (4 // 2),
        # its bias over the forward conv's (5 - 3)//2 + 1 = 2 positions; DeepSpeed: 4
        # filters a group, the bias over torch's 11 positions
        (
            "input(4, 5) -> ConvTranspose1d(4, 8, 3, stride=2, groups=2)",
            (2 * 5 * 3 * 4 * 2 + 4 * 2, 5 * 3 * 4 * 2),
            (2 * 5 * 3 * 4 * 4 + 8 * 11, 5 * 3 * 4 * 4),
        ),
        # activations, pooling, softmax: 1 per input entry; the unpatched ones 0
        ("input(6, 4) -> ReLU() -> MaxPool1d(2) -> Softmax(-1)", (24 + 24 + 12, 0), (60, 0)),
        ("input(6, 4) -> Tanh() -> Hardtanh() -> Mish() -> Dropout()", (0, 0), (0, 0)),
        # norms: BatchNorm in eval with running statistics 2 per entry, without them 5
        ("input(3, 4) -> BatchNorm1d(3)", (24, 0), (24, 0)),
        ("input(3, 4) -> BatchNorm1d(3, track_running_stats=false)", (60, 0), (60, 0)),
        ("input(3, 4) -> LayerNorm(4, elementwise_affine=false)", (48, 0), (48, 0)),
        # LSTM(6 -> 64) on 100 steps: the hook's FLOPs, no MACs (COMPUTE.md)
        ("input(100, 6) -> LSTM(6, 64)", (3_648_000, 0), (3_648_000, 0)),
        # self-attention (need_weights): projections 4 x 10 x 8 x 8 and softmax 2 x 10 x 10;
        # DeepSpeed adds both bmm's, 2 x 10 x 10 x 8 MACs
        (
            "input(10, 8) -> MultiheadAttention(8, 2)",
            (2 * 2560 + 200, 2560),
            (2 * 4160 + 200, 4160),
        ),
        # upsampling by a scale: the input's entries (DeepSpeed: the output's); by a size
        # prod(size)
        ("input(2, 3) -> Upsample(scale_factor=2)", (6, 0), (12, 0)),
        ("input(2, 3) -> Upsample(size=5)", (5, 0), (5, 0)),
        # embeddings, Bilinear, RMSNorm: 0
        ("input(7) -> Embedding(100, 16)", (0, 0), (0, 0)),
    ],
)
def test_rules_by_hand(source, calflops, deepspeed):
    assert count(source, "calflops") == calflops
    assert count(source, "deepspeed") == deepspeed


def _hook(kind, i, h, layers, bidirectional, bias, proj):
    """calflops' _rnn_forward_hook per step, layer by layer, on the weight shapes."""
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[kind] * h
    extra = {"RNN": h, "GRU": 7 * h, "LSTM": 10 * h}[kind]
    state = proj or h
    dirs = 2 if bidirectional else 1
    flops = 0
    for layer in range(layers):
        cols = i if layer == 0 else state * dirs
        flops += 2 * gates * cols - gates + 2 * gates * state - gates + extra
        flops += 2 * gates if bias else 0
    return flops * dirs


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["RNN", "GRU", "LSTM"]),
    i=st.integers(1, 40),
    h=st.integers(1, 40),
    layers=st.integers(1, 4),
    bidirectional=st.booleans(),
    bias=st.booleans(),
    proj=st.integers(0, 39),
    t=st.integers(1, 50),
)
def test_recurrent_closed_form_is_the_hooks_loop(kind, i, h, layers, bidirectional, bias, proj, t):
    proj = proj if kind == "LSTM" and proj < h else 0
    args = f"{i}, {h}, num_layers={layers}, bidirectional={str(bidirectional).lower()}"
    args += f", bias={str(bias).lower()}" + (f", proj_size={proj}" if proj else "")
    want = t * _hook(kind, i, h, layers, bidirectional, bias, proj)
    for tool in TOOLS:
        assert count(f"input({t}, {i}) -> {kind}({args})", tool) == (want, 0)


@pytest.mark.parametrize("tool", TOOLS)
def test_symbolic_batch_and_length(tool):
    m = symcount.parse(
        "convention torch\ninput(T, 8) -> TransformerEncoderLayer(8, 2, 16)", counting=tool
    ).batched("B")
    for b, t in [(1, 1), (2, 5), (3, 64)]:
        assert (
            m.subs(B=b, T=t).totals["flops"]
            == b * count(f"input({t}, 8) -> TransformerEncoderLayer(8, 2, 16)", tool)[0]
        )


@pytest.mark.parametrize("tool", TOOLS)
def test_keras_models_are_refused_with_a_hint(tool):
    with pytest.raises(SymcountError) as e:
        symcount.parse("input(4) -> Dense(2)", counting=tool)
    assert "--convention torch" in str(e.value)


@pytest.mark.parametrize("tool", TOOLS)
def test_golden_summary(capsys, golden, tool):
    from symcount.cli import main

    assert main(["summary", EXAMPLE, "--count-as", tool]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    golden(f"torch_mnist_cnn.{tool}.summary.txt", out)
