"""``--count-as fvcore`` against fvcore itself:
``fvcore.nn.FlopCountAnalysis(model, inputs).total()`` (fvcore
0.1.5.post20221221, a jit trace; modules as built, in training mode), at
batch 2:

- every recorded torch reference case (tests/reference/torch_layers.json),
  built and run as tests/reference/torch_cases.py builds and runs it (its
  ``build_module`` and ``run_forward``): one trace per layer type, each case
  a submodule, read per case from ``by_module()``; every case agrees, none
  is left out;
- whole models: the MNIST CNN, LSTM(6 -> 64) over 100 steps,
  nn.TransformerEncoderLayer at several lengths, grouped, strided, dilated
  and transposed convolutions, GPT-2 small (transformers' GPT2LMHeadModel,
  eager attention, 1,024 tokens, on the meta device) written in symcount's
  torch convention;
- symbolic sizes, substituted at several points, against the tool.

Needs torch and fvcore (the ``frameworks`` extra); skipped without them.
"""

from __future__ import annotations

import logging
import warnings

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)
pytest.importorskip(
    "fvcore", reason="fvcore is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
from tests.reference.torch_cases import build_module, recorded_by_layer, run_forward
from tests.test_live_compute import CONVS, ENCODER, MNIST, _convs, _mnist
from tests.torch_differential import case_source

pytestmark = pytest.mark.live

BATCH = 2
BY_LAYER = recorded_by_layer()


def analysis(model, inputs):
    """fvcore's FlopCountAnalysis, its warnings about skipped ops silenced."""
    from fvcore.nn import FlopCountAnalysis

    a = FlopCountAnalysis(model, inputs)
    return a.unsupported_ops_warnings(False).uncalled_modules_warnings(False)


def total(model, *inputs) -> int:
    logging.disable(logging.WARNING)  # fvcore logs each op it skips
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(analysis(model, inputs).total())
    finally:
        logging.disable(logging.NOTSET)


def preset(source: str, batch=BATCH):
    return symcount.parse(source, counting="fvcore").batched(batch).totals


def _first_tensor(out):
    while isinstance(out, tuple | list):
        out = out[0]
    return out


def cases_module(cases):
    """One module running every case as run_forward runs it: each case a
    submodule ``parts.i``, its output returned (so the trace keeps it)."""
    import torch

    class Cases(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.parts = torch.nn.ModuleList()
            for case in cases:
                torch.manual_seed(0)
                self.parts.append(build_module(case))

        def forward(self, _):
            outs = []
            for part, case in zip(self.parts, cases, strict=True):
                got = []
                hook = part.register_forward_hook(lambda m, i, o, got=got: got.append(o))
                try:
                    run_forward(part, case, BATCH)
                finally:
                    hook.remove()
                outs.append(_first_tensor(got[0]))
            return tuple(outs)

    return Cases()


def by_case(cases) -> list[int]:
    """fvcore's count of each case, from one trace of them all."""
    import torch

    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            counts = analysis(cases_module(cases), (torch.zeros(1),)).by_module()
    finally:
        logging.disable(logging.NOTSET)
    return [int(counts[f"parts.{i}"]) for i in range(len(cases))]


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(layer):
    cases = BY_LAYER[layer]
    wrong = []
    for case, want in zip(cases, by_case(cases), strict=True):
        got = preset(case_source(case))
        if (got["macs"], got["flops"]) != (want, want):
            wrong.append(f"{case['id']}: symcount {got['macs']}/{got['flops']}, fvcore {want}")
    assert not wrong, "\n".join(wrong[:10])


def test_the_recorded_cases_count_something_and_skip_something():
    """Not vacuous: fvcore counts the norms, the upsampling and the Transformer
    layers it has handles for, and skips what it has none for (0) where the
    default convention counts matmuls."""
    for layer in ("LayerNorm", "BatchNorm2d", "UpsamplingBilinear2d", "TransformerEncoderLayer"):
        assert all(n > 0 for n in by_case(BY_LAYER[layer][:3])), layer
    for layer in ("LSTM", "Bilinear", "ScaledDotProductAttention"):
        cases = BY_LAYER[layer][:3]
        assert by_case(cases) == [0, 0, 0], layer
        assert all(symcount.parse(case_source(c)).totals["macs"] > 0 for c in cases), layer


# where fvcore itself fails: a norm's handle asserts 2 <= rank <= 5 (batch included)
CRASHES = [
    ("LayerNorm", (4,), "LayerNorm(4)", (1, 2, 1, 2, 4)),
    ("GroupNorm", (1, 2), "GroupNorm(1, 2)", (2, 1, 2, 1, 2)),
]


@pytest.mark.parametrize(("name", "args", "layer", "shape"), CRASHES, ids=[c[2] for c in CRASHES])
def test_where_fvcore_fails_on_five_axes_the_preset_counts_its_rule(name, args, layer, shape):
    import math

    import torch

    with pytest.raises(AssertionError):
        total(getattr(torch.nn, name)(*args), torch.zeros(BATCH, *shape))
    dims = ", ".join(map(str, shape))
    got = preset(f"convention torch\ninput({dims}) -> {layer}")["macs"]
    assert got == 5 * BATCH * math.prod(shape)


# whole models ---------------------------------------------------------------------------


def test_mnist_cnn():
    """fvcore's flop is one multiply-accumulate: 7,280,480 for one image."""
    import torch

    assert total(_mnist(), torch.zeros(1, 1, 28, 28)) == 7_280_480 == preset(MNIST, 1)["macs"]
    assert total(_mnist(), torch.zeros(BATCH, 1, 28, 28)) == preset(MNIST)["flops"]


def test_lstm_counts_zero():
    """aten::lstm has no handle: fvcore counts 0 (COMPUTE.md), the default 1,792,000 MACs."""
    import torch

    src = "convention torch\ninput(100, 6) -> LSTM(6, 64)"
    assert total(torch.nn.LSTM(6, 64), torch.zeros(100, 1, 6)) == 0 == preset(src, 1)["macs"]
    assert symcount.parse(src).totals["macs"] == 1_792_000


def test_grouped_strided_dilated_and_transposed_convolutions():
    import torch

    want = total(_convs(), torch.zeros(BATCH, 16, 33, 31))
    assert want == preset(CONVS)["macs"] == symcount.parse(CONVS).batched(BATCH).totals["macs"]


@pytest.mark.parametrize("t", [1, 7, 32])
def test_transformer_encoder_layer_at_several_lengths(t):
    """Projections and feed-forward (4Td^2 + 2Td*ff) and two LayerNorms (10Td);
    the attention runs in scaled_dot_product_attention, which fvcore skips."""
    import torch

    layer = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=True)
    want = total(layer, torch.zeros(BATCH, t, 64))
    assert want == BATCH * (4 * t * 64 * 64 + 2 * t * 64 * 256 + 10 * t * 64)
    symbolic = symcount.parse(ENCODER.format(t="T"), counting="fvcore").batched("B")
    assert symbolic.subs(T=t, B=BATCH).totals["macs"] == want == preset(ENCODER.format(t=t))["macs"]


SPATIAL = """convention torch
input(3, H, W) -> Conv2d(3, 8, 3, padding=1) -> BatchNorm2d(8) -> ReLU()
  -> Conv2d(8, 8, 3, padding="same", groups=2) -> GroupNorm(2, 8)
  -> Upsample(scale_factor=2, mode="bilinear") -> InstanceNorm2d(8, affine=true)
  -> UpsamplingNearest2d(scale_factor=2) -> AdaptiveAvgPool2d(3) -> Flatten() -> Linear(72, 10)"""


def _spatial():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding="same", groups=2),
        nn.GroupNorm(2, 8),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.InstanceNorm2d(8, affine=True),
        nn.UpsamplingNearest2d(scale_factor=2),
        nn.AdaptiveAvgPool2d(3),
        nn.Flatten(),
        nn.Linear(72, 10),
    )


def test_symbolic_image_sizes_at_three_points():
    """The count at symbolic H, W (and batch B), substituted, equals the numeric
    count and fvcore's at each point."""
    import torch

    symbolic = symcount.parse(SPATIAL, counting="fvcore").batched("B")
    for h, w in ((5, 7), (8, 8), (13, 4)):
        want = total(_spatial(), torch.zeros(BATCH, 3, h, w))
        numeric = preset(SPATIAL.replace("H, W", f"{h}, {w}"))["macs"]
        assert symbolic.subs(H=h, W=w, B=BATCH).totals["macs"] == numeric == want


GPT2 = """convention torch

block mlp {
  Linear(d, 4 * d) -> GELU() -> Linear(4 * d, d)
}

block gpt2_block {
  residual { LayerNorm(d) -> MultiheadAttention(d, h) }
  residual { LayerNorm(d) -> mlp }
}

let wte = Embedding(V, d)
tokens = input(T) -> wte
positions = input(T) -> Embedding(T, d)
Add(tokens, positions) -> repeat L { gpt2_block } -> LayerNorm(d) -> TiedLinear(wte)"""
GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}


def test_gpt2_small_eager_on_1024_tokens():
    """transformers' GPT2LMHeadModel, eager attention: Conv1D's addmm, both
    attention matmuls at full length, the LM head, 25 LayerNorms of 5 per
    element; GELU, softmax and the embeddings 0. Written in symcount's torch
    convention (MultiheadAttention's in and out projections are c_attn and
    c_proj, its bmm's the matmuls), the same parameters and count."""
    import torch

    transformers = pytest.importorskip("transformers", reason="transformers is not installed")

    class Logits(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, ids):
            return self.m(input_ids=ids, use_cache=False, return_dict=False)[0]

    with torch.device("meta"):  # shapes only: fvcore reads them off the trace
        hf = transformers.GPT2LMHeadModel(transformers.GPT2Config(attn_implementation="eager"))
        ids = torch.zeros(1, 1024, dtype=torch.long)
    want = total(Logits(hf), ids)
    model = symcount.parse(GPT2, counting="fvcore")
    small = model.subs(**GPT2_SMALL)
    assert small.total == sum(p.numel() for p in hf.parameters()) == 124_439_808
    assert small.totals["macs"] == small.totals["flops"] == want == 145_922_457_600
    # half the default's 291,648,307,200 FLOPs, plus the LayerNorms: 25 x 5 x T x d
    assert want == 291_648_307_200 // 2 + 25 * 5 * 1024 * 768
    assert str(model.totals["macs"]) == "L*(2*T**2*d + 12*T*d**2 + 10*T*d) + T*V*d + 5*T*d"


def test_the_documented_cnn():
    """docs/compute.md's worked example, 852,128 as fvcore counts it."""
    import torch
    import torch.nn as nn

    cnn = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(16, 10),
    )
    src = """convention torch
input(3, 32, 32) -> Conv2d(3, 16, 3, padding=1) -> BatchNorm2d(16) -> ReLU()
  -> Upsample(scale_factor=2, mode="bilinear") -> AdaptiveAvgPool2d(1) -> Flatten()
  -> Linear(16, 10)"""
    assert total(cnn, torch.zeros(1, 3, 32, 32)) == 852_128 == preset(src, 1)["macs"]


# (symcount's call keywords, torch's): the weights needed (bmm), not needed (SDPA), a mask
MHA_CALLS = [
    ("", {}),
    (", need_weights=false", {"need_weights": False}),
    (", attn_mask=m", {"attn_mask": "m"}),
    (", key_padding_mask=p", {"key_padding_mask": "p"}),
    (", need_weights=false, attn_mask=m", {"need_weights": False, "attn_mask": "m"}),
]


@pytest.mark.parametrize(
    ("keywords", "kwargs"), MHA_CALLS, ids=[c[0] or "plain" for c in MHA_CALLS]
)
def test_multihead_attention_by_its_call_keywords(keywords, kwargs):
    """Scores by bmm only unmasked (a mask makes them baddbmm: no handle), both
    products only when the weights are needed (else SDPA: 0)."""
    import torch

    mha = torch.nn.MultiheadAttention(8, 2, kdim=6, vdim=6)
    x, k = torch.zeros(5, BATCH, 8), torch.zeros(3, BATCH, 6)
    masks = {"m": torch.zeros(5, 3, dtype=torch.bool), "p": torch.zeros(BATCH, 3, dtype=torch.bool)}

    class Call(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = mha

        def forward(self, x, k):
            return self.mha(x, k, k, **{a: masks.get(v, v) for a, v in kwargs.items()})[0]

    src = (
        "convention torch\nx = input(5, 8)\nk = input(3, 6)\nm = input(5, 3)\np = input(3)\n"
        f"MultiheadAttention(8, 2, kdim=6, vdim=6)(x, k, k{keywords})"
    )
    assert preset(src)["macs"] == total(Call(), x, k)
