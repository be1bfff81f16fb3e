"""How compute is counted: the default convention, and the presets that
count as another tool does (docs/compute.md).

Each op writes its own MACs beside its shapes (:mod:`symcount.ops.costs`):
that is the default convention, FLOPs = 2 x MACs over matmuls and
convolutions. A :class:`Counting` is another way to count the same calls —
fvcore's, ptflops', calflops', torchinfo's, Kaplan's — declared as a table:
a rule per layer type, each a function of one :class:`Call` (the layer's
arguments, the shapes it reads, the op's result with its default costs)
returning that call's costs ``{"macs": ..., "flops": ...}``. A type the
table leaves out falls back to ``fallback`` (by default the op's own MACs).
The evaluator applies the chosen counting to every call
(``symcount.parse(text, counting="fvcore")``), so shared layers, repeats,
the batch and every output work for a preset exactly as for the default.

A counting registers itself in :data:`REGISTRY` when its module is imported;
:func:`lookup` imports the modules named in :data:`MODULES` on first use, so
the default path never loads a preset.

>>> lookup("default").title
'FLOPs = 2 x MACs over matmuls and convolutions (attention at full length; no bias, element-wise or norm work), forward pass'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .. import dims as D
from ..ops.costs import MACS, TERMS

FLOPS = "flops"  # a counting that reports FLOPs apart from MACs writes this cost too

__all__ = ["FLOPS", "MACS", "TERMS", "Call", "Counting", "lookup", "names", "register"]

EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Call:
    """What a counting rule sees of one call of a layer.

    ``inputs`` is the shape it reads (a tuple of dims, batch axis left out)
    or, for a layer that reads several tensors, the list of their shapes;
    ``out`` the op's result (:class:`symcount.ops.spec.Out`: ``shape``,
    ``weights``, ``children``, and ``costs`` as the default convention
    counts them). Sizes are per sample: the batch multiplies the model's
    counts later, as for the default convention.
    """

    type: str  # the layer's type as its convention names it: "Linear", "Conv2D"
    op: str  # the rule that computed it (usually the type)
    args: Any  # the layer's bound arguments (a namespace: call.args.units)
    inputs: Any
    out: Any
    convention: str  # "keras" or "torch"
    options: frozenset = frozenset()  # the counting's options in force ("bias", "causal", ...)
    # it reads a tensor training computes no gradient for: a model input, or one made
    # from inputs by layers with no trainable weights (Flatten, Dropout): no input gradient
    reads_input: bool = False
    keywords: Mapping[str, Any] = field(default_factory=lambda: EMPTY)  # tensors as shapes

    @property
    def macs(self):
        """The op's own MACs (the default convention's count)."""
        return self.out.costs.get(MACS, 0)

    @property
    def output(self):
        """The output shape (a tuple, or a list of tuples for several outputs)."""
        return self.out.shape

    @property
    def weights(self):
        return self.out.weights

    def weight(self, name: str):
        """The weight called ``name`` (its shape: ``.shape``), or None."""
        for w in self.out.weights:
            if w.name == name:
                return w
        return None


def default_costs(call: Call) -> dict:
    """The op's own costs: the default convention."""
    return call.out.costs


@dataclass(frozen=True, slots=True)
class Counting:
    """One way of counting compute, declared as a table of rules by layer type."""

    name: str  # what --count-as takes: "fvcore"
    title: str  # how every output names it: "Compute: <title>, batch 1"
    reproduces: str = ""  # the tool, its version and a number it gives (docs/compute.md)
    rules: Mapping[str, Callable[[Call], dict]] = field(default_factory=lambda: EMPTY)
    fallback: Callable[[Call], dict] = default_costs  # a type not in rules
    conventions: tuple[str, ...] = ("keras", "torch")  # the framework conventions it counts
    options: frozenset = frozenset()

    def costs(self, call: Call) -> dict:
        """The call's costs under this counting."""
        rule = self.rules.get(call.type) or self.rules.get(call.op) or self.fallback
        return rule(call)

    def of(self, type, op, args, inputs, out, convention, reads_input=False, keywords=None) -> dict:
        """The costs of one call (the evaluator's hook): see :class:`Call`."""
        kw = EMPTY if not keywords else MappingProxyType(dict(keywords))
        call = Call(type, op, args, inputs, out, convention, self.options, reads_input, kw)
        return self.costs(call)

    def refusal(self, convention: str) -> str | None:
        """Why it cannot count a model under ``convention``, or None."""
        if convention in self.conventions:
            return None
        names = " or ".join(f"--convention {c}" for c in self.conventions)
        return f"--count-as {self.name} counts {'/'.join(self.conventions)} models; use {names}"


def costs(macs=None, flops=None, terms=None) -> dict:
    """A rule's result: ``macs`` (and ``flops`` when it is not 2 x MACs), and
    optionally the terms explain shows (tuples of factors)."""
    out: dict = {}
    if macs is not None or flops is None:
        out[MACS] = macs
    if flops is not None:
        out[FLOPS] = flops
    if terms is not None:
        out[TERMS] = tuple(terms)
    return out


def numel(shape) -> Any:
    """The entries of a per-sample shape (None if an axis is not known)."""
    if any(d is None for d in shape):
        return None
    return D.prod(shape)


DEFAULT = Counting(
    "default",
    "FLOPs = 2 x MACs over matmuls and convolutions (attention at full length; "
    "no bias, element-wise or norm work), forward pass",
    reproduces="nanoGPT's transformer_sizing and torch.utils.flop_counter.FlopCounterMode (eager)",
)

REGISTRY: dict[str, Counting] = {"default": DEFAULT}

# the modules that register the presets, imported on first lookup
MODULES: tuple[str, ...] = (
    "papers",  # kaplan, 6n, palm, chinchilla
    "fvcore",
    "torchinfo",
    "ptflops",
    "calflops",
    "deepspeed",
)


def register(c: Counting) -> Counting:
    if c.name in REGISTRY and REGISTRY[c.name] is not c:
        raise ValueError(f"the counting {c.name!r} is already registered")
    REGISTRY[c.name] = c
    return c


def _load() -> None:
    for m in MODULES:
        importlib.import_module(f"{__name__}.{m}")


def names() -> list[str]:
    """Every counting's name, the default first."""
    _load()
    return list(REGISTRY)


def lookup(name: str) -> Counting:
    """The counting called ``name``; KeyError if there is none. ``default+bias+...``
    is the default with options in force (symcount.counting.options)."""
    c = REGISTRY.get(name)
    if c is None:
        _load()
        c = REGISTRY.get(name)
    if c is None and "+" in name:
        # options.py builds on this module, as the presets do: loaded by name
        with_options = importlib.import_module(f"{__name__}.options").with_options
        base, *options = name.split("+")
        try:
            return with_options(options, lookup(base))
        except ValueError:
            raise KeyError(name) from None
    if c is None:
        raise KeyError(name)
    return c
