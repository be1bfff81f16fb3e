"""``--count-as torchinfo`` against torchinfo 1.8.0 itself:
``summary(model, input_data=..., verbose=0).total_mult_adds`` and its
per-layer "Mult-Adds" (each leaf's ``LayerInfo.macs``), at batch 2:

- every recorded torch reference case (tests/reference/torch_layers.json),
  built and run as tests/test_live_compute.py does;
- whole models: the MNIST CNN layer by layer (COMPUTE.md's 7,317,578),
  grouped/strided/dilated/transposed convolutions, LSTM(6 -> 64) over 100
  steps, a TransformerEncoderLayer at several lengths (a symbolic length
  substituted), a shared Linear called on two lengths, GPT-2's block;
- symbolic sizes: the count at a symbolic size, substituted, equals the
  numeric count.

The one known difference is a table below, asserted both ways.

Needs torch and torchinfo (the ``frameworks`` extra); skipped without them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)
pytest.importorskip(
    "torchinfo", reason="torchinfo is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
from tests.reference.torch_cases import (
    _batch_dim,
    built,
    recorded_by_layer,
    run_forward,
)
from tests.test_live_compute import CONVS, MNIST, _convs, _mnist
from tests.torch_differential import case_source

pytestmark = pytest.mark.live

BATCH = 2
BY_LAYER = recorded_by_layer()

# What symcount cannot reproduce, with the reason. torchinfo multiplies a leaf's
# parameters by its output's first axis, taken to be the batch; inside a
# transformer layer with batch_first=False that axis is the sequence, so
# torchinfo's count does not grow with the batch, while a symcount count is
# per sample, times the batch. The preset takes the sequence there: equal at
# batch 1, and at batch B symcount's is B times torchinfo's.
SEQUENCE_TAKEN_FOR_BATCH = {
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
}


def summarize(fn):
    """torchinfo's summary of whatever modules ``fn`` runs: (total mult-adds,
    [(class name, mult-adds) of each leaf call, in order]). A root module
    holds them, so every one is a child and every call is hooked."""
    import torch
    import torchinfo

    class Run(torch.nn.Module):
        def __init__(self, modules):
            super().__init__()
            self.held = torch.nn.ModuleList(modules)

        def forward(self, x):
            fn()
            return x

    def stats(*modules):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = torchinfo.summary(Run(modules), input_data=[torch.zeros(1)], verbose=0)
        leaves = [(i.class_name, i.macs) for i in s.summary_list if i.is_leaf_layer]
        return s.total_mult_adds, leaves

    return stats


def tool(module, fn):
    total, _ = summarize(fn)(module)
    return total


def preset(source: str, batch=BATCH):
    return symcount.parse(source, counting="torchinfo").batched(batch)


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(layer):
    wrong = []
    for case in BY_LAYER[layer]:
        module = built(case)
        want = tool(module, lambda m=module, c=case: run_forward(m, c, BATCH))
        model = preset(case_source(case), 1)
        got = model.batched(BATCH).totals["macs"]
        if layer in SEQUENCE_TAKEN_FOR_BATCH and _batch_dim(case) == 1:
            # equal at batch 1; B times torchinfo's at batch B (the table above)
            if (model.totals["macs"], got) != (want, BATCH * want):
                wrong.append(
                    f"{case['id']}: symcount {model.totals['macs']} at batch 1, torch {want}"
                )
        elif got != want:
            wrong.append(f"{case['id']}: symcount {got}, torchinfo {want}")
    assert not wrong, "\n".join(wrong[:10])


def test_the_known_difference_is_not_stale():
    """Each type in the table has sequence-first cases (where it differs) and
    agrees with batch_first=True; and the cases with parameters are not all 0."""
    for layer in SEQUENCE_TAKEN_FOR_BATCH:
        firsts = {_batch_dim(c) for c in BY_LAYER[layer]}
        assert firsts == {0, 1} or layer.endswith(("Encoder", "Decoder")), layer
        assert any(preset(case_source(c)).totals["macs"] > 0 for c in BY_LAYER[layer])


# whole models ---------------------------------------------------------------------------


def _rows(model):
    return [r.count("macs") for r in model.rows]


def test_mnist_cnn_layer_by_layer_and_compute_md_number():
    import torch

    net = _mnist()
    total, leaves = summarize(lambda: net(torch.zeros(BATCH, 1, 28, 28)))(net)
    model = preset(MNIST)
    assert [n for n, _ in leaves] == ["Conv2d", "Conv2d", "Flatten", "Linear", "Linear"]
    assert [m for _, m in leaves] == _rows(model)
    assert total == model.totals["macs"] == BATCH * 7_317_578
    assert preset(MNIST, 1).totals["macs"] == 7_317_578  # COMPUTE.md's torchinfo figure


def test_grouped_strided_dilated_and_transposed_convolutions_layer_by_layer():
    import torch

    net = _convs()
    total, leaves = summarize(lambda: net(torch.zeros(BATCH, 16, 33, 31)))(net)
    model = preset(CONVS)
    assert [m for _, m in leaves] == _rows(model)
    assert total == model.totals["macs"] > 0


def test_lstm_over_100_steps():
    """batch x steps x every parameter (gate matrices and both biases)."""
    import torch

    lstm = torch.nn.LSTM(6, 64)
    want = tool(lstm, lambda: lstm(torch.zeros(100, BATCH, 6)))
    got = preset("convention torch\ninput(100, 6) -> LSTM(6, 64)")
    assert got.totals["macs"] == want == BATCH * 100 * (4 * 64 * (6 + 64) + 2 * 4 * 64)
    assert preset("convention torch\ninput(100, 6) -> LSTM(6, 64)", 1).totals["macs"] == 1_843_200


ENCODER = (
    "convention torch\ninput({t}, 64) -> TransformerEncoderLayer(64, 4, 256, batch_first=True)"
)


@pytest.mark.parametrize("t", [1, 7, 32])
def test_transformer_encoder_layer_ignores_the_sequence(t):
    """Only linear1, linear2 and the two LayerNorms count, once a sample,
    whatever the length (torchinfo #77); attention is 0."""
    import torch

    layer = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=True)
    want = tool(layer, lambda: layer(torch.zeros(BATCH, t, 64)))
    symbolic = preset(ENCODER.format(t="T"), "B")
    assert symbolic.subs(T=t, B=BATCH).totals["macs"] == want
    assert preset(ENCODER.format(t=t)).totals["macs"] == want
    assert want == BATCH * (64 * 256 + 256 + 256 * 64 + 64 + 4 * 64)


def test_shared_linear_counts_each_call():
    import torch

    lin = torch.nn.Linear(8, 16)
    total, leaves = summarize(
        lambda: (lin(torch.zeros(BATCH, 5, 8)), lin(torch.zeros(BATCH, 3, 8)))
    )(lin)
    src = """convention torch
let lin = Linear(8, 16)
a = input(5, 8) -> lin
b = input(3, 8) -> lin
output a, b"""
    assert len(leaves) == 2
    assert total == preset(src).totals["macs"] == BATCH * 2 * (8 * 16 + 16)


# symbolic sizes -------------------------------------------------------------------------

SYMBOLIC = [
    ("convention torch\ninput(c, h, w) -> Conv2d(c, k, 3, stride=2, padding=1)", "chwk"),
    ("convention torch\ninput(T, i) -> LSTM(i, k, num_layers=2, bidirectional=True)", "Tik"),
    ("convention torch\ninput(T, i) -> Linear(i, k) -> LayerNorm(k)", "Tik"),
    ("convention torch\ninput(T) -> Embedding(c, k)", "Tck"),
]
POINTS = [2, 5, 9]


@pytest.mark.parametrize(("source", "names"), SYMBOLIC)
def test_a_symbolic_count_substituted_equals_the_numeric_count(source, names):
    model = preset(source, "B")
    for p in POINTS:
        values = {n: p + i for i, n in enumerate(names)}
        numeric = symcount.parse(source, values=values, counting="torchinfo").batched(3)
        assert model.subs(B=3, **values).totals["macs"] == numeric.totals["macs"], values


# GPT-2 small (transformers' GPT2LMHeadModel, eager attention, 1,024 tokens) -------------

GPT2_TORCH = """convention torch
block attn {                     # c_attn's three thirds, then c_proj
  q = input -> Linear(d, d)
  k = input -> Linear(d, d)
  v = input -> Linear(d, d)
  ScaledDotProductAttention(h)(q, k, v)
  Linear(d, d)
}
block mlp {
  Linear(d, 4 * d) -> GELU(approximate="tanh") -> Linear(4 * d, d)
}
block decoder {
  residual { LayerNorm(d) -> attn }
  residual { LayerNorm(d) -> mlp }
}
let wte = Embedding(V, d, name=wte)
tokens = input(T) -> wte
positions = input(T) -> Embedding(P, d, name=wpe)
Add(tokens, positions) -> repeat L { decoder } -> LayerNorm(d, name=ln_f)
  -> TiedLinear(wte, name=lm_head)
"""
GPT2_SMALL = {"V": 50257, "d": 768, "h": 12, "L": 12, "P": 1024, "T": 1024}


def test_gpt2_small():
    """torchinfo on the meta device. transformers' GPT-2 projects with its own
    Conv1D (a Linear with the weight transposed); its class name holds "Conv",
    so torchinfo counts it as a convolution: its parameters x the output's axes
    but the second (batch x nf: the sequence is the axis left out). symcount has
    no such layer:
    written with Linears, the preset's count is torchinfo's less exactly that
    excess, sum of parameters x (nf - 1), read off the real modules.
    Everything else (the two embedding tables, the LayerNorms, the tied
    lm_head, counted again as torchinfo does) is equal layer by layer."""
    pytest.importorskip("transformers", reason="transformers is not installed")
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.pytorch_utils import Conv1D

    config = GPT2Config()
    config._attn_implementation = "eager"
    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        gpt2 = GPT2LMHeadModel(config)
    ids = torch.zeros(1, 1024, dtype=torch.long, device="meta")
    total, leaves = summarize(lambda: gpt2(ids))(gpt2)
    assert total == 163_343_662_080

    excess = sum(
        sum(p.numel() for p in m.parameters()) * (m.nf - 1)
        for m in gpt2.modules()
        if isinstance(m, Conv1D)
    )
    model = symcount.parse(GPT2_TORCH, values=GPT2_SMALL, counting="torchinfo")
    assert model.totals["macs"] == total - excess == 163_037_184
    by_name = {r.name: r.count("macs") for r in model.rows}
    tool = [m for n, m in leaves if n != "Conv1D"]
    assert tool[:2] == [by_name["wte"], by_name["wpe"]] == [50257 * 768, 1024 * 768]
    assert tool[-2:] == [by_name["ln_f"], by_name["lm_head"]] == [2 * 768, 50257 * 768]
    # and the default count of the same text is the anchor
    assert symcount.parse(GPT2_TORCH, values=GPT2_SMALL).totals["flops"] == 291_648_307_200


def _meta_summary(build, *inputs):
    import torch

    with warnings.catch_warnings(), torch.device("meta"):
        warnings.simplefilter("ignore")
        net = build()
    return summarize(lambda: net(*inputs))(net)


EXAMPLES = Path(__file__).parent.parent / "examples"


def test_vit_base_example():
    """examples/vit_base.sc against transformers' ViTModel (Conv2d patches,
    Linears, LayerNorms; the cls token and position table are parameters of
    a module with children: 0)."""
    pytest.importorskip("transformers", reason="transformers is not installed")
    import torch
    from transformers import ViTConfig, ViTModel

    image = torch.zeros(1, 3, 224, 224, device="meta")
    total, _ = _meta_summary(lambda: ViTModel(ViTConfig()), image)
    sizes = {"d": 768, "H": 12, "L": 12, "ff": 3072, "P": 16, "S": 224}
    model = symcount.load(EXAMPLES / "vit_base.sc", values=sizes, counting="torchinfo")
    assert model.totals["macs"] == total == 201_402_624


@pytest.mark.parametrize("tied", [False, True])
def test_llama_gqa_example(tied):
    """examples/llama_gqa.sc against transformers' LlamaForCausalLM (a small
    config): Linears, LlamaRMSNorm's weight, the rotary module's buffers 0; a
    tied lm_head is still an nn.Linear holding the table: counted."""
    pytest.importorskip("transformers", reason="transformers is not installed")
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    sizes = {"V": 1000, "d": 64, "H": 4, "Hkv": 2, "D": 16, "ff": 128, "L": 2, "T": 10}
    config = LlamaConfig(
        vocab_size=1000,
        hidden_size=64,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        intermediate_size=128,
        num_hidden_layers=2,
        tie_word_embeddings=tied,
    )
    config._attn_implementation = "eager"
    ids = torch.zeros(1, 10, dtype=torch.long, device="meta")
    total, leaves = _meta_summary(lambda: LlamaForCausalLM(config), ids)
    text = (EXAMPLES / "llama_gqa.sc").read_text()
    if tied:
        head = "Linear(V, bias=false, name=lm_head)"
        assert head in text
        text = text.replace(head, "TiedLinear(embed_tokens, name=lm_head)")
    model = symcount.parse(text, values=sizes, counting="torchinfo")
    assert model.totals["macs"] == total
    assert leaves[-1] == ("Linear", model.rows[-1].count("macs")) == ("Linear", 1000 * 64)
