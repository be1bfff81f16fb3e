"""Dense, Embedding, and the layers that only pass or reshape a tensor."""

from __future__ import annotations

from .. import dims as D
from .common import DENSE_VALUE_ARGS, data_format_arg, resolve_axis, split
from .registry import keras
from .spec import REQUIRED, Out, W, a, bad_arg, fail, need_known


@keras.rule(
    "Dense",
    a("units", "dim", REQUIRED),
    a("activation"),
    a("use_bias", "bool", True),
    ignored=DENSE_VALUE_ARGS,
)
def dense(shape, p):
    """A kernel (c_in, units) and a bias (units) on the last axis, at any rank."""
    if not shape:
        fail("Dense needs an input of rank 2 or more (batch included)")
    if shape[-1] is None:
        fail(
            "the last axis of the input has unknown length (None), so the kernel size is "
            "unknown; give that axis a length or a symbol (a Flatten of a None axis gives None)"
        )
    c_in = shape[-1]
    weights = [W("kernel", ("c_in", c_in), ("units", p.units))]
    if p.use_bias:
        weights.append(W("bias", ("units", p.units)))
    return Out((*shape[:-1], p.units), weights)


@keras.rule(
    "Embedding",
    a("input_dim", "dim", REQUIRED),
    a("output_dim", "dim", REQUIRED),
    ignored={
        "embeddings_initializer",
        "embeddings_regularizer",
        "embeddings_constraint",
        "mask_zero",
        "weights",
        "lora_rank",
        "lora_alpha",
        "input_length",
        "activity_regularizer",
        "sparse",
        "quantization_config",
    },
)
def embedding(shape, p):
    """A table of input_dim rows (the vocabulary), each output_dim wide."""
    weights = [W("embeddings", ("input_dim", p.input_dim), ("output_dim", p.output_dim))]
    return Out((*shape, p.output_dim), weights)


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


def _identity(shape, p):
    return Out(tuple(shape))


for _name, _args, _ignored in [
    ("Dropout", (a("rate", "number", REQUIRED), a("noise_shape"), a("seed")), ()),
    ("SpatialDropout1D", (a("rate", "number", REQUIRED), a("seed")), ()),
    ("SpatialDropout2D", (a("rate", "number", REQUIRED), data_format_arg(), a("seed")), ()),
    ("SpatialDropout3D", (a("rate", "number", REQUIRED), data_format_arg(), a("seed")), ()),
    ("GaussianNoise", (a("stddev", "number", REQUIRED), a("seed")), ()),
    ("GaussianDropout", (a("rate", "number", REQUIRED), a("seed")), ()),
    ("AlphaDropout", (a("rate", "number", REQUIRED), a("noise_shape"), a("seed")), ()),
    ("ActivityRegularization", (a("l1", "number", 0), a("l2", "number", 0)), ()),
    ("Activation", (a("activation", "value", REQUIRED),), ()),
    ("ReLU", (a("max_value"), a("negative_slope", "number", 0), a("threshold", "number", 0)), ()),
    ("LeakyReLU", (a("negative_slope", "number", 0.3),), {"alpha"}),
    ("ELU", (a("alpha", "number", 1.0),), ()),
    ("Softmax", (a("axis", "axes", -1),), ()),
    ("Identity", (), ()),
    ("Masking", (a("mask_value", "number", 0.0),), ()),
]:
    keras.rule(_name, *_args, ignored=_ignored, doc="Changes values only: no weights, same shape.")(
        _identity
    )


@keras.rule(
    "PReLU",
    a("alpha_initializer"),
    a("alpha_regularizer"),
    a("alpha_constraint"),
    a("shared_axes", "axes", None),
)
def prelu(shape, p):
    """One learned slope per input element, shared along shared_axes."""
    labels = ["d_" + str(i + 1) for i in range(len(shape))]
    dims = list(zip(labels, shape, strict=True))
    shared = p.shared_axes
    if shared is not None:
        for ax in shared if isinstance(shared, tuple) else (shared,):
            if not 1 <= ax <= len(shape):
                bad_arg(f"shared axis {ax} is out of range 1..{len(shape)}")
            dims[ax - 1] = ("1", 1)
    for label, d in dims:
        need_known(d, f"PReLU's input axis {label}")
    return Out(tuple(shape), [W("alpha", *dims)])


def axis_size(shape, axis, layer):
    idx = resolve_axis(axis, len(shape), layer)
    return need_known(shape[idx], f"{layer}'s axis {axis}")


__all__ = ["axis_size", "split"]


@keras.rule(
    "ReversibleEmbedding",
    a("input_dim", "dim", REQUIRED),
    a("output_dim", "dim", REQUIRED),
    a("tie_weights", "bool", True),
    ignored={
        "embeddings_initializer",
        "embeddings_regularizer",
        "embeddings_constraint",
        "mask_zero",
        "reverse_dtype",
        "logit_soft_cap",
    },
    call_kwargs={"reverse"},
)
def reversible_embedding(shape, p, ctx):
    """keras_hub's embedding that also projects back to the vocabulary:
    ``wte(h, reverse=true)`` reuses the same matrix (tied weights, as in GPT-2)."""
    weights = [W("embeddings", ("input_dim", p.input_dim), ("output_dim", p.output_dim))]
    if not p.tie_weights:
        weights.append(
            W("reverse_embeddings", ("output_dim", p.output_dim), ("input_dim", p.input_dim))
        )
    if ctx.call_kwargs.get("reverse"):
        if D.equal(shape[-1], p.output_dim) is False:
            fail(f"a reverse call takes vectors of output_dim={p.output_dim}, got {shape[-1]}")
        return Out((*shape[:-1], p.input_dim), weights)
    notes = ["the same matrix projects back to the vocabulary in reverse calls (tied weights)"]
    return Out((*shape, p.output_dim), weights, notes=notes if p.tie_weights else [])


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
