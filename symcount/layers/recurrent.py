"""Recurrent layers: SimpleRNN, LSTM, GRU and ConvLSTM1D/2D/3D."""

from __future__ import annotations

from .. import dims as D
from .common import channels_of, check_dims, conv_length, data_format_arg, join, split
from .registry import keras
from .spec import REQUIRED, Out, W, a, bad_arg, need_known, need_rank

RNN_VALUE_ARGS = frozenset(
    {
        "activation",
        "recurrent_activation",
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
        "unit_forget_bias",
        "kernel_regularizer",
        "recurrent_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "recurrent_constraint",
        "bias_constraint",
        "dropout",
        "recurrent_dropout",
        "seed",
        "go_backwards",
        "stateful",
        "unroll",
        "use_cudnn",
        "time_major",
        "zero_output_for_mask",
    }
)

# (gates, label) per cell: the kernels are (c_in, gates*units).
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
GATE_NOTES = {
    "LSTM": "4 gates (input, forget, cell, output), each with its own input kernel, recurrent "
    "kernel and bias",
    "GRU": "3 gates (update, reset, candidate), each with its own input kernel, recurrent kernel "
    "and bias",
}


def _units(gates, units):
    return [(str(gates), gates), ("units", units)] if gates > 1 else ("units", units)


def _outputs(seq_shape, last, p, states: int):
    """The output, and with return_state the final states (h, and c for LSTMs)."""
    out = (seq_shape[0], *last) if p.return_sequences else tuple(last)
    if p.return_state:
        return [out] + [tuple(last)] * states
    return out


def _rnn(cell):
    gates = GATES[cell]

    def rnn(shape, p):
        need_rank(shape, 2, layer=cell)
        c_in = need_known(shape[-1], f"the feature axis of {cell}'s input")
        u = p.units
        weights = [
            W("kernel", ("c_in", c_in), _units(gates, u)),
            W("recurrent_kernel", ("units", u), _units(gates, u)),
        ]
        if p.use_bias:
            if cell == "GRU" and p.reset_after:
                weights.append(W("bias", ("2", 2), _units(gates, u)))
            else:
                weights.append(W("bias", _units(gates, u)))
        notes = [GATE_NOTES[cell]] if cell in GATE_NOTES else []
        if cell == "GRU" and p.reset_after and p.use_bias:
            notes.append("reset_after=true: separate input and recurrent biases, hence 2 bias rows")
        return Out(_outputs(shape, (u,), p, 2 if cell == "LSTM" else 1), weights, notes=notes)

    rnn.__doc__ = (
        f"{cell}: kernel (c_in, {gates}*units), recurrent kernel (units, {gates}*units), bias."
    )
    args = [a("units", "dim", REQUIRED), a("activation")]
    if cell != "SimpleRNN":
        args.append(a("recurrent_activation"))
    args.append(a("use_bias", "bool", True))
    tail = [a("return_sequences", "bool", False), a("return_state", "bool", False)]
    if cell == "GRU":
        tail.append(a("reset_after", "bool", True))
    keras.rule(cell, *args, *tail, ignored=RNN_VALUE_ARGS)(rnn)


def _conv_lstm(rank):
    layer = f"ConvLSTM{rank}D"
    labels = {1: ("k",), 2: ("k_h", "k_w"), 3: ("k_d", "k_h", "k_w")}[rank]

    def conv_lstm(shape, p):
        need_rank(shape, rank + 2, layer=layer)
        if any(D.is_num(s) and s > 1 for s in p.strides) and any(
            D.is_num(d) and d > 1 for d in p.dilation_rate
        ):
            bad_arg("strides > 1 is not supported together with dilation_rate > 1")
        step = shape[1:]
        spatial, _ = split(step, p.data_format)
        c_in = channels_of(step, p.data_format, layer)
        out = tuple(
            conv_length(n, k, s, d, p.padding, what=f"input axis of length {n}")
            for n, k, s, d in zip(spatial, p.kernel_size, p.strides, p.dilation_rate, strict=True)
        )
        ks = list(zip(labels, p.kernel_size, strict=True))
        f4 = [("4", 4), ("filters", p.filters)]
        weights = [
            W("kernel", *ks, ("c_in", c_in), f4),
            W("recurrent_kernel", *ks, ("filters", p.filters), f4),
        ]
        if p.use_bias:
            weights.append(W("bias", f4))
        last = check_dims(join(out, p.filters, p.data_format), layer)
        return Out(_outputs(shape, last, p, 2), weights, notes=[GATE_NOTES["LSTM"]])

    conv_lstm.__doc__ = (
        "An LSTM whose gates are convolutions: kernels (kernel_size, c_in, 4*filters)."
    )
    keras.rule(
        layer,
        a("filters", "dim", REQUIRED),
        a("kernel_size", "dims", REQUIRED, rank=rank),
        a("strides", "dims", (1,) * rank, rank=rank),
        a("padding", "enum", "valid", choices=("valid", "same")),
        data_format_arg(),
        a("dilation_rate", "dims", (1,) * rank, rank=rank),
        a("activation"),
        a("recurrent_activation"),
        a("use_bias", "bool", True),
        a("return_sequences", "bool", False),
        a("return_state", "bool", False),
        ignored=RNN_VALUE_ARGS,
    )(conv_lstm)


for _cell in GATES:
    _rnn(_cell)
for _r in (1, 2, 3):
    _conv_lstm(_r)
