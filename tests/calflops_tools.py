"""Running calflops 0.3.2 and DeepSpeed 0.19.8's flops profiler on real
modules, as their users do, for the live tests of the ``calflops`` and
``deepspeed`` presets (tests/test_live_count_calflops.py).

Both tools patch ``torch.nn.functional`` and a few tensor methods for the
length of one forward pass and put the model in eval mode. A recorded
reference case (tests/reference/torch_cases.py) is run through
:class:`Harness`, a module whose forward is the case's own forward
(``run_forward``: the same inputs, zeros), so every case reaches the tools
as ``calculate_flops(model, args=[...])`` and ``get_model_profile(model,
args=[...])`` would see it.

Needs torch, calflops and deepspeed; the callers skip without them.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings

TOOLS = ("calflops", "deepspeed")


def _quiet():
    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)


@contextlib.contextmanager
def _restoring():
    """Put back what the tools patch even when they fail mid-pass (they restore
    only on success, and a second patching would wrap the first)."""
    import torch
    import torch.nn.functional as F

    saved = [(o, dict(vars(o))) for o in (F, torch)]
    methods = dict(vars(torch.Tensor))
    try:
        yield
    finally:
        for o, before in saved:
            for k, v in before.items():
                if getattr(o, k, None) is not v:
                    setattr(o, k, v)
        for k, v in methods.items():
            if vars(torch.Tensor).get(k) is not v:
                setattr(torch.Tensor, k, v)


def measure(tool: str, model, args) -> tuple[int, int]:
    """(FLOPs, MACs) that ``tool`` reports for ``model(*args)``."""
    _quiet()
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), _restoring():
        warnings.simplefilter("ignore")
        if tool == "calflops":
            from calflops import calculate_flops

            flops, macs, _ = calculate_flops(
                model,
                args=list(args),
                print_results=False,
                print_detailed=False,
                output_as_string=False,
            )
        else:
            from deepspeed.profiling.flops_profiler import get_model_profile

            flops, macs, _ = get_model_profile(
                model,
                args=list(args),
                print_profile=False,
                detailed=False,
                as_string=False,
            )
    return int(flops), int(macs)


def harness(module, case: dict, batch: int):
    """``module`` wrapped so that its forward is the case's (the tools call
    ``model(*args)`` with one tensor: a placeholder here)."""
    import torch

    from tests.reference.torch_cases import run_forward

    class Harness(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = module
            # calflops reads the device of the model's first parameter (StopIteration
            # without one): a layer without weights is measured as part of a model
            self.anchor = torch.nn.Parameter(torch.zeros(1), requires_grad=False)

        def forward(self, _):
            run_forward(self.inner, case, batch)
            return self.anchor

    return Harness()


def case_counts(case: dict, batch: int) -> dict:
    """{tool: [FLOPs, MACs] or the error it raised} for one recorded case.

    On the CPU: on the meta device some modules take other branches
    (transformers' rotary embedding computes its angles with counted ops)."""
    import torch

    from tests.reference.torch_cases import build_module

    got = {}
    for tool in TOOLS:
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = build_module(case)
            if case.get("frozen"):
                for p in module.parameters():
                    p.requires_grad_(False)
            try:
                got[tool] = list(measure(tool, harness(module, case, batch), [torch.zeros(1)]))
            except Exception as e:  # the tool crashed on it
                got[tool] = f"{type(e).__name__}: {' '.join(str(e).split())[:160]}"
    return got
