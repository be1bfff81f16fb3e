"""Two tools' estimates of the memory of training a model, reproduced as
formulas of its counts (docs/memory.md).

- DeepSpeed's ZeRO model-states estimate per GPU and per CPU
  (``deepspeed.runtime.zero.stage_1_and_2.estimate_zero2_model_states_mem_needs``,
  which DeepSpeed uses for stages 1 and 2, and
  ``stage3.estimate_zero3_model_states_mem_needs``), of the total parameters
  P (shared weights once, buffers left out, as ``model_to_params`` counts
  them) and, for ZeRO-3, the largest layer's parameters.
- accelerate's ``estimate-memory`` (``accelerate.commands.estimate``): the
  total size of the parameters and buffers in float32, the largest layer's,
  each divided for float16 (2), int8 (4) and int4 (8), and "training using
  Adam" as the largest of the model, its gradients, Adam's state and the
  step (4 x the float32 size; 2 x under float16), never their sum.

Both are exact here; DeepSpeed's own arithmetic is float (the 1.5 buffer
factor, 1/nodes) and rounds down with ``int``, which symcount's floor
matches whenever the float is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import dims as D
from . import quantities as Q

BUFFER_FACTOR = Fraction(3, 2)  # DeepSpeed's additional_buffer_factor default
OFFLOADS = ("none", "optimizer", "cpu")  # cpu: ZeRO-3 offloads the parameters too
ACCELERATE_DTYPES = {"float32": 1, "float16": 2, "int8": 4, "int4": 8}  # divisor of fp32


@dataclass(frozen=True, slots=True)
class Zero:
    """A ZeRO estimate's settings: stage 1, 2 or 3, GPUs per node, nodes, offload."""

    stage: int
    devices: Any = 1  # GPUs per node: an int or a symbol
    nodes: int = 1
    offload: str = "none"

    def __post_init__(self):
        if self.stage not in (1, 2, 3):
            raise ValueError("ZeRO stage is 1, 2 or 3")
        if self.offload not in OFFLOADS:
            raise ValueError(f"offload is one of {', '.join(OFFLOADS)}")


@dataclass(frozen=True, slots=True)
class Accelerate:
    """accelerate's estimate-memory table."""


def _own_params(row):
    # a layer's own parameters, before its calls and multipliers
    return D.add(Q.REGISTRY["trainable"].value(row), Q.REGISTRY["non_trainable"].value(row))


def _largest(values):
    distinct = []
    for v in values:
        if not any(D.equal(v, d) for d in distinct):
            distinct.append(v)
    distinct = [v for v in distinct if v != 0] or [0]
    return D.maximum(*distinct)


def largest_layer_params(model):
    """The most parameters one layer holds (DeepSpeed's ``largest_layer_params``:
    each module's own parameters; a shared layer once)."""
    return _largest([_own_params(r) for _, r in model.walk(expand=True) if not r.group])


def _is_named_block(row) -> bool:
    return row.group and row.type.isidentifier()


def _has_repeat(row) -> bool:
    return any(c.group and not _is_named_block(c) for c in row.children)


def _units(rows):
    """accelerate's layers: each named block (as transformers' _no_split_modules
    keeps a decoder block whole) unless it holds a repeat, else each layer."""
    for r in rows:
        if r.group and (not _is_named_block(r) or _has_repeat(r)):
            yield from _units(r.children)
        else:
            yield r


def _one_pass_bytes(row):
    if not row.group:
        return Q.REGISTRY["param_bytes"].value(row)
    v = D.total([_one_pass_bytes(c) for c in row.children])
    return D.expand_small(v) if D.is_symbolic(v) and D.expands_small(v) else v


def accelerate(model) -> dict:
    """{dtype: (largest layer, total size, training using Adam or None)} in bytes."""
    fp32 = model if model.dtype == "float32" else model.in_dtype("float32")
    total = fp32.sum("param_bytes")
    largest = _largest([_one_pass_bytes(r) for r in _units(fp32.rows)])
    out = {}
    for dtype, div in ACCELERATE_DTYPES.items():
        training = {"float32": 4, "float16": 2}.get(dtype)
        out[dtype] = (
            D.div(largest, div),
            D.div(total, div),
            None if training is None else D.mul(training, total),
        )
    return out


def zero(model, z: Zero) -> tuple:
    """(per-GPU bytes, per-CPU bytes) of DeepSpeed's estimate, as formulas."""
    p = model.sum("params")
    gpus = D.mul(z.nodes, z.devices)
    cpu_factor = BUFFER_FACTOR
    if z.stage in (1, 2):
        if z.offload != "none":
            gpu = D.mul(2, p)
            per = D.maximum(D.mul(4, gpus), 16)
            cpu = D.floor(D.mul(D.mul(p, per), cpu_factor))
        else:
            gpu = D.add(D.mul(2, p), D.floordiv(D.mul(18, p), gpus))
            cpu = D.floor(D.mul(D.mul(D.mul(p, 4), z.devices), cpu_factor))
        return gpu, cpu
    lp = largest_layer_params(model)
    largest = D.mul(4, lp)
    per_node = Fraction(1, z.nodes)
    if z.offload == "cpu":  # offload_param and offload_optimizer, zero_init=1
        gpu = largest
        cpu = D.floor(D.mul(D.mul(p, 18 * per_node), cpu_factor))
    elif z.offload == "optimizer":
        gpu = D.add(largest, D.floordiv(D.mul(2, p), gpus))
        cpu = D.floor(D.mul(D.mul(p, 16 * per_node), cpu_factor))
    else:
        gpu = D.add(largest, D.floordiv(D.mul(18, p), gpus))
        cpu = D.floor(D.mul(D.mul(D.mul(lp, 4), z.devices), cpu_factor))
    return gpu, cpu


def describe(z: Zero) -> str:
    """``ZeRO-2, 1 node x 8 GPUs, offload none``."""
    from .. import printing as P

    nodes = f"{z.nodes} node{'s' if z.nodes != 1 else ''}"
    gpus = f"{P.expr(z.devices)} GPU{'' if z.devices == 1 else 's'}"
    return f"ZeRO-{z.stage}, {nodes} x {gpus} per node, offload {z.offload}"


def estimates_json(model) -> dict:
    from .. import printing as P

    d: dict = {}
    for e in model.estimates:
        if isinstance(e, Zero):
            gpu, cpu = zero(model, e)
            d["zero"] = {
                "stage": e.stage,
                "devices": P.json_value(e.devices),
                "nodes": e.nodes,
                "offload": e.offload,
                "per_gpu_bytes": P.json_value(gpu),
                "per_cpu_bytes": P.json_value(cpu),
            }
            if e.stage == 3:
                d["zero"]["largest_layer_params"] = P.json_value(largest_layer_params(model))
        elif isinstance(e, Accelerate):
            d["accelerate"] = {
                dtype: {
                    "largest_layer_bytes": P.json_value(a),
                    "total_bytes": P.json_value(b),
                    "training_adam_bytes": P.json_value(c),
                }
                for dtype, (a, b, c) in accelerate(model).items()
            }
    return d
