"""symcount's default FLOPs against real PyTorch's own counter,
``torch.utils.flop_counter.FlopCounterMode`` (2 per multiply-accumulate over
matmuls and convolutions, bias adds left out: the default convention of
docs/compute.md), at batch 2:

- every recorded torch reference case (tests/reference/torch_layers.json),
  built as tests/reference/torch_cases.py builds it and run forward under the
  counter (scaled dot-product attention on its math kernel, which the counter
  sees as matmuls; CPU's fused kernel is counted as 0);
- whole models: the MNIST CNN, a TransformerEncoderLayer, grouped, strided
  and dilated convolutions, a shared layer called on two lengths;
- where the counter counts nothing (the recurrent layers on CPU), a hand count
  from the real module: each step multiplies the input and the state by every
  weight matrix once, so MACs = steps x the matrices' entries.

Needs torch (the ``frameworks`` extra); skipped without it.
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
from tests.reference.torch_cases import built, recorded_by_layer, run_forward
from tests.torch_differential import case_source

pytestmark = pytest.mark.live

BATCH = 2
BY_LAYER = recorded_by_layer()
# FlopCounterMode counts no recurrent kernel on CPU (aten.lstm, gru, rnn_*): hand counts,
# nor Bilinear's aten._trilinear
UNSEEN = {"RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "Bilinear"}


def counted(fn) -> int:
    """FlopCounterMode's total for ``fn()`` (no gradients, SDPA's math kernel)."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    fc = FlopCounterMode(display=False)
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), fc, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn()
    return fc.get_total_flops()


def flops(source: str, batch=BATCH):
    return symcount.parse(source).batched(batch).totals["flops"]


def hand_count(module, case) -> int:
    """FLOPs the counter does not see: 2 x batch x the positions each weight
    matrix is applied at x its entries. A recurrent layer applies every matrix
    once per step; Bilinear (aten._trilinear) its weight once per position."""
    import math

    if case["layer"] == "Bilinear":
        positions = math.prod(case["input_shape"][:-1])
    else:
        positions = 1 if case["layer"].endswith("Cell") else case["input_shape"][0]
    matrices = sum(p.numel() for n, p in module.named_parameters() if n.startswith("weight"))
    return 2 * BATCH * positions * matrices


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(layer):
    wrong = []
    for case in BY_LAYER[layer]:
        module = built(case)
        want = counted(lambda m=module, c=case: run_forward(m, c, BATCH))
        got = flops(case_source(case))
        if layer in UNSEEN:  # the hand count, whether the counter sees the kernel or not
            hand = hand_count(module, case)
            if want not in (0, hand):
                wrong.append(f"{case['id']}: the counter {want}, the hand count {hand}")
            want = hand
        if got != want:
            wrong.append(f"{case['id']}: symcount {got}, torch {want}")
    assert not wrong, "\n".join(wrong[:10])


def test_the_counter_sees_attention_matmuls():
    """The recorded attention cases are not vacuous: their count has the
    scores and the weighted values (more than the projections alone)."""
    for layer in ("MultiheadAttention", "TransformerEncoderLayer", "ScaledDotProductAttention"):
        assert any(flops(case_source(c)) > 0 for c in BY_LAYER[layer]), layer


# whole models ---------------------------------------------------------------------------

MNIST = """convention torch
input(1, 28, 28) -> Conv2d(1, 24, 3) -> Conv2d(24, 36, 3) -> Flatten()
  -> Linear(20736, 128) -> Linear(128, 10)"""
CONVS = """convention torch
input(16, 33, 31)
  -> Conv2d(16, 32, 3, stride=2, padding=1, groups=4)
  -> Conv2d(32, 32, 5, dilation=2, padding=3, groups=32)
  -> Conv2d(32, 8, (3, 1), stride=(1, 3), dilation=(2, 1))
  -> ConvTranspose2d(8, 12, 4, stride=3, padding=1, output_padding=2, groups=2)"""
ENCODER = "convention torch\ninput({t}, 64) -> TransformerEncoderLayer(64, 4, 256)"


def _mnist():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 24, 3),
        nn.Conv2d(24, 36, 3),
        nn.Flatten(),
        nn.Linear(20736, 128),
        nn.Linear(128, 10),
    )


def _convs():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(16, 32, 3, stride=2, padding=1, groups=4),
        nn.Conv2d(32, 32, 5, dilation=2, padding=3, groups=32),
        nn.Conv2d(32, 8, (3, 1), stride=(1, 3), dilation=(2, 1)),
        nn.ConvTranspose2d(8, 12, 4, stride=3, padding=1, output_padding=2, groups=2),
    )


def test_mnist_cnn():
    import torch

    want = counted(lambda: _mnist()(torch.zeros(BATCH, 1, 28, 28)))
    assert want == flops(MNIST) == BATCH * 14_560_960


def test_grouped_strided_dilated_and_transposed_convolutions():
    import torch

    assert counted(lambda: _convs()(torch.zeros(BATCH, 16, 33, 31))) == flops(CONVS)


@pytest.mark.parametrize("t", [1, 7, 32])
def test_transformer_encoder_layer_at_several_lengths(t):
    import torch

    layer = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=True)
    want = counted(lambda: layer(torch.zeros(BATCH, t, 64)))
    assert symcount.parse(ENCODER.format(t="T")).batched(BATCH).subs(T=t).totals["flops"] == want
    assert flops(ENCODER.format(t=t)) == want


def test_shared_linear_counts_each_call_on_its_own_shapes():
    import torch

    lin = torch.nn.Linear(8, 16)
    want = counted(lambda: (lin(torch.zeros(BATCH, 5, 8)), lin(torch.zeros(BATCH, 3, 8))))
    src = """convention torch
let lin = Linear(8, 16)
a = input(5, 8) -> lin
b = input(3, 8) -> lin
output a, b"""
    assert flops(src) == want == BATCH * 2 * (5 + 3) * 8 * 16


def test_lstm_against_the_hand_count():
    """The issue's anchor, 1,792,000 MACs; the counter, where it sees the kernel, agrees."""
    import torch

    lstm = torch.nn.LSTM(6, 64)
    assert counted(lambda: lstm(torch.zeros(100, 1, 6))) in (0, 2 * 1_792_000)
    model = symcount.parse("convention torch\ninput(100, 6) -> LSTM(6, 64)")
    case = {"layer": "LSTM", "input_shape": [100, 6]}
    assert model.totals["macs"] == 1_792_000 == hand_count(lstm, case) // (2 * BATCH)
