"""Keras 3's convention: channels last, running statistics as non-trainable
parameters, snake_case layer names (dense, dense_1)."""

from __future__ import annotations

from typing import ClassVar

from ..ops.spec import REQUIRED
from ..ops.spec import a as arg
from .base import Convention, Layer, layer
from .registry import keras as registry

DATA_FORMATS = ("channels_last", "channels_first")


def words(text: str) -> frozenset[str]:
    """Keyword names written as one string (long lists of value-only keywords)."""
    return frozenset(text.split())


def value_args(*weights: str) -> frozenset[str]:
    """The initializer, regularizer and constraint keywords of the named weights
    (plus activity_regularizer): they change values, never shapes or counts."""
    kinds = ("initializer", "regularizer", "constraint")
    return frozenset({f"{w}_{k}" for w in weights for k in kinds} | {"activity_regularizer"})


# Keyword arguments that change values, never shapes or counts.
DENSE_VALUE_ARGS = value_args("kernel", "bias") | words(
    "activation lora_rank lora_alpha quantization_config"
)
CONV_VALUE_ARGS = value_args("kernel", "bias") | {"activation"}
EMBEDDING_VALUE_ARGS = frozenset(
    {"embeddings_initializer", "embeddings_regularizer", "embeddings_constraint", "mask_zero"}
)


def data_format_arg():
    return arg("data_format", "enum", None, choices=DATA_FORMATS, allow_none=True)


def rate(*more):
    return (arg("rate", "number", REQUIRED), *more)


SAME = "Changes values only: no weights, same shape."
EMBEDDING = {"input_dim": "vocab", "output_dim": "dim"}


def _same(*args, ignored=(), op="identity"):
    return layer(op, *args, ignored=ignored, doc=SAME)


CONV = {"kernel_size": "kernel", "dilation_rate": "dilation", "use_bias": "bias"}
PADDINGS = ("valid", "same")


def _window(rank, *, paddings=PADDINGS):
    """kernel_size, strides, padding, data_format, in Keras's order."""
    return (
        arg("kernel_size", "dims", REQUIRED, rank=rank),
        arg("strides", "dims", (1,) * rank, rank=rank),
        arg("padding", "enum", "valid", choices=paddings),
    )


def _dilation(rank):
    return arg("dilation_rate", "dims", (1,) * rank, rank=rank)


def _conv_row(op, rank, *args, **kw):
    """A convolution's row: its arguments, then activation and use_bias."""
    tail = (arg("activation"), arg("use_bias", "bool", True))
    return layer(op, *args, *tail, names=CONV, fixed={"rank": rank}, **kw)


def _conv(rank, transpose=False):
    if transpose:
        middle = (*_window(rank), arg("output_padding", "dims0", None, rank=rank))
        groups, kernel, what = (), "kernel(*kernel, cout, cin)", "filters, c_in"
        aliases = (f"Convolution{rank}DTranspose",)
    else:
        paddings = ("valid", "same", "causal") if rank == 1 else PADDINGS
        middle = _window(rank, paddings=paddings)
        groups, kernel, what = (arg("groups", "dim", 1),), "kernel(*kernel, cin, filters)", ""
        aliases = (f"Convolution{rank}D",)
    return _conv_row(
        "conv_transpose" if transpose else "conv",
        rank,
        arg("filters", "dim", REQUIRED),
        *middle,
        data_format_arg(),
        _dilation(rank),
        *groups,
        weights={"kernel": kernel, "bias": "bias(filters)"},
        ignored=CONV_VALUE_ARGS,
        aliases=aliases,
        doc=f"A kernel (kernel_size, {what or 'c_in/groups, filters'}) and a bias (filters); "
        f"{rank}-D.",
    )


def _depthwise(rank):
    return _conv_row(
        "depthwise_conv",
        rank,
        *_window(rank),
        arg("depth_multiplier", "dim", 1),
        data_format_arg(),
        _dilation(rank),
        weights={
            "kernel": "kernel(*kernel, c_in, depth_multiplier)",
            "bias": "bias(c_in, depth_multiplier)",
        },
        ignored=value_args("depthwise", "bias"),
        doc="One kernel_size filter per input channel (times depth_multiplier).",
    )


def _separable(rank):
    return _conv_row(
        "separable_conv",
        rank,
        arg("filters", "dim", REQUIRED),
        *_window(rank),
        data_format_arg(),
        _dilation(rank),
        arg("depth_multiplier", "dim", 1),
        weights={
            "depthwise": "depthwise_kernel(*kernel, c_in, depth_multiplier)",
            "pointwise": "pointwise_kernel(*ones, c_in*depth_multiplier, filters)",
            "bias": "bias(filters)",
        },
        ignored=value_args("depthwise", "pointwise", "bias"),
        aliases=(f"SeparableConvolution{rank}D",),
        doc="A depthwise kernel per channel, then a 1x1 pointwise kernel to filters.",
    )


SHORT = {"Max": "Max", "Average": "Avg"}  # Keras's aliases: MaxPool2D, AvgPool2D


def _pool(rank, kind):
    return layer(
        "pool",
        arg("pool_size", "dims", (2,) * rank, rank=rank),
        arg("strides", "dims", None, rank=rank),
        arg("padding", "enum", "valid", choices=PADDINGS),
        data_format_arg(),
        names={"pool_size": "kernel"},
        fixed={"rank": rank, "kind": kind.lower()},
        aliases=(f"{SHORT[kind]}Pool{rank}D",),
        doc=f"{kind} over pool_size windows; strides default to pool_size. No weights.",
    )


def _global_pool(rank, kind):
    return layer(
        "global_pool",
        data_format_arg(),
        arg("keepdims", "bool", False),
        fixed={"rank": rank},
        aliases=(f"Global{SHORT[kind]}Pool{rank}D",),
        doc=f"{kind} over all spatial axes: (channels,), or keepdims. No weights.",
    )


def _pads(value, rank):
    """A padding default as ((before, after), ...) per spatial axis."""
    if rank == 1:
        return ((value, value),) if isinstance(value, int) else (tuple(value),)
    if isinstance(value, int):
        return ((value, value),) * rank
    return tuple(tuple(v) for v in value)


def _padding(rank, crop=False):
    name, doc = ("cropping", "Removes") if crop else ("padding", "Adds zeros")
    default = (
        ({1: (1, 1), 2: ((0, 0), (0, 0))}.get(rank, 1) if crop else 1)
        if rank < 3
        else ((1, 1),) * 3
    )
    return layer(
        "pad",
        arg(name, "pads", _pads(default, rank), rank=rank),
        data_format_arg(),
        names={name: "padding"},
        fixed={"rank": rank, "crop": crop},
        doc=f"{doc} {'entries ' if crop else ''}before and after each spatial axis. No weights.",
    )


def _upsampling(rank):
    args = [arg("size", "dims", (2,) * rank, rank=rank)]
    if rank > 1:
        args.append(data_format_arg())
    if rank == 2:
        modes = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")
        args.append(arg("interpolation", "enum", "nearest", choices=modes))
    return layer(
        "upsample",
        *args,
        fixed={"rank": rank},
        doc="Repeats each spatial entry size times. No weights.",
    )


# --- normalization (ops/norm.py) ------------------------------------------------

NORM_VALUE_ARGS = words(
    "momentum epsilon beta_initializer gamma_initializer moving_mean_initializer "
    "moving_variance_initializer beta_regularizer gamma_regularizer beta_constraint "
    "gamma_constraint synchronized renorm renorm_clipping renorm_momentum"
)
NORM_MESSAGES = {
    "axis_unknown": "the size of axis {axis}",
    "groups_split": ("argument", "the number of channels ({c}) must be a multiple of groups ({g})"),
}
CENTER_SCALE = (arg("center", "bool", True), arg("scale", "bool", True))
GAMMA_BETA = {"gamma": "gamma(c_in)", "beta": "beta(c_in)"}
NORM_LAYERS = {
    "BatchNormalization": layer(
        "batch_norm",
        arg("axis", "axis", -1),
        arg("momentum", "number", 0.99),
        arg("epsilon", "number", 1e-3),
        *CENTER_SCALE,
        fixed={"state": True},
        labels={"c_in": "c"},
        weights={**GAMMA_BETA, "mean": "moving_mean(c_in)", "var": "moving_variance(c_in)"},
        ignored=NORM_VALUE_ARGS,
        doc="gamma and beta (trainable) and moving mean and variance (state), one per channel.",
    ),
    "LayerNormalization": layer(
        "layer_norm",
        arg("axis", "axes", -1),
        arg("epsilon", "number", 1e-3),
        *CENTER_SCALE,
        arg("rms_scaling", "bool", False),
        names={"rms_scaling": "rms"},
        weights={"gamma": "gamma(*dims)", "beta": "beta(*dims)"},
        ignored=NORM_VALUE_ARGS,
        doc="gamma (scale) and beta (center) over the normalized axes; rms_scaling keeps "
        "gamma only.",
    ),
    "GroupNormalization": layer(
        "group_norm",
        arg("groups", "value", 32),
        arg("axis", "axis", -1),
        arg("epsilon", "number", 1e-3),
        *CENTER_SCALE,
        labels={"c_in": "c"},
        weights=GAMMA_BETA,
        ignored=NORM_VALUE_ARGS,
        doc="gamma and beta, one per channel; channels must divide into groups (-1: one per "
        "channel).",
    ),
    "UnitNormalization": layer(
        "unit_norm", arg("axis", "axes", -1), doc="Scales to unit L2 norm along axis. No weights."
    ),
    "RMSNormalization": layer(
        "layer_norm",
        arg("axis", "axes", -1),
        arg("epsilon", "number", 1e-6),
        fixed={"scale": True},
        weights={"gamma": "scale(*dims)"},
        doc="One scale per entry of the normalized axes.",
    ),
}


# --- recurrent (ops/recurrent.py) -------------------------------------------------

RNN_VALUE_ARGS = words(
    "activation recurrent_activation kernel_initializer recurrent_initializer "
    "bias_initializer unit_forget_bias kernel_regularizer recurrent_regularizer "
    "bias_regularizer activity_regularizer kernel_constraint recurrent_constraint "
    "bias_constraint dropout recurrent_dropout seed go_backwards stateful unroll "
    "use_cudnn time_major zero_output_for_mask"
)
GATE_NOTE = "{} gates ({}), each with its own input kernel, recurrent kernel and bias"
RETURNS = (arg("return_sequences", "bool", False), arg("return_state", "bool", False))


def _rnn(cell: str, gates: int, note: str = "", *tail) -> Layer:
    g = f"{gates}*units" if gates > 1 else "units"
    weights = {"kernel": f"kernel(x_in, {g})", "recurrent": f"recurrent_kernel(h_out, {g})"}
    weights |= (
        {"bias": f"bias({g})", "bias_pair": f"bias(2, {g})"} if tail else {"bias": f"bias({g})"}
    )
    return layer(
        "rnn",
        arg("units", "dim", REQUIRED),
        arg("activation"),
        *([arg("recurrent_activation")] if gates > 1 else []),
        arg("use_bias", "bool", True),
        *RETURNS,
        *tail,
        names={"use_bias": "bias"},
        fixed={"gates": gates},
        weights=weights,
        ignored=RNN_VALUE_ARGS,
        extra={"note": GATE_NOTE.format(gates, note)} if note else {},
        doc=f"{cell}: kernel (c_in, {gates}*units), recurrent kernel (units, {gates}*units), bias.",
    )


def _conv_lstm(rank: int) -> Layer:
    ones = (1,) * rank
    return layer(
        "conv_lstm",
        arg("filters", "dim", REQUIRED),
        arg("kernel_size", "dims", REQUIRED, rank=rank),
        arg("strides", "dims", ones, rank=rank),
        arg("padding", "enum", "valid", choices=("valid", "same")),
        data_format_arg(),
        arg("dilation_rate", "dims", ones, rank=rank),
        arg("activation"),
        arg("recurrent_activation"),
        arg("use_bias", "bool", True),
        *RETURNS,
        names={"filters": "units", "kernel_size": "kernel", "dilation_rate": "dilation"}
        | {"use_bias": "bias"},
        fixed={"rank": rank, "gates": 4},
        weights={
            "kernel": "kernel(*K, c_in, 4*units)",
            "recurrent": "recurrent_kernel(*K, units, 4*units)",
            "bias": "bias(4*units)",
        },
        ignored=RNN_VALUE_ARGS,
        extra={"note": RNN_LAYERS_NOTE},
        doc="An LSTM whose gates are convolutions: kernels (kernel_size, c_in, 4*filters).",
    )


RNN_LAYERS_NOTE = GATE_NOTE.format(4, "input, forget, cell, output")
RNN_LAYERS = {
    "SimpleRNN": _rnn("SimpleRNN", 1),
    "LSTM": _rnn("LSTM", 4, "input, forget, cell, output"),
    "GRU": _rnn("GRU", 3, "update, reset, candidate", arg("reset_after", "bool", True)),
    **{f"ConvLSTM{r}D": _conv_lstm(r) for r in (1, 2, 3)},
}


# --- attention (ops/attention.py) -------------------------------------------------

ATTENTION_LAYERS = {
    "MultiHeadAttention": layer(
        "attention",
        arg("num_heads", "dim", REQUIRED),
        arg("key_dim", "dim", REQUIRED),
        arg("value_dim", "dim", None),
        arg("dropout", "number", 0.0),
        arg("use_bias", "bool", True),
        arg("output_shape", "shape", None),
        arg("attention_axes", "axes", None),
        names={"num_heads": "heads", "use_bias": "bias"},
        weights={
            "q": "query/kernel(d_q, heads, kd)",
            "q_bias": "query/bias(heads, kd)",
            "k": "key/kernel(d_k, heads, kd)",
            "k_bias": "key/bias(heads, kd)",
            "v": "value/kernel(d_v, heads, vd)",
            "v_bias": "value/bias(heads, vd)",
            "o": "attention_output/kernel(heads, vd, *out)",
            "o_bias": "attention_output/bias(*out)",
        },
        ignored=DENSE_VALUE_ARGS | {"seed", "flash_attention"},
        call_kwargs={"attention_mask", "use_causal_mask", "query_mask", "value_mask", "key_mask"},
        doc="Query, key and value projections (d, heads, key_dim or value_dim) and an output "
        "projection (heads, value_dim, d_out), each with a bias when use_bias.",
    ),
}
ATTENTION_MESSAGES = {
    "attention_rank": "{layer} needs inputs of rank 3 or more (batch, sequence, features)",
    "attention_self": "self-attention: query, key and value all come from the incoming tensor",
    "attention_cross": "cross-attention: the query from the first input, key and value from "
    "the others",
}


# --- wrappers (ops/wrappers.py) ---------------------------------------------------

WRAPPER_LAYERS = {
    "Bidirectional": layer(
        "bidirectional",
        arg("layer", "layer", REQUIRED),
        arg(
            "merge_mode", "enum", "concat", choices=("concat", "sum", "mul", "ave"), allow_none=True
        ),
        arg("weights"),
        arg("backward_layer", "layer", None, allow_none=True),
        doc="Two copies of an RNN, one reading forward and one backward; outputs merged.",
    ),
    "TimeDistributed": layer(
        "time_distributed",
        arg("layer", "layer", REQUIRED),
        doc="Applies one layer (one set of weights) to every time step.",
    ),
}


class Keras(Convention):
    name = "keras"
    FLAGS: ClassVar[dict] = {
        "layout": "channels_last",
        "arg_spans": False,  # a rule's argument errors point at the layer
        "strided_dilation": False,
        "strict_reshape": True,  # a symbolic -1 that is certainly not whole is an error
        "groups_checks": (("filters", "filters"), ("c_in", "input channels")),
        "norm_labels": ("c", "c"),
        "attention_inputs": ("query", "value", "key"),  # mha(query, value[, key])
    }
    LABELS: ClassVar[dict[str, str]] = {"c_in/groups": "(c_in/groups)"}

    MESSAGES: ClassVar[dict[str, str]] = {
        "no_features": "{layer} needs an input of rank 2 or more (batch included)",
        "rank": "expects an input of rank {want} (batch included); got shape {batched}",
        "channels_unknown": "{layer} needs a known number of channels, but the channel axis is None",
        "positive": "{layer} would produce a dimension of {d}; every dimension must be positive",
        "one_unknown": "only one dimension may be -1",
        "no_none": "target_shape cannot contain None; use -1 for the axis to infer",
        "indivisible": "{n} elements cannot be arranged as {raw}",
        "mismatch": "the input has {n} elements but target_shape {raw} has {known}",
        "dense_unknown": "the last axis of the input has unknown length (None), so the kernel "
        "size is unknown; give that axis a length or a symbol (a Flatten of a None axis "
        "gives None)",
        **NORM_MESSAGES,
        **ATTENTION_MESSAGES,
    }

    LAYERS: ClassVar[dict[str, Layer]] = {
        **Convention.LAYERS,
        "Dense": layer(
            "dense",
            arg("units", "dim", REQUIRED),
            arg("activation"),
            arg("use_bias", "bool", True),
            names={"use_bias": "bias"},
            weights={"kernel": "kernel(c_in, units)", "bias": "bias(units)"},
            ignored=DENSE_VALUE_ARGS,
            doc="A kernel (c_in, units) and a bias (units) on the last axis, at any rank.",
        ),
        "Embedding": layer(
            "embedding",
            arg("input_dim", "dim", REQUIRED),
            arg("output_dim", "dim", REQUIRED),
            names=EMBEDDING,
            weights={"table": "embeddings(vocab, dim)"},
            ignored=EMBEDDING_VALUE_ARGS
            | words(
                "weights lora_rank lora_alpha input_length activity_regularizer sparse "
                "quantization_config"
            ),
            doc="A table of input_dim rows (the vocabulary), each output_dim wide.",
        ),
        "ReversibleEmbedding": layer(
            "reversible_embedding",
            arg("input_dim", "dim", REQUIRED),
            arg("output_dim", "dim", REQUIRED),
            arg("tie_weights", "bool", True),
            names=EMBEDDING,
            weights={
                "table": "embeddings(vocab, dim)",
                "reverse": "reverse_embeddings(dim, vocab)",
            },
            ignored=EMBEDDING_VALUE_ARGS | {"reverse_dtype", "logit_soft_cap"},
            call_kwargs={"reverse"},
            doc="keras_hub's embedding that also projects back to the vocabulary: "
            "``wte(h, reverse=true)`` reuses the same matrix (tied weights, as in GPT-2).",
        ),
        "Dropout": _same(*rate(arg("noise_shape"), arg("seed")), op="dropout"),
        "SpatialDropout1D": _same(*rate(arg("seed")), op="dropout"),
        "SpatialDropout2D": _same(*rate(data_format_arg(), arg("seed")), op="dropout"),
        "SpatialDropout3D": _same(*rate(data_format_arg(), arg("seed")), op="dropout"),
        "GaussianNoise": _same(arg("stddev", "number", REQUIRED), arg("seed")),
        "GaussianDropout": _same(*rate(arg("seed")), op="dropout"),
        "AlphaDropout": _same(*rate(arg("noise_shape"), arg("seed")), op="dropout"),
        "ActivityRegularization": _same(arg("l1", "number", 0), arg("l2", "number", 0)),
        "Activation": _same(arg("activation", "value", REQUIRED)),
        "ReLU": _same(
            arg("max_value"), arg("negative_slope", "number", 0), arg("threshold", "number", 0)
        ),
        "LeakyReLU": _same(arg("negative_slope", "number", 0.3), ignored={"alpha"}),
        "ELU": _same(arg("alpha", "number", 1.0)),
        "Softmax": _same(arg("axis", "axes", -1)),
        "Identity": _same(),
        "Masking": _same(arg("mask_value", "number", 0.0)),
        **NORM_LAYERS,
        **RNN_LAYERS,
        **ATTENTION_LAYERS,
        **WRAPPER_LAYERS,
        "PReLU": layer(
            "prelu",
            arg("alpha_initializer"),
            arg("alpha_regularizer"),
            arg("alpha_constraint"),
            arg("shared_axes", "axes", None),
            weights={"alpha": "alpha(*slopes)"},
            doc="One learned slope per input element, shared along shared_axes.",
        ),
        **{f"Conv{r}D": _conv(r) for r in (1, 2, 3)},
        **{f"Conv{r}DTranspose": _conv(r, transpose=True) for r in (1, 2, 3)},
        **{f"DepthwiseConv{r}D": _depthwise(r) for r in (1, 2)},
        **{f"SeparableConv{r}D": _separable(r) for r in (1, 2)},
        **{f"{k}Pooling{r}D": _pool(r, k) for r in (1, 2, 3) for k in SHORT},
        **{f"Global{k}Pooling{r}D": _global_pool(r, k) for r in (1, 2, 3) for k in SHORT},
        "Flatten": layer(
            "flatten",
            data_format_arg(),
            doc="All axes but the batch in one (None if any axis is None, as in Keras).",
        ),
        "Reshape": layer(
            "reshape",
            arg("target_shape", "shape", REQUIRED),
            names={"target_shape": "sizes"},
            doc="Same elements, new shape; one -1 takes what is left.",
        ),
        "Permute": layer(
            "permute",
            arg("dims", "axes", REQUIRED),
            doc="Reorders the axes; dims count from 1 (the batch axis is 0).",
        ),
        "RepeatVector": layer(
            "repeat_vector", arg("n", "dim", REQUIRED), doc="(features,) to (n, features)."
        ),
        "Lambda": layer(
            "function",
            arg("function"),
            arg("output_shape", "shape", None),
            arg("mask"),
            arg("arguments"),
            doc="Any function: no weights; give output_shape=(...) since symcount cannot run it.",
        ),
        **{f"ZeroPadding{r}D": _padding(r) for r in (1, 2, 3)},
        **{f"Cropping{r}D": _padding(r, crop=True) for r in (1, 2, 3)},
        **{f"UpSampling{r}D": _upsampling(r) for r in (1, 2, 3)},
        "Concatenate": layer(
            "concat",
            arg("axis", "axis", -1),
            doc="Joins its inputs along axis; the other axes must agree. No weights.",
        ),
        "Dot": layer(
            "dot",
            arg("axes", "axes", -1),
            arg("normalize", "bool", False),
            doc="Dot product of two tensors along axes (batch axis kept). No weights.",
        ),
    }


CONVENTION = Keras
Keras.register(registry)
