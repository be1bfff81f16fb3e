"""``--count-as calflops`` and ``--count-as deepspeed`` against the tools
themselves: calflops 0.3.2 ``calculate_flops`` and DeepSpeed 0.19.8's
``get_model_profile`` (tests/calflops_tools.py runs them), FLOPs and MACs both,
exactly:

- every recorded torch reference case (tests/reference/torch_layers.json,
  built and run as tests/test_live_compute.py does), at batch 2, but for the
  few listed in ``DISAGREE`` with the reason (each still disagrees at batch 2,
  and agrees at batch 1 or crashes the tool);
- whole models: the MNIST CNN, LSTM(6 -> 64) on 100 steps, a
  TransformerEncoderLayer at several lengths, grouped/strided/dilated and
  transposed convolutions; the public numbers of docs/compute.md;
- symbolic sizes: the count at a symbol, substituted, is the tool's count.

Needs torch, calflops and deepspeed (the ``frameworks`` extra); skipped without.
"""

from __future__ import annotations

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)
pytest.importorskip("calflops", reason="calflops is not installed (the frameworks extra)")
pytest.importorskip(
    "deepspeed.profiling.flops_profiler", reason="deepspeed is not installed (the frameworks extra)"
)

import symcount
from tests.calflops_tools import TOOLS, case_counts, measure
from tests.reference.torch_cases import recorded_by_layer
from tests.test_live_compute import CONVS, ENCODER, MNIST, _convs, _mnist
from tests.torch_differential import case_source

pytestmark = pytest.mark.live

BATCH = 2
BY_LAYER = recorded_by_layer()
CASES = [c for cases in BY_LAYER.values() for c in cases]

# The cases whose count depends on the batch in a way no per-sample formula
# has: the tool's number at batch 2 is not twice its number at batch 1.
SIZE = (
    "F.interpolate given a size: the tool counts prod(size) once for the whole batch "
    "and every channel; the preset counts it per sample (they agree at batch 1)"
)
FLOOR = (
    "DeepSpeed takes int() of the whole batch's entries x the scale factors, not a "
    "non-integer per sample; the preset floors per sample (they agree at batch 1)"
)
CRASH = (
    "calflops 0.3.2 evaluates scale_factor ** len(input) with a tuple of scales: a "
    "TypeError unless the tuple's length is the batch size"
)
_SIZED = """Upsample-0002 Upsample-0006 Upsample-0015 Upsample-0016 Upsample-0017 Upsample-0018
Upsample-0019 Upsample-0020 Upsample-0021 Upsample-0022 Upsample-0023 Upsample-0027
Upsample-0030 UpsamplingNearest2d-0003 UpsamplingNearest2d-0005 UpsamplingNearest2d-0006
UpsamplingNearest2d-0007 UpsamplingNearest2d-0008 UpsamplingNearest2d-0009
UpsamplingNearest2d-0010 UpsamplingNearest2d-0011 UpsamplingNearest2d-0016
UpsamplingNearest2d-0017 UpsamplingNearest2d-0019 UpsamplingNearest2d-0027
UpsamplingNearest2d-0031 UpsamplingBilinear2d-0000 UpsamplingBilinear2d-0001
UpsamplingBilinear2d-0003 UpsamplingBilinear2d-0007 UpsamplingBilinear2d-0009
UpsamplingBilinear2d-0013 UpsamplingBilinear2d-0015 UpsamplingBilinear2d-0016
UpsamplingBilinear2d-0020 UpsamplingBilinear2d-0022 UpsamplingBilinear2d-0023
UpsamplingBilinear2d-0025 UpsamplingBilinear2d-0027 UpsamplingBilinear2d-0029"""
_FLOORED = """Upsample-0007 Upsample-0008 Upsample-0029 UpsamplingNearest2d-0004
UpsamplingNearest2d-0015 UpsamplingNearest2d-0023 UpsamplingNearest2d-0030
UpsamplingBilinear2d-0002 UpsamplingBilinear2d-0004 UpsamplingBilinear2d-0008
UpsamplingBilinear2d-0021 UpsamplingBilinear2d-0026"""
_CRASHED = """Upsample-0001 Upsample-0003 Upsample-0004 Upsample-0013 Upsample-0026 Upsample-0029
Upsample-0031"""
DISAGREE = {
    **{("calflops", i): SIZE for i in _SIZED.split()},
    **{("deepspeed", i): SIZE for i in _SIZED.split()},
    **{("deepspeed", i): FLOOR for i in _FLOORED.split()},
    **{("calflops", i): CRASH for i in _CRASHED.split()},
}


def preset(source: str, tool: str, batch=BATCH) -> list:
    m = symcount.parse(source, counting=tool).batched(batch)
    return [m.totals["flops"], m.totals["macs"]]


@pytest.fixture(scope="module")
def measured():
    """Both tools' counts for every recorded case at batch 2, once (one torch
    thread: the modules are tiny)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield {c["id"]: case_counts(c, BATCH) for c in CASES}
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(measured, layer):
    wrong = []
    for case in BY_LAYER[layer]:
        src = case_source(case)
        for tool in TOOLS:
            want, got = measured[case["id"]][tool], preset(src, tool)
            listed = (tool, case["id"]) in DISAGREE
            if listed and got == want:
                wrong.append(f"{tool} {case['id']}: listed in DISAGREE, but agrees ({got})")
            if not listed and got != want:
                wrong.append(f"{tool} {case['id']}: symcount {got}, the tool {want}")
    assert not wrong, "\n".join(wrong[:10])


def test_the_listed_cases_disagree_for_their_reason():
    """At batch 1 the per-batch counts are the per-sample ones: they agree;
    the crashes are the tool's (at batch 1 a tuple of one scale does not crash)."""
    by_id = {c["id"]: c for c in CASES}
    wrong = []
    for (tool, cid), why in sorted(DISAGREE.items()):
        case = by_id[cid]
        got = case_counts(case, 1)[tool]
        if why == CRASH and len(case["kwargs"]["scale_factor"]) != 1:  # 1: the batch
            if not (isinstance(got, str) and got.startswith("TypeError")):
                wrong.append(f"{tool} {cid}: expected calflops' TypeError, got {got}")
        elif got != preset(case_source(by_id[cid]), tool, 1):
            wrong.append(f"{tool} {cid}: at batch 1 the tool {got}")
    assert not wrong, "\n".join(wrong)


def test_the_tools_see_attention_differently(measured):
    """Not vacuous: DeepSpeed counts SDPA and MultiheadAttention's bmm's,
    calflops neither."""
    for case in BY_LAYER["ScaledDotProductAttention"]:
        cf, ds = measured[case["id"]]["calflops"], measured[case["id"]]["deepspeed"]
        assert cf == [0, 0] and ds[1] > 0
    for case in BY_LAYER["MultiheadAttention"]:
        cf, ds = measured[case["id"]]["calflops"], measured[case["id"]]["deepspeed"]
        assert ds[1] > cf[1] > 0


# whole models ---------------------------------------------------------------------


def _tool(tool, model, *inputs):
    """As the tools are called: with gradients on (under no_grad an eval-mode
    Transformer layer takes torch's fused fast path, which they count apart)."""
    return list(measure(tool, model, list(inputs)))


@pytest.mark.parametrize("tool", TOOLS)
def test_mnist_cnn_public_number(tool):
    import torch

    want = _tool(tool, _mnist(), torch.zeros(1, 1, 28, 28))
    assert want == [14_597_920, 7_280_480]
    assert preset(MNIST, tool, 1) == want
    assert symcount.load("examples/torch_mnist_cnn.sc", counting=tool).totals["flops"] == 14_597_920
    assert preset(MNIST, tool, 2) == _tool(tool, _mnist(), torch.zeros(2, 1, 28, 28))


@pytest.mark.parametrize("tool", TOOLS)
def test_lstm_public_number(tool):
    import torch

    want = _tool(tool, torch.nn.LSTM(6, 64), torch.zeros(100, 1, 6))
    assert want == [3_648_000, 0]  # the hook counts FLOPs only
    assert preset("convention torch\ninput(100, 6) -> LSTM(6, 64)", tool, 1) == want


@pytest.mark.parametrize("tool", TOOLS)
def test_grouped_strided_dilated_and_transposed_convolutions(tool):
    import torch

    assert preset(CONVS, tool) == _tool(tool, _convs(), torch.zeros(BATCH, 16, 33, 31))


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("t", [1, 7, 32])
def test_transformer_encoder_layer_at_several_lengths(tool, t):
    import torch

    layer = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=True)
    want = _tool(tool, layer, torch.zeros(BATCH, t, 64))
    assert preset(ENCODER.format(t=t), tool) == want
    sym = symcount.parse(ENCODER.format(t="T"), counting=tool).batched(BATCH).subs(T=t)
    assert [sym.totals["flops"], sym.totals["macs"]] == want


# symbolic sizes --------------------------------------------------------------------

SYMBOLIC = """convention torch
input(3, H, W) -> Conv2d(3, 8, 4, padding="same") -> BatchNorm2d(8) -> ReLU()
  -> MaxPool2d(2) -> ConvTranspose2d(8, 4, 3, stride=2, groups=2) -> GroupNorm(2, 4)"""


def _symbolic_model():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(3, 8, 4, padding="same"),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.ConvTranspose2d(8, 4, 3, stride=2, groups=2),
        nn.GroupNorm(2, 4),
    )


@pytest.mark.parametrize("tool", TOOLS)
def test_symbolic_counts_substituted_are_the_tools(tool):
    """calflops' "same" padding (one position short for an even kernel) and its
    transposed-conv formula (floors) hold symbolically."""
    import torch

    m = symcount.parse(SYMBOLIC, counting=tool).batched("B")
    assert m.totals["flops"].free_symbols
    for b, h, w in [(1, 8, 8), (2, 9, 13), (3, 16, 7)]:
        got = m.subs(B=b, H=h, W=w)
        want = _tool(tool, _symbolic_model(), torch.zeros(b, 3, h, w))
        assert [got.totals["flops"], got.totals["macs"]] == want, (b, h, w)
        numeric = symcount.parse(SYMBOLIC.replace("H, W", f"{h}, {w}"), counting=tool).batched(b)
        assert numeric.totals == got.totals


@pytest.mark.parametrize("tool", TOOLS)
def test_symbolic_lstm_length(tool):
    import torch

    m = symcount.parse("convention torch\ninput(T, 6) -> LSTM(6, 64)", counting=tool)
    for t in (1, 17, 100):
        want = _tool(tool, torch.nn.LSTM(6, 64), torch.zeros(t, 1, 6))
        assert m.subs(T=t).totals["flops"] == want[0]


# GPT-2 (transformers, eager attention) ---------------------------------------------


def gpt2_count(t, d, h, layers, vocab) -> int:
    """GPT-2's FLOPs by the rules both tools share, per op: LayerNorms 5 per entry;
    HF's Conv1D is torch.addmm (2 x MACs + the bias, once a call); the eager
    attention's two torch.matmul (T^2·d MACs each) and its softmax (h·T^2);
    the GELU is arithmetic on tensors (0); the LM head an F.linear (no bias)."""
    block = (
        2 * 5 * t * d  # ln_1, ln_2
        + 2 * t * d * 3 * d
        + 3 * d  # c_attn
        + 2 * 2 * t * t * d  # Q·Kᵀ and A·V
        + h * t * t  # softmax
        + 2 * t * d * d
        + d  # attention's c_proj
        + 2 * t * d * 4 * d
        + 4 * d  # mlp c_fc
        + 2 * t * 4 * d * d
        + d  # mlp c_proj
    )
    return layers * block + 5 * t * d + 2 * t * d * vocab  # ln_f, lm_head


@pytest.fixture(scope="module")
def transformers():
    return pytest.importorskip("transformers", reason="transformers is not installed")


def _gpt2(transformers, **config):
    config = transformers.GPT2Config(**config, attn_implementation="eager")
    return transformers.GPT2LMHeadModel(config)


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize(
    ("t", "config"),
    [
        (16, dict(n_layer=2, n_embd=64, n_head=4, n_positions=128, vocab_size=1000)),
        (37, dict(n_layer=3, n_embd=48, n_head=3, n_positions=64, vocab_size=500)),
    ],
)
def test_small_gpt2_on_cpu(transformers, tool, t, config):
    import torch

    model = _gpt2(transformers, bos_token_id=0, eos_token_id=0, **config)
    flops, _ = _tool(tool, model, torch.zeros(1, t, dtype=torch.long))
    c = config
    assert flops == gpt2_count(t, c["n_embd"], c["n_head"], c["n_layer"], c["vocab_size"])


def test_gpt2_small_on_1024_tokens(transformers):
    """calflops runs on the meta device (DeepSpeed does not: meta's matmul
    decomposes into the bmm's it patches, counted twice); the small configs
    above show both tools follow the formula."""
    import torch

    with torch.device("meta"):
        model = _gpt2(transformers)
        ids = torch.zeros(1, 1024, dtype=torch.long)
    flops, macs = _tool("calflops", model, ids)
    assert flops == gpt2_count(1024, 768, 12, 12, 50257) == 291_897_689_088
    assert macs == 145_824_153_600
