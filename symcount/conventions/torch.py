"""PyTorch's convention (torch.nn): channels first, running statistics as
buffers, the input size inferred when left out (``Linear(10)``), layer names
in lower case (linear, conv2d_1). Imported on first use of ``convention torch``,
so a Keras model's start-up does not pay for it."""

from __future__ import annotations

from typing import ClassVar

from ..ops.spec import REQUIRED
from ..ops.spec import a as arg
from .base import Convention, Layer, layer
from .registry import torch as registry


def factory_args():
    """Accepted on every torch module: placement and precision, never counts."""
    return (arg("device"), arg("dtype"))


INPLACE = arg("inplace", "bool", False)
ACTIVATION = "An activation: same shape, no weights."
DROPOUT = "Zeroes entries (or channels) at random while training: same shape, no weights."


def _activation(*args):
    return layer("identity", *args, doc=ACTIVATION)


def _dropout(**kw):
    return layer(
        "dropout", arg("p", "number", 0.5), INPLACE, names={"p": "rate"}, doc=DROPOUT, **kw
    )


def _softmax(name):
    return layer(
        "softmax",
        arg("dim", "axis", None),
        names={"dim": "axis"},
        doc=f"{name} along dim (batch counted as 0): same shape, no weights.",
    )


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
SPATIAL = {1: "(C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}
CONV = {
    "in_channels": "c_in",
    "out_channels": "filters",
    "kernel_size": "kernel",
    "stride": "strides",
}


def _conv(rank, transpose=False):
    dims = {"rank": rank}
    if transpose:
        padding = (
            arg("padding", "dims0", (0,) * rank, rank=rank),
            arg("output_padding", "dims0", (0,) * rank, rank=rank),
            arg("groups", "dim", 1),
            arg("bias", "bool", True),
            arg("dilation", "dims", (1,) * rank, rank=rank),
        )
        kernel = "weight(cin, cout, *kernel)"
        doc = (
            f"weight (in_channels, out_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[rank]}. Output (L - 1)*stride - 2*padding + dilation*(k - 1) "
            "+ output_padding + 1."
        )
    else:
        padding = (
            arg("padding", "padding", (0,) * rank, rank=rank, choices=("same", "valid")),
            arg("dilation", "dims", (1,) * rank, rank=rank),
            arg("groups", "dim", 1),
            arg("bias", "bool", True),
        )
        kernel = "weight(filters, cin, *kernel)"
        doc = (
            f"weight (out_channels, in_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[rank]}."
        )
    return layer(
        "conv_transpose" if transpose else "conv",
        arg("in_channels", "dim", REQUIRED),
        arg("out_channels", "dim", REQUIRED),
        arg("kernel_size", "dims", REQUIRED, rank=rank),
        arg("stride", "dims", (1,) * rank, rank=rank),
        *padding,
        arg("padding_mode", "enum", "zeros", choices=PADDING_MODES),
        *factory_args(),
        names=CONV,
        fixed=dims,
        weights={"kernel": kernel, "bias": "bias(filters)"},
        infer="in_channels",
        doc=doc,
    )


POOL = {"kernel_size": "kernel", "stride": "strides"}


def _pool(rank, kind):
    window = (
        arg("kernel_size", "dims", REQUIRED, rank=rank),
        arg("stride", "dims", None, rank=rank),
    )
    padding = arg("padding", "dims0", (0,) * rank, rank=rank)
    ceil_mode = arg("ceil_mode", "bool", False)
    fixed = {"rank": rank, "kind": kind}
    if kind == "max":
        args = (
            *window,
            padding,
            arg("dilation", "dims", (1,) * rank, rank=rank),
            arg("return_indices", "bool", False),
            ceil_mode,
        )
        doc = "Max over kernel_size windows; stride defaults to kernel_size. No weights."
    elif kind == "avg":
        args = (*window, padding, ceil_mode, arg("count_include_pad", "bool", True))
        if rank > 1:
            args += (arg("divisor_override", "dim", None),)
        doc = "Average over kernel_size windows; stride defaults to kernel_size. No weights."
    else:
        args = (arg("norm_type", "number", REQUIRED), *window, ceil_mode)
        fixed["padding"] = (0,) * rank
        doc = "Power-average over kernel_size windows (no padding). No weights."
    return layer("pool", *args, names=POOL, fixed=fixed, doc=doc)


def _adaptive_pool(rank, kind):
    args = [arg("output_size", "sizes", REQUIRED)]
    if kind == "Max":
        args.append(arg("return_indices", "bool", False))
    return layer(
        "adaptive_pool",
        *args,
        names={"output_size": "size"},
        fixed={"rank": rank},
        doc=f"{kind} pooling to a fixed output_size (None keeps an axis's length). No weights.",
    )


MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
PAD_KINDS = ("Zero", "Constant", "Reflection", "Replication", "Circular")


def _pad(rank, kind):
    args = [arg("padding", "ints", REQUIRED, rank=2 * rank)]
    if kind == "Constant":
        args.append(arg("value", "number", REQUIRED))
    sides = (
        "(left, right"
        + (", top, bottom" if rank > 1 else "")
        + (", front, back" if rank > 2 else "")
    )
    return layer(
        "pad",
        *args,
        fixed={"rank": rank, "kind": kind},
        doc=f"Pads the last {rank} axes; padding is an int or {sides}), last axis first; "
        "negative values crop. No weights.",
    )


def _upsampling(mode, align):
    return layer(
        "upsample",
        arg("size", "sizes", None),
        arg("scale_factor", "numbers", None),
        names={"scale_factor": "scale"},
        fixed={"ranks": (3,), "mode": mode, "align_corners": align},
        doc=f"Upsample(mode={mode}) on (C, H, W). No weights.",
    )


def _shuffle(name, inverse, doc):
    return layer(
        "pixel_shuffle",
        arg(name, "dim", REQUIRED),
        names={name: "factor"},
        fixed={"inverse": inverse},
        doc=doc,
    )


# --- normalization (ops/norm.py) ------------------------------------------------

NORM_MESSAGES = {
    "norm_rank": "{layer} expects an input of shape {form} (batch excluded); got {got}",
    "no_channels": "{layer} needs a channel axis: (C, *) without the batch",
    "axis_unknown": "{layer}'s channel axis",
    "groups_given": "num_channels ({c}) must be divisible by num_groups ({g})",
    "groups_split": "the input's {c} channels cannot be split into {g} groups",
    "unused_size": "num_features={given} differs from the input's {actual} channels; torch only "
    "warns, since without affine or running statistics it is unused",
    "state_note": "running_mean and running_var are buffers (one per channel), and so is "
    "num_batches_tracked (one integer): not counted as parameters",
}
AFFINE = {"gamma": "weight(c_in)", "beta": "bias(c_in)"}
NORM_FORMS = {1: "(C,) or (C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def _channel_norm(rank: int, ranks: tuple, affine: bool) -> Layer:
    """BatchNorm (affine and running statistics by default) and InstanceNorm
    (neither): the channel axis first."""
    form = NORM_FORMS[rank] if ranks != (2,) else "(C, L)"
    return layer(
        "batch_norm",
        arg("num_features", "dim", REQUIRED),
        arg("eps", "number", 1e-5),
        arg("momentum", "number", 0.1, allow_none=True),
        arg("affine", "bool", affine),
        arg("track_running_stats", "bool", affine),
        *factory_args(),
        arg("bias", "bool", True),
        names={"num_features": "c_in", "affine": "scale", "bias": "center"}
        | {"track_running_stats": "state"},
        fixed={"axis": 1, "ranks": ranks, "form": form},
        weights={
            **AFFINE,
            "mean": "running_mean(c_in)",
            "var": "running_var(c_in)",
            "count": "num_batches_tracked()",
        },
        infer="num_features",
        doc="weight and bias (affine) per channel; running_mean, running_var and "
        f"num_batches_tracked buffers (track_running_stats). Input {form}.",
    )


def _normalized(op_args: tuple, weights: dict, doc: str) -> Layer:
    names = {"normalized_shape": "normalized", "elementwise_affine": "scale", "bias": "center"}
    given = {"normalized_shape", *(x.name for x in op_args)}
    return layer(
        "layer_norm",
        arg("normalized_shape", "dims", REQUIRED),
        *op_args,
        names={k: v for k, v in names.items() if k in given},  # RMSNorm has no bias
        weights=weights,
        infer="normalized_shape",
        doc=doc,
    )


NORM_LAYERS = {
    **{f"BatchNorm{r}d": _channel_norm(r, ((1, 2), (3,), (4,))[r - 1], True) for r in (1, 2, 3)},
    **{f"InstanceNorm{r}d": _channel_norm(r, (r + 1,), False) for r in (1, 2, 3)},
    "GroupNorm": layer(
        "group_norm",
        arg("num_groups", "dim", REQUIRED),
        arg("num_channels", "dim", REQUIRED),
        arg("eps", "number", 1e-5),
        arg("affine", "bool", True),
        *factory_args(),
        arg("bias", "bool", True),
        names={"num_groups": "groups", "num_channels": "c_in", "affine": "scale", "bias": "center"},
        fixed={"axis": 1},
        weights=AFFINE,
        infer="num_channels",
        doc="weight and bias per channel (affine); channels split into num_groups groups.",
    ),
    "LayerNorm": _normalized(
        (
            arg("eps", "number", 1e-5),
            arg("elementwise_affine", "bool", True),
            arg("bias", "bool", True),
            *factory_args(),
        ),
        {"gamma": "weight(*dims)", "beta": "bias(*dims)"},
        "weight and bias of normalized_shape (the trailing axes; default the last).",
    ),
    "RMSNorm": _normalized(
        (arg("eps", "number", None), arg("elementwise_affine", "bool", True), *factory_args()),
        {"gamma": "weight(*dims)"},
        "weight of normalized_shape (the trailing axes; default the last).",
    ),
    "LocalResponseNorm": layer(
        "identity",
        arg("size", "dim", REQUIRED),
        arg("alpha", "number", 1e-4),
        arg("beta", "number", 0.75),
        arg("k", "number", 1.0),
        fixed={"ranks": range(2, 1 << 62), "form": "(C, L, ...)"},
        doc="Normalizes across neighbouring channels of (C, *): same shape, no weights.",
    ),
}


# --- recurrent (ops/recurrent.py) -------------------------------------------------

RNN_NOTES = {
    "RNN": "one gate block: weight_ih, weight_hh, and two biases (bias_ih, bias_hh)",
    "LSTM": "4 gate blocks (input, forget, cell, output) in each weight; two biases per "
    "layer and direction (bias_ih and bias_hh), where Keras has one",
    "GRU": "3 gate blocks (reset, update, new) in each weight; two biases, bias_ih and "
    "bias_hh (torch's GRU is Keras's reset_after=true)",
}
NONLINEARITY = arg("nonlinearity", "enum", "tanh", choices=("tanh", "relu"))


def _rnn_weights(gates: int) -> dict:
    g = f"{gates}*units" if gates > 1 else "units"
    return {
        "kernel": f"weight_ih(*copies, {g}, x_in)",
        "recurrent": f"weight_hh(*copies, {g}, h_out)",
        "bias": f"bias_ih(*copies, {g})",
        "recurrent_bias": f"bias_hh(*copies, {g})",
        "projection": "weight_hr(*copies, h_out, units)",
    }


RNN_NAMES = {"input_size": "c_in", "hidden_size": "units", "num_layers": "layers"}


def _rnn(cell: str, gates: int, step: bool = False) -> Layer:
    """RNN, LSTM, GRU (stacked, bidirectional) or, with step, their cells."""
    stacking = (arg("num_layers", "dim", 1),) if not step else ()
    tail = (arg("batch_first", "bool", False), arg("dropout", "number", 0.0))
    tail += (arg("bidirectional", "bool", False),)
    if cell == "LSTM":
        tail += (arg("proj_size", "dims0", (0,), rank=1),)
    nonlinearity = (NONLINEARITY,) if cell == "RNN" else ()
    bias = (arg("bias", "bool", True),)
    rest = (*bias, *nonlinearity) if step else (*stacking, *nonlinearity, *bias, *tail)
    given = {"input_size", "hidden_size", *(x.name for x in rest)}
    return layer(
        "rnn",
        arg("input_size", "dim", REQUIRED),
        arg("hidden_size", "dim", REQUIRED),
        *rest,
        *factory_args(),
        names={k: v for k, v in {**RNN_NAMES, "proj_size": "proj"}.items() if k in given},
        fixed={"gates": gates, "step": step},
        flags={} if step else {"layer_tags": True, "whole_sequence": True},
        weights=_rnn_weights(gates),
        infer="input_size",
        extra={} if step else {"note": RNN_NOTES[cell]},
        doc=f"One step: weight_ih ({gates}*hidden_size, input_size), weight_hh ({gates}*"
        "hidden_size, hidden_size), bias_ih and bias_hh. Output h (LSTMCell's c is not shown)."
        if step
        else f"Per layer and direction: weight_ih ({gates}*hidden_size, input), weight_hh "
        f"({gates}*hidden_size, hidden_size) and, with bias, bias_ih and bias_hh.",
    )


RNN_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}
RNN_LAYERS = {name: _rnn(name, g) for name, g in RNN_GATES.items()}
RNN_LAYERS |= {f"{name}Cell": _rnn(name, g, step=True) for name, g in RNN_GATES.items()}
RNN_MESSAGES = {
    "rnn_rank": "{layer} expects an input of shape (T, input_size) (the batch axis not "
    "counted, wherever batch_first puts it); got {got}",
    "cell_rank": "{layer} takes one step: an input of shape (input_size,); got {got}",
}


# --- attention (ops/attention.py) -------------------------------------------------

ATTENTION_MESSAGES = {
    "attention_form": "{what} must be (L, E): a sequence of feature vectors; got {got}",
    "attention_self": "self-attention: query, key and value are the incoming tensor",
    "attention_output": "output: the attention output (L, embed_dim); the attention weights "
    "not shown",
}
LAYER_CALL = ("src_mask", "src_key_padding_mask", "is_causal", "tgt_mask", "memory_mask")


def _attention_weights(prefix: str = "", e: str = "inner") -> dict:
    """MultiheadAttention's parameters in torch's order (prefix: self_attn.)."""
    return {
        f"{prefix}in_proj": f"{prefix}in_proj_weight(3*{e}, {e})",
        f"{prefix}in_bias_b": f"{prefix}in_proj_bias(3*{e})",
        f"{prefix}o": f"{prefix}out_proj.weight({e}, {e})",
        f"{prefix}o_bias_b": f"{prefix}out_proj.bias({e})",
    }


def _norms(*names: str) -> dict:
    return {
        f"{n}{b}": f"{n}.{w}(d_model)" for n in names for b, w in (("", "weight"), ("_b", "bias"))
    }


FEED_FORWARD = {
    "l1": "linear1.weight(ff, d_model)",
    "l1_b": "linear1.bias(ff)",
    "l2": "linear2.weight(d_model, ff)",
    "l2_b": "linear2.bias(d_model)",
}
TRANSFORMER_ARGS = (
    arg("dim_feedforward", "dim", 2048),
    arg("dropout", "number", 0.1),
    arg("activation"),
)
LAYER_TAIL = (
    arg("layer_norm_eps", "number", 1e-5),
    arg("batch_first", "bool", False),
    arg("norm_first", "bool", False),
    arg("bias", "bool", True),
    *factory_args(),
)


def _transformer_layer(decoder: bool, doc: str) -> Layer:
    attention = _attention_weights("self_attn.", "d_model")
    if decoder:
        attention |= _attention_weights("multihead_attn.", "d_model")
    return layer(
        "transformer_layer",
        arg("d_model", "dim", REQUIRED),
        arg("nhead", "dim", REQUIRED),
        *TRANSFORMER_ARGS,
        *LAYER_TAIL,
        names={"dim_feedforward": "ff"},
        fixed={"decoder": decoder},
        weights={
            **attention,
            **FEED_FORWARD,
            **_norms(*("norm1", "norm2", "norm3")[: 2 + decoder]),
        },
        infer="d_model",
        inputs=(1, 2) if decoder else (1, 1),
        call_kwargs=LAYER_CALL,
        doc=doc,
    )


def _stack(kind: str) -> Layer:
    inner = f"{kind.lower()}_layer"
    more = (arg("enable_nested_tensor", "bool", True), arg("mask_check", "bool", True))
    return layer(
        "transformer_stack",
        arg(inner, "layer", REQUIRED),
        arg("num_layers", "dim", REQUIRED),
        arg("norm", "layer", None, allow_none=True),
        *(more if kind == "Encoder" else ()),
        names={inner: "layer", "num_layers": "count"},
        inputs=(1, 1) if kind == "Encoder" else (1, 2),
        call_kwargs=LAYER_CALL,
        extra={"stacks": f"Transformer{kind}Layer"},
        doc=f"num_layers copies of a Transformer{kind}Layer, then an optional norm.",
    )


ATTENTION_LAYERS = {
    "MultiheadAttention": layer(
        "attention",
        arg("embed_dim", "dim", REQUIRED),
        arg("num_heads", "dim", REQUIRED),
        arg("dropout", "number", 0.0),
        arg("bias", "bool", True),
        arg("add_bias_kv", "bool", False),
        arg("add_zero_attn", "bool", False),
        arg("kdim", "dim", None),
        arg("vdim", "dim", None),
        arg("batch_first", "bool", False),
        *factory_args(),
        names={"embed_dim": "d_q", "num_heads": "heads", "add_bias_kv": "bias_kv"},
        labels={"inner": "embed_dim", "d_q": "embed_dim", "d_k": "kdim", "d_v": "vdim"},
        flags={"split_embed": True},
        weights={
            "in_proj": "in_proj_weight(3*inner, d_q)",
            "q": "q_proj_weight(inner, d_q)",
            "k": "k_proj_weight(inner, d_k)",
            "v": "v_proj_weight(inner, d_v)",
            "in_bias": "in_proj_bias(3*inner)",
            "bias_k": "bias_k(1, 1, inner)",
            "bias_v": "bias_v(1, 1, inner)",
            "o": "out_proj.weight(inner, inner)",
            "o_bias": "out_proj.bias(inner)",
        },
        infer="embed_dim",
        call_kwargs=("need_weights", "attn_mask", "key_padding_mask", "average_attn_weights"),
        doc="in_proj (3*embed_dim, embed_dim) (or q/k/v projections when kdim or vdim differ), "
        "in_proj_bias, out_proj (embed_dim, embed_dim) and its bias; bias_k and bias_v.",
    ),
    "TransformerEncoderLayer": _transformer_layer(
        False,
        "Self-attention (4 d_model^2 + 4 d_model), a feed-forward block (two Linears) and two "
        "LayerNorms.",
    ),
    "TransformerDecoderLayer": _transformer_layer(
        True,
        "Self-attention, cross-attention on the memory, a feed-forward block and three LayerNorms.",
    ),
    "TransformerEncoder": _stack("Encoder"),
    "TransformerDecoder": _stack("Decoder"),
    "Transformer": layer(
        "transformer",
        arg("d_model", "dim", 512),
        arg("nhead", "dim", 8),
        arg("num_encoder_layers", "dim", 6),
        arg("num_decoder_layers", "dim", 6),
        *TRANSFORMER_ARGS,
        arg("custom_encoder"),
        arg("custom_decoder"),
        *LAYER_TAIL,
        names={"num_encoder_layers": "encoders", "num_decoder_layers": "decoders"}
        | {"dim_feedforward": "ff"},
        weights=_norms("encoder.norm", "decoder.norm"),
        extra={"encoder": "TransformerEncoderLayer", "decoder": "TransformerDecoderLayer"},
        call_kwargs=LAYER_CALL,
        doc="An encoder (num_encoder_layers layers and a LayerNorm) and a decoder "
        "(num_decoder_layers layers and a LayerNorm); d_model is not inferred.",
    ),
}


class Torch(Convention):
    name = "torch"
    state_as_buffers = True
    FLAGS: ClassVar[dict] = {
        "layout": "channels_first",
        "padding": "explicit",  # 'same' and integers resolve to pads, as ATen does
        "groups_first": True,
        "groups_checks": (("c_in", "in_channels"), ("filters", "out_channels")),
        "norm_labels": ("normalized_shape", "n"),
        "beta_needs_scale": True,
        "two_biases": True,  # bias_ih and bias_hh per gate block, where Keras keeps one
        "attention_inputs": ("query", "key", "value"),
    }
    LABELS: ClassVar[dict[str, str]] = {
        "c_in/groups": "in_channels/groups",
        "filters/groups": "out_channels/groups",
    }

    @staticmethod
    def name_base(type_name: str) -> str:
        """The class name in lower case (linear, conv2d_1)."""
        return type_name.lower()

    MESSAGES: ClassVar[dict[str, str]] = {
        "no_features": "{layer} needs a feature axis: the input has only the batch axis",
        "rank": "{layer} expects an input of shape {form} (the batch axis not counted); got {shape}",
        "pool_rank": "{layer} expects an input of shape {form} (batch excluded); got {full}",
        "pad_rank": "{layer} expects an input of shape {form}; got {full}",
        "one_unknown": "only one entry of unflattened_size may be -1",
        "no_none": "unflattened_size cannot contain None",
        "indivisible": "unflattened_size {sizes} does not divide the axis of length {n}",
        "mismatch": "unflattened_size {sizes} does not multiply up to the axis length {n}",
        "positive": "{layer} would produce an axis of length {expr}; every length must be positive",
        "nonnegative": "{layer} would produce an axis of length {expr}; lengths may not be negative",
        **NORM_MESSAGES,
        **RNN_MESSAGES,
        **ATTENTION_MESSAGES,
    }

    LAYERS: ClassVar[dict[str, Layer]] = {
        **Convention.LAYERS,
        "Linear": layer(
            "dense",
            arg("in_features", "dim", REQUIRED),
            arg("out_features", "dim", REQUIRED),
            arg("bias", "bool", True),
            *factory_args(),
            names={"in_features": "c_in", "out_features": "units"},
            weights={"kernel": "weight(units, c_in)", "bias": "bias(units)"},
            infer="in_features",
            doc="weight (out_features, in_features) and bias (out_features), on the last axis.",
        ),
        "Bilinear": layer(
            "bilinear",
            arg("in1_features", "dim", REQUIRED),
            arg("in2_features", "dim", REQUIRED),
            arg("out_features", "dim", REQUIRED),
            arg("bias", "bool", True),
            *factory_args(),
            names={"in1_features": "in1", "in2_features": "in2", "out_features": "units"},
            labels={"in1": "in1", "in2": "in2"},
            weights={"kernel": "weight(units, in1, in2)", "bias": "bias(units)"},
            doc="weight (out_features, in1_features, in2_features) and bias (out_features).",
        ),
        "Embedding": layer(
            "embedding",
            arg("num_embeddings", "dim", REQUIRED),
            arg("embedding_dim", "dim", REQUIRED),
            arg("padding_idx", "value", None),
            arg("max_norm", "value", None),
            arg("norm_type", "number", 2.0),
            arg("scale_grad_by_freq", "bool", False),
            arg("sparse", "bool", False),
            arg("_weight"),
            arg("_freeze", "bool", False),
            *factory_args(),
            names={"num_embeddings": "vocab", "embedding_dim": "dim"},
            weights={"table": "weight(vocab, dim)"},
            doc="A table of num_embeddings rows, each embedding_dim wide; any index shape.",
        ),
        "ReLU": _activation(INPLACE),
        "ReLU6": _activation(INPLACE),
        "LeakyReLU": _activation(arg("negative_slope", "number", 0.01), INPLACE),
        "ELU": _activation(arg("alpha", "number", 1.0), INPLACE),
        "CELU": _activation(arg("alpha", "number", 1.0), INPLACE),
        "SELU": _activation(INPLACE),
        "GELU": _activation(arg("approximate", "enum", "none", choices=("none", "tanh"))),
        "SiLU": _activation(INPLACE),
        "Mish": _activation(INPLACE),
        "Sigmoid": _activation(),
        "Tanh": _activation(),
        "Softsign": _activation(),
        "Tanhshrink": _activation(),
        "LogSigmoid": _activation(),
        "Softplus": _activation(arg("beta", "number", 1.0), arg("threshold", "number", 20.0)),
        "Hardswish": _activation(INPLACE),
        "Hardsigmoid": _activation(INPLACE),
        "Hardshrink": _activation(arg("lambd", "number", 0.5)),
        "Softshrink": _activation(arg("lambd", "number", 0.5)),
        "Hardtanh": layer(
            "clip",
            arg("min_val", "number", -1.0),
            arg("max_val", "number", 1.0),
            INPLACE,
            arg("min_value", "number", None),
            arg("max_value", "number", None),
            names={"min_val": "low", "max_val": "high"},
            doc="Clips to [min_val, max_val]: same shape, no weights.",
        ),
        "Threshold": _activation(
            arg("threshold", "number", REQUIRED), arg("value", "number", REQUIRED), INPLACE
        ),
        "RReLU": _activation(arg("lower", "number", 0.125), arg("upper", "number", 1 / 3), INPLACE),
        "Identity": layer(
            "identity",
            arg("args"),
            doc="Returns its input; accepts and ignores any arguments, as torch's does.",
        ),
        "Dropout": _dropout(),
        "AlphaDropout": _dropout(),
        "FeatureAlphaDropout": _dropout(),
        "Dropout2d": _dropout(),
        "Dropout3d": _dropout(),
        "Dropout1d": layer(
            "dropout",
            arg("p", "number", 0.5),
            INPLACE,
            names={"p": "rate"},
            fixed={"ranks": (1, 2), "form": "(C, L) (or (L,))"},
            doc="Zeroes whole channels of (C, L) inputs at random: same shape, no weights.",
        ),
        "Softmax": _softmax("Softmax"),
        "LogSoftmax": _softmax("LogSoftmax"),
        "Softmin": _softmax("Softmin"),
        "Softmax2d": layer(
            "identity",
            fixed={"ranks": (2, 3), "form": "(C, H, W)"},
            doc="Softmax over the channels of (C, H, W): same shape, no weights.",
        ),
        "GLU": layer(
            "glu",
            arg("dim", "axis", -1),
            names={"dim": "axis"},
            doc="Halves the axis dim: one half gates the other. No weights.",
        ),
        **NORM_LAYERS,
        **RNN_LAYERS,
        **ATTENTION_LAYERS,
        "PReLU": layer(
            "prelu",
            arg("num_parameters", "dim", 1),
            arg("init", "number", 0.25),
            *factory_args(),
            names={"num_parameters": "slopes"},
            flags={"slopes": "channel"},
            weights={"alpha": "weight(slopes)"},
            doc="One learned slope, or one per channel (num_parameters = C).",
        ),
        **{f"Conv{r}d": _conv(r) for r in (1, 2, 3)},
        **{f"ConvTranspose{r}d": _conv(r, transpose=True) for r in (1, 2, 3)},
        **{f"{k}Pool{r}d": _pool(r, k.lower()) for r in (1, 2, 3) for k in ("Max", "Avg", "LP")},
        **{f"Adaptive{k}Pool{r}d": _adaptive_pool(r, k) for r in (1, 2, 3) for k in ("Avg", "Max")},
        "Flatten": layer(
            "flatten",
            arg("start_dim", "axis", 1),
            arg("end_dim", "axis", -1),
            names={"start_dim": "start", "end_dim": "end"},
            doc="Merges axes start_dim..end_dim (batch counted as 0) into one.",
        ),
        "Unflatten": layer(
            "unflatten",
            arg("dim", "axis", REQUIRED),
            arg("unflattened_size", "shape", REQUIRED),
            names={"dim": "axis", "unflattened_size": "sizes"},
            doc="Splits the axis dim into unflattened_size (one entry may be -1).",
        ),
        "PixelShuffle": _shuffle("upscale_factor", False, "(C*r^2, H, W) to (C, H*r, W*r)."),
        "PixelUnshuffle": _shuffle("downscale_factor", True, "(C, H*r, W*r) to (C*r^2, H, W)."),
        "ChannelShuffle": layer(
            "channel_shuffle",
            arg("groups", "dim", REQUIRED),
            doc="Reorders the channels of (C, *) in groups: same shape.",
        ),
        "Upsample": layer(
            "upsample",
            arg("size", "sizes", None),
            arg("scale_factor", "numbers", None),
            arg("mode", "enum", "nearest", choices=MODES),
            arg("align_corners", "bool", None, allow_none=True),
            arg("recompute_scale_factor", "bool", None, allow_none=True),
            names={"scale_factor": "scale"},
            doc="To size, or each spatial axis times scale_factor (floored). No weights.",
        ),
        "UpsamplingNearest2d": _upsampling("nearest", None),
        "UpsamplingBilinear2d": _upsampling("bilinear", True),
        **{f"{k}Pad{r}d": _pad(r, k) for r in (1, 2, 3) for k in PAD_KINDS},
        "Concatenate": layer(
            "concat",
            arg("dim", "axis", 1),
            names={"dim": "axis"},
            aliases=("Cat",),
            doc="torch.cat along dim (batch = 0; default 1, the channels); the other axes must agree.",
        ),
    }


CONVENTION = Torch
Torch.register(registry)
