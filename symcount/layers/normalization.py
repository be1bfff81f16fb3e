"""Normalization layers. Running statistics are state: Keras counts them as
non-trainable parameters, PyTorch as buffers."""

from __future__ import annotations

from .. import dims as D
from .binding import as_dim
from .common import divisible, resolve_axis
from .registry import keras
from .spec import Out, W, a, bad_arg, need_known

_BN_VALUE = {
    "momentum",
    "epsilon",
    "beta_initializer",
    "gamma_initializer",
    "moving_mean_initializer",
    "moving_variance_initializer",
    "beta_regularizer",
    "gamma_regularizer",
    "beta_constraint",
    "gamma_constraint",
    "synchronized",
    "renorm",
    "renorm_clipping",
    "renorm_momentum",
}


def _axis_dims(shape, axes, layer, label="c"):
    """The (label, size) pairs of the normalized axes."""
    if not isinstance(axes, tuple):
        axes = (axes,)
    out = []
    for i, ax in enumerate(axes):
        idx = resolve_axis(ax, len(shape), layer)
        name = label if len(axes) == 1 else f"{label}_{i + 1}"
        out.append((name, need_known(shape[idx], f"the size of axis {ax}")))
    return out


@keras.rule(
    "BatchNormalization",
    a("axis", "axis", -1),
    a("momentum", "number", 0.99),
    a("epsilon", "number", 1e-3),
    a("center", "bool", True),
    a("scale", "bool", True),
    ignored=_BN_VALUE,
)
def batch_normalization(shape, p):
    """gamma and beta (trainable) and moving mean and variance (state), one per channel."""
    (c,) = _axis_dims(shape, p.axis, "BatchNormalization")
    weights = []
    if p.scale:
        weights.append(W("gamma", c))
    if p.center:
        weights.append(W("beta", c))
    weights += [W("moving_mean", c, state=True), W("moving_variance", c, state=True)]
    return Out(tuple(shape), weights)


@keras.rule(
    "LayerNormalization",
    a("axis", "axes", -1),
    a("epsilon", "number", 1e-3),
    a("center", "bool", True),
    a("scale", "bool", True),
    a("rms_scaling", "bool", False),
    ignored=_BN_VALUE,
)
def layer_normalization(shape, p):
    """gamma (scale) and beta (center) over the normalized axes; rms_scaling keeps gamma only."""
    dims = _axis_dims(shape, p.axis, "LayerNormalization")
    weights = []
    if p.scale or p.rms_scaling:
        weights.append(W("gamma", *dims))
    if p.center and not p.rms_scaling:
        weights.append(W("beta", *dims))
    return Out(tuple(shape), weights)


@keras.rule(
    "GroupNormalization",
    a("groups", "value", 32),
    a("axis", "axis", -1),
    a("epsilon", "number", 1e-3),
    a("center", "bool", True),
    a("scale", "bool", True),
    ignored=_BN_VALUE,
)
def group_normalization(shape, p):
    """gamma and beta, one per channel; channels must divide into groups (-1: one per channel)."""
    (c,) = _axis_dims(shape, p.axis, "GroupNormalization")
    groups = c[1] if D.is_num(p.groups) and p.groups == -1 else as_dim(p.groups, "groups")
    divisible(
        c[1], groups, f"the number of channels ({c[1]}) must be a multiple of groups ({groups})"
    )
    if D.is_num(c[1]) and D.is_num(groups) and groups > c[1]:
        bad_arg(f"groups ({groups}) cannot exceed the number of channels ({c[1]})")
    weights = []
    if p.scale:
        weights.append(W("gamma", c))
    if p.center:
        weights.append(W("beta", c))
    return Out(tuple(shape), weights)


@keras.rule("UnitNormalization", a("axis", "axes", -1))
def unit_normalization(shape, p):
    """Scales to unit L2 norm along axis. No weights."""
    _axis_dims(shape, p.axis, "UnitNormalization") if all(d is not None for d in shape) else None
    return Out(tuple(shape))


@keras.rule("RMSNormalization", a("axis", "axes", -1), a("epsilon", "number", 1e-6))
def rms_normalization(shape, p):
    """One scale per entry of the normalized axes."""
    dims = _axis_dims(shape, p.axis, "RMSNormalization")
    return Out(tuple(shape), [W("scale", *dims)])
