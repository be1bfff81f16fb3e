"""Normalizations: per channel (batch, instance), per group, over trailing or
chosen axes (layer, RMS). Running statistics are state; how state is reported
(Keras: non-trainable parameters, PyTorch: buffers) is the convention's."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError
from ..language.values import as_dim
from .base import Args, Entry, op, resolve_axis
from .spec import Out, fail, need_known

STATE = ("mean", "var", "count")  # running mean, variance, batches seen


def refuse(e: Entry, key: str, **values):
    """The convention's message ``key``; a ("argument", text) entry is an argument error."""
    text = e.convention.MESSAGES[key]
    if isinstance(text, tuple):
        raise ArgumentError(text[1].format(layer=e.name, **values))
    fail(text.format(layer=e.name, **values))


def _affine(a: Args, e: Entry, **values) -> list:
    """gamma (scale) and beta (center). Where the convention's flag says so
    (torch), the bias exists only with the weight (affine=true)."""
    weights = e.weights_of("gamma", **values) if a.scale else []
    if getattr(a, "center", False) and (a.scale or not e.flag("beta_needs_scale")):
        weights += e.weights_of("beta", **values)
    return weights


def _channel(x, a: Args, e: Entry):
    """The size of the normalized channel axis, as the input has it."""
    ranks = getattr(a, "ranks", None)
    if ranks is not None and len(x) not in ranks:
        refuse(e, "norm_rank", form=a.form, got=P.shape(x))
    if not x and "no_channels" in e.convention.MESSAGES:
        refuse(e, "no_channels")
    return need_known(
        x[resolve_axis(a.axis, len(x), e.name)], e.message("axis_unknown", axis=a.axis)
    )


def _size(a: Args, e: Entry, actual, hint: str):
    """Where the convention takes the channels as an argument (torch's
    num_features), it is inferred or checked: unless the layer has no
    per-channel tensor, where torch never compares it with the input."""
    if a.scale or getattr(a, "state", False) or getattr(a, "c_in", None) is None:
        return e.input_size(a, "c_in", actual, "channels", hint=hint)
    return actual


@op("batch_norm")
def batch_norm(x, a: Args, e: Entry) -> Out:
    """gamma and beta per channel; running mean and variance (and torch's
    num_batches_tracked) as state."""
    notes = []
    actual = _channel(x, a, e)
    c = _size(a, e, actual, f"{e.name}()")
    given = getattr(a, "c_in", None)
    if c is actual and given is not None and D.equal(given, actual) is False:
        # torch only warns: without affine or running statistics it is unused
        notes.append(e.message("unused_size", given=P.expr(given), actual=P.expr(actual)))
    weights = _affine(a, e, c_in=c)
    if a.state:
        weights += e.weights_of(*STATE, state=True, c_in=c)
        if "state_note" in e.convention.MESSAGES:
            notes.append(e.message("state_note"))
    return Out(tuple(x), weights, notes=notes)


@op("group_norm")
def group_norm(x, a: Args, e: Entry) -> Out:
    """gamma and beta per channel; the channels split into groups."""
    actual = _channel(x, a, e)
    g = actual if D.is_num(a.groups) and a.groups == -1 else a.groups  # Keras: -1, one per channel
    g = as_dim(g, e.arg_names["groups"])
    given = getattr(a, "c_in", None)
    if given is not None and D.is_num(given) and D.is_num(g) and given % g:
        e.arg_error(a, "groups", e.message("groups_given", c=given, g=g))
    c = _size(a, e, actual, f"{e.name}({P.expr(g)})")
    if D.is_num(c) and D.is_num(g) and c % g:
        refuse(e, "groups_split", c=c, g=g)
    return Out(tuple(x), _affine(a, e, c_in=c))


def _axes_dims(x, a: Args, e: Entry) -> list:
    """(label, size) of the normalized axes: Keras names them (axis), torch
    gives their sizes, the trailing ones (normalized_shape; default the last)."""
    single, many = e.flag("norm_labels")
    if not hasattr(a, "normalized"):
        axes = a.axis if isinstance(a.axis, tuple) else (a.axis,)
        sizes = [
            need_known(x[resolve_axis(ax, len(x), e.name)], f"the size of axis {ax}") for ax in axes
        ]
    else:
        sizes = _trailing(x, a, e)
    if len(sizes) == 1:
        return [(single, sizes[0])]
    return [(f"{many}_{i + 1}", d) for i, d in enumerate(sizes)]


def _trailing(x, a: Args, e: Entry):
    if not x:
        fail(f"{e.name} needs an axis to normalize")
    given = a.normalized
    if given is None:
        return (need_known(x[-1], f"{e.name}'s last axis"),)
    name, shown = e.arg_names["normalized"], P.shape(given, batch=False)
    if len(given) > len(x):
        e.arg_error(a, "normalized", f"{name}={shown} has more axes than the input {P.shape(x)}")
    tail = x[len(x) - len(given) :]
    for want, have in zip(given, tail, strict=True):
        if have is not None and D.equal(want, have) is not True:
            last = f"the input's last axes are {P.shape(tail, batch=False)}"
            hint = f"leave {name} out to normalize the last axis: {e.name}()"
            e.arg_error(a, "normalized", f"{name}={shown} but {last}", hint=hint, rewrite=True)
    return given


@op("layer_norm")
def layer_norm(x, a: Args, e: Entry) -> Out:
    """gamma (scale) and beta (center) over the normalized axes; RMS scaling
    keeps gamma only."""
    dims = _axes_dims(x, a, e)
    rms = getattr(a, "rms", False)
    if rms:
        a.scale, a.center = True, False
    return Out(tuple(x), _affine(a, e, dims=dims))


@op("unit_norm")
def unit_norm(x, a: Args, e: Entry) -> Out:
    """Scales to unit L2 norm along axis. No weights."""
    if all(d is not None for d in x):
        _axes_dims(x, a, e)
    return Out(tuple(x))
