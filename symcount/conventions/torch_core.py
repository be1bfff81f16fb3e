"""PyTorch's tables (see torch.py): dense, bilinear, embedding, the activations,
dropouts and softmaxes, PReLU, flattening and concatenation. Arguments are
spec strings (:func:`symcount.ops.spec.parse_args`)."""

from __future__ import annotations

from ..ops.spec import a as arg
from .base import layer, rows

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
    "ReLU": _activation(INPLACE),
    "ReLU6": _activation(INPLACE),
    "LeakyReLU": _activation(f"negative_slope:number=0.01 {INPLACE}"),
    "ELU": _activation(f"alpha:number=1.0 {INPLACE}"),
    "CELU": _activation(f"alpha:number=1.0 {INPLACE}"),
    "SELU": _activation(INPLACE),
    "GELU": _activation("approximate:none|tanh=none"),
    "SiLU": _activation(INPLACE),
    "Mish": _activation(INPLACE),
    **rows("Sigmoid Tanh Softsign Tanhshrink LogSigmoid", _activation()),
    "Softplus": _activation("beta:number=1.0 threshold:number=20.0"),
    "Hardswish": _activation(INPLACE),
    "Hardsigmoid": _activation(INPLACE),
    "Hardshrink": _activation("lambd:number=0.5"),
    "Softshrink": _activation("lambd:number=0.5"),
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
    "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"),
    "Softmin": _softmax("Softmin"),
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
