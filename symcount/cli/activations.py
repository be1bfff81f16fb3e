"""The activation options of summary and explain (docs/activations.md):
``--activations [torchinfo|korthikanti]``, ``--tensor-parallel T``,
``--sequence-parallel``, ``--selective-recomputation``."""

from __future__ import annotations

import argparse

from .args import batch_size

RULES = ("torchinfo", "korthikanti")


def add_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("activation memory (docs/activations.md)")
    g.add_argument(
        "--activations",
        nargs="?",
        const="torchinfo",
        choices=RULES,
        metavar="RULE",
        help="add the bytes of every call's outputs (forward activations) and a training "
        "estimate: torchinfo (default: each call of a layer with parameters keeps its "
        "output and its gradient, torchinfo 1.8.0's 'Forward/backward pass size') or "
        "korthikanti (Korthikanti et al. 2022: s*b*h*(34 + 5*a*s/h) per transformer layer, "
        "16-bit)",
    )
    g.add_argument(
        "--tensor-parallel",
        type=batch_size,
        metavar="T",
        help="with --activations korthikanti: tensor parallelism over T devices "
        "(an integer or a symbol)",
    )
    g.add_argument(
        "--sequence-parallel",
        action="store_true",
        help="with --activations korthikanti: sequence parallelism too",
    )
    g.add_argument(
        "--selective-recomputation",
        action="store_true",
        help="with --activations korthikanti: the attention's 5*a*s^2*b bytes recomputed",
    )


def apply(args, parser, model):
    """The model with the activation quantities shown, as the options ask."""
    rule = getattr(args, "activations", None)
    korthikanti_only = (
        getattr(args, "tensor_parallel", None) is not None
        or getattr(args, "sequence_parallel", False)
        or getattr(args, "selective_recomputation", False)
    )
    if rule != "korthikanti" and korthikanti_only:
        parser.error(
            "--tensor-parallel, --sequence-parallel and --selective-recomputation "
            "need --activations korthikanti"
        )
    if rule is None:
        return model
    if rule == "torchinfo":
        return model.showing("activation_bytes", "training_activation_bytes")
    from ..counting import activations as A

    refused = A.not_transformer_layers(model)
    if refused:
        r, why = refused[0]
        parser.error(
            f"--activations korthikanti: {r.name} ({r.type}) is not a transformer layer as "
            f"Korthikanti et al. count one ({why}): {A.RECOGNISED}"
        )
    if not any(A.SH in c for _, r in model.walk(expand=True) for c in r.call_costs):
        parser.error(
            f"--activations korthikanti: the model has no transformer layer ({A.RECOGNISED})"
        )
    model = A.parallel(
        model,
        1 if args.tensor_parallel is None else args.tensor_parallel,
        args.sequence_parallel,
        args.selective_recomputation,
    )
    return model.showing("activation_bytes", "korthikanti_bytes")
