"""``--memory``, ``--dtype``, ``--optimizer``, ``--zero`` and ``--accelerate``
on summary and explain (docs/memory.md): the options, and the model they make."""

from __future__ import annotations

import argparse
import dataclasses

from .args import batch_size, positive

DTYPES = ("float32", "float64", "float16", "bfloat16", "int8", "int4", "mixed")
OPTIMIZERS = ("adam", "adamw", "sgd", "sgd-momentum", "none")


def add_args(p: argparse.ArgumentParser, *, estimates: bool = True) -> None:
    """The memory options; without ``estimates`` (solve) only --dtype and --optimizer."""
    g = p.add_argument_group("memory (docs/memory.md)")
    if estimates:
        g.add_argument(
            "--memory",
            action="store_true",
            help="add the bytes of the weights (parameters and buffers) per layer and in the "
            "totals; under Keras, its summary's sizes (Total params: 2,663,678 (10.16 MB))",
        )
    g.add_argument(
        "--dtype",
        choices=DTYPES,
        help="what an entry is stored as (default float32); mixed: half weights and gradients "
        "with an fp32 master copy in the optimizer's state",
    )
    g.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        help="add the gradients' and the optimizer state's bytes: adam and adamw two moments, "
        "sgd-momentum one, sgd none (Keras adds its iteration and learning rate)",
    )
    if estimates:
        _add_estimate_args(g)


def _add_estimate_args(g) -> None:
    g.add_argument(
        "--zero",
        type=int,
        choices=(1, 2, 3),
        metavar="STAGE",
        help="DeepSpeed's ZeRO estimate of the model states per GPU and per CPU (stage 1, 2 or 3)",
    )
    g.add_argument(
        "--devices",
        type=batch_size,
        metavar="G",
        help="with --zero: GPUs per node, an integer or a symbol (default 1)",
    )
    g.add_argument("--nodes", type=positive, metavar="N", help="with --zero: nodes (default 1)")
    g.add_argument(
        "--offload",
        choices=("none", "optimizer", "cpu"),
        help="with --zero: offload the optimizer to the CPU, or (cpu) the parameters too "
        "under ZeRO-3 (default none)",
    )
    g.add_argument(
        "--accelerate",
        action="store_true",
        help="accelerate's estimate-memory: largest layer, total size and training using Adam "
        "for float32, float16, int8 and int4",
    )


def wanted(args) -> bool:
    return any(
        getattr(args, k, None) not in (None, False)
        for k in ("memory", "dtype", "optimizer", "zero", "accelerate")
    )


def apply(model, args, parser):
    """The model with the memory quantities and estimates the options ask for."""
    zero_only = [f"--{k}" for k in ("devices", "nodes", "offload") if getattr(args, k, None)]
    if zero_only and getattr(args, "zero", None) is None:
        parser.error(f"{zero_only[0]} goes with --zero")
    if not wanted(args):
        return model
    from ..dims import symbol
    from ..model.estimates import Accelerate, Zero

    estimates = []
    if getattr(args, "zero", None) is not None:
        devices = args.devices or 1
        if isinstance(devices, str):
            devices = symbol(devices)
            if devices.name not in model.symbols:
                model = dataclasses.replace(model, symbols=[*model.symbols, devices.name])
        estimates.append(Zero(args.zero, devices, args.nodes or 1, args.offload or "none"))
    if getattr(args, "accelerate", False):
        estimates.append(Accelerate())
    return model.with_memory(args.dtype, args.optimizer, estimates)
