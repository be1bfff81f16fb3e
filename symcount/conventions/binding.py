"""Bind call arguments to a rule's declared arguments, checking each kind."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from .. import dims as D
from ..errors import ArgumentError, did_you_mean
from ..language.values import LayerSpec, Word, as_dim, describe
from ..ops.spec import REQUIRED, Arg, LayerRule, words

# Accepted by every Keras layer; they never change shapes or counts, except
# trainable and the input-shape keywords, which the evaluator reads.
COMMON_KEYWORDS = words(
    "name trainable dtype autocast input_shape input_dim batch_size batch_input_shape"
)


def positional(rule: LayerRule, args, kwargs) -> tuple[Arg, ...]:
    """The arguments that positional values fill, in order. A rule with an
    inferable input size (torch's ``Linear(in_features, out_features)``) may
    leave it out: when fewer positionals than required arguments are given
    (and it is not given by keyword), the others shift left (``Linear(10)``)."""
    if rule.infer is None:
        return rule.args
    required = sum(1 for x in rule.args if x.default is REQUIRED)
    if rule.infer not in kwargs and len(args) < required:
        return tuple(x for x in rule.args if x.name != rule.infer)
    return rule.args


def bind(rule: LayerRule, args, kwargs) -> SimpleNamespace:
    """``args``: [(value, span)]; ``kwargs``: {name: (value, span)}."""
    order = positional(rule, args, kwargs)
    order, args = gathered(order, args)
    if len(args) > len(order):
        names = ", ".join(x.name for x in order) or "none"
        span = args[len(order)][1]
        raise ArgumentError(
            f"{rule.name} takes at most {len(order)} positional argument"
            f"{'s' if len(order) != 1 else ''} ({names}); got {len(args)}",
            span,
        )
    given = {spec.name: arg for spec, arg in zip(order, args, strict=False)}
    for key, (value, span) in kwargs.items():
        if key in given:
            raise ArgumentError(f"{rule.name} got {key!r} both by position and by keyword", span)
        if rule.arg(key) is None and key not in rule.ignored and key not in COMMON_KEYWORDS:
            listed = ", ".join(x.name for x in rule.args) or "(none)"
            more = " (and value-only ones: initializers, regularizers, ...)" if rule.ignored else ""
            raise ArgumentError(
                f"{rule.name} has no keyword {key!r}; its keywords are {listed}{more}",
                span,
                hint=did_you_mean(key, rule.keywords),
            )
        given[key] = (value, span)
    ns = SimpleNamespace()
    for spec in rule.args:
        if spec.name in given:
            value, span = given[spec.name]
            try:
                setattr(ns, spec.name, coerce(spec, value))
            except ArgumentError as e:
                e.message = f"{rule.name}: {e.message}"
                raise e.at(span) from None
        elif spec.default is REQUIRED and spec.name != rule.infer:
            raise ArgumentError(f"{rule.name} needs the argument {spec.name!r}")
        elif spec.name == rule.infer:
            setattr(ns, spec.name, None)  # taken from the incoming shape
        else:
            setattr(ns, spec.name, spec.default)
    for key in COMMON_KEYWORDS | rule.ignored:
        if key in given and rule.arg(key) is None:
            setattr(ns, key, given[key][0])
    ns._spans = {key: span for key, (_, span) in given.items()}  # for errors about one argument
    return ns


def gathered(order, args):
    """``(order, args)`` with a ``*name`` argument's positional values as one
    tuple (``Permute(0, 2, 1)``; one value alone as it is: ``Permute((0, 2, 1))``);
    the arguments after it take keywords only."""
    k = next((i for i, x in enumerate(order) if x.rest), None)
    if k is None:
        return order, args
    order = order[: k + 1]
    if len(args) <= k + 1:
        return order, args
    rest = args[k:]
    first, last = rest[0][1], rest[-1][1]
    span = first
    if first is not None and last is not None:
        span = dataclasses.replace(
            first, end_line=last.end_line, end_column=last.end_column, end=last.end
        )
    return order, [*args[:k], (tuple(v for v, _ in rest), span)]


def coerce(spec: Arg, value):
    kind = spec.kind
    if kind == "value":
        return value
    if value is None and (spec.allow_none or (spec.default is None and kind != "layer")):
        return None
    if kind == "dim":
        return as_dim(value, spec.name)
    if kind in ("dims", "dims0"):
        return as_dims(value, spec.name, spec.rank, zero_ok=kind == "dims0")
    if kind in TORCH_KINDS:
        return TORCH_KINDS[kind](value, spec)
    if kind == "pads":
        return as_pads(value, spec.name, spec.rank)
    if kind == "axis":
        return as_axis(value, spec.name)
    if kind == "axes":
        if isinstance(value, tuple):
            return tuple(as_axis(v, spec.name) for v in value)
        return as_axis(value, spec.name)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ArgumentError(f"{spec.name} must be true or false, not {describe(value)}")
    if kind == "enum":
        text, choices = value.name if isinstance(value, Word) else value, ", ".join(spec.choices)
        if not isinstance(text, str):
            raise ArgumentError(f"{spec.name} must be one of {choices}, not {describe(value)}")
        if text.lower() in spec.choices:
            return text.lower()
        hint = did_you_mean(text.lower(), spec.choices)
        raise ArgumentError(f"{spec.name} must be one of {choices}; got {text!r}", hint=hint)
    if kind == "number":
        if D.is_num(value):
            if spec.name == "rate" and not 0 <= value <= 1:
                raise ArgumentError(f"rate must be between 0 and 1, not {value}")
            return value
        raise ArgumentError(f"{spec.name} must be a number, not {describe(value)}")
    if kind == "shape":
        return tuple(
            None if v is None else -1 if D.is_num(v) and v == -1 else as_dim(v, spec.name)
            for v in (value if isinstance(value, tuple) else (value,))
        )
    if kind == "layer":
        if isinstance(value, LayerSpec):
            return value
        raise ArgumentError(f"{spec.name} must be a layer such as LSTM(8), not {describe(value)}")
    raise AssertionError(f"unknown argument kind {kind}")


def as_int(value, name: str):
    """Any integer expression, negative allowed (torch's negative padding crops)."""
    if isinstance(value, Word):
        return D.symbol(value.name)
    if D.is_num(value) and D.is_int(value):
        return int(value)
    if D.is_symbolic(value) and getattr(value, "is_integer", None) is not False:
        return value
    raise ArgumentError(f"{name} must be an integer, not {describe(value)}")


def per_axis(value, name: str, rank: int | None, each, what: str = "integers") -> tuple:
    """``each`` of a tuple of ``rank`` values, or of one value for every axis."""
    if not isinstance(value, tuple):
        return (each(value),) * (rank or 1)
    if rank is not None and len(value) != rank:
        raise ArgumentError(
            f"{name} must be an integer or a tuple of {rank} {what}; got {len(value)} values"
        )
    return tuple(each(v) for v in value)


def _ints(value, spec: Arg) -> tuple:
    """``ints``: an integer (every entry) or a tuple of ``rank`` integers, negatives allowed."""
    return per_axis(value, spec.name, spec.rank, lambda v: as_int(v, spec.name))


def _numbers(value, spec: Arg):
    """``numbers``: a positive number or a tuple of ``rank`` of them (scale factors)."""
    items = value if isinstance(value, tuple) else (value,)
    if spec.rank is not None and isinstance(value, tuple) and len(value) != spec.rank:
        raise ArgumentError(f"{spec.name} must be a number or a tuple of {spec.rank} numbers")
    out = []
    for v in items:
        if isinstance(v, Word):
            v = D.symbol(v.name)
        elif isinstance(v, bool) or not (D.is_num(v) or D.is_symbolic(v)):
            raise ArgumentError(f"{spec.name} must be a number, not {describe(v)}")
        if D.known_nonpositive(v) and not (D.is_num(v) and v > 0):
            raise ArgumentError(f"{spec.name} must be positive, not {v}")
        out.append(v)
    return tuple(out) if isinstance(value, tuple) else out[0]


def _padding(value, spec: Arg):
    """``padding``: a word among ``choices`` (torch's 'same', 'valid') or dims0;
    any other bare word is a symbol (``padding=p``), unless it looks like a
    misspelt choice (``padding=sme``)."""
    text = value.name if isinstance(value, Word) else value
    if isinstance(text, str):
        low = text.lower()
        if low in spec.choices:
            return low
        if isinstance(value, Word) and did_you_mean(low, spec.choices) is None:
            return as_dims(value, spec.name, spec.rank, zero_ok=True)
        raise ArgumentError(
            f"{spec.name} must be an integer, a tuple, or one of {', '.join(spec.choices)}; "
            f"got {text!r}",
            hint=did_you_mean(low, spec.choices),
        )
    return as_dims(value, spec.name, spec.rank, zero_ok=True)


def _sizes(value, spec: Arg):
    """``sizes``: a dim or a tuple of ``rank`` dims where None keeps the input's size."""
    if spec.rank is None and not isinstance(value, tuple):
        return as_dim(value, spec.name)  # the rule repeats it over the axes it has
    each = lambda v: None if v is None else as_dim(v, spec.name)  # noqa: E731
    return per_axis(value, spec.name, spec.rank, each, "entries")


# Argument kinds of torch.nn signatures (see Arg): registered here so every
# convention's rules are bound the same way.
TORCH_KINDS = {"ints": _ints, "numbers": _numbers, "padding": _padding, "sizes": _sizes}


def as_dims(value, name: str, rank: int | None, *, zero_ok: bool = False) -> tuple:
    return per_axis(value, name, rank, lambda v: as_dim(v, name, zero_ok=zero_ok))


def as_pads(value, name: str, rank: int) -> tuple:
    """Padding/cropping as ((before, after), ...) per spatial axis; one
    integer means every side, and a 1-D layer takes its one pair bare."""
    if rank == 1 and isinstance(value, tuple):
        if len(value) != 2:
            raise ArgumentError(f"{name} must be an integer or a pair (before, after)")
        value = (value,)
    if not isinstance(value, tuple):
        value = (value,) * rank
    if len(value) != rank:
        raise ArgumentError(
            f"{name} must be an integer, a tuple of {rank} integers, or a tuple of {rank} pairs"
        )
    out = []
    for v in value:
        pair = v if isinstance(v, tuple) else (v, v)
        if len(pair) != 2:
            raise ArgumentError(f"each entry of {name} must be a pair (before, after)")
        out.append(tuple(as_dim(x, name, zero_ok=True) for x in pair))
    return tuple(out)


def as_axis(value, name: str) -> int:
    if D.is_int(value) and not isinstance(value, bool):
        return int(value)
    raise ArgumentError(f"{name} must be a literal integer axis, not {describe(value)}")
