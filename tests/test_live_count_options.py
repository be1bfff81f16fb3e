"""The training options against real PyTorch: ``--training-exact`` equals
``torch.utils.flop_counter.FlopCounterMode`` over a forward pass and
``loss.backward()`` (the first layer reads an input that does not require
grad, so torch computes no input gradient for it), and ``--training`` is
3 x the forward count FlopCounterMode gives. Batch 2, SDPA on its math
kernel (which the counter sees as matmuls).

Needs torch (the ``frameworks`` extra); skipped without it.
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
from tests.test_live_activations import _mnist  # the MNIST CNN with its ReLUs

pytestmark = pytest.mark.live

BATCH = 2


def counted(module, x, backward: bool) -> int:
    """FlopCounterMode's total for a forward pass (and ``loss.backward()``)."""
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    fc = FlopCounterMode(display=False)
    grad = torch.enable_grad() if backward else torch.no_grad()
    with grad, sdpa_kernel(SDPBackend.MATH), fc, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = module(x)
        if backward:
            out.sum().backward()
    return fc.get_total_flops()


def _mlp():
    import torch.nn as nn

    return nn.Sequential(nn.Linear(514, 514), nn.ReLU(), nn.Linear(514, 257))


def _flatten_mlp():
    import torch.nn as nn

    return nn.Sequential(nn.Flatten(), nn.Dropout(0.0), nn.Linear(784, 64), nn.Linear(64, 10))


def _encoder():
    import torch

    return torch.nn.TransformerEncoderLayer(64, 4, 256, dropout=0.0, batch_first=True)


def _encoder_norm_first():
    import torch

    return torch.nn.TransformerEncoderLayer(
        64, 4, 256, dropout=0.0, batch_first=True, norm_first=True
    )


MLP = "convention torch\ninput(514) -> Linear(514, 514) -> ReLU -> Linear(514, 257)"
MNIST = """convention torch
input(1, 28, 28) -> Conv2d(1, 24, 3) -> ReLU -> Conv2d(24, 36, 3) -> ReLU -> Flatten
-> Linear(20736, 128) -> Linear(128, 10)"""
FLATTEN_MLP = """convention torch
input(1, 28, 28) -> Flatten -> Dropout(0.0) -> Linear(784, 64) -> Linear(64, 10)"""
ENCODER = "convention torch\ninput(12, 64) -> TransformerEncoderLayer(64, 4, 256)"

MODELS = {
    "mlp": (_mlp, MLP, (514,)),
    "mnist_cnn": (_mnist, MNIST, (1, 28, 28)),
    # the first Linear reads the image through weightless layers: no input gradient either
    "flatten_mlp": (_flatten_mlp, FLATTEN_MLP, (1, 28, 28)),
    "transformer_encoder_layer": (_encoder, ENCODER, (12, 64)),
    # the LayerNorm reads the input: its output needs a gradient (its weights do), so
    # the in-projection's input gradient is computed and nothing is left out
    "norm_first": (_encoder_norm_first, ENCODER.replace("256)", "256, norm_first=true)"), (12, 64)),
}


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request):
    import torch

    make, source, shape = MODELS[request.param]
    torch.manual_seed(0)
    module = make()
    x = torch.randn(BATCH, *shape)  # requires_grad=False: a model input
    forward = counted(module, x, backward=False)
    both = counted(module, x, backward=True)
    return source, forward, both


def flops(source: str, options: str) -> int:
    name = f"default+{options}" if options else "default"
    return symcount.parse(source, counting=name).batched(BATCH).totals["flops"]


def test_training_exact_is_flop_counter_mode_with_backward(model):
    source, _, both = model
    assert flops(source, "training-exact") == both


def test_training_is_three_forward_passes(model):
    source, forward, both = model
    assert flops(source, "") == forward
    assert flops(source, "training") == 3 * forward
    assert both <= 3 * forward  # torch skips the first layer's input gradient


def test_the_mnist_anchor():
    # 3 x 14,560,960 per image, less the first conv's input gradient (2 x 146,016)
    assert flops(MNIST, "training-exact") == BATCH * (3 * 14_560_960 - 2 * 146_016)


GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}


def test_gpt2_small_forward_and_backward():
    """Hugging Face's GPT2LMHeadModel on the meta device, eager attention, one
    sequence of 1,024 tokens: FlopCounterMode over forward and loss.backward()
    is 3 x the forward count (the token ids need no gradient, but only the
    embeddings read them: every matmul's input needs one)."""
    import torch

    transformers = pytest.importorskip(
        "transformers", reason="transformers is not installed: pip install -e '.[frameworks]'"
    )
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        model = transformers.GPT2LMHeadModel(transformers.GPT2Config(attn_implementation="eager"))
    ids = torch.zeros(1, 1024, dtype=torch.long, device="meta")
    fc = FlopCounterMode(display=False)
    with fc, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model(ids).logits.sum().backward()
    want = fc.get_total_flops()
    assert want == 874_944_921_600 == 3 * 291_648_307_200
    for options in ("training", "training-exact"):
        m = symcount.load("examples/gpt2.sc", counting=f"default+{options}", values=GPT2_SMALL)
        assert m.totals["flops"] == want
