"""``--count-as ptflops`` against ptflops 0.7.5 itself
(``get_model_complexity_info(model, input_res, as_strings=False)``, its
default pytorch backend), at batch 1 as ptflops builds its input:

- every recorded torch reference case (tests/reference/torch_layers.json),
  built and run as tests/test_live_compute.py builds and runs it, inside a
  wrapper module whose one input ptflops makes; the count equals ptflops',
  exactly, but for the cases of TOOL_FAILS, where ptflops itself fails;
- whole models: the MNIST CNN (7,317,578, the number of docs/compute.md), the
  LSTM(6, 64) over 100 steps (1,907,200), TransformerEncoderLayer at several
  lengths, grouped/strided/dilated/transposed convolutions, torchinfo's LSTMNet
  and a small CNN with a shared ReLU, norms, pools and upsampling;
- GPT-2 (transformers' GPT2LMHeadModel, eager attention), which symcount's
  torch convention cannot write (transformers' Conv1D and its attention
  matmuls are no torch.nn modules): ptflops on small configs on CPU equals
  the closed form docs/compute.md gives, which puts GPT-2 small at
  145,994,892,288;
- symbolic sizes, substituted at three points, equal the numeric counts.

Needs torch and ptflops (the ``frameworks`` extra); skipped without them.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)
pytest.importorskip(
    "ptflops", reason="ptflops is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
from tests.reference.torch_cases import built, run_forward
from tests.test_live_compute import BY_LAYER, CONVS, ENCODER, MNIST, _convs, _mnist
from tests.torch_differential import case_source

pytestmark = pytest.mark.live

# ptflops runs at batch 1; these modules refuse one sample (batch statistics of a
# single value per channel), so ptflops prints the error and returns None
TOOL_FAILS = {
    "BatchNorm1d-0002": "track_running_stats=False: batch statistics of one sample",
    "BatchNorm1d-0008": "track_running_stats=False: batch statistics of one sample",
    "GroupNorm-0013": "one channel per group and no spatial axis: one value to normalise",
    "GroupNorm-0031": "one channel per group and no spatial axis: one value to normalise",
}


def ptflops_macs(model, input_res=(1,), **kw):
    """ptflops' MACs for ``model`` (None when it fails, as it reports it)."""
    from ptflops import get_model_complexity_info

    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        macs, _ = get_model_complexity_info(
            model, input_res, print_per_layer_stat=False, as_strings=False, ost=out, **kw
        )
    return macs


def _runner(module, case):
    """The case's module inside a wrapper: ptflops makes the wrapper's one input
    (batch 1), the wrapper runs the case's own inputs at batch 1. A wrapper with
    no hook of its own counts as its child does."""
    import torch

    class Runner(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = module

        def forward(self, x):
            return run_forward(self.inner, case, 1)

    return Runner()


def ours(source: str, **values):
    model = symcount.parse(source, counting="ptflops")
    if values:
        model = model.subs(values)
    return model.totals["macs"]


def _whole(macs):
    # ptflops sums floats (F.interpolate by a fractional scale) and int()s the total
    return macs if isinstance(macs, int) else int(macs)


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(layer):
    wrong = []
    for case in BY_LAYER[layer]:
        module = built(case)
        want = ptflops_macs(_runner(module, case))
        if case["id"] in TOOL_FAILS:
            if want is not None:
                wrong.append(
                    f"{case['id']}: ptflops now counts it ({want}): drop it from TOOL_FAILS"
                )
            continue
        got = _whole(ours(case_source(case)))
        if got != want:
            wrong.append(f"{case['id']}: symcount {got}, ptflops {want}")
    assert not wrong, "\n".join(wrong[:10])


def test_the_tool_failures_are_recorded_cases():
    ids = {c["id"] for cases in BY_LAYER.values() for c in cases}
    assert set(TOOL_FAILS) <= ids


def test_the_counts_are_not_vacuous():
    """Each family ptflops counts has a nonzero count in the recorded cases, and a
    module outside its table counts 0 on both sides (Bilinear, SDPA, Sigmoid)."""
    for layer in ("Linear", "Conv2d", "LSTM", "MultiheadAttention", "ReLU", "MaxPool2d"):
        assert all(ours(case_source(c)) > 0 for c in BY_LAYER[layer]), layer
    for layer in ("Bilinear", "ScaledDotProductAttention", "Sigmoid", "RMSNorm"):
        assert all(ours(case_source(c)) == 0 for c in BY_LAYER[layer]), layer


# whole models ---------------------------------------------------------------------------


def test_mnist_cnn_is_the_public_number():
    assert ptflops_macs(_mnist(), (1, 28, 28)) == ours(MNIST) == 7_317_578


def test_lstm_over_100_steps_is_the_public_number():
    import torch

    assert ptflops_macs(torch.nn.LSTM(6, 64), (100, 6)) == 1_907_200
    assert ours("convention torch\ninput(100, 6) -> LSTM(6, 64)") == 1_907_200
    # per step: both gate matrices, 4H + 3H + 3H element-wise, both biases
    assert 1_907_200 == 100 * (4 * 64 * (6 + 64) + 10 * 64 + 2 * 4 * 64)


def test_grouped_strided_dilated_and_transposed_convolutions():
    assert ptflops_macs(_convs(), (16, 33, 31)) == ours(CONVS)


@pytest.mark.parametrize("t", [1, 7, 32])
def test_transformer_encoder_layer_at_several_lengths(t):
    import torch

    layer = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=True)
    want = ptflops_macs(layer, (t, 64))
    assert ours(ENCODER.format(t=t)) == want
    assert ours(ENCODER.format(t="T"), T=t) == want


def test_a_sequence_first_layer_is_divided_by_its_length():
    """ptflops puts its batch axis first and divides by the first input's length:
    a (T, N, E) layer's count is divided by T, not by the batch (docs/compute.md)."""
    import torch

    layer = torch.nn.TransformerEncoderLayer(64, 4, 256)  # batch_first=False
    x = {"input_constructor": lambda res: torch.zeros(res)}
    assert ptflops_macs(layer, (7, 1, 64), **x) == ours(ENCODER.format(t=7)) // 7


CUSTOM = """convention torch
x = input(5, 16)
m = input(3, 16)
Transformer(16, 4,
  custom_encoder=TransformerEncoder(TransformerEncoderLayer(16, 4, 32, activation=GELU()), 2),
  custom_decoder=TransformerDecoder(TransformerDecoderLayer(16, 4, 24), 1, norm=LayerNorm(16))
)(m, x)"""


def test_a_transformer_with_custom_stacks_and_an_activation_module():
    """An activation given as a module is a hooked child (and calls F.gelu); given
    as a name or a function it was bound before ptflops patched F, and counts 0."""
    import torch.nn as nn

    enc = nn.TransformerEncoderLayer(16, 4, 32, activation=nn.GELU(), batch_first=True)
    dec = nn.TransformerDecoderLayer(16, 4, 24, batch_first=True)
    model = nn.Transformer(
        16,
        4,
        custom_encoder=nn.TransformerEncoder(enc, 2),
        custom_decoder=nn.TransformerDecoder(dec, 1, norm=nn.LayerNorm(16)),
        batch_first=True,
    )

    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = model

        def forward(self, src):
            return self.inner(src, src[:, :5].new_zeros(1, 5, 16))

    assert ptflops_macs(Pair(), (3, 16)) == ours(CUSTOM) == 30_032


LSTM_NET = """convention torch
input(100) -> Embedding(20, 300) -> LSTM(512, num_layers=2, batch_first=true) -> Linear(20)"""


def test_torchinfos_lstm_net():
    import torch

    class LSTMNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(20, 300)
            self.lstm = torch.nn.LSTM(300, 512, num_layers=2, batch_first=True)
            self.out = torch.nn.Linear(512, 20)

        def forward(self, x):
            return self.out(self.lstm(self.emb(x))[0])

    ids = {"input_constructor": lambda res: torch.zeros((1, *res), dtype=torch.long)}
    assert ptflops_macs(LSTMNet(), (100,), **ids) == ours(LSTM_NET)


CNN = """convention torch
let relu = ReLU()
x = input(3, 32, 32) -> Conv2d(3, 16, 3, padding=1) -> BatchNorm2d(16) -> relu
x = x -> MaxPool2d(2) -> Conv2d(16, 32, 3, stride=2, bias=false) -> GroupNorm(4, 32) -> relu
x -> Upsample(scale_factor=2) -> LPPool2d(2, 3) -> AdaptiveAvgPool2d(1) -> Flatten()
  -> Linear(32, 10) -> Softmax(dim=1)"""


def test_a_cnn_with_a_shared_relu_norms_pools_and_upsampling():
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.relu = nn.ReLU()  # one module, called twice: ptflops' hook counts both calls
            self.a = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16))
            self.b = nn.Sequential(
                nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, stride=2, bias=False), nn.GroupNorm(4, 32)
            )
            self.c = nn.Sequential(
                nn.Upsample(scale_factor=2),
                nn.LPPool2d(2, 3),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(32, 10),
                nn.Softmax(dim=1),
            )

        def forward(self, x):
            return self.c(self.relu(self.b(self.relu(self.a(x)))))

    assert ptflops_macs(Net(), (3, 32, 32)) == ours(CNN)


# GPT-2: transformers' modules, outside symcount's torch convention -----------------------


def gpt2_macs(V, T, d, h, L) -> int:
    """ptflops on GPT2LMHeadModel with eager attention, per block: the four
    Conv1D (torch.addmm: the matmul and its bias once, not per token), the
    attention's torch.matmul twice and F.softmax, two LayerNorms; then ln_f and
    the bias-free lm_head Linear. Embeddings, GELU and dropout count 0."""
    conv1d = T * d * 3 * d + 3 * d + T * d * d + d + T * d * 4 * d + 4 * d + T * 4 * d * d + d
    attention = 2 * T * T * d + h * T * T
    return L * (conv1d + attention + 2 * T * d) + T * d + T * d * V


@pytest.mark.parametrize(
    ("V", "T", "d", "h", "L"), [(1000, 32, 64, 4, 2), (300, 17, 48, 3, 1)], ids=["small", "tiny"]
)
def test_gpt2_eager_on_cpu_is_its_closed_form(V, T, d, h, L):
    import torch

    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    cfg = transformers.GPT2Config(
        vocab_size=V, n_positions=64, n_embd=d, n_head=h, n_layer=L, bos_token_id=0, eos_token_id=0
    )
    model = transformers.GPT2LMHeadModel(cfg)
    model.config._attn_implementation = "eager"
    ids = {"input_constructor": lambda res: {"input_ids": torch.zeros((1, *res), dtype=torch.long)}}
    assert ptflops_macs(model, (T,), **ids) == gpt2_macs(V, T, d, h, L)


def test_gpt2_small_by_the_closed_form():
    assert gpt2_macs(50257, 1024, 768, 12, 12) == 145_994_892_288


# symbolic sizes -------------------------------------------------------------------------

SYMBOLIC = [
    # source with {names}, the symbols' values at three points
    (
        "convention torch\ninput({C}, {H}, {W}) -> Conv2d({C}, 8, 3, stride=2, groups={C})"
        " -> BatchNorm2d(8) -> ReLU() -> MaxPool2d(2) -> Upsample(scale_factor=2)",
        [dict(C=1, H=16, W=20), dict(C=2, H=9, W=9), dict(C=4, H=33, W=12)],
    ),
    (
        "convention torch\ninput({T}, 6) -> LSTM(6, 64, num_layers=2, bidirectional=true)",
        [dict(T=1), dict(T=7), dict(T=100)],
    ),
    (
        "convention torch\nx0 = input({T}, 12)\nx1 = input({S}, 5)\nx2 = input({S}, 7)\n"
        "MultiheadAttention(12, 3, kdim=5, vdim=7, add_zero_attn=true)(x0, x1, x2)",
        [dict(T=1, S=1), dict(T=4, S=9), dict(T=10, S=3)],
    ),
    (
        "convention torch\nx = input({T}, 16)\nm = input({S}, 16)\n"
        "Transformer(16, 4, 2, 1, 40)(m, x)",
        [dict(T=2, S=3), dict(T=5, S=1), dict(T=8, S=8)],
    ),
    (
        "convention torch\ninput(3, {L}) -> LocalResponseNorm(3) -> LPPool1d(2, 2) -> GELU()",
        [dict(L=4), dict(L=9), dict(L=30)],
    ),
]


@pytest.mark.parametrize(("source", "points"), SYMBOLIC, ids=lambda x: None)
def test_symbolic_counts_substituted_equal_the_numeric_counts(source, points):
    names = {k: k for k in points[0]}
    formula = symcount.parse(source.format(**names), counting="ptflops")
    assert set(formula.symbols) == set(names)
    for values in points:
        assert formula.subs(values).totals["macs"] == ours(source.format(**values)), values
