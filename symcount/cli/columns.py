"""``summary --columns params,macs,flops``: the per-layer columns of the
table (and of Markdown, CSV and the notebook), chosen by the names of
:mod:`symcount.model.quantities`, so a quantity registered later is a choice
with no change here."""

from __future__ import annotations

import argparse


def add(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--columns",
        metavar="NAMES",
        help="the per-layer columns, in order, by quantity: --columns params,macs,flops "
        "(names from the registry: params, trainable, non_trainable, buffers, macs, flops, ...)",
    )


def apply(args, model):
    """The model with the chosen columns; an unknown name is a usage error
    naming the choices."""
    text = getattr(args, "columns", None)
    if text is None:
        return model
    from ..errors import ArgumentError, did_you_mean
    from ..model.quantities import REGISTRY

    names = [n.strip() for n in text.split(",") if n.strip()]
    choices = [n for q in REGISTRY for n in q.names()]
    if not names:
        raise ArgumentError(
            "--columns: give one or more quantities, e.g. --columns params,macs,flops; "
            "one of " + ", ".join(q.name for q in REGISTRY)
        ).at(None, filename=model.filename)
    for n in names:
        if n not in choices:
            raise ArgumentError(
                f"--columns: {n!r} is not a quantity; choose from "
                + ", ".join(q.name for q in REGISTRY),
                hint=did_you_mean(n, choices),
            ).at(None, filename=model.filename)
    return model.with_columns(*names)
