"""The options of the default compute convention on the command line
(docs/compute.md, "Options"): --include, --causal, --per-token, --training,
--training-exact. Each implies --compute, as --batch does."""

from __future__ import annotations

import argparse

INCLUDE = ("bias", "elementwise", "norm")  # symcount.counting.options.INCLUDE


def _include(text: str) -> tuple[str, ...]:
    got = tuple(w.strip() for w in text.split(",") if w.strip())
    bad = [w for w in got if w not in INCLUDE]
    if bad or not got:
        raise argparse.ArgumentTypeError(
            f"{bad[0] if bad else text!r} is not one of {', '.join(INCLUDE)} (comma-separated)"
        )
    return got


def add(g) -> None:
    """The flags, in the "compute" argument group ``g``."""
    g.add_argument(
        "--include",
        type=_include,
        action="append",
        metavar="WORK",
        help="count more than the matmuls: bias (one add per output entry per bias), "
        "elementwise (activations, merges, LayerScale, softmax: 1 per entry), norm (5 per entry); "
        "comma-separated, e.g. --include bias,elementwise,norm",
    )
    g.add_argument(
        "--causal",
        action="store_true",
        help="self-attention over the T(T+1)/2 query-key pairs a causal mask keeps, not T^2",
    )
    g.add_argument(
        "--per-token",
        action="store_true",
        help="each layer's count divided by the positions it reads (a sequence's length)",
    )
    how = g.add_mutually_exclusive_group()
    how.add_argument(
        "--training",
        action="store_true",
        help="forward + backward, backward = 2 x forward (3 x the forward count)",
    )
    how.add_argument(
        "--training-exact",
        action="store_true",
        help="forward + backward without the input gradient of a layer that reads a model "
        "input (FlopCounterMode's count of loss.backward())",
    )


def options(args) -> list[str]:
    """The options given, as symcount.counting.options names them."""
    got = [w for group in getattr(args, "include", None) or () for w in group]
    for flag, name in (
        ("causal", "causal"),
        ("per_token", "per-token"),
        ("training", "training"),
        ("training_exact", "training-exact"),
    ):
        if getattr(args, flag, False):
            got.append(name)
    return got


def counting_name(args, parser) -> str | None:
    """The counting --count-as and the options name together (None: the default, none given)."""
    base = getattr(args, "count_as", None)
    opts = options(args)
    if not opts:
        return base
    if base not in (None, "default"):
        parser.error(f"--count-as {base} counts as its tool does: the options go with the default")
    from ..counting.options import canonical

    return "+".join(("default", *canonical(opts)))


def add_compute_args(p) -> None:
    """The compute group of summary and explain: --compute, --count-as, --batch and the options."""
    from .args import batch_size

    g = p.add_argument_group("compute (docs/compute.md)")
    g.add_argument(
        "--compute",
        action="store_true",
        help="add MACs and FLOPs per layer and in the totals, under the default convention: "
        "FLOPs = 2 x MACs over matmuls and convolutions, attention at full length, forward pass",
    )
    g.add_argument(
        "--count-as",
        metavar="NAME",
        help="count the compute as a tool or a paper does (fvcore, ptflops, calflops, torchinfo, "
        "kaplan, ...; docs/compute.md lists them and the number each reproduces)",
    )
    g.add_argument(
        "--batch",
        type=batch_size,
        metavar="B",
        help="count the compute for a batch of B samples: an integer or a symbol "
        "(default 1, or the batch the model's input states: input(..., batch_size=32))",
    )
    add(g)
