"""The memory of the weights and the training state, in bytes (docs/memory.md).

Three quantities, declared here and registered after the others, shown on
request (``model.showing("param_bytes")``, ``symcount summary --memory``):

- ``param_bytes``: every weight a layer holds, parameters and buffers, at
  the row's dtype (``Row.dtype``: float32 unless ``Model.in_dtype``); a
  torch ``num_batches_tracked`` is an int64 whatever the dtype, as torch and
  accelerate keep it.
- ``grad_bytes``: one gradient per trainable parameter, in the weights' dtype.
- ``optimizer_bytes``: the optimizer's state per trainable parameter
  (``Row.optimizer``): Adam and AdamW two moments, SGD with momentum one,
  plain SGD none, in the weights' dtype as torch's and Keras's optimizers
  allocate them (``zeros_like``).

``mixed`` is mixed-precision training as DeepSpeed and accelerate count it
(Micikevicius et al. 2018): half-precision weights and gradients (2 bytes),
and an fp32 master copy of the trainable weights with fp32 moments in the
optimizer's state — 2 + 2 + 12 = 16 bytes per parameter with Adam.

>>> from symcount.model.memory import OPTIMIZERS, optimizer_entry_bytes
>>> OPTIMIZERS["adam"], optimizer_entry_bytes("float32", "adam"), optimizer_entry_bytes("mixed", "adam")
(2, 8, 12)
"""

from __future__ import annotations

from typing import Any

from .. import dims as D
from ..counting.dtypes import nbytes
from . import quantities as Q
from .formula import count

# moments kept per trainable parameter
OPTIMIZERS: dict[str, int] = {"none": 0, "sgd": 0, "sgd-momentum": 1, "adam": 2, "adamw": 2}
MIXED = "mixed"  # half weights with an fp32 master copy (see the module's text)
MASTER_BYTES = 4  # the fp32 master copy of a trainable entry under mixed precision
INT64_BUFFERS = frozenset({"num_batches_tracked"})  # torch's integer buffers: 8 bytes each
# Keras 3's optimizer also holds its iteration (int32) and learning rate (float32)
KERAS_OPTIMIZER_VARIABLES = 2
KERAS_OPTIMIZER_VARIABLE_BYTES = 4 + 4

NAMES = ("param_bytes", "grad_bytes", "optimizer_bytes")


def optimizer_entry_bytes(dtype: str, optimizer: str):
    """Bytes of optimizer state per trainable parameter."""
    moments = OPTIMIZERS[optimizer]
    if dtype == MIXED:
        return 0 if optimizer == "none" else MASTER_BYTES * (1 + moments)
    return moments * nbytes(dtype)


def _weight_bytes(row, w):
    if row.state_as_buffers and w.name in INT64_BUFFERS:
        return 8
    return nbytes(row.dtype)


def _own(row, name: str):
    """A layer's own count of ``name``: the one its row has computed already
    (a leaf's multiplier is almost always 1), else computed afresh."""
    if row.multiplier == 1:
        return row.count(name)
    return D.total([Q.REGISTRY[p].value(row) for p in (Q.REGISTRY[name].parts or (name,))])


def _param_bytes(row):
    if not (row.state_as_buffers and any(w.name in INT64_BUFFERS for w in row.weights)):
        entries = D.add(_own(row, "params"), _own(row, "buffers"))
        return D.mul(nbytes(row.dtype), entries)
    groups: dict[Any, list] = {}
    for w in row.weights:
        groups.setdefault(_weight_bytes(row, w), []).append(w)
    return D.total([D.mul(b, count(ws)) for b, ws in groups.items()])


def _trainable(row):
    return _own(row, "trainable")


def _grad_bytes(row):
    return D.mul(nbytes(row.dtype), _trainable(row))


def _optimizer_bytes(row):
    return D.mul(optimizer_entry_bytes(row.dtype, row.optimizer), _trainable(row))


PARAM_BYTES = Q.Quantity(
    "param_bytes",
    "Parameter memory",
    of=_param_bytes,
    unit="bytes",
    label="param_bytes",
    text="parameter bytes",
    column="Bytes",
    equation="bytes",
)
GRAD_BYTES = Q.Quantity(
    "grad_bytes",
    "Gradient memory",
    of=_grad_bytes,
    unit="bytes",
    label="grad_bytes",
    text="gradient bytes",
    equation="grad",
)
OPTIMIZER_BYTES = Q.Quantity(
    "optimizer_bytes",
    "Optimizer state memory",
    of=_optimizer_bytes,
    unit="bytes",
    label="optimizer_bytes",
    text="optimizer state bytes",
    equation="opt",
)
# what training holds at once, by the stated rules: the weights, their gradients,
# the optimizer's state and the activations kept for the backward pass (torchinfo's
# rule: every output of a layer with weights, docs/activations.md) — no workspace,
# no fragmentation, no temporary buffers (docs/memory.md, "Limits")
TRAINING_BYTES = Q.Quantity(
    "training_bytes",
    "Training memory",
    parts=("param_bytes", "grad_bytes", "optimizer_bytes", "training_activation_bytes"),
    unit="bytes",
    label="training_bytes",
    text="training bytes",
    equation="train",
)
for _q in (PARAM_BYTES, GRAD_BYTES, OPTIMIZER_BYTES, TRAINING_BYTES):
    if _q.name not in Q.REGISTRY:
        Q.register(_q)


def configure(model, dtype=None, optimizer=None, estimates=()):
    """``model.with_memory(...)``: the model listing ``param_bytes`` in ``dtype``
    (default: as it is), and, given an ``optimizer``, ``grad_bytes`` and
    ``optimizer_bytes``; ``estimates``: ZeRO and accelerate settings
    (:mod:`symcount.model.estimates`) its outputs add."""
    import dataclasses

    model = model.showing("param_bytes")
    if dtype is not None:
        model = model.in_dtype(dtype)
    if optimizer is not None:
        model = model.showing("grad_bytes", "optimizer_bytes").with_optimizer(optimizer)
    if estimates:
        model = dataclasses.replace(model, estimates=tuple(estimates))
    return model


def shown(model) -> bool:
    """Whether the model's outputs list a memory quantity."""
    return any(q.name in NAMES for q in model.quantities)


def optimizer_params(model):
    """The optimizer's entries as the framework's summary counts them: the
    moments per trainable parameter, and under Keras its two variables."""
    if model.optimizer == "none":
        return 0
    n = D.mul(OPTIMIZERS[model.optimizer], model.sum("trainable"))
    if model.convention == "keras":
        n = D.add(n, KERAS_OPTIMIZER_VARIABLES)
    return n


def optimizer_state_bytes(model):
    """The optimizer's bytes as Keras's summary counts them (its two
    variables' 8 bytes added under Keras); ``optimizer_bytes`` elsewhere."""
    v = model.sum("optimizer_bytes")
    if model.convention == "keras" and model.optimizer != "none":
        v = D.add(v, KERAS_OPTIMIZER_VARIABLE_BYTES)
    return v


def json_object(model) -> dict:
    """The ``"memory"`` object of the JSON contract (empty when not shown)."""
    if not shown(model):
        return {}
    from .. import printing as P

    d: dict = {"dtype": model.dtype, "optimizer": model.optimizer}
    for name in NAMES:
        d[name] = P.json_value(model.sum(name))
    if "training_activation_bytes" in model.show:
        from ..counting.activations import memory_json

        d.update(memory_json(model))
        if model.optimizer != "none":
            d["training_bytes"] = P.json_value(model.sum("training_bytes"))
    if model.optimizer != "none":
        d["optimizer_params"] = P.json_value(optimizer_params(model))
    estimates = getattr(model, "estimates", None)
    if estimates:
        from .estimates import estimates_json

        d.update(estimates_json(model))
    return {"memory": d}
