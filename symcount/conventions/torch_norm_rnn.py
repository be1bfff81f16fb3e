"""PyTorch's tables (see torch.py): normalization and recurrent layers.
Arguments are spec strings (:func:`symcount.ops.spec.parse_args`)."""

from __future__ import annotations

from .base import Layer, layer
from .torch_core import FACTORY

# --- normalization (ops/norm.py) ------------------------------------------------

NORM_MESSAGES = {
    "norm_rank": "{layer} expects an input of shape {form} (batch excluded); got {got}",
    "no_channels": "{layer} needs a channel axis: (C, *) without the batch",
    "axis_unknown": "{layer}'s channel axis",
    "groups_given": "num_channels ({c}) must be divisible by num_groups ({g})",
    "groups_split": "the input's {c} channels cannot be split into {g} groups",
    "unused_size": "num_features={given} differs from the input's {actual} channels; torch only "
    "warns, since without affine or running statistics it is unused",
    "state_note": "running_mean and running_var are buffers (one per channel), and so is "
    "num_batches_tracked (one integer): not counted as parameters",
}
AFFINE = "gamma=weight(c_in) beta=bias(c_in)"
NORM_FORMS = {1: "(C,) or (C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def _channel_norm(rank: int, ranks: tuple, affine: bool) -> Layer:
    """BatchNorm (affine and running statistics by default) and InstanceNorm
    (neither): the channel axis first."""
    form = NORM_FORMS[rank] if ranks != (2,) else "(C, L)"
    on = "true" if affine else "false"
    return layer(
        "batch_norm",
        "num_features>c_in:dim! eps:number=1e-5 momentum:number?=0.1",
        f"affine>scale:bool={on} track_running_stats>state:bool={on} {FACTORY}",
        "bias>center:bool=true",
        fixed={"axis": 1, "ranks": ranks, "form": form},
        weights=f"{AFFINE} mean=running_mean(c_in) var=running_var(c_in) "
        "count=num_batches_tracked()",
        infer="num_features",
        doc="weight and bias (affine) per channel; running_mean, running_var and "
        f"num_batches_tracked buffers (track_running_stats). Input {form}.",
    )


def _normalized(spec: str, weights: str, doc: str) -> Layer:
    return layer(
        "layer_norm",
        f"normalized_shape>normalized:dims! {spec}",
        weights=weights,
        infer="normalized_shape",
        doc=doc,
    )


NORM_LAYERS = {
    **{f"BatchNorm{r}d": _channel_norm(r, ((1, 2), (3,), (4,))[r - 1], True) for r in (1, 2, 3)},
    **{f"InstanceNorm{r}d": _channel_norm(r, (r + 1,), False) for r in (1, 2, 3)},
    "GroupNorm": layer(
        "group_norm",
        "num_groups>groups:dim! num_channels>c_in:dim! eps:number=1e-5",
        f"affine>scale:bool=true {FACTORY} bias>center:bool=true",
        fixed={"axis": 1},
        weights=AFFINE,
        infer="num_channels",
        doc="weight and bias per channel (affine); channels split into num_groups groups.",
    ),
    "LayerNorm": _normalized(
        f"eps:number=1e-5 elementwise_affine>scale:bool=true bias>center:bool=true {FACTORY}",
        "gamma=weight(*dims) beta=bias(*dims)",
        "weight and bias of normalized_shape (the trailing axes; default the last).",
    ),
    "RMSNorm": _normalized(
        f"eps:number elementwise_affine>scale:bool=true {FACTORY}",
        "gamma=weight(*dims)",
        "weight of normalized_shape (the trailing axes; default the last).",
    ),
    "LocalResponseNorm": layer(
        "identity",
        "size:dim! alpha:number=1e-4 beta:number=0.75 k:number=1.0",
        fixed={"ranks": range(2, 1 << 62), "form": "(C, L, ...)"},
        doc="Normalizes across neighbouring channels of (C, *): same shape, no weights.",
    ),
}


# --- recurrent (ops/recurrent.py) -------------------------------------------------

RNN_NOTES = {
    "RNN": "one gate block: weight_ih, weight_hh, and two biases (bias_ih, bias_hh)",
    "LSTM": "4 gate blocks (input, forget, cell, output) in each weight; two biases per "
    "layer and direction (bias_ih and bias_hh), where Keras has one",
    "GRU": "3 gate blocks (reset, update, new) in each weight; two biases, bias_ih and "
    "bias_hh (torch's GRU is Keras's reset_after=true)",
}


def _rnn(cell: str, gates: int, step: bool = False) -> Layer:
    """RNN, LSTM, GRU (stacked, bidirectional) or, with step, their cells."""
    nonlinearity = "nonlinearity:tanh|relu=tanh" if cell == "RNN" else ""
    if step:
        rest = f"bias:bool=true {nonlinearity}"
    else:
        rest = f"num_layers>layers:dim=1 {nonlinearity} bias:bool=true batch_first:bool=false"
        rest += " dropout:number=0.0 bidirectional:bool=false"
        rest += " proj_size>proj:dims0(1)=0" if cell == "LSTM" else ""
    g = f"{gates}*units" if gates > 1 else "units"
    return layer(
        "rnn",
        f"input_size>c_in:dim! hidden_size>units:dim! {rest} {FACTORY}",
        fixed={"gates": gates, "step": step},
        flags={} if step else {"layer_tags": True, "whole_sequence": True},
        weights=f"kernel=weight_ih(*copies, {g}, x_in) recurrent=weight_hh(*copies, {g}, h_out) "
        f"bias=bias_ih(*copies, {g}) recurrent_bias=bias_hh(*copies, {g}) "
        "projection=weight_hr(*copies, h_out, units)",
        infer="input_size",
        extra={} if step else {"note": RNN_NOTES[cell]},
        doc=f"One step: weight_ih ({gates}*hidden_size, input_size), weight_hh ({gates}*"
        "hidden_size, hidden_size), bias_ih and bias_hh. Output h (LSTMCell's c is not shown)."
        if step
        else f"Per layer and direction: weight_ih ({gates}*hidden_size, input), weight_hh "
        f"({gates}*hidden_size, hidden_size) and, with bias, bias_ih and bias_hh.",
    )


RNN_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
RNN_LAYERS = {name: _rnn(name, g) for name, g in RNN_GATES.items()}
RNN_LAYERS |= {f"{name}Cell": _rnn(name, g, step=True) for name, g in RNN_GATES.items()}
RNN_MESSAGES = {
    "rnn_rank": "{layer} expects an input of shape (T, input_size) (the batch axis not "
    "counted, wherever batch_first puts it); got {got}",
    "cell_rank": "{layer} takes one step: an input of shape (input_size,); got {got}",
}
