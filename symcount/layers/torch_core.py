"""torch.nn's Linear, Embedding, Identity, dropouts and activations."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Out, W, a, fail
from .torch_common import arg_error, batch_axis, factory_args, infer


@torch.rule(
    "Linear",
    a("in_features", "dim", REQUIRED),
    a("out_features", "dim", REQUIRED),
    a("bias", "bool", True),
    *factory_args(),
    infer="in_features",
)
def linear(shape, p):
    """weight (out_features, in_features) and bias (out_features), on the last axis."""
    if not shape:
        fail("Linear needs a feature axis: the input has only the batch axis")
    c = infer(p, "in_features", shape[-1], "features", layer=f"Linear({P.expr(p.out_features)})")
    weights = [W("weight", ("out_features", p.out_features), ("in_features", c))]
    if p.bias:
        weights.append(W("bias", ("out_features", p.out_features)))
    return Out((*shape[:-1], p.out_features), weights)


@torch.rule(
    "Bilinear",
    a("in1_features", "dim", REQUIRED),
    a("in2_features", "dim", REQUIRED),
    a("out_features", "dim", REQUIRED),
    a("bias", "bool", True),
    *factory_args(),
    inputs=(1, 2),
)
def bilinear(shapes, p):
    """weight (out_features, in1_features, in2_features) and bias (out_features)."""
    x1 = shapes[0]
    x2 = shapes[1] if len(shapes) > 1 else x1
    if not x1 or not x2:
        fail("Bilinear needs a feature axis on both inputs")
    for name, s in (("in1_features", x1), ("in2_features", x2)):
        if D.equal(getattr(p, name), s[-1]) is False:
            arg_error(p, name, f"{name}={P.expr(getattr(p, name))} but the input has {s[-1]}")
    o = p.out_features
    weights = [W("weight", ("out_features", o), ("in1", p.in1_features), ("in2", p.in2_features))]
    if p.bias:
        weights.append(W("bias", ("out_features", o)))
    return Out((*x1[:-1], o), weights)


@torch.rule(
    "Embedding",
    a("num_embeddings", "dim", REQUIRED),
    a("embedding_dim", "dim", REQUIRED),
    a("padding_idx", "value", None),
    a("max_norm", "value", None),
    a("norm_type", "number", 2.0),
    a("scale_grad_by_freq", "bool", False),
    a("sparse", "bool", False),
    a("_weight"),
    a("_freeze", "bool", False),
    *factory_args(),
)
def embedding(shape, p):
    """A table of num_embeddings rows, each embedding_dim wide; any index shape."""
    idx = p.padding_idx
    if idx is not None:
        n = p.num_embeddings
        if isinstance(idx, bool) or not D.is_int(idx):
            arg_error(p, "padding_idx", "padding_idx must be a literal integer or None")
        if D.is_num(n) and not -n <= idx < n:
            arg_error(p, "padding_idx", f"padding_idx must be within num_embeddings ({n})")
    weights = [
        W("weight", ("num_embeddings", p.num_embeddings), ("embedding_dim", p.embedding_dim))
    ]
    return Out((*shape, p.embedding_dim), weights)


def _same(shape, p):
    return Out(tuple(shape))


def _rate(name):
    def rule(shape, p):
        rate = getattr(p, name)
        if not 0 <= rate <= 1:
            arg_error(p, name, f"dropout probability has to be between 0 and 1, but got {rate}")
        return Out(tuple(shape))

    return rule


INPLACE = a("inplace", "bool", False)

# (name, arguments): shape-preserving modules without weights.
IDENTITIES = [
    ("ReLU", (INPLACE,)),
    ("ReLU6", (INPLACE,)),
    ("LeakyReLU", (a("negative_slope", "number", 0.01), INPLACE)),
    ("ELU", (a("alpha", "number", 1.0), INPLACE)),
    ("CELU", (a("alpha", "number", 1.0), INPLACE)),
    ("SELU", (INPLACE,)),
    ("GELU", (a("approximate", "enum", "none", choices=("none", "tanh")),)),
    ("SiLU", (INPLACE,)),
    ("Mish", (INPLACE,)),
    ("Sigmoid", ()),
    ("Tanh", ()),
    ("Softsign", ()),
    ("Tanhshrink", ()),
    ("LogSigmoid", ()),
    ("Softplus", (a("beta", "number", 1.0), a("threshold", "number", 20.0))),
    ("Hardswish", (INPLACE,)),
    ("Hardsigmoid", (INPLACE,)),
    ("Hardshrink", (a("lambd", "number", 0.5),)),
    ("Softshrink", (a("lambd", "number", 0.5),)),
    (
        "Hardtanh",
        (
            a("min_val", "number", -1.0),
            a("max_val", "number", 1.0),
            INPLACE,
            a("min_value", "number", None),
            a("max_value", "number", None),
        ),
    ),
    ("Threshold", (a("threshold", "number", REQUIRED), a("value", "number", REQUIRED), INPLACE)),
    ("RReLU", (a("lower", "number", 0.125), a("upper", "number", 1 / 3), INPLACE)),
]

for _name, _args in IDENTITIES:
    if _name != "Hardtanh":
        torch.rule(_name, *_args, doc="An activation: same shape, no weights.")(_same)


@torch.rule("Hardtanh", *dict(IDENTITIES)["Hardtanh"])
def hardtanh(shape, p):
    """Clips to [min_val, max_val]: same shape, no weights."""
    low = p.min_value if p.min_value is not None else p.min_val
    high = p.max_value if p.max_value is not None else p.max_val
    if not high > low:
        arg_error(p, "max_val", f"max_val ({high}) must be greater than min_val ({low})")
    return Out(tuple(shape))


torch.rule(
    "Identity",
    a("args"),
    doc="Returns its input; accepts and ignores any arguments, as torch's does.",
)(_same)

for _name in ("Dropout", "AlphaDropout", "FeatureAlphaDropout", "Dropout2d", "Dropout3d"):
    torch.rule(
        _name,
        a("p", "number", 0.5),
        INPLACE,
        doc="Zeroes entries (or channels) at random while training: same shape, no weights.",
    )(_rate("p"))


@torch.rule("Dropout1d", a("p", "number", 0.5), INPLACE)
def dropout1d(shape, p):
    """Zeroes whole channels of (C, L) inputs at random: same shape, no weights."""
    if len(shape) not in (1, 2):
        fail(f"Dropout1d expects an input of shape (C, L) (or (L,)); got {P.shape(shape)}")
    return _rate("p")(shape, p)


def _dim_rule(layer):
    def rule(shape, p):
        full = len(shape) + 1
        if p.dim is not None and not -full <= p.dim < full:
            arg_error(p, "dim", f"dim={p.dim} is out of range for an input of {full} axes")
        return Out(tuple(shape))  # dim=0 (the batch) is allowed: the shape is unchanged

    rule.__doc__ = f"{layer} along dim (batch counted as 0): same shape, no weights."
    return rule


for _name in ("Softmax", "LogSoftmax", "Softmin"):
    torch.rule(_name, a("dim", "axis", None))(_dim_rule(_name))


@torch.rule("Softmax2d")
def softmax2d(shape, p):
    """Softmax over the channels of (C, H, W): same shape, no weights."""
    if len(shape) not in (2, 3):
        fail(f"Softmax2d expects an input of shape (C, H, W); got {P.shape(shape)}")
    return Out(tuple(shape))


@torch.rule("GLU", a("dim", "axis", -1))
def glu(shape, p):
    """Halves the axis dim: one half gates the other. No weights."""
    i = batch_axis(p.dim, shape, p, "dim", layer="GLU")
    n = shape[i]
    if D.is_num(n) and n % 2:
        fail(f"GLU halves axis {p.dim}, which must have an even length; it has {n}")
    out = list(shape)
    out[i] = None if n is None else D.div(n, 2)
    return Out(tuple(out))


@torch.rule("PReLU", a("num_parameters", "dim", 1), a("init", "number", 0.25), *factory_args())
def prelu(shape, p):
    """One learned slope, or one per channel (num_parameters = C)."""
    n = p.num_parameters
    c = shape[0] if len(shape) >= 1 else 1
    if not (D.is_num(n) and n == 1) and D.equal(n, c) is False:
        arg_error(
            p,
            "num_parameters",
            f"PReLU(num_parameters={P.expr(n)}) needs 1 or the input's channels ({P.expr(c)})",
        )
    return Out(tuple(shape), [W("weight", ("num_parameters", n))])
