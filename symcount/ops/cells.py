"""Keras's recurrent cells and the RNN layer that runs them over a sequence.

A cell (LSTMCell, GRUCell, SimpleRNNCell) is one step of the matching
recurrent layer: the same weights, so ``RNN(LSTMCell(8))`` counts as
``LSTM(8)``. A cell is only ever run by an RNN (Keras calls it with its
states, which a model's text cannot give), so applying one to a tensor is
refused. StackedRNNCells (or a list of cells) feeds each cell's output to
the next; its states are every cell's, in order.

The RNN op runs the recurrent op with each cell's table row (its
convention's entry), so the weights are declared once, in the cell's row.
"""

from __future__ import annotations

import dataclasses

from . import costs as C
from .base import Args, Entry, need_rank, op
from .recurrent import rnn
from .spec import Out, bad_arg

CELLS = ("LSTMCell", "GRUCell", "SimpleRNNCell")
STACK = "StackedRNNCells"


@op("rnn_cell")
def rnn_cell(x, a: Args, e: Entry) -> Out:
    """One step of a recurrent layer: its weights, counted where an RNN runs it."""
    if e.name == STACK:
        bad_arg(f"{STACK} is a stack of cells; wrap it: RNN({STACK}([LSTMCell(8), ...]))")
    bad_arg(
        f"{e.name} is one step of a recurrent layer, called with its states; "
        f"wrap it to run it over a sequence: RNN({e.name}(...))"
    )


def _cell_args(spec, entry: Entry) -> Args:
    """A cell's bound arguments as the recurrent op's Args."""
    a = Args(**entry.layer.fixed)
    for key, conv in entry.arg_names.items():
        setattr(a, key, getattr(spec.ns, conv))
    a._spans = {}
    a.return_sequences = a.return_state = False
    return a


def _is(value, names) -> bool:
    return getattr(value, "type_name", None) in names and hasattr(value, "rule")


def _cells(value, e: Entry, ns=None) -> tuple[list, str]:
    """The cells an RNN runs, each with its weights' prefix, and the stack's name
    (a list's: the name Keras gives the StackedRNNCells it makes, numbered by
    its layer-name counter when the RNN is made; ``ns``: the RNN's arguments)."""
    what = f"{e.name}'s cell must be a cell ({', '.join(CELLS)}), a {STACK} or a list of cells"
    if _is(value, CELLS):
        return [value], ""
    if _is(value, (STACK,)):
        value, stack = value.ns.cells, value.name
    elif isinstance(value, tuple | list):
        stack = getattr(ns, "_stack", "stacked_rnn_cells")
    else:
        name = getattr(value, "type_name", None)
        bad_arg(f"{what}, not {name}" if name else what)
    if not isinstance(value, tuple | list) or not value:
        bad_arg(f"{STACK} takes a non-empty list of cells: [LSTMCell(8), GRUCell(4)]")
    for cell in value:
        if not _is(cell, CELLS):
            name = getattr(cell, "type_name", None)
            bad_arg(f"{what}; a stack's cells are cells, not {name or 'that value'}")
    return list(value), stack


@op("rnn_layer")
def rnn_layer(x, a: Args, e: Entry) -> Out:
    """A cell (or a stack of cells) over a sequence (T, features): the cells'
    weights; the last output, every step's with return_sequences, and with
    return_state each cell's states (h, and c for an LSTMCell)."""
    need_rank(e, x, (2,))
    if a.stateful:
        bad_arg(f"{e.name} with stateful=true needs a fixed batch size, which symcount leaves out")
    cells, stack = _cells(a.cell, e, getattr(getattr(a.ctx, "spec", None), "ns", None))
    prefix = f"{stack}/" if stack else ""
    weights, states, children, macs = [], [], [], []
    features = x[-1]
    for cell in cells:
        entry = e.convention.entries()[cell.type_name]
        ca = _cell_args(cell, entry)
        out = rnn((x[0], features), ca, entry)
        ws = out.weights
        if not cell.trainable:
            ws = [
                dataclasses.replace(w, trainable=False, what="frozen cell: trainable=false")
                for w in ws
            ]
        children.append((cell, Out(out.shape, ws, notes=out.notes)))
        macs.append(out.costs)  # each cell's steps
        weights += [w.renamed(f"{prefix}{cell.name}/") for w in ws]
        units = (ca.units,)
        states += [units] * (2 if ca.gates == 4 else 1)
        features = ca.units
    last = (x[0], features) if a.return_sequences else (features,)
    shape = [last, *states] if a.return_state else last
    # the cells' notes are theirs
    return Out(shape, weights, children=children, costs=C.joined(*macs))
