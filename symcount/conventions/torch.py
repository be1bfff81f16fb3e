"""PyTorch's convention (torch.nn): channels first, running statistics as
buffers, the input size inferred when left out (``Linear(10)``), layer names
in lower case (linear, conv2d_1). Imported on first use of ``convention torch``,
so a Keras model's start-up does not pay for it. The class holds the flags
and messages; the rows are in torch_core, torch_spatial, torch_norm_rnn and
torch_attention, by family."""

from __future__ import annotations

from typing import ClassVar

from .base import Convention, Layer
from .registry import torch as registry
from .torch_attention import ATTENTION_LAYERS, ATTENTION_MESSAGES
from .torch_core import CORE_LAYERS
from .torch_norm_rnn import NORM_LAYERS, NORM_MESSAGES, RNN_LAYERS, RNN_MESSAGES
from .torch_spatial import SPATIAL_LAYERS


class Torch(Convention):
    name = "torch"
    state_as_buffers = True
    FLAGS: ClassVar[dict] = {
        "layout": "channels_first",
        "padding": "explicit",  # 'same' and integers resolve to pads, as ATen does
        "groups_first": True,
        "groups_checks": (("c_in", "in_channels"), ("filters", "out_channels")),
        "norm_labels": ("normalized_shape", "n"),
        "beta_needs_scale": True,
        "two_biases": True,  # bias_ih and bias_hh per gate block, where Keras keeps one
        "attention_inputs": ("query", "key", "value"),
    }
    LABELS: ClassVar[dict[str, str]] = {
        "c_in/groups": "in_channels/groups",
        "filters/groups": "out_channels/groups",
    }

    @staticmethod
    def name_base(type_name: str) -> str:
        """The class name in lower case (linear, conv2d_1)."""
        return type_name.lower()

    MESSAGES: ClassVar[dict[str, str]] = {
        "no_features": "{layer} needs a feature axis: the input has only the batch axis",
        "rank": "{layer} expects an input of shape {form} (the batch axis not counted); got {shape}",
        "pool_rank": "{layer} expects an input of shape {form} (batch excluded); got {full}",
        "pad_rank": "{layer} expects an input of shape {form}; got {full}",
        "one_unknown": "only one entry of unflattened_size may be -1",
        "no_none": "unflattened_size cannot contain None",
        "indivisible": "unflattened_size {sizes} does not divide the axis of length {n}",
        "mismatch": "unflattened_size {sizes} does not multiply up to the axis length {n}",
        "positive": "{layer} would produce an axis of length {expr}; every length must be positive",
        "nonnegative": "{layer} would produce an axis of length {expr}; lengths may not be negative",
        **NORM_MESSAGES,
        **RNN_MESSAGES,
        **ATTENTION_MESSAGES,
    }

    LAYERS: ClassVar[dict[str, Layer]] = {
        **Convention.LAYERS,
        **CORE_LAYERS,
        **NORM_LAYERS,
        **RNN_LAYERS,
        **ATTENTION_LAYERS,
        **SPATIAL_LAYERS,
    }


CONVENTION = Torch
Torch.register(registry)
