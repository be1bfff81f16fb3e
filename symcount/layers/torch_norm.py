"""torch.nn's normalization: BatchNorm, InstanceNorm, GroupNorm, LayerNorm,
RMSNorm, LocalResponseNorm. Running statistics are buffers, not parameters:
running_mean and running_var (one per channel) and num_batches_tracked (one
integer) whenever track_running_stats is true."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .registry import torch
from .spec import REQUIRED, Out, W, a, fail, need_known
from .torch_common import arg_error, factory_args, infer

BN_RANKS = {"BatchNorm1d": (1, 2), "BatchNorm2d": (3,), "BatchNorm3d": (4,)}
IN_RANKS = {"InstanceNorm1d": (2,), "InstanceNorm2d": (3,), "InstanceNorm3d": (4,)}
FORMS = {
    "BatchNorm1d": "(C,) or (C, L)",
    "BatchNorm2d": "(C, H, W)",
    "BatchNorm3d": "(C, D, H, W)",
    "InstanceNorm1d": "(C, L)",
    "InstanceNorm2d": "(C, H, W)",
    "InstanceNorm3d": "(C, D, H, W)",
}


def _norm_weights(c, affine: bool, bias: bool, track: bool) -> list:
    weights = []
    if affine:
        weights.append(W("weight", c))
        if bias:
            weights.append(W("bias", c))
    if track:
        weights += [
            W("running_mean", c, state=True),
            W("running_var", c, state=True),
            W("num_batches_tracked", state=True),
        ]
    return weights


def _channel_norm(layer, ranks, affine_default, track_default):
    def norm(shape, p):
        if len(shape) not in ranks:
            fail(
                f"{layer} expects an input of shape {FORMS[layer]} (batch excluded); "
                f"got {P.shape(shape)}"
            )
        actual = need_known(shape[0], f"{layer}'s channel axis")
        notes = []
        if p.affine or p.track_running_stats or p.num_features is None:
            c = infer(p, "num_features", actual, "channels", layer=f"{layer}()")
        else:
            # torch only warns: with neither affine nor running statistics the
            # module has no per-channel tensor, so num_features is unused.
            c = actual
            if D.equal(p.num_features, actual) is False:
                notes.append(
                    f"num_features={P.expr(p.num_features)} differs from the input's "
                    f"{P.expr(actual)} channels; torch only warns, since without affine or "
                    "running statistics it is unused"
                )
        weights = _norm_weights(("num_features", c), p.affine, p.bias, p.track_running_stats)
        if p.track_running_stats:
            notes.append(
                "running_mean and running_var are buffers (one per channel), and so is "
                "num_batches_tracked (one integer): not counted as parameters"
            )
        return Out(tuple(shape), weights, notes=notes)

    norm.__doc__ = (
        f"weight and bias (affine) per channel; running_mean, running_var and "
        f"num_batches_tracked buffers (track_running_stats). Input {FORMS[layer]}."
    )
    torch.rule(
        layer,
        a("num_features", "dim", REQUIRED),
        a("eps", "number", 1e-5),
        a("momentum", "number", 0.1, allow_none=True),
        a("affine", "bool", affine_default),
        a("track_running_stats", "bool", track_default),
        *factory_args(),
        a("bias", "bool", True),
        infer="num_features",
    )(norm)


for _layer, _ranks in BN_RANKS.items():
    _channel_norm(_layer, _ranks, True, True)
for _layer, _ranks in IN_RANKS.items():
    _channel_norm(_layer, _ranks, False, False)


@torch.rule(
    "GroupNorm",
    a("num_groups", "dim", REQUIRED),
    a("num_channels", "dim", REQUIRED),
    a("eps", "number", 1e-5),
    a("affine", "bool", True),
    *factory_args(),
    a("bias", "bool", True),
    infer="num_channels",
)
def group_norm(shape, p):
    """weight and bias per channel (affine); channels split into num_groups groups."""
    if not shape:
        fail("GroupNorm needs a channel axis: (C, *) without the batch")
    actual = need_known(shape[0], "GroupNorm's channel axis")
    g = p.num_groups
    given = p.num_channels
    if given is not None and D.is_num(given) and D.is_num(g) and given % g:
        arg_error(p, "num_groups", f"num_channels ({given}) must be divisible by num_groups ({g})")
    if p.affine or given is None:
        c = infer(p, "num_channels", actual, "channels", layer=f"GroupNorm({P.expr(g)})")
    else:
        c = actual  # no per-channel weight: torch never compares num_channels with the input
    if D.is_num(c) and D.is_num(g) and c % g:
        fail(f"the input's {c} channels cannot be split into {g} groups")
    weights = []
    if p.affine:
        weights.append(W("weight", ("num_channels", c)))
        if p.bias:
            weights.append(W("bias", ("num_channels", c)))
    return Out(tuple(shape), weights)


def _normalized(shape, p, layer):
    """The trailing axes that normalized_shape names (default: the last one)."""
    if not shape:
        fail(f"{layer} needs an axis to normalize")
    given = p.normalized_shape
    if given is None:
        return ((need_known(shape[-1], f"{layer}'s last axis")),)
    if len(given) > len(shape):
        arg_error(
            p,
            "normalized_shape",
            f"normalized_shape={P.shape(given, batch=False)} has more axes than the input "
            f"{P.shape(shape)}",
        )
    tail = shape[len(shape) - len(given) :]
    for want, have in zip(given, tail, strict=True):
        if have is not None and D.equal(want, have) is not True:
            arg_error(
                p,
                "normalized_shape",
                f"normalized_shape={P.shape(given, batch=False)} but the input's last "
                f"axes are {P.shape(tail, batch=False)}",
                hint=f"leave normalized_shape out to normalize the last axis: {layer}()",
            )
    return given


def _dims(shape_):
    if len(shape_) == 1:
        return [("normalized_shape", shape_[0])]
    return [(f"n_{i + 1}", d) for i, d in enumerate(shape_)]


@torch.rule(
    "LayerNorm",
    a("normalized_shape", "dims", REQUIRED),
    a("eps", "number", 1e-5),
    a("elementwise_affine", "bool", True),
    a("bias", "bool", True),
    *factory_args(),
    infer="normalized_shape",
)
def layer_norm(shape, p):
    """weight and bias of normalized_shape (the trailing axes; default the last)."""
    dims = _dims(_normalized(shape, p, "LayerNorm"))
    weights = []
    if p.elementwise_affine:
        weights.append(W("weight", *dims))
        if p.bias:
            weights.append(W("bias", *dims))
    return Out(tuple(shape), weights)


@torch.rule(
    "RMSNorm",
    a("normalized_shape", "dims", REQUIRED),
    a("eps", "number", None),
    a("elementwise_affine", "bool", True),
    *factory_args(),
    infer="normalized_shape",
)
def rms_norm(shape, p):
    """weight of normalized_shape (the trailing axes; default the last)."""
    dims = _dims(_normalized(shape, p, "RMSNorm"))
    return Out(tuple(shape), [W("weight", *dims)] if p.elementwise_affine else [])


@torch.rule(
    "LocalResponseNorm",
    a("size", "dim", REQUIRED),
    a("alpha", "number", 1e-4),
    a("beta", "number", 0.75),
    a("k", "number", 1.0),
)
def local_response_norm(shape, p):
    """Normalizes across neighbouring channels of (C, *): same shape, no weights."""
    if len(shape) < 2:
        fail(f"LocalResponseNorm expects an input of shape (C, L, ...); got {P.shape(shape)}")
    return Out(tuple(shape))
