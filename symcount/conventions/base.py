"""A convention is tables over the neutral ops (sqlglot's dialects): layer and
argument names, positions and defaults, the input size it infers, weight
names and axis order, messages, and a few flags. A new convention is one
file: ``class Mine(Keras): LAYERS = {**Keras.LAYERS, ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from ..ops import OPS
from ..ops.base import Args, Entry
from ..ops.spec import Arg, LayerRule
from .registry import Registry, snake_case


@dataclass(frozen=True)
class Layer:
    """One row of a convention's table.

    op        the neutral op it runs (``ops.OPS``)
    args      its arguments as this framework declares them: names, kinds,
              defaults, and by their order the positions
    names     an argument's name for the op where it differs (out_features: units)
    weights   the op's weights as named and ordered here: "weight(units, c_in)"
    labels    a factor's label where it is not the argument's name
    fixed     arguments of the op this layer fixes (rank=2)
    flags     the formula differences the op reads (two_biases=True)
    infer     the input-size argument, taken from the input when left out
    """

    op: str
    args: tuple[Arg, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    weights: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping = field(default_factory=dict)
    flags: Mapping = field(default_factory=dict)
    doc: str = ""
    ignored: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()
    inputs: tuple[int, int] | None = None  # default: the op's
    call_kwargs: frozenset[str] = frozenset()
    infer: str | None = None
    extra: Mapping = field(
        default_factory=dict
    )  # for a convention's own tools (diff's module text)


def layer(op: str, *args: Arg, **kw) -> Layer:
    for key in ("ignored", "call_kwargs"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    if "aliases" in kw:
        kw["aliases"] = tuple(kw["aliases"])
    return Layer(op, tuple(args), **kw)


class Convention:
    """What every convention shares; subclasses override only what differs."""

    name = "base"
    state_as_buffers = False  # PyTorch: running statistics are buffers
    LAYERS: ClassVar[dict[str, Layer]] = {}
    FLAGS: ClassVar[dict] = {}  # defaults of the formula flags, per layer in Layer.flags
    MESSAGES: ClassVar[dict[str, str]] = {}

    @staticmethod
    def name_base(type_name: str) -> str:
        """The stem of a layer's generated name (dense, dense_1)."""
        return snake_case(type_name)

    @classmethod
    def entries(cls) -> dict[str, Entry]:
        out = {}
        for name, row in cls.LAYERS.items():
            arg_names = {row.names.get(x.name, x.name): x.name for x in row.args}
            out[name] = Entry(cls, name, row, arg_names)
        return out

    @classmethod
    def register(cls, registry: Registry) -> Registry:
        """Compile the tables into the rules the evaluator and binding read."""
        registry.state_as_buffers = cls.state_as_buffers
        registry.name_base = cls.name_base
        for name, entry in cls.entries().items():
            row = entry.layer
            registry.add(
                LayerRule(
                    name,
                    row.args,
                    _runner(entry),
                    row.ignored,
                    row.doc,
                    infer=row.infer,
                    inputs=row.inputs or OPS[row.op].inputs,
                    call_kwargs=row.call_kwargs,
                ),
                row.aliases,
            )
        return registry


def op_args(entry: Entry, p, ctx=None) -> Args:
    """A layer's bound arguments (``p``, this convention's names) as the op's Args."""
    a = Args(**entry.layer.fixed)
    for key, conv in entry.arg_names.items():
        setattr(a, key, getattr(p, conv))
    to_key = {conv: key for key, conv in entry.arg_names.items()}
    a._spans = {to_key.get(k, k): s for k, s in getattr(p, "_spans", {}).items()}
    a.ctx = ctx
    return a


def _runner(entry: Entry):
    """The rule function: rename the bound arguments to the op's, run the op."""
    fn = OPS[entry.layer.op].fn

    def run(shape, p, ctx=None):
        return fn(shape, op_args(entry, p, ctx), entry)

    run.__doc__ = entry.layer.doc
    run.entry = entry  # what diff reads: the op and its table row
    return run
