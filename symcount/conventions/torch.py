"""PyTorch's convention (torch.nn): channels first, running statistics as
buffers, the input size inferred when left out (``Linear(10)``), layer names
in lower case (linear, conv2d_1). Imported on first use of ``convention torch``,
so a Keras model's start-up does not pay for it. The tables by family, then
the class with the flags and messages. Arguments are spec strings
(:func:`symcount.ops.spec.parse_args`): ``name>op:kind(rank)=default``."""

from __future__ import annotations

from typing import ClassVar

from ..ops.base import SPATIAL
from ..ops.parameter import TORCH_MESSAGES as PARAMETER_MESSAGES
from ..ops.spec import a as arg
from .base import Convention, Layer, Registry, layer, rows, weight_table
from .framework_layers import TORCH
from .torch_attention import SDPA_LAYERS
from .torch_buffers import BUFFER_LAYERS

# --- dense, embedding, activations, dropouts, flattening ----------------------------

FACTORY = "device dtype"  # accepted on every torch module: placement and precision
INPLACE = "inplace:bool=false"


def _activation(*args):
    return layer("identity", *args, doc="An activation: same shape, no weights.")


def _dropout(**kw):
    return layer("dropout", f"p>rate:number=0.5 {INPLACE}", **kw)


def _softmax(name):
    doc = f"{name} along dim (batch counted as 0): same shape, no weights."
    return layer("softmax", "dim>axis:axis", doc=doc)


CORE_LAYERS = {
    "Linear": layer(
        "dense",
        f"in_features>c_in:dim! out_features>units:dim! bias:bool=true {FACTORY}",
        weights="kernel=weight(units, c_in) bias(units)",
        infer="in_features",
        doc="weight (out_features, in_features) and bias (out_features), on the last axis.",
    ),
    "Bilinear": layer(
        "bilinear",
        "in1_features>in1:dim! in2_features>in2:dim! out_features>units:dim!",
        f"bias:bool=true {FACTORY}",
        labels={"in1": "in1", "in2": "in2"},
        weights="kernel=weight(units, in1, in2) bias(units)",
        doc="weight (out_features, in1_features, in2_features) and bias (out_features).",
    ),
    "Embedding": layer(
        "embedding",
        "num_embeddings>vocab:dim! embedding_dim>dim:dim! padding_idx max_norm",
        "norm_type:number=2.0 scale_grad_by_freq:bool=false sparse:bool=false _weight",
        f"_freeze:bool=false {FACTORY}",
        weights="table=weight(vocab, dim)",
        doc="A table of num_embeddings rows, each embedding_dim wide; any index shape.",
    ),
    **rows("ReLU ReLU6", _activation(INPLACE)),
    "LeakyReLU": _activation(f"negative_slope:number=0.01 {INPLACE}"),
    **rows("ELU CELU", _activation(f"alpha:number=1.0 {INPLACE}")),
    "SELU": _activation(INPLACE),
    "GELU": _activation("approximate:none|tanh=none"),
    **rows("SiLU Mish", _activation(INPLACE)),
    **rows("Sigmoid Tanh Softsign Tanhshrink LogSigmoid", _activation()),
    "Softplus": _activation("beta:number=1.0 threshold:number=20.0"),
    **rows("Hardswish Hardsigmoid", _activation(INPLACE)),
    **rows("Hardshrink Softshrink", _activation("lambd:number=0.5")),
    "Hardtanh": layer(
        "clip",
        f"min_val>low:number=-1.0 max_val>high:number=1.0 {INPLACE}",
        "min_value:number max_value:number",
        doc="Clips to [min_val, max_val]: same shape, no weights.",
    ),
    "Threshold": _activation(f"threshold:number! value:number! {INPLACE}"),
    "RReLU": _activation("lower:number=0.125", arg("upper", "number", 1 / 3), INPLACE),
    "Identity": layer(
        "identity",
        "args",
        doc="Returns its input; accepts and ignores any arguments, as torch's does.",
    ),
    **rows("Dropout AlphaDropout FeatureAlphaDropout Dropout2d Dropout3d", _dropout()),
    "Dropout1d": _dropout(
        fixed={"ranks": (1, 2), "form": "(C, L) (or (L,))"},
        doc="Zeroes whole channels of (C, L) inputs at random: same shape, no weights.",
    ),
    **{name: _softmax(name) for name in ("Softmax", "LogSoftmax", "Softmin")},
    "Softmax2d": layer(
        "identity",
        fixed={"ranks": (2, 3), "form": "(C, H, W)"},
        doc="Softmax over the channels of (C, H, W): same shape, no weights.",
    ),
    "GLU": layer(
        "glu", "dim>axis:axis=-1", doc="Halves the axis dim: one half gates the other. No weights."
    ),
    "PReLU": layer(
        "prelu",
        f"num_parameters>slopes:dim=1 init:number=0.25 {FACTORY}",
        flags={"slopes": "channel"},
        weights="alpha=weight(slopes)",
        doc="One learned slope, or one per channel (num_parameters = C).",
    ),
    "Flatten": layer(
        "flatten",
        "start_dim>start:axis=1 end_dim>end:axis=-1",
        doc="Merges axes start_dim..end_dim (batch counted as 0) into one.",
    ),
    "Unflatten": layer(
        "unflatten",
        "dim>axis:axis! unflattened_size>sizes:shape!",
        doc="Splits the axis dim into unflattened_size (one entry may be -1).",
    ),
    "Concatenate": layer(
        "concat",
        "dim>axis:axis=1",
        aliases=("Cat",),
        doc="torch.cat along dim (batch = 0; default 1, the channels); the other axes must agree.",
    ),
}


# --- convolutions, pooling, padding, upsampling, shuffles ----------------------------


def _conv(r, transpose=False):
    if transpose:
        padding = (
            f"padding:dims0({r})=0 output_padding:dims0({r})=0 groups:dim=1 bias:bool=true "
            f"dilation:dims({r})=1",
        )
        kernel = "kernel=weight(cin, cout, *kernel)"
        doc = (
            f"weight (in_channels, out_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[r]}. Output (L - 1)*stride - 2*padding + dilation*(k - 1) "
            "+ output_padding + 1."
        )
    else:
        padding = (
            arg("padding", "padding", (0,) * r, rank=r, choices=("same", "valid")),
            f"dilation:dims({r})=1 groups:dim=1 bias:bool=true",
        )
        kernel = "kernel=weight(filters, cin, *kernel)"
        doc = (
            f"weight (out_channels, in_channels/groups, *kernel_size) and bias (out_channels); "
            f"input {SPATIAL[r]}."
        )
    return layer(
        "conv_transpose" if transpose else "conv",
        f"in_channels>c_in:dim! out_channels>filters:dim! kernel_size>kernel:dims({r})!",
        f"stride>strides:dims({r})=1",
        *padding,
        f"padding_mode:zeros|reflect|replicate|circular=zeros {FACTORY}",
        fixed={"rank": r},
        weights=f"{kernel} bias(filters)",
        infer="in_channels",
        doc=doc,
    )


def _pool(r, kind):
    window = f"kernel_size>kernel:dims({r})! stride>strides:dims({r})"
    fixed = {"rank": r, "kind": kind}
    if kind == "max":
        args = f"{window} padding:dims0({r})=0 dilation:dims({r})=1"
        args += " return_indices:bool=false ceil_mode:bool=false"
        doc = "Max over kernel_size windows; stride defaults to kernel_size. No weights."
    elif kind == "avg":
        args = f"{window} padding:dims0({r})=0 ceil_mode:bool=false count_include_pad:bool=true"
        args += " divisor_override:dim" if r > 1 else ""
        doc = "Average over kernel_size windows; stride defaults to kernel_size. No weights."
    else:
        args = f"norm_type:number! {window} ceil_mode:bool=false"
        fixed["padding"] = (0,) * r
        doc = "Power-average over kernel_size windows (no padding). No weights."
    return layer("pool", args, fixed=fixed, doc=doc)


def _adaptive_pool(r, kind):
    return layer(
        "adaptive_pool",
        "output_size>size:sizes!",
        "return_indices:bool=false" if kind == "Max" else "",
        fixed={"rank": r},
        doc=f"{kind} pooling to a fixed output_size (None keeps an axis's length). No weights.",
    )


def _pad(r, kind):
    sides = "(left, right" + (", top, bottom" if r > 1 else "") + (", front, back" if r > 2 else "")
    return layer(
        "pad",
        f"padding:ints({2 * r})!",
        "value:number!" if kind == "Constant" else "",
        fixed={"rank": r, "kind": kind},
        doc=f"Pads the last {r} axes; padding is an int or {sides}), last axis first; "
        "negative values crop. No weights.",
    )


def _upsampling(mode, align):
    return layer(
        "upsample",
        "size:sizes scale_factor>scale:numbers",
        fixed={"ranks": (3,), "mode": mode, "align_corners": align},
        doc=f"Upsample(mode={mode}) on (C, H, W). No weights.",
    )


def _shuffle(name, inverse, doc):
    return layer("pixel_shuffle", f"{name}>factor:dim!", fixed={"inverse": inverse}, doc=doc)


MODES = "nearest|linear|bilinear|bicubic|trilinear|area|nearest-exact"
SPATIAL_LAYERS = {
    **{f"Conv{r}d": _conv(r) for r in (1, 2, 3)},
    **{f"ConvTranspose{r}d": _conv(r, transpose=True) for r in (1, 2, 3)},
    **{f"{k}Pool{r}d": _pool(r, k.lower()) for r in (1, 2, 3) for k in ("Max", "Avg", "LP")},
    **{f"Adaptive{k}Pool{r}d": _adaptive_pool(r, k) for r in (1, 2, 3) for k in ("Avg", "Max")},
    "PixelShuffle": _shuffle("upscale_factor", False, "(C*r^2, H, W) to (C, H*r, W*r)."),
    "PixelUnshuffle": _shuffle("downscale_factor", True, "(C, H*r, W*r) to (C*r^2, H, W)."),
    "ChannelShuffle": layer("channel_shuffle", "groups:dim!"),
    "Upsample": layer(
        "upsample",
        f"size:sizes scale_factor>scale:numbers mode:{MODES}=nearest align_corners:bool?",
        "recompute_scale_factor:bool?",
        doc="To size, or each spatial axis times scale_factor (floored). No weights.",
    ),
    "UpsamplingNearest2d": _upsampling("nearest", None),
    "UpsamplingBilinear2d": _upsampling("bilinear", True),
    **{
        f"{k}Pad{r}d": _pad(r, k)
        for r in (1, 2, 3)
        for k in ("Zero", "Constant", "Reflection", "Replication", "Circular")
    },
}


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
AFFINE = "gamma=weight(c_in) beta=bias(c_in)"
NORM_FORMS = {1: "(C,) or (C, L)", 2: "(C, H, W)", 3: "(C, D, H, W)"}


def _channel_norm(rank: int, ranks: tuple, affine: bool) -> Layer:
    """BatchNorm (affine and running statistics by default) and InstanceNorm
    (neither): the channel axis first."""
    form = NORM_FORMS[rank] if ranks != (2,) else "(C, L)"
    on = "true" if affine else "false"
    return layer(
        "batch_norm",
        "num_features>c_in:dim! eps:number=1e-5 momentum:number?=0.1",
        f"affine>scale:bool={on} track_running_stats>state:bool={on} {FACTORY}",
        "bias>center:bool=true",
        fixed={"axis": 1, "ranks": ranks, "form": form},
        weights=f"{AFFINE} mean=running_mean(c_in) var=running_var(c_in) "
        "count=num_batches_tracked()",
        infer="num_features",
        doc="weight and bias (affine) per channel; running_mean, running_var and "
        f"num_batches_tracked buffers (track_running_stats). Input {form}.",
    )


def _normalized(spec: str, weights: str, doc: str) -> Layer:
    return layer(
        "layer_norm",
        f"normalized_shape>normalized:dims! {spec}",
        weights=weights,
        infer="normalized_shape",
        doc=doc,
    )


NORM_LAYERS = {
    **{f"BatchNorm{r}d": _channel_norm(r, ((1, 2), (3,), (4,))[r - 1], True) for r in (1, 2, 3)},
    **{f"InstanceNorm{r}d": _channel_norm(r, (r + 1,), False) for r in (1, 2, 3)},
    "GroupNorm": layer(
        "group_norm",
        "num_groups>groups:dim! num_channels>c_in:dim! eps:number=1e-5",
        f"affine>scale:bool=true {FACTORY} bias>center:bool=true",
        fixed={"axis": 1},
        weights=AFFINE,
        infer="num_channels",
        doc="weight and bias per channel (affine); channels split into num_groups groups.",
    ),
    "LayerNorm": _normalized(
        f"eps:number=1e-5 elementwise_affine>scale:bool=true bias>center:bool=true {FACTORY}",
        "gamma=weight(*dims) beta=bias(*dims)",
        "weight and bias of normalized_shape (the trailing axes; default the last).",
    ),
    "RMSNorm": _normalized(
        f"eps:number elementwise_affine>scale:bool=true {FACTORY}",
        "gamma=weight(*dims)",
        "weight of normalized_shape (the trailing axes; default the last).",
    ),
    "LocalResponseNorm": layer(
        "identity",
        "size:dim! alpha:number=1e-4 beta:number=0.75 k:number=1.0",
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


def _rnn(cell: str, gates: int, step: bool = False) -> Layer:
    """RNN, LSTM, GRU (stacked, bidirectional) or, with step, their cells."""
    nonlinearity = "nonlinearity:tanh|relu=tanh" if cell == "RNN" else ""
    if step:
        rest = f"bias:bool=true {nonlinearity}"
    else:
        rest = f"num_layers>layers:dim=1 {nonlinearity} bias:bool=true batch_first:bool=false"
        rest += " dropout:number=0.0 bidirectional:bool=false"
        rest += " proj_size>proj:dims0(1)=0" if cell == "LSTM" else ""
    g = f"{gates}*units" if gates > 1 else "units"
    return layer(
        "rnn",
        f"input_size>c_in:dim! hidden_size>units:dim! {rest} {FACTORY}",
        fixed={"gates": gates, "step": step},
        flags={} if step else {"layer_tags": True, "whole_sequence": True},
        weights=f"kernel=weight_ih(*copies, {g}, x_in) recurrent=weight_hh(*copies, {g}, h_out) "
        f"bias=bias_ih(*copies, {g}) recurrent_bias=bias_hh(*copies, {g}) "
        "projection=weight_hr(*copies, h_out, units)",
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


FEED_FORWARD = weight_table(
    "l1=linear1.weight(ff, d_model) l1_b=linear1.bias(ff) "
    "l2=linear2.weight(d_model, ff) l2_b=linear2.bias(d_model)"
)
TRANSFORMER_ARGS = "dim_feedforward>ff:dim=2048 dropout:number=0.1 activation"
LAYER_TAIL = "layer_norm_eps:number=1e-5 batch_first:bool=false norm_first:bool=false"
LAYER_TAIL += f" bias:bool=true {FACTORY}"


def _transformer_layer(decoder: bool, doc: str) -> Layer:
    attention = _attention_weights("self_attn.", "d_model")
    if decoder:
        attention |= _attention_weights("multihead_attn.", "d_model")
    return layer(
        "transformer_layer",
        f"d_model:dim! nhead:dim! {TRANSFORMER_ARGS} {LAYER_TAIL}",
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
    more = "enable_nested_tensor:bool=true mask_check:bool=true" if kind == "Encoder" else ""
    return layer(
        "transformer_stack",
        f"{inner}>layer:layer! num_layers>count:dim! norm:layer? {more}",
        inputs=(1, 1) if kind == "Encoder" else (1, 2),
        call_kwargs=LAYER_CALL,
        extra={"stacks": f"Transformer{kind}Layer"},
        doc=f"num_layers copies of a Transformer{kind}Layer, then an optional norm.",
    )


ATTENTION_LAYERS = {
    "MultiheadAttention": layer(
        "attention",
        "embed_dim>d_q:dim! num_heads>heads:dim! dropout:number=0.0 bias:bool=true",
        "add_bias_kv>bias_kv:bool=false add_zero_attn:bool=false kdim:dim vdim:dim",
        f"batch_first:bool=false {FACTORY}",
        labels={"inner": "embed_dim", "d_q": "embed_dim", "d_k": "kdim", "d_v": "vdim"},
        flags={"split_embed": True},
        weights="in_proj=in_proj_weight(3*inner, d_q) q=q_proj_weight(inner, d_q) "
        "k=k_proj_weight(inner, d_k) v=v_proj_weight(inner, d_v) in_bias=in_proj_bias(3*inner) "
        "bias_k(1, 1, inner) bias_v(1, 1, inner) o=out_proj.weight(inner, inner) "
        "o_bias=out_proj.bias(inner)",
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
        "d_model:dim=512 nhead:dim=8 num_encoder_layers>encoders:dim=6",
        f"num_decoder_layers>decoders:dim=6 {TRANSFORMER_ARGS} custom_encoder custom_decoder",
        LAYER_TAIL,
        weights=_norms("encoder.norm", "decoder.norm"),
        extra={"encoder": "TransformerEncoderLayer", "decoder": "TransformerDecoderLayer"},
        call_kwargs=LAYER_CALL,
    ),
}


# --- language features (ops/indexing.py) --------------------------------------------

# x[:, 0] on a torch tensor: the row Keras has, with torch's rule that a slice's
# step is positive
LANGUAGE_LAYERS = {
    "GetItem": layer(
        "get_item",
        "index",
        flags={"positive_step": True},
        doc="x[:, 0], x[:, 1:], x[..., :k]: no weights.",
    ),
}


# --- parameters and tensor methods (ops/parameter.py, ops/tensor.py) ----------------

VIEW_MESSAGES = {
    "one_unknown": "only one dimension can be inferred",
    "no_none": "view sizes cannot be None (write -1 for the one to infer)",
    "indivisible": "shape '{raw}' is invalid for input of size {n} (per sample: the batch "
    "axis is kept and not written)",
    "mismatch": "shape '{raw}' is invalid for input of size {n} (per sample: the batch axis is "
    "kept and not written)",
}


def _view(name: str) -> Layer:
    return layer(
        "reshape",
        "*sizes:shape!",
        extra={"messages": VIEW_MESSAGES},
        doc=f"x.{name}(B, *sizes): the sizes after the batch axis, which is kept (one may be "
        "-1). No weights.",
    )


PARAMS_LAYERS = {
    "Parameter": layer(
        "parameter",
        "*shape:dims! requires_grad:bool=true",
        doc="nn.Parameter of the given shape (ViT's cls_token (1, 1, d)), named by name=; no "
        "input. It meets a batch by broadcasting (Add, Multiply; Concatenate with a leading 1, "
        "as cls_token.expand(B, -1, -1)).",
    ),
    "Transpose": layer(
        "transpose",
        "dim0:axis! dim1:axis!",
        doc="x.transpose(dim0, dim1): swaps two axes (batch = 0, which stays). No weights.",
    ),
    "Permute": layer(
        "permute",
        "*dims:axes!",
        flags={"torch_dims": True},
        doc="x.permute(*dims): every axis, the batch (0) first. No weights.",
    ),
    "View": _view("view"),
    "Reshape": _view("reshape"),
}


class Torch(Convention):
    name = "torch"
    state_as_buffers = True
    framework, framework_layers = "torch.nn", TORCH
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
        **PARAMETER_MESSAGES,
    }

    LAYERS: ClassVar[dict[str, Layer]] = {
        **Convention.LAYERS,
        **CORE_LAYERS,
        **NORM_LAYERS,
        **RNN_LAYERS,
        **ATTENTION_LAYERS,
        **SPATIAL_LAYERS,
        **LANGUAGE_LAYERS,
        **PARAMS_LAYERS,
        **SDPA_LAYERS,
        **BUFFER_LAYERS,
    }


CONVENTION = Torch
registry = Torch.register(Registry("torch"))
