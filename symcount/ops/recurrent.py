"""Recurrent layers: a gated cell (1, 3 or 4 gate blocks) over a sequence,
stacked and in both directions where the convention has those arguments
(torch's num_layers, bidirectional, proj_size), and the convolutional LSTM.

The formula differences are flags the op reads: torch keeps two bias
vectors per gate block (``two_biases``), Keras's GRU only with
``reset_after``; torch names each layer's and direction's weights
(``layer_tags``: weight_ih_l0, weight_ih_l0_reverse, ...).
"""

from __future__ import annotations

import dataclasses

from .. import dims as D
from .. import printing as P
from . import costs as C
from .base import Args, Entry, join, kernel_axes, need_rank, op, positive, split
from .conv import lengths, strided_dilation
from .norm import refuse
from .spec import Factor, Out, fail, need_known

# Up to this many layers are listed one by one, as torch names them
# (weight_ih_l0, weight_ih_l1, ...); more are one entry with a count axis.
UNROLLED = 16


def _rank(x, rank: int, e: Entry):
    if "rnn_rank" not in e.convention.MESSAGES:
        need_rank(e, x, (rank,))
    elif len(x) != rank:
        refuse(e, "rnn_rank" if rank == 2 else "cell_rank", got=P.shape(x))


def _projection(a: Args, e: Entry):
    """torch's proj_size (0: none), checked."""
    proj = getattr(a, "proj", (0,))[0]
    if not (D.is_num(proj) and proj == 0):
        if D.is_num(proj) and proj < 0:
            e.arg_error(a, "proj", "proj_size must be zero or a positive integer")
        if D.is_num(proj) and D.is_num(a.units) and proj >= a.units:
            e.arg_error(a, "proj", "proj_size has to be smaller than hidden_size")
        return proj
    return None


def _biases(a: Args, e: Entry, **values) -> list:
    if not a.bias:
        return []
    if not (e.flag("two_biases") or getattr(a, "reset_after", False)):
        return e.weights_of("bias", **values)
    if e.has("bias_pair"):  # Keras's GRU: one (2, 3*units) bias
        return e.weights_of("bias_pair", **values)
    return e.weights_of("bias", "recurrent_bias", **values)


@op("rnn")
def rnn(x, a: Args, e: Entry) -> Out:
    """Per layer and direction: an input kernel (c_in, gates*units), a recurrent
    kernel (units, gates*units) and the biases; torch's projection."""
    step = getattr(a, "step", False)  # torch's cells: one step, (input_size,)
    _rank(x, 1 if step else 2, e)
    u = a.units
    f = e.input_size(a, "c_in", x[-1], "features", hint=f"{e.name}({P.expr(u)})")
    if f is None:
        need_known(f, f"the feature axis of {e.name}'s input")
    if not 0 <= getattr(a, "dropout", 0) <= 1:
        e.arg_error(a, "dropout", "dropout should be a number in range [0, 1]")
    proj = _projection(a, e)
    h_out = ("units", u) if proj is None else ("proj", proj)
    n_dir = 2 if getattr(a, "bidirectional", False) else 1
    layers = getattr(a, "layers", 1)
    # A symbolic (or large) num_layers: layer 0, then one entry for the
    # num_layers - 1 equal layers above it, each weight with that many
    # copies: counted, never unrolled into a loop over the layers.
    symbolic = not D.is_num(layers) or layers > UNROLLED
    weights, terms = [], []
    for layer in range(2 if symbolic else layers):
        x_in = ("c_in", f) if layer == 0 else [("2", 2), h_out] if n_dir == 2 else h_out
        copies = [("num_layers - 1", D.sub(layers, 1))] if symbolic and layer else []
        values = dict(x_in=x_in, h_out=h_out, units=u, copies=copies)
        terms.append(_step_macs(a, e, x_in, h_out, proj, n_dir, copies))
        for suffix in ("", "_reverse")[:n_dir]:
            ws = e.weights_of("kernel", "recurrent", **values) + _biases(a, e, **values)
            if proj is not None:
                ws += e.weights_of("projection", **values)
            if e.flag("layer_tags"):
                tag = f"l1..{P.expr(D.sub(layers, 1))}" if copies else f"l{layer}"
                ws = [dataclasses.replace(w, name=f"{w.name}_{tag}{suffix}") for w in ws]
            weights += ws
    notes = [e.layer.extra["note"]] if "note" in e.layer.extra else []
    if getattr(a, "reset_after", False) and a.bias and not e.flag("two_biases"):
        notes.append("reset_after=true: separate input and recurrent biases, hence 2 bias rows")
    _initial_state(a, e)
    # every step multiplies the input and the state by the gate kernels: T*gates*H*(I + H)
    costs = C.macs(*(C.term(*([] if step else [Factor("T", x[0])]), t) for t in terms))
    if step:
        return Out((u,), weights, notes=notes, costs=costs)
    if e.flag("whole_sequence"):  # torch: the last layer's hidden states, (T, dirs*H_out)
        return Out((x[0], D.mul(n_dir, h_out[1])), weights, notes=notes, costs=costs)
    return Out(_outputs(x, (u,), a), weights, notes=notes, costs=costs)


def _step_macs(a: Args, e: Entry, x_in, h_out, proj, n_dir: int, copies):
    """One step of one layer (all its directions, and its copies): the gate
    kernels on the input and on the state, and torch's projection; labelled
    gates*units*(c_in + units) as the convention names them."""
    parts = x_in if isinstance(x_in, list) else [x_in]
    inputs = D.prod(v for _, v in parts)
    dirs = [Factor("directions", n_dir)] if n_dir != 1 else []
    kept = [Factor(label, v) for label, v in copies]
    both = D.add(inputs, h_out[1])
    if proj is None:
        reads = "*".join(e.labels.get(k, k) for k, _ in parts)
        summed = Factor(f"{reads} + {e.labels.get(h_out[0], h_out[0])}", both)
        gates = (Factor("gates", a.gates), e.named("units", a.units), summed)
        return C.term(*dirs, *gates, *kept)
    per_dir = D.add(D.mul(D.mul(a.gates, a.units), both), D.mul(a.units, proj))
    return C.term(*dirs, per_dir, *kept)


def _initial_state(a: Args, e: Entry) -> None:
    """``LSTM(u)(x, initial_state=[h, c])``: the states an RNN's call starts
    from, each (units,): two for an LSTM, one for a GRU or SimpleRNN. Keras
    builds the model with any list and fails when it runs; symcount says so
    when it reads it."""
    # diff runs the op again without a call (no ctx, or one without keywords)
    states = getattr(getattr(a, "ctx", None), "call_kwargs", {}).get("initial_state")
    if states is None:
        return
    states = states if isinstance(states, list) else [states]
    want = 2 if a.gates == 4 else 1
    if len(states) != want:
        what = "h and c" if want == 2 else "h"
        fail(
            f"initial_state takes {want} tensor{'s' if want > 1 else ''} ({what}), got "
            f"{len(states)}"
        )
    for i, shape in enumerate(states):
        if isinstance(shape, list) or len(shape) != 1 or D.equal(shape[0], a.units) is False:
            fail(
                f"initial_state[{i}] must have shape (None, {P.expr(a.units)}) (units), "
                f"got {P.shape(shape) if not isinstance(shape, list) else 'several tensors'}"
            )


def _outputs(seq_shape, last, a: Args):
    """The output, and with return_state the final states (h, and c for LSTMs)."""
    out = (seq_shape[0], *last) if a.return_sequences else tuple(last)
    if a.return_state:
        return [out] + [tuple(last)] * (2 if a.gates == 4 else 1)
    return out


@op("conv_lstm")
def conv_lstm(x, a: Args, e: Entry) -> Out:
    """An LSTM whose gates are convolutions: kernels (kernel_size, c_in, 4*filters)."""
    rank = a.rank
    need_rank(e, x, (rank + 2,))
    strided_dilation(a, e)
    spatial, c_in = split(x[1:], a.data_format)  # one step
    if c_in is None:
        e.fail("channels_unknown")
    out = lengths(spatial, a, [a.padding] * rank)
    values = dict(K=kernel_axes(a.kernel), c_in=c_in, units=a.units)
    weights = e.weights_of("kernel", "recurrent", **values) + _biases(a, e, **values)
    last = positive(e, join(out, a.units, a.data_format))
    # each step, at each output position: the input's and the state's convolutions
    # (the state's is padded to the output's size) into 4 gate blocks
    summed = Factor(
        f"{e.labels.get('c_in', 'c_in')} + {e.labels.get('units', 'units')}", D.add(c_in, a.units)
    )
    kernel = [Factor(n, v) for n, v in kernel_axes(a.kernel)]
    gates = Factor("gates", 4), e.named("units", a.units), summed
    costs = C.macs(C.term(Factor("T", x[0]), C.positions(out), kernel, *gates))
    return Out(_outputs(x, last, a), weights, notes=[e.layer.extra["note"]], costs=costs)
