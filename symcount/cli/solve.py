"""``symcount solve``: sizes that give a parameter count, or fit a budget."""

from __future__ import annotations

import argparse
import math

from ..model.quantities import REGISTRY
from . import memory
from .args import add_batch, count, positive

EPILOG = """\
examples:
  symcount solve examples/stacked_lstm_symbolic.sc --params 59910 --for u
  symcount solve examples/stacked_lstm_symbolic.sc --params 60000 --for u
  symcount solve examples/stacked_lstm_symbolic.sc --at-most 1M --for u --multiple-of 64
  symcount solve examples/transformer_symbolic.sc --at-most 1B --for d \\
      --set L=24 --set h=12 --set V=50257 --set T=1024 --multiple-of 128 --where 'd % h == 0'
  symcount solve examples/transformer_symbolic.sc --at-most 1B --for d,L --let d=64*h \\
      --set V=50257 --set T=1024 --where 'L in 12..48'
  symcount solve examples/gpt2.sc --count flops --budget 1e12 --for d --multiple-of 64 \\
      --set V=50257 --set T=1024 --set h=12 --set L=12 --batch 8

answers:
  --params N     every positive integer solution; none: the nearest value on
                 each side, with its count and its distance to N
  --at-most N    the value whose count is closest to N without passing it
  --at-least N   the value whose count is closest to N from above
  --budget N     the same as --at-most (a compute or memory budget: --count flops)
  With several unknowns: a table of feasible values, closest first. All but
  one unknown need a range (--where 'L in 12..48'); the last is searched.

constraints (repeatable):
  --multiple-of 64 | NAME=64      --where 'd % h == 0'   --where 'u in 1..4096'
  --where 'L <= 48'               --let d=64*h (d follows h; h is solved for)

A solve that cannot finish within --timeout seconds (default 5) stops with
a message saying so."""


def _multiple(text: str):
    name, sep, value = text.rpartition("=")
    try:
        n = int(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not INTEGER or NAME=INTEGER (e.g. --multiple-of 64)"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the multiple must be positive")
    name = name.strip() if sep else None
    if sep and not (name and name.isidentifier()):
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=INTEGER")
    return name, n


def _seconds(text: str) -> float:
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < s <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: give between 0 and 3600 seconds")
    return s


def register(subparsers, add_model_args) -> None:
    p = subparsers.add_parser(
        "solve",
        help="sizes that give a parameter count, or the largest that fits a budget",
        description="Find positive integer values of symbols whose parameter count hits\n"
        "a target exactly, or comes closest under or over a budget.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(p)
    memory.add_args(p, estimates=False)  # --dtype, --optimizer: for --count param_bytes, ...
    # one target is required (checked in run: --budget, outside the group, counts as one)
    target = p.add_mutually_exclusive_group()
    target.add_argument("--params", type=count, metavar="N", help="the count, exactly")
    target.add_argument("--at-most", type=count, metavar="N", help="a budget not to pass")
    target.add_argument("--at-least", type=count, metavar="N", help="a count to reach")
    p.add_argument(
        "--budget",
        type=count,
        metavar="N",
        help="the same as --at-most: a budget not to pass (1e12, 10^12, 80G)",
    )
    p.add_argument(
        "--for",
        dest="unknowns",
        action="append",
        default=[],
        metavar="NAME[,NAME]",
        help="the symbol(s) to solve for (default: the model's only symbol)",
    )
    p.add_argument(
        "--multiple-of",
        action="append",
        type=_multiple,
        default=[],
        metavar="[NAME=]INT",
        help="the unknowns (or NAME) must be multiples of INT (repeatable)",
    )
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="CONDITION",
        help="a condition: 'd %% h == 0', 'u in 1..4096', 'L <= 48' (repeatable)",
    )
    p.add_argument(
        "--count",
        choices=[q.name for q in REGISTRY],
        default="params",
        help="which count to solve for (default: params, the total); macs and flops "
        "count the forward pass (docs/compute.md)",
    )
    add_batch(p)
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="give up after this long (default: 5)",
    )
    p.add_argument(
        "--limit", type=positive, default=20, metavar="N", help="rows to show (default: 20)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(run=run, parser=p)


def run(args, parser) -> str:
    from .. import cli
    from ..analysis.algebra import let_texts
    from ..analysis.solve import solve

    if args.budget is not None:
        if (args.params, args.at_most, args.at_least) != (None, None, None):
            parser.error("--budget is --at-most: give one of --params, --at-most, --at-least")
        args.at_most = args.budget
    elif (args.params, args.at_most, args.at_least) == (None, None, None):
        parser.error("one of the arguments --params --at-most --at-least is required")
    lets = getattr(args, "lets", None) or []
    # the model as written, with --set values; relations go to the solver, which
    # solves through them and reports the symbols they give
    model = cli._model(argparse.Namespace(**{**vars(args), "lets": []}), parser)
    unknowns = [u for text in args.unknowns for u in text.replace(" ", "").split(",") if u]
    multiple_of: dict = {}
    for name, n in args.multiple_of:  # None: every unknown
        multiple_of[name] = math.lcm(multiple_of.get(name, 1), n)
    result = solve(
        model,
        unknowns or None,
        params=args.params,
        at_most=args.at_most,
        at_least=args.at_least,
        count=args.count,  # a quantity's name (symcount.model.quantities)
        values=cli._values(args, parser),  # already in the model; conditions may name them
        let=let_texts(lets),
        multiple_of=multiple_of or None,
        where=args.where,
        timeout=args.timeout,
        limit=args.limit,
    )
    if args.format == "json":
        import json

        return json.dumps(result.to_dict()) + "\n"
    return result.text()
