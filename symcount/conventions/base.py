"""A convention is tables over the neutral ops (sqlglot's dialects): layer and
argument names, positions and defaults, the input size it infers, weight
names and axis order, messages, and a few flags. A new convention is one
file: ``class Mine(Keras): LAYERS = {**Keras.LAYERS, ...}``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from ..ops import OPS
from ..ops.base import Args, Entry
from ..ops.spec import Arg, LayerRule, parse_args
from .own_layers import OWN_LAYERS


def snake_case(name: str) -> str:
    """Keras's to_snake_case, for generated layer names."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


class Registry:
    """The rules a convention's tables compile to, by layer name (what the
    evaluator, binding and `symcount layers` read), and the few habits that
    differ between frameworks: how layers are auto-named and how state is
    reported (both set by Convention.register)."""

    def __init__(self, convention: str):
        self.convention = convention
        self.rules: dict[str, LayerRule] = {}
        self.aliases: dict[str, list[str]] = {}  # a layer's other names (Convolution2D)
        self.classes: dict[
            str, str
        ] = {}  # a name -> the class shown for it (MaxPool2D: MaxPooling2D)
        self.state_as_buffers = False  # PyTorch: running stats are buffers
        self.name_base = snake_case  # type name -> the stem of generated names
        self.framework = convention  # the framework's own name, for messages (Keras)
        self.framework_layers: frozenset[str] = frozenset()  # every layer it exports

    def unknown(self, name: str, others=()) -> tuple[str, str | None]:
        """The message and hint for a layer name with no rule: a real layer of
        the framework is said to be one (never a did-you-mean for another
        layer, whose count would differ); else the closest name, by spelling,
        among the rules, ``others`` and the framework's unsupported layers."""
        from ..errors import did_you_mean

        if name in self.framework_layers:
            return f"`{name}` is a {self.framework} layer that symcount does not support yet", None
        for other, names in OWN_LAYERS.items():
            if name in names and other != self.convention:  # not a look-alike's did-you-mean
                text = f"`{name}` is a layer of symcount's convention {other}"
                return (
                    f"{text}, not a {self.convention} layer",
                    f"it is used under `convention {other}`",
                )
        missing = self.framework_layers - self.rules.keys()
        hint = did_you_mean(name, [*self.rules, *others, *sorted(missing)])
        close = hint and hint.split("'")[1]
        if close in missing:
            hint += f" (a {self.framework} layer that symcount does not support yet)"
        tail = "" if hint else "; `symcount layers` lists the layers it knows"
        return f"{name!r} is not a {self.convention} layer{tail}", hint

    def add(self, rule: LayerRule, aliases=()) -> None:
        """``rule`` under its name and under each alias (the same function)."""
        for n in (rule.name, *aliases):
            if n in self.rules:
                raise ValueError(f"duplicate rule {n}")
            self.rules[n] = rule if n == rule.name else dataclasses.replace(rule, name=n)
        self.aliases[rule.name] = list(aliases)

    def __contains__(self, name: str) -> bool:
        return name in self.rules

    def shown(self, name: str) -> str:
        """The type a layer written ``name`` is shown as, and named after: Keras
        shows an alias by its class (MaxPool2D() is a MaxPooling2D, max_pooling2d)."""
        return self.classes.get(name, name)

    def get(self, name: str) -> LayerRule | None:
        return self.rules.get(name)


@dataclass(frozen=True)
class Layer:
    """One row of a convention's table.

    op        the neutral op it runs (``ops.OPS``)
    args      its arguments as this framework declares them: names, kinds,
              defaults, and by their order the positions (spec strings, see layer)
    names     an argument's name for the op where it differs (out_features: units);
              in a spec string, ``out_features>units``
    weights   the op's weights as named and ordered here: {"kernel": "weight(units, c_in)"},
              or as one string, "kernel=weight(units, c_in) bias(units)" (weight_table)
    doc       default: the op's docstring
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
    extra: Mapping = field(default_factory=dict)  # free for a convention's own tools
    problem: str = ""  # an argument spec that did not read (see layer)


def layer(op: str, *args: Arg | str, **kw) -> Layer:
    """A row; its arguments as spec strings (:func:`~symcount.ops.spec.parse_args`)
    or Args, in order. A spec that does not read is kept as the row's
    ``problem``, raised with the row's name when the table is compiled."""
    for key in ("ignored", "call_kwargs"):
        if key in kw:
            kw[key] = frozenset(kw[key])
    if "aliases" in kw:
        kw["aliases"] = tuple(kw["aliases"])
    kw.setdefault("doc", OPS[op].fn.__doc__ or "")
    try:
        if isinstance(kw.get("weights"), str):
            kw["weights"] = weight_table(kw["weights"])
        names = {}
        args = parse_args(*args, names=names)
        return Layer(op, args, **{**kw, "names": {**names, **kw.get("names", {})}})
    except ValueError as e:
        return Layer(op, (), problem=str(e), **kw)


_WEIGHT = re.compile(r"\s*(?:(\w+)=)?(([\w./*-]+)\([^()]*\))")


def weight_table(text: str) -> dict[str, str]:
    """``"kernel(c_in, units) bias(units)"``: each weight under its name, or under
    the op's key written before it (``recurrent=recurrent_kernel(h_out, units)``)."""
    if _WEIGHT.sub("", text).strip():
        raise ValueError(f"cannot read the weights {text!r}")
    return {key or name: spec for key, spec, name in _WEIGHT.findall(text)}


def rows(names: str, row: Layer) -> dict[str, Layer]:
    """One row under several names (``rows("Sigmoid Tanh", ...)``), in order."""
    return dict.fromkeys(names.split(), row)


def _elementwise(doc: str, inputs=None) -> Layer:
    return layer("elementwise", doc=doc, inputs=inputs)


class Convention:
    """What every convention shares; subclasses override only what differs."""

    name = "base"
    state_as_buffers = False  # PyTorch: running statistics are buffers
    aliases_show_class = False  # Keras: an alias is its class (type and generated name)
    CLASS_NAMES: ClassVar[dict[str, str]] = {}  # an exported name -> its class, where they differ
    framework = "base"  # the framework's own name, in messages
    framework_layers: frozenset[str] = frozenset()  # its exported layer classes
    # merges: torch has no modules for them (x + y), the language needs them
    LAYERS: ClassVar[dict[str, Layer]] = {
        "Add": _elementwise("Elementwise sum of its inputs. No weights."),
        "Subtract": _elementwise("The first input minus the second. No weights.", (2, 2)),
        "Multiply": _elementwise("Elementwise product. No weights."),
        "Average": _elementwise("Elementwise mean. No weights."),
        "Maximum": _elementwise("Elementwise maximum. No weights."),
        "Minimum": _elementwise("Elementwise minimum. No weights."),
    }
    FLAGS: ClassVar[dict] = {}  # defaults of the formula flags, per layer in Layer.flags
    LABELS: ClassVar[dict[str, str]] = {}  # factor labels, under the arguments' names
    MESSAGES: ClassVar[dict[str, str]] = {}

    @staticmethod
    def name_base(type_name: str) -> str:
        """The stem of a layer's generated name (dense, dense_1)."""
        return snake_case(type_name)

    @classmethod
    @functools.cache
    def entries(cls) -> dict[str, Entry]:
        """Each row as the Entry its op is run with (made once per convention)."""
        out = {}
        for name, row in cls.LAYERS.items():
            if row.problem:
                raise ValueError(f"{cls.__name__}.LAYERS[{name!r}]: {row.problem}")
            arg_names = {row.names.get(x.name, x.name): x.name for x in row.args}
            out[name] = Entry(cls, name, row, arg_names)
        return out

    @classmethod
    def register(cls, registry: Registry) -> Registry:
        """Compile the tables into the rules the evaluator and binding read."""
        registry.state_as_buffers = cls.state_as_buffers
        registry.name_base = cls.name_base
        registry.framework, registry.framework_layers = cls.framework, cls.framework_layers
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
            shown = cls.CLASS_NAMES.get(name, name)
            if cls.aliases_show_class:
                registry.classes |= {n: shown for n in (name, *row.aliases) if n != shown}
        return registry


def op_args(entry: Entry, p, ctx=None) -> Args:
    """A layer's bound arguments (``p``, this convention's names) as the op's Args."""
    return _renamer(entry)(p, ctx)


def _renamer(entry: Entry):
    """``(p, ctx) -> Args`` for one table row; what can be is worked out once,
    since it runs for every layer of a model."""
    renamer = getattr(entry, "_renamer", None)
    if renamer is not None:
        return renamer
    pairs = tuple((conv, key) for key, conv in entry.arg_names.items())
    to_key = {conv: key for conv, key in pairs}
    renamed = any(conv != key for conv, key in pairs)
    fixed = dict(entry.layer.fixed)

    def renamer(p, ctx=None) -> Args:
        a = Args(**fixed)
        values = a.__dict__
        for conv, key in pairs:
            values[key] = getattr(p, conv)
        spans = getattr(p, "_spans", {})
        a._spans = {to_key.get(k, k): s for k, s in spans.items()} if renamed and spans else spans
        a.ctx = ctx
        return a

    entry._renamer = renamer
    return renamer


def _runner(entry: Entry):
    """The rule function: rename the bound arguments to the op's, run the op."""
    fn = OPS[entry.layer.op].fn
    args = _renamer(entry)

    def run(shape, p, ctx=None):
        return fn(shape, args(p, ctx), entry)

    run.__doc__ = entry.layer.doc
    run.entry = entry  # what diff reads: the op and its table row
    return run
