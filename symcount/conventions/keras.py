"""Keras 3's convention: channels last, running statistics as non-trainable
parameters, snake_case layer names (dense, dense_1). Arguments are spec
strings (:func:`symcount.ops.spec.parse_args`): ``name:kind(rank)=default``,
``!`` required, ``a|b`` an enum."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from ..ops.parameter import KERAS_MESSAGES as PARAMETER_MESSAGES
from ..ops.spec import words
from .base import Convention, Layer, Registry, layer, rows, snake_case
from .framework_layers import KERAS
from .keras_common import DF, same_shape
from .keras_preprocessing import PREPROCESSING_LAYERS


def value_args(*weights: str) -> frozenset[str]:
    """The initializer, regularizer and constraint keywords of the named weights
    (plus activity_regularizer): they change values, never shapes or counts."""
    kinds = ("initializer", "regularizer", "constraint")
    return frozenset({f"{w}_{k}" for w in weights for k in kinds} | {"activity_regularizer"})


# Keyword arguments that change values, never shapes or counts.
DENSE_VALUE_ARGS = value_args("kernel", "bias") | words("activation lora_alpha quantization_config")
# LoRA's rank: two low-rank trainable factors, the kernel frozen (ops/lora.py)
LORA = "lora_rank"  # checked by the op: 0 and None are no LoRA
CONV_VALUE_ARGS = value_args("kernel", "bias") | {"activation"}
EMBEDDING_VALUE_ARGS = words(
    "embeddings_initializer embeddings_regularizer embeddings_constraint mask_zero"
)
EMBEDDING = "input_dim>vocab:dim! output_dim>dim:dim!"


def _window(r, paddings="valid|same"):
    """kernel_size, strides and padding, in Keras's order."""
    return f"kernel_size>kernel:dims({r})! strides:dims({r})=1 padding:{paddings}=valid"


def _dilation(r):
    return f"dilation_rate>dilation:dims({r})=1"


def _conv_row(op, rank, *args, **kw):
    """A convolution's row: its arguments, then activation and use_bias."""
    return layer(op, *args, "activation use_bias>bias:bool=true", fixed={"rank": rank}, **kw)


def _conv(r, transpose=False):
    if transpose:
        middle = f"{_window(r)} output_padding:dims0({r})"
        groups, kernel, what = "", "kernel(*kernel, cout, cin)", "filters, c_in"
        aliases = (f"Convolution{r}DTranspose",)
    else:
        middle = _window(r, "valid|same|causal" if r == 1 else "valid|same")
        groups, kernel, what = "groups:dim=1", "kernel(*kernel, cin, filters)", ""
        aliases = (f"Convolution{r}D",)
    return _conv_row(
        "conv_transpose" if transpose else "conv",
        r,
        f"filters:dim! {middle} {DF} {_dilation(r)} {groups}",
        weights=f"{kernel} bias(filters)",
        ignored=CONV_VALUE_ARGS,
        aliases=aliases,
        doc=f"A kernel (kernel_size, {what or 'c_in/groups, filters'}) and a bias (filters); "
        f"{r}-D.",
    )


def _depthwise(r):
    return _conv_row(
        "depthwise_conv",
        r,
        f"{_window(r)} depth_multiplier:dim=1 {DF} {_dilation(r)}",
        weights="kernel(*kernel, c_in, depth_multiplier) bias(c_in, depth_multiplier)",
        ignored=value_args("depthwise", "bias"),
    )


def _separable(r):
    return _conv_row(
        "separable_conv",
        r,
        f"filters:dim! {_window(r)} {DF} {_dilation(r)} depth_multiplier:dim=1",
        weights="depthwise=depthwise_kernel(*kernel, c_in, depth_multiplier) "
        "pointwise=pointwise_kernel(*ones, c_in*depth_multiplier, filters) bias(filters)",
        ignored=value_args("depthwise", "pointwise", "bias"),
        aliases=(f"SeparableConvolution{r}D",),
    )


SHORT = {"Max": "Max", "Average": "Avg"}  # Keras's aliases: MaxPool2D, AvgPool2D


def _pool(r, kind):
    return layer(
        "pool",
        f"pool_size>kernel:dims({r})=2 strides:dims({r}) padding:valid|same=valid {DF}",
        fixed={"rank": r, "kind": kind.lower()},
        aliases=(f"{SHORT[kind]}Pool{r}D",),
        doc=f"{kind} over pool_size windows; strides default to pool_size. No weights.",
    )


def _global_pool(r, kind):
    return layer(
        "global_pool",
        f"{DF} keepdims:bool=false",
        fixed={"rank": r},
        aliases=(f"Global{SHORT[kind]}Pool{r}D",),
        doc=f"{kind} over all spatial axes: (channels,), or keepdims. No weights.",
    )


def _adaptive_pool(r, kind):
    return layer(
        "adaptive_pool",
        f"output_size>size:dims({r})! {DF}",
        fixed={"rank": r},
        doc=f"{kind} over windows that split each spatial axis into output_size. No weights.",
    )


def _padding(rank, crop=False):
    name, doc = ("cropping", "Removes") if crop else ("padding", "Adds zeros")
    one = 0 if crop and rank == 2 else 1  # ((1, 1), ...): before and after each spatial axis
    return layer(
        "pad",
        f"{name}>padding:pads({rank})={one} {DF}",  # cropping: the pad op's padding, removed
        fixed={"rank": rank, "crop": crop},
        doc=f"{doc} {'entries ' if crop else ''}before and after each spatial axis. No weights.",
    )


def _upsampling(r):
    modes = "nearest|bilinear|bicubic|lanczos3|lanczos5|area"
    return layer(
        "upsample",
        f"size:dims({r})=2",
        DF if r > 1 else "",
        f"interpolation:{modes}=nearest" if r == 2 else "",
        fixed={"rank": r},
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
CENTER_SCALE = "center:bool=true scale:bool=true"
GAMMA_BETA = "gamma(c_in) beta(c_in)"
NORM_LAYERS = {
    "BatchNormalization": layer(
        "batch_norm",
        f"axis:axis=-1 momentum:number=0.99 epsilon:number=1e-3 {CENTER_SCALE}",
        fixed={"state": True},
        labels={"c_in": "c"},
        weights=f"{GAMMA_BETA} mean=moving_mean(c_in) var=moving_variance(c_in)",
        ignored=NORM_VALUE_ARGS,
        doc="gamma and beta (trainable) and moving mean and variance (state), one per channel.",
    ),
    "LayerNormalization": layer(
        "layer_norm",
        f"axis:axes=-1 epsilon:number=1e-3 {CENTER_SCALE} rms_scaling>rms:bool=false",
        weights="gamma(*dims) beta(*dims)",
        ignored=NORM_VALUE_ARGS,
        doc="gamma (scale) and beta (center) over the normalized axes; rms_scaling keeps "
        "gamma only.",
    ),
    "GroupNormalization": layer(
        "group_norm",
        f"groups=32 axis:axis=-1 epsilon:number=1e-3 {CENTER_SCALE}",
        labels={"c_in": "c"},
        weights=GAMMA_BETA,
        ignored=NORM_VALUE_ARGS,
        doc="gamma and beta, one per channel; channels must divide into groups (-1: one per "
        "channel).",
    ),
    "UnitNormalization": layer("unit_norm", "axis:axes=-1"),
    "RMSNormalization": layer(
        "layer_norm",
        "axis:axes=-1 epsilon:number=1e-6",
        fixed={"scale": True},
        weights="gamma=scale(*dims)",
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
RETURNS = "return_sequences:bool=false return_state:bool=false"


def _rnn(cell: str, gates: int, note: str = "", tail: str = "") -> Layer:
    g = f"{gates}*units" if gates > 1 else "units"
    weights = f"kernel(x_in, {g}) recurrent=recurrent_kernel(h_out, {g}) bias({g})"
    return layer(
        "rnn",
        "units:dim! activation",
        "recurrent_activation" if gates > 1 else "",
        f"use_bias>bias:bool=true {RETURNS} {tail}",
        fixed={"gates": gates},
        weights=weights + (f" bias_pair=bias(2, {g})" if tail else ""),
        ignored=RNN_VALUE_ARGS,
        extra={"note": GATE_NOTE.format(gates, note)} if note else {},
        doc=f"{cell}: kernel (c_in, {gates}*units), recurrent kernel (units, {gates}*units), bias.",
    )


def _conv_lstm(r: int) -> Layer:
    return layer(
        "conv_lstm",
        f"filters>units:dim! {_window(r)} {DF} {_dilation(r)}",
        f"activation recurrent_activation use_bias>bias:bool=true {RETURNS}",
        fixed={"rank": r, "gates": 4},
        weights="kernel(*K, c_in, 4*units) recurrent=recurrent_kernel(*K, units, 4*units) "
        "bias(4*units)",
        ignored=RNN_VALUE_ARGS,
        extra={"note": LSTM_NOTE},
    )


LSTM_NOTE = GATE_NOTE.format(4, "input, forget, cell, output")
RNN_LAYERS = {
    "SimpleRNN": _rnn("SimpleRNN", 1),
    "LSTM": _rnn("LSTM", 4, "input, forget, cell, output"),
    "GRU": _rnn("GRU", 3, "update, reset, candidate", "reset_after:bool=true"),
    **{f"ConvLSTM{r}D": _conv_lstm(r) for r in (1, 2, 3)},
}


# --- language features (ops/indexing.py; evaluation/tensors.py) ------------------------

# x[:, 0] is recorded by Keras 3 as a GetItem op (named get_item, get_item_1, ...);
# the RNNs' calls take initial_state=[h, c] (the rows above, with that call keyword).
LANGUAGE_LAYERS = {
    "GetItem": layer("get_item", "index", doc="x[:, 0], x[:, 1:], x[..., :k]: no weights."),
    **{
        name: dataclasses.replace(row, call_kwargs=row.call_kwargs | {"initial_state"})
        for name, row in RNN_LAYERS.items()
        if name in ("SimpleRNN", "LSTM", "GRU")
    },
}


# --- attention and wrappers (ops/attention.py, ops/wrappers.py) --------------------

ATTENTION_MESSAGES = {
    "attention_rank": "{layer} needs inputs of rank 3 or more (batch, sequence, features)",
    "attention_self": "self-attention: query, key and value all come from the incoming tensor",
    "attention_cross": "cross-attention: the query from the first input, key and value from "
    "the others",
}
OTHER_LAYERS = {
    "MultiHeadAttention": layer(
        "attention",
        "num_heads>heads:dim! key_dim:dim! value_dim:dim dropout:number=0.0",
        "use_bias>bias:bool=true output_shape:shape attention_axes:axes",
        weights="q=query/kernel(d_q, heads, kd) q_bias=query/bias(heads, kd) "
        "k=key/kernel(d_k, heads, kd) k_bias=key/bias(heads, kd) "
        "v=value/kernel(d_v, heads, vd) v_bias=value/bias(heads, vd) "
        "o=attention_output/kernel(heads, vd, *out) o_bias=attention_output/bias(*out)",
        ignored=DENSE_VALUE_ARGS | {"seed", "flash_attention"},
        call_kwargs=words("attention_mask use_causal_mask query_mask value_mask key_mask"),
        doc="Query, key and value projections (d, heads, key_dim or value_dim) and an output "
        "projection (heads, value_dim, d_out), each with a bias when use_bias.",
    ),
    "Bidirectional": layer(
        "bidirectional",
        "layer:layer! merge_mode:concat|sum|mul|ave?=concat weights backward_layer:layer?",
    ),
    "TimeDistributed": layer("time_distributed", "layer:layer!"),
}


# --- grouped-query and score attention (ops/attention.py) ---------------------------

CLASS_NAMES = {"GroupQueryAttention": "GroupedQueryAttention"}  # exported name -> class
ATTENTION_CALL = words("attention_mask use_causal_mask query_mask value_mask key_mask")
ATTENTION_LAYERS = {
    "GroupQueryAttention": layer(
        "grouped_query_attention",
        "head_dim:dim! num_query_heads>query_heads:dim! num_key_value_heads>kv_heads:dim!",
        "dropout:number=0.0 use_bias>bias:bool=true sliding_window:dim flash_attention>flash:bool?",
        "kernel_initializer bias_initializer kernel_regularizer bias_regularizer",
        "activity_regularizer kernel_constraint bias_constraint use_gate>gate:bool=false seed",
        weights="q=query/kernel(d_q, query_heads, head_dim) q_bias=query/bias(query_heads, head_dim) "
        "k=key/kernel(d_k, kv_heads, head_dim) k_bias=key/bias(kv_heads, head_dim) "
        "g=gate/kernel(d_q, query_heads, head_dim) g_bias=gate/bias(query_heads, head_dim) "
        "v=value/kernel(d_v, kv_heads, head_dim) v_bias=value/bias(kv_heads, head_dim) "
        "o=attention_output/kernel(query_heads, head_dim, d_q) o_bias=attention_output/bias(d_q)",
        aliases=("GroupedQueryAttention",),
        call_kwargs=ATTENTION_CALL | {"return_attention_scores"},
        doc="Query projections into num_query_heads heads, key and value projections into "
        "num_key_value_heads heads, head_dim wide, and an output projection back to the "
        "query's features; each with a bias when use_bias (use_gate adds a gate projection).",
    ),
    "Attention": layer(
        "score_attention",
        "use_scale>scale:bool=false score_mode>mode:dot|concat=dot dropout:number=0.0 seed",
        weights="scale() concat=concat_score_weight()",
        call_kwargs=words("return_attention_scores use_causal_mask"),
        doc="Dot-product (Luong) attention: a scalar scale with use_scale, a scalar "
        "concat_score_weight with score_mode=concat; output: the query's axes, the value's "
        "features.",
    ),
    "AdditiveAttention": layer(
        "score_attention",
        "use_scale>scale:bool=true dropout:number=0.0",
        fixed={"mode": "additive"},
        weights="scale(d_q)",
        ignored={"seed", "score_mode"},
        call_kwargs=words("return_attention_scores use_causal_mask"),
        doc="Additive (Bahdanau) attention: one scale per query feature with use_scale; "
        "output: the query's axes, the value's features.",
    ),
}


# --- parameters (ops/parameter.py) -------------------------------------------------

PARAMS_LAYERS = {
    "Parameter": layer(
        "parameter",
        "*shape:dims!",
        doc="A weight of the given shape, as a custom layer's add_weight makes it (keras_hub's "
        "class token (1, 1, d)); no input. It meets a batch by broadcasting, as keras.ops "
        "does (Add, Multiply; Concatenate with a leading 1). Not a keras.layers class.",
    ),
    "LayerScale": layer(
        "layer_scale",
        "init_values:number! projection_dim>dim:dim!",
        weights="gamma(dim)",
        doc="keras.applications' ConvNeXt layer: x * gamma, gamma (projection_dim,) on the "
        "last axis.",
    ),
    "StochasticDepth": layer(
        "identity",
        "drop_path_rate:number!",
        doc="keras.applications' ConvNeXt layer: drops whole residual paths while training. "
        "Same shape, no weights.",
    ),
}


# --- RNN and its cells, EinsumDense, SpectralNormalization (ops/cells.py, ops/einsum.py) ---

CELL_VALUE_ARGS = value_args("kernel", "recurrent", "bias") | words(
    "activation recurrent_activation unit_forget_bias dropout recurrent_dropout seed"
)


def _cell(cell: str, gates: int, tail: str = "") -> Layer:
    """A cell's row: the weights of the recurrent layer it is one step of."""
    row = _rnn(cell, gates, tail=tail)
    return layer(
        "rnn_cell",
        "units:dim! activation",
        "recurrent_activation" if gates > 1 else "",
        f"use_bias>bias:bool=true {tail}",
        fixed={"gates": gates},
        weights=dict(row.weights),
        ignored=CELL_VALUE_ARGS,
        doc=f"One step of {cell}, run by RNN: its weights ({cell}'s).",
    )


# the layers with a kernel (or embeddings) of their own, which SpectralNormalization wraps
SPECTRAL_WRAPS = words(
    "Dense EinsumDense Embedding Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose "
    "Conv3DTranspose DepthwiseConv1D DepthwiseConv2D"
) | {f"Convolution{r}D{t}" for r in (1, 2, 3) for t in ("", "Transpose")}
REST_LAYERS = {
    "LSTMCell": _cell("LSTM", 4),
    "GRUCell": _cell("GRU", 3, "reset_after:bool=true"),
    "SimpleRNNCell": _cell("SimpleRNN", 1),
    "StackedRNNCells": layer(
        "rnn_cell", "cells!", doc="Cells run one after another at each step, by RNN."
    ),
    "EinsumDense": layer(
        "einsum_dense",
        f"equation! output_shape:shape! activation bias_axes {LORA}",
        ignored=DENSE_VALUE_ARGS | {"gptq_unpacked_column_size"},
    ),
    "SpectralNormalization": layer(
        "spectral_norm",
        "layer:layer! power_iterations>iterations:dim=1",
        extra={"wraps": SPECTRAL_WRAPS},
    ),
    "RandomColorDegeneration": layer(
        "rgb_image",
        f"factor! value_range {DF} seed",
        doc="Changes values only: no weights, same shape (an RGB image, 3 channels).",
    ),
    "RNN": layer(
        "rnn_layer",
        f"cell! {RETURNS} go_backwards:bool=false stateful:bool=false unroll:bool=false",
        "zero_output_for_mask:bool=false",
    ),
}


class Keras(Convention):
    name = "keras"
    framework, framework_layers = "Keras", KERAS
    aliases_show_class = True
    CLASS_NAMES: ClassVar[dict[str, str]] = CLASS_NAMES
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

    @staticmethod
    def name_base(type_name: str) -> str:
        """Keras names a layer after its class: GroupQueryAttention is exported
        from the class GroupedQueryAttention (grouped_query_attention)."""
        return snake_case(CLASS_NAMES.get(type_name, type_name))

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
        **PARAMETER_MESSAGES,
    }

    LAYERS: ClassVar[dict[str, Layer]] = {
        **Convention.LAYERS,
        "Dense": layer(
            "dense",
            f"units:dim! activation use_bias>bias:bool=true {LORA}",
            weights="kernel(c_in, units) bias(units)",
            ignored=DENSE_VALUE_ARGS,
        ),
        "Embedding": layer(
            "embedding",
            f"{EMBEDDING} {LORA}",
            weights="table=embeddings(vocab, dim)",
            ignored=EMBEDDING_VALUE_ARGS
            | words(
                "weights lora_alpha input_length activity_regularizer sparse quantization_config"
            ),
            doc="A table of input_dim rows (the vocabulary), each output_dim wide.",
        ),
        "ReversibleEmbedding": layer(
            "reversible_embedding",
            f"{EMBEDDING} tie_weights:bool=true",
            weights="table=embeddings(vocab, dim) reverse=reverse_embeddings(dim, vocab)",
            ignored=EMBEDDING_VALUE_ARGS | {"reverse_dtype", "logit_soft_cap"},
            call_kwargs={"reverse"},
            doc="keras_hub's embedding that also projects back to the vocabulary: "
            "``wte(h, reverse=true)`` reuses the same matrix (tied weights, as in GPT-2).",
        ),
        "Dropout": same_shape("rate:number! noise_shape seed", op="dropout"),
        "SpatialDropout1D": same_shape("rate:number! seed", op="dropout"),
        **rows(
            "SpatialDropout2D SpatialDropout3D", same_shape(f"rate:number! {DF} seed", op="dropout")
        ),
        "GaussianNoise": same_shape("stddev:number! seed"),
        "GaussianDropout": same_shape("rate:number! seed", op="dropout"),
        "AlphaDropout": same_shape("rate:number! noise_shape seed", op="dropout"),
        "ActivityRegularization": same_shape("l1:number=0 l2:number=0"),
        "Activation": same_shape("activation!"),
        "ReLU": same_shape("max_value negative_slope:number=0 threshold:number=0"),
        "LeakyReLU": same_shape("negative_slope:number=0.3", ignored={"alpha"}),
        "ELU": same_shape("alpha:number=1.0"),
        "Softmax": same_shape("axis:axes=-1"),
        "Identity": same_shape(),
        "Masking": same_shape("mask_value:number=0.0"),
        **NORM_LAYERS,
        **RNN_LAYERS,
        **OTHER_LAYERS,
        **ATTENTION_LAYERS,
        **PREPROCESSING_LAYERS,
        **LANGUAGE_LAYERS,
        **REST_LAYERS,
        "PReLU": layer(
            "prelu",
            "alpha_initializer alpha_regularizer alpha_constraint shared_axes:axes",
            weights="alpha(*slopes)",
            doc="One learned slope per input element, shared along shared_axes.",
        ),
        **{f"Conv{r}D": _conv(r) for r in (1, 2, 3)},
        **{f"Conv{r}DTranspose": _conv(r, transpose=True) for r in (1, 2, 3)},
        **{f"DepthwiseConv{r}D": _depthwise(r) for r in (1, 2)},
        **{f"SeparableConv{r}D": _separable(r) for r in (1, 2)},
        **{f"{k}Pooling{r}D": _pool(r, k) for r in (1, 2, 3) for k in SHORT},
        **{f"Global{k}Pooling{r}D": _global_pool(r, k) for r in (1, 2, 3) for k in SHORT},
        **{f"Adaptive{k}Pooling{r}D": _adaptive_pool(r, k) for r in (1, 2, 3) for k in SHORT},
        "Flatten": layer(
            "flatten",
            DF,
            doc="All axes but the batch in one (None if any axis is None, as in Keras).",
        ),
        "Reshape": layer("reshape", "target_shape>sizes:shape!"),
        "Permute": layer("permute", "dims:axes!"),
        "RepeatVector": layer("repeat_vector", "n:dim!"),
        "Lambda": layer("function", "function output_shape:shape mask arguments"),
        **{f"ZeroPadding{r}D": _padding(r) for r in (1, 2, 3)},
        **{f"Cropping{r}D": _padding(r, crop=True) for r in (1, 2, 3)},
        **{f"UpSampling{r}D": _upsampling(r) for r in (1, 2, 3)},
        "Concatenate": layer(
            "concat",
            "axis:axis=-1",
            doc="Joins its inputs along axis; the other axes must agree. No weights.",
        ),
        "Dot": layer("dot", "axes:axes=-1 normalize:bool=false"),
        **PARAMS_LAYERS,
    }


CONVENTION = Keras
registry = Keras.register(Registry("keras"))
