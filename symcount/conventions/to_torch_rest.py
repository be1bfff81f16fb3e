"""``symcount diff``'s equivalents of RNN with cells, EinsumDense and
SpectralNormalization (issue 11's remaining Keras layers), registered in
:data:`.to_torch.TO_TORCH`; :mod:`.equivalents` imports this module (from
to_torch.py the import would be a cycle)."""

from __future__ import annotations

from ..ops.base import Args
from .to_torch import (
    equivalent,
    inner_args,
    none,
    op_text,
    rnn_cells,
    rnn_use,
    rnn_why,
    to_torch,
)


@to_torch("rnn_layer")
def _rnn_layer(x, a: Args, name: str):
    """Each cell as torch's RNN, LSTM or GRU over the whole sequence, one after
    another (torch's num_layers needs one size for every layer)."""
    uses, whys = [], []
    features = x[-1]
    for spec in rnn_cells(a.cell):
        cell = inner_args(spec)
        uses.append(rnn_use((x[0], features), cell))
        why = rnn_why(cell)
        if why and why not in whys:
            whys.append(why)
        features = cell.units
    return equivalent(uses, "; ".join(whys))


@to_torch("rnn_cell")
def _rnn_cell(x, a: Args, name: str):
    return none(f"{name} runs only inside RNN")


@to_torch("einsum_dense")
def _einsum_dense(x, a: Args, name: str):
    return none(
        "torch.nn has no EinsumDense: torch.einsum(equation, x, kernel) with the kernel "
        "(and bias) as nn.Parameter"
    )


@to_torch("spectral_norm")
def _spectral_norm(x, a: Args, name: str):
    return none(
        "torch wraps a module with torch.nn.utils.parametrizations.spectral_norm, which "
        "keeps u and v as buffers (Keras: one non-trainable u)"
    )


@to_torch("rgb_image")
def _rgb_image(x, a: Args, name: str):
    return op_text("torchvision.transforms.v2.ColorJitter(saturation=factor)")
