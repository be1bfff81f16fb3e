"""torch.nn's RNN, LSTM, GRU (stacked, bidirectional, LSTM projections) and
their cells.

torch keeps two bias vectors per gate block, bias_ih and bias_hh, where Keras
keeps one: an LSTM counts ``4*u*(f + u + 2)`` here against Keras's
``4*u*(f + u + 1)``. The output is the sequence of the last layer's hidden
states, (T, num_directions*H_out), the first of what torch returns; the
final states h_n (and c_n) are not shown. ``batch_first`` only moves the
batch axis, which shapes here leave out.
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Out, W, a, fail
from .torch_common import arg_error, factory_args, infer

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
NOTES = {
    "RNN": "one gate block: weight_ih, weight_hh, and two biases (bias_ih, bias_hh)",
    "LSTM": "4 gate blocks (input, forget, cell, output) in each weight; two biases per "
    "layer and direction (bias_ih and bias_hh), where Keras has one",
    "GRU": "3 gate blocks (reset, update, new) in each weight; two biases, bias_ih and "
    "bias_hh (torch's GRU is Keras's reset_after=true)",
}


# Up to this many layers are listed one by one, as torch names them
# (weight_ih_l0, weight_ih_l1, ...); more are one entry with a count axis.
UNROLLED = 16


def _gates(g, h):
    return [(str(g), g), ("hidden_size", h)] if g > 1 else ("hidden_size", h)


def _check(p, cell: str):
    if not 0 <= p.dropout <= 1:
        arg_error(p, "dropout", "dropout should be a number in range [0, 1]")
    if cell == "RNN" and p.nonlinearity not in ("tanh", "relu"):
        arg_error(p, "nonlinearity", f"unknown nonlinearity {p.nonlinearity!r}: tanh or relu")
    proj = getattr(p, "proj_size", (0,))[0]
    if not (D.is_num(proj) and proj == 0):
        if D.is_num(proj) and proj < 0:
            arg_error(p, "proj_size", "proj_size must be zero or a positive integer")
        if D.is_num(proj) and D.is_num(p.hidden_size) and proj >= p.hidden_size:
            arg_error(p, "proj_size", "proj_size has to be smaller than hidden_size")
    return proj


def _rnn(cell):
    g = GATES[cell]

    def rnn(shape, p):
        if len(shape) != 2:
            fail(
                f"{cell} expects an input of shape (T, input_size) (the batch axis not counted, "
                f"wherever batch_first puts it); got {P.shape(shape)}"
            )
        h = p.hidden_size
        f = infer(p, "input_size", shape[1], "features", layer=f"{cell}({P.expr(h)})")
        proj = _check(p, cell)
        projected = not (D.is_num(proj) and proj == 0)
        h_out = ("proj_size", proj) if projected else ("hidden_size", h)
        n_dir = 2 if p.bidirectional else 1
        layers = p.num_layers
        # A symbolic (or large) num_layers: layer 0, then one entry for the
        # num_layers - 1 equal layers above it, each weight with that many
        # copies: counted, never unrolled into a loop over the layers.
        symbolic = not D.is_num(layers) or layers > UNROLLED
        weights = []
        for layer in range(2 if symbolic else layers):
            if layer == 0:
                x_in = [("input_size", f)]
            elif n_dir == 2:
                x_in = [[("2", 2), h_out]]
            else:
                x_in = [h_out]
            copies = [("num_layers - 1", D.sub(layers, 1))] if symbolic and layer else []
            for suffix in ("", "_reverse")[:n_dir]:
                tag = f"l1..{P.expr(D.sub(layers, 1))}{suffix}" if copies else f"l{layer}{suffix}"
                weights.append(W(f"weight_ih_{tag}", *copies, _gates(g, h), *x_in))
                weights.append(W(f"weight_hh_{tag}", *copies, _gates(g, h), h_out))
                if p.bias:
                    weights.append(W(f"bias_ih_{tag}", *copies, _gates(g, h)))
                    weights.append(W(f"bias_hh_{tag}", *copies, _gates(g, h)))
                if projected:
                    weights.append(W(f"weight_hr_{tag}", *copies, h_out, ("hidden_size", h)))
        out = (shape[0], D.mul(n_dir, h_out[1]))
        return Out(out, weights, notes=[NOTES[cell]])

    rnn.__doc__ = (
        f"Per layer and direction: weight_ih ({g}*hidden_size, input), weight_hh "
        f"({g}*hidden_size, hidden_size) and, with bias, bias_ih and bias_hh."
    )
    args = [
        a("input_size", "dim", REQUIRED),
        a("hidden_size", "dim", REQUIRED),
        a("num_layers", "dim", 1),
    ]
    if cell == "RNN":
        args.append(a("nonlinearity", "enum", "tanh", choices=("tanh", "relu")))
    args += [
        a("bias", "bool", True),
        a("batch_first", "bool", False),
        a("dropout", "number", 0.0),
        a("bidirectional", "bool", False),
    ]
    if cell == "LSTM":
        args.append(a("proj_size", "dims0", (0,), rank=1))
    torch.rule(cell, *args, *factory_args(), infer="input_size")(rnn)


def _cell(cell):
    g = GATES[cell]
    layer = f"{cell}Cell"

    def rnn_cell(shape, p):
        if len(shape) != 1:
            fail(f"{layer} takes one step: an input of shape (input_size,); got {P.shape(shape)}")
        h = p.hidden_size
        f = infer(p, "input_size", shape[0], "features", layer=f"{layer}({P.expr(h)})")
        weights = [
            W("weight_ih", _gates(g, h), ("input_size", f)),
            W("weight_hh", _gates(g, h), ("hidden_size", h)),
        ]
        if p.bias:
            weights += [W("bias_ih", _gates(g, h)), W("bias_hh", _gates(g, h))]
        return Out((h,), weights)

    rnn_cell.__doc__ = (
        f"One step: weight_ih ({g}*hidden_size, input_size), weight_hh ({g}*hidden_size, "
        "hidden_size), bias_ih and bias_hh. Output h (LSTMCell's c is not shown)."
    )
    args = [a("input_size", "dim", REQUIRED), a("hidden_size", "dim", REQUIRED)]
    args.append(a("bias", "bool", True))
    if cell == "RNN":
        args.append(a("nonlinearity", "enum", "tanh", choices=("tanh", "relu")))
    torch.rule(layer, *args, *factory_args(), infer="input_size")(rnn_cell)


for _cell_name in GATES:
    _rnn(_cell_name)
    _cell(_cell_name)
