"""PyTorch's tables (see torch.py): dense, bilinear, embedding, the activations,
dropouts and softmaxes, PReLU, flattening and concatenation."""

from __future__ import annotations

from ..ops.spec import REQUIRED
from ..ops.spec import a as arg
from .base import layer


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


CORE_LAYERS = {
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
    "Concatenate": layer(
        "concat",
        arg("dim", "axis", 1),
        names={"dim": "axis"},
        aliases=("Cat",),
        doc="torch.cat along dim (batch = 0; default 1, the channels); the other axes must agree.",
    ),
}
