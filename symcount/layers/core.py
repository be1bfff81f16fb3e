"""Flatten, Reshape, Permute, RepeatVector and Lambda: the layers that only reshape a tensor."""

from __future__ import annotations

from .. import dims as D
from .common import data_format_arg
from .registry import keras
from .spec import REQUIRED, Out, a, bad_arg, fail


@keras.rule("Flatten", data_format_arg())
def flatten(shape, p):
    """All axes but the batch in one (None if any axis is None, as in Keras)."""
    if any(d is None for d in shape):
        return Out((None,))
    if p.data_format == "channels_first" and len(shape) > 1:
        shape = (*shape[1:], shape[0])
    return Out((D.prod(shape),) if shape else (1,))


@keras.rule("Reshape", a("target_shape", "shape", REQUIRED))
def reshape(shape, p):
    """Same elements, new shape; one -1 takes what is left."""
    target = p.target_shape
    unknown = [i for i, d in enumerate(target) if d == -1]
    if len(unknown) > 1:
        bad_arg("only one dimension may be -1")
    if any(d is None for d in target):
        bad_arg("target_shape cannot contain None; use -1 for the axis to infer")
    known = D.prod(d for d in target if d != -1)
    if any(d is None for d in shape):
        if unknown:
            return Out(tuple(None if d == -1 else d for d in target))
        return Out(target)
    size = D.prod(shape)
    if unknown:
        rest = D.div(size, known)
        if D.is_num(rest) and not D.is_int(rest):
            fail(f"{size} elements cannot be arranged as {_fmt(target)}")
        if D.is_symbolic(rest) and getattr(rest, "is_integer", None) is False:
            fail(f"{size} elements cannot be arranged as {_fmt(target)}")
        return Out(tuple(rest if d == -1 else d for d in target))
    if D.equal(size, known) is False:
        fail(f"the input has {size} elements but target_shape {_fmt(target)} has {known}")
    return Out(target)


def _fmt(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


@keras.rule("Permute", a("dims", "axes", REQUIRED))
def permute(shape, p):
    """Reorders the axes; dims count from 1 (the batch axis is 0)."""
    order = p.dims if isinstance(p.dims, tuple) else (p.dims,)
    if sorted(order) != list(range(1, len(shape) + 1)):
        bad_arg(f"dims must be a permutation of 1..{len(shape)} for this input; got {order}")
    return Out(tuple(shape[i - 1] for i in order))


@keras.rule("RepeatVector", a("n", "dim", REQUIRED))
def repeat_vector(shape, p):
    """(features,) to (n, features)."""
    if len(shape) != 1:
        fail(f"RepeatVector expects an input of rank 2 (batch included); got rank {len(shape) + 1}")
    return Out((p.n, shape[0]))


@keras.rule("Lambda", a("function"), a("output_shape", "shape", None), a("mask"), a("arguments"))
def lambda_layer(shape, p):
    """Any function: no weights; give output_shape=(...) since symcount cannot run it."""
    if p.output_shape is None:
        fail(
            "Lambda can change the shape in any way: give output_shape=(...), e.g. "
            "Lambda(output_shape=(768,)) for taking the first token"
        )
    if any(d == -1 for d in p.output_shape):
        bad_arg("output_shape must not contain -1")
    return Out(tuple(p.output_shape))
