"""Activation memory against real PyTorch and torchinfo 1.8.0 (docs/activations.md):

- the recorded torch reference cases (tests/reference/torch_layers.json; up to
  12 of each layer, spread over its cases, to keep the run short), at batch 2: ``training_activation_bytes`` equals torchinfo's
  ``total_output_bytes`` (its "Forward/backward pass size": twice the output
  bytes of each leaf module with parameters that ran), and
  ``activation_bytes`` equals the bytes of the module's output tensors
  measured by a forward hook (``numel * element_size``);
- whole models (the MNIST CNN, an MLP with norms and dropout, a
  TransformerEncoderLayer, a shared Linear): torchinfo's four printed lines
  ("Input size (MB)", "Forward/backward pass size (MB)", "Params size (MB)",
  "Estimated Total Size (MB)") as it prints them, and their raw bytes; the
  symbolic forms substituted at several batches and lengths; the forward
  activations summed by hooks on every module that is a symcount layer.

Needs torch and torchinfo (the ``frameworks`` extra); skipped without them.
"""

from __future__ import annotations

import sys
import warnings

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)
pytest.importorskip(
    "torchinfo", reason="torchinfo is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount
from symcount import dims as D
from symcount.counting import activations as A
from tests.reference.torch_cases import (
    _attention,
    _batch_dim,
    built,
    recorded_by_layer,
)
from tests.torch_differential import case_source

pytestmark = pytest.mark.live

BATCH = 2
BY_LAYER = recorded_by_layer()
PER_LAYER = 12
for _layer, _cases in BY_LAYER.items():
    _step = max(1, len(_cases) // PER_LAYER)
    BY_LAYER[_layer] = _cases[::_step][:PER_LAYER]
RECURRENT = {"RNN", "LSTM", "GRU", "LSTMCell"}  # symcount's output: torch's first tensor


def _inputs(case: dict, batch: int = BATCH) -> list:
    """The tensors tests/reference/torch_cases.run_forward gives the module."""
    import torch

    axis = _batch_dim(case)
    shape = list(case["input_shape"])
    shape.insert(axis, batch)
    layer = case["layer"]
    x = torch.zeros(shape, dtype=torch.long if layer == "Embedding" else torch.float32)
    others = []
    for s in case.get("other_inputs", []):
        s = list(s)
        s.insert(axis, batch)
        others.append(torch.zeros(s))
    if layer == "MultiheadAttention":
        return [x, *(others or (x, x))]
    if layer in _attention.BUILDERS:
        return [x, *others]
    if layer in ("TransformerDecoderLayer", "TransformerDecoder", "Transformer", "Bilinear"):
        return [x, *(others or [x])]
    return [x]


def _tensors(y) -> list:
    import torch

    if isinstance(y, torch.Tensor):
        return [y]
    if isinstance(y, tuple | list):
        return [t for part in y for t in _tensors(part)]
    return []


def torchinfo_stats(module, inputs):
    import torchinfo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torchinfo.summary(module, input_data=inputs, verbose=0, device="cpu")


def hooked_bytes(modules, run) -> int:
    """The bytes of the outputs of every call of ``modules`` during ``run()``."""
    import torch

    seen = []

    def hook(mod, args, out):
        if isinstance(mod, torch.nn.RNNBase | torch.nn.LSTMCell | torch.nn.MultiheadAttention):
            out = out[0]  # the output (h_n and c_n, or the attention weights, are not a
            # symcount layer's output: docs/activations.md)
        seen.extend(t.numel() * t.element_size() for t in _tensors(out))

    handles = [m.register_forward_hook(hook) for m in modules]
    try:
        with torch.no_grad():
            run()
    finally:
        for h in handles:
            h.remove()
    return sum(seen)


def totals(source: str, batch=BATCH) -> dict:
    return symcount.parse(source).batched(batch).totals


@pytest.mark.parametrize("layer", sorted(BY_LAYER))
def test_every_recorded_torch_case(layer):
    wrong = []
    for case in BY_LAYER[layer]:
        module = built(case)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            inputs = _inputs(case)
            want_training = torchinfo_stats(module, inputs).total_output_bytes
            want_forward = hooked_bytes([module], lambda m=module, x=inputs: m(*x))
        got = totals(case_source(case))
        if got["training_activation_bytes"] != want_training:
            wrong.append(
                f"{case['id']}: training {got['training_activation_bytes']}, "
                f"torchinfo {want_training}"
            )
        if got["activation_bytes"] != want_forward:
            wrong.append(f"{case['id']}: forward {got['activation_bytes']}, hooks {want_forward}")
    assert not wrong, "\n".join(wrong[:10])


# whole models ---------------------------------------------------------------------------

MNIST = """convention torch
input(1, 28, 28) -> Conv2d(1, 24, 3) -> ReLU() -> Conv2d(24, 36, 3) -> ReLU() -> Flatten()
  -> Linear(20736, 128) -> Linear(128, 10)"""
MLP = """convention torch
input({f}) -> Linear({f}, 32) -> BatchNorm1d(32) -> ReLU() -> Dropout(0.1)
  -> Linear(32, 10, bias=false) -> LayerNorm(10, elementwise_affine=false) -> Linear(10, 3)"""
ENCODER = """convention torch
input({t}, 64) -> TransformerEncoderLayer(64, 4, 256, batch_first=true) -> Linear(64, 5)"""


def _mnist():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 24, 3),
        nn.ReLU(),
        nn.Conv2d(24, 36, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(20736, 128),
        nn.Linear(128, 10),
    )


def _mlp(f):
    import torch.nn as nn

    return nn.Sequential(
        nn.Linear(f, 32),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(32, 10, bias=False),
        nn.LayerNorm(10, elementwise_affine=False),
        nn.Linear(10, 3),
    )


def _encoder():
    import torch.nn as nn

    return nn.Sequential(nn.TransformerEncoderLayer(64, 4, 256, batch_first=True), nn.Linear(64, 5))


@pytest.fixture(scope="module")
def models():
    import torch

    torch.manual_seed(0)
    return {"mnist": _mnist(), "mlp": _mlp(20), "encoder": _encoder()}


def printed(stats) -> list[str]:
    """torchinfo's four memory lines, as its summary prints them."""
    return [line for line in str(stats).splitlines() if "(MB)" in line]


@pytest.mark.parametrize("batch", [1, 2, 7])
def test_mnist_cnn_torchinfo_lines_and_bytes(models, batch):
    import torch

    stats = torchinfo_stats(models["mnist"], [torch.zeros(batch, 1, 28, 28)])
    model = symcount.parse(MNIST).batched(batch)
    got = A.torchinfo_bytes(model)
    assert got == {
        "input": stats.total_input,
        "forward_backward": stats.total_output_bytes,
        "params": stats.total_param_bytes,
        "total": stats.total_input + stats.total_output_bytes + stats.total_param_bytes,
    }
    assert A.torchinfo_lines(model) == printed(stats)
    # COMPUTE.md's figure: forward/backward 0.30 MB at batch 1
    assert batch != 1 or printed(stats)[1] == "Forward/backward pass size (MB): 0.30"


@pytest.mark.parametrize("f,batch", [(20, 2), (7, 3), (64, 16)])
def test_mlp_with_norms_dropout_and_no_bias(models, f, batch):
    """BatchNorm1d has parameters (kept), ReLU and Dropout none (not kept), a
    LayerNorm without its affine weights none (not kept)."""
    import torch

    module = models["mlp"] if f == 20 else _mlp(f)
    module.eval()  # BatchNorm1d on a batch of 1 sample needs eval; the sizes do not change
    x = torch.zeros(batch, f)
    stats = torchinfo_stats(module, [x])
    model = symcount.parse(MLP.format(f="F")).batched("B")
    sym = A.torchinfo_bytes(model)
    at = {"F": f, "B": batch}
    assert {k: _at(v, at) for k, v in sym.items()}["forward_backward"] == stats.total_output_bytes
    numeric = symcount.parse(MLP.format(f=f)).batched(batch)
    assert A.torchinfo_lines(numeric) == printed(stats)
    assert _at(model.totals["activation_bytes"], at) == hooked_bytes(
        list(module), lambda: module(x)
    )
    # kept: Linear 32, BatchNorm1d 32, Linear 10, Linear 3 (not ReLU, Dropout, the bare LayerNorm)
    assert model.totals["training_activation_bytes"] == 2 * 4 * (32 + 32 + 10 + 3) * D.symbol("B")


def _at(v, values):
    if isinstance(v, int):
        return v
    return int(v.subs({s: values[s.name] for s in v.free_symbols}))


@pytest.mark.parametrize("t,batch", [(1, 1), (10, 2), (33, 3)])
def test_transformer_encoder_layer(models, t, batch):
    """torchinfo sizes the layer by its leaves (two Linears, two LayerNorms);
    its MultiheadAttention is no leaf and counts nothing."""
    import torch

    module = models["encoder"]
    x = torch.zeros(batch, t, 64)
    stats = torchinfo_stats(module, [x])
    model = symcount.parse(ENCODER.format(t="T")).batched("B")
    at = {"T": t, "B": batch}
    assert _at(model.totals["training_activation_bytes"], at) == stats.total_output_bytes
    assert _at(model.totals["training_activation_bytes"], at) == 2 * 4 * batch * t * (
        256 + 3 * 64 + 5
    )
    assert _at(model.totals["activation_bytes"], at) == hooked_bytes(
        list(module), lambda: module(x)
    )


def test_shared_linear_counts_every_call():
    """A module called twice is two calls for torchinfo (the second recursive):
    both outputs are kept; symcount counts each call on its own shapes."""
    import torch

    lin = torch.nn.Linear(8, 16)

    class Twice(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lin

        def forward(self, a, b):
            return self.lin(a), self.lin(b)

    a, b = torch.zeros(BATCH, 5, 8), torch.zeros(BATCH, 3, 8)
    stats = torchinfo_stats(Twice(), [a, b])
    src = """convention torch
let lin = Linear(8, 16)
a = input(5, 8) -> lin
b = input(3, 8) -> lin
output a, b"""
    model = symcount.parse(src).batched(BATCH)
    assert model.totals["training_activation_bytes"] == stats.total_output_bytes
    assert model.totals["activation_bytes"] == hooked_bytes([lin], lambda: Twice()(a, b))
    assert A.torchinfo_bytes(model)["input"] == stats.total_input


def test_storage_overhead_is_what_getsizeof_adds():
    import torch

    for n in (1, 10, 1000):
        x = torch.zeros(n)
        assert sys.getsizeof(x.untyped_storage()) - 4 * n == A.STORAGE_OVERHEAD
