"""Text renderers of an evaluated model: the summary table, explain, and the
machine-readable formats (JSON, Markdown, CSV).

Every renderer takes a :class:`symcount.Model` and returns a string; none
imports SymPy (symbolic values arrive already built and are printed with
:mod:`symcount.printing`).
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P

__all__ = ["compute_note", "compute_text", "label", "total_items", "totals", "totals_lines"]


def label(row, depth: int = 0, escape=P.text) -> str:
    """``conv2d_1 (Conv2D)``, as the first column of Keras's summary; rows
    inside blocks are indented, repeated passes show their multiplier and a
    shared layer how many times it is called. The name and the type are
    user text, shown through ``escape`` (the format's own escaping, which
    must escape what :func:`symcount.printing.text` does)."""
    text = f"{'  ' * depth}{escape(row.name)} ({escape(row.type)})"
    if row.multiplier != 1:
        text += f" x{P.expr(row.multiplier)}"
    if row.calls != 1:
        text += f" [shared: {P.expr(row.calls)} calls]"
    return text


def total_items(model) -> list[tuple[object, object]]:
    """(quantity, value) of the totals every renderer shows: each quantity the
    model lists (symcount.model.quantities), unless it is shown only when non-zero
    (``Buffers``, under a convention that has them) and is zero."""
    out = []
    for q in model.quantities:
        v = model.sum(q.name)
        if q.in_totals(v):
            out.append((q, v))
    return out


def totals(model) -> list[tuple[str, object]]:
    """(title, value) of the totals, for every renderer: ``Total params``, the
    trainable / non-trainable split, ``Buffers`` when non-zero, and any other
    quantity the model lists."""
    return [(q.title, v) for q, v in total_items(model)]


def compute_note(model) -> str | None:
    """``Compute: FLOPs = 2 x MACs ..., batch 1``: the convention of the
    compute counts, when the model lists them; else None."""
    if not model.compute_shown:
        return None
    return P.text(f"Compute: {compute_text(model.counting, model.batch)}")


def compute_text(counting: str, batch) -> str:
    """``FLOPs = 2 x MACs ..., forward pass, batch 1``: a counting's title and
    the batch, as every output names the compute's convention."""
    from ..counting import lookup

    return f"{lookup(counting).title}, batch {P.expr(batch)}"


def totals_lines(model) -> list[str]:
    """``Total params: 2,663,678`` and the rest of :func:`totals`, as text."""
    if model.memory_shown:  # with the sizes and the estimates (render/memory.py)
        from .memory import totals_lines as memory_lines

        return [P.text(t) for t in memory_lines(model, total_items(model))]
    sizes = _keras_sizes(model)
    return [
        P.text(f"{q.title}: {P.number(v)}" + (f" ({sizes[q.name]})" if q.name in sizes else ""))
        for q, v in total_items(model)
    ]


def _keras_sizes(model) -> dict[str, str]:
    """Keras's summary prints each parameter total with its size in its
    dtype (``Total params: 2,663,678 (10.16 MB)``): so does ours, when the
    three are numbers (a formula's size is shown with --memory)."""
    if model.convention != "keras":
        return {}
    names = ("params", "trainable", "non_trainable")
    values = [model.sum(n) for n in names]
    if not all(D.is_num(v) for v in values):
        return {}
    from .memory import keras_size, keras_weight_bytes

    t, n = keras_weight_bytes(model)
    return dict(zip(names, (keras_size(D.add(t, n)), keras_size(t), keras_size(n)), strict=True))
