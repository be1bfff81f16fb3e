"""Convolutions of every rank: plain and grouped, transposed, depthwise and
separable. One axis's arithmetic is :func:`conv_length` /
:func:`deconv_length`: Keras's padding modes (valid, same, causal) or the
explicit padding PyTorch resolves (``padding=1``, ``'same'``)."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from . import costs as C
from . import shapes as S
from .base import Args, Entry, biased, join, kernel_axes, op, positive, spatial_split
from .reshape import limits
from .spec import Factor, Out, bad_arg, fail


def _kernel(axes) -> tuple:
    """A kernel's axes as labelled factors of a cost's term: k_h, k_w."""
    return tuple(Factor(n, v) for n, v in axes)


def _inputs(axes) -> tuple:
    """A transposed convolution's input positions: l_in, h_in*w_in, ..."""
    return tuple(
        Factor(n.replace("_out", "_in"), f.value) if isinstance(f, Factor) else f
        for f, n in ((f, getattr(f, "label", "")) for f in C.positions(axes))
    )


def conv_length(length, kernel, stride, dilation, pad, what="input"):
    """One output axis. ``pad``: a padding mode (Keras's compute_conv_output_shape)
    or the total padding added (torch: floor((L + pads - dilation*(k - 1) - 1)/stride) + 1)."""
    if length is None:
        return None
    span = D.add(D.mul(dilation, D.sub(kernel, 1)), 1)
    if pad == "valid":
        if D.is_num(length) and D.is_num(span) and span > length:
            fail(
                f"kernel spans {span} positions (dilation included) but the {what} has only "
                f"{length}; use a smaller kernel or padding=same"
            )
        return D.add(D.floordiv(D.sub(length, span), stride), 1)
    if pad in ("same", "causal"):
        return D.add(D.floordiv(D.sub(length, 1), stride), 1)
    padded = D.add(length, pad)
    if D.is_num(padded) and D.is_num(span) and span > padded:
        fail(
            f"the kernel spans {span} positions (dilation included) but the padded {what} "
            f"has only {padded}"
        )
    return D.add(D.floordiv(D.sub(padded, span), stride), 1)


def deconv_length(length, kernel, stride, dilation, pad, output_padding):
    """One output axis of a transposed convolution: Keras's deconv_output_length
    for a padding mode, else (L - 1)*stride - 2*pad + dilation*(k - 1) + output_padding + 1."""
    if length is None:
        return None
    if pad in ("valid", "same"):
        k = D.add(kernel, D.mul(D.sub(kernel, 1), D.sub(dilation, 1)))
        if output_padding is None:
            if pad == "valid":
                return D.add(D.mul(length, stride), D.maximum(D.sub(k, stride), 0))
            return D.mul(length, stride)
        half = D.floordiv(k, 2) if pad == "same" else 0
        grown = D.add(D.mul(D.sub(length, 1), stride), k)
        return D.add(D.sub(grown, D.mul(2, half)), output_padding)
    grown = D.sub(D.mul(D.sub(length, 1), stride), D.mul(2, pad))
    return D.add(D.add(D.add(grown, D.mul(dilation, D.sub(kernel, 1))), output_padding), 1)


def _one(v) -> bool:
    return D.is_num(v) and v == 1


def strided_dilation(a: Args, e: Entry):
    strided = any(D.is_num(s) and s > 1 for s in a.strides)
    dilated = any(D.is_num(d) and d > 1 for d in a.dilation)
    if e.flag("strided_dilation") is False and strided and dilated:
        bad_arg("strides > 1 is not supported together with dilation_rate > 1")


def _groups(a: Args, e: Entry, c_in):
    g = a.groups
    for key, what in e.flag("groups_checks"):
        n = c_in if key == "c_in" else a.filters
        if D.is_num(n) and D.is_num(g) and n % g:
            e.arg_error(a, "groups", f"{what} ({n}) must be divisible by groups ({g})")


def _pads(a: Args, e: Entry, rank: int):
    """Keras's padding mode per axis, or torch's (left, right) total: 'same'
    refuses strides and puts an odd extra on the right."""
    if e.flag("padding") != "explicit":
        return [a.padding] * rank
    if a.padding == "valid":
        return [0] * rank
    if a.padding == "same" and any(not _one(s) for s in a.strides):
        e.arg_error(a, "padding", "padding='same' is not supported for strided convolutions")
    return [D.add(lo, hi) for lo, hi in _sides(a, rank)]


def _sides(a: Args, rank: int):
    """(left, right) padding per axis, as torch pads (for padding_mode's checks)."""
    if a.padding == "valid":
        return [(0, 0)] * rank
    if a.padding == "same":
        out = []
        for k, d in zip(a.kernel, a.dilation, strict=True):
            total = D.mul(d, D.sub(k, 1))
            left = D.floordiv(total, 2)
            out.append((left, D.sub(total, left)))
        return out
    return [(x, x) for x in a.padding]


MODE_LIMITS = {
    "reflect": "padding_mode='reflect' needs padding smaller than the input: "
    "padding {x} on an axis of length {n}",
    "circular": "padding_mode='circular' pads at most the input's length: "
    "padding {x} on an axis of length {n} would wrap around more than once",
}


def _input(x, a: Args, e: Entry, rank: int):
    """(spatial axes, input channels, layout) after the rank and channel checks."""
    spatial, c, fmt = spatial_split(x, a, e, rank)
    hint = lambda: f"{e.name}({P.expr(a.filters)}, ...)"  # noqa: E731  (only when it fails)
    c_in = e.input_size(a, "c_in", c, "channels", hint=hint, unknown="channels_unknown")
    return spatial, c_in, fmt


def lengths(spatial, a: Args, pads):
    return tuple(
        conv_length(n, k, s, d, pad, what=f"input axis of length {n}")
        for n, k, s, d, pad in zip(spatial, a.kernel, a.strides, a.dilation, pads, strict=True)
    )


@op("conv")
def conv(x, a: Args, e: Entry) -> Out:
    """A kernel (kernel_size, c_in/groups, filters) and a bias (filters), at any rank."""
    rank = a.rank
    strided_dilation(a, e)
    if a.padding == "causal" and rank != 1:
        bad_arg("padding=causal is only for Conv1D")
    spatial, c_in, fmt = _input(x, a, e, rank)
    early = e.flag("groups_first")
    if early:
        _groups(a, e, c_in)
    pads = _pads(a, e, rank)
    mode = getattr(a, "padding_mode", "zeros")
    if mode in MODE_LIMITS:
        for n, sides in zip(spatial, _sides(a, rank), strict=True):
            limits(a, e, mode, n, sides, MODE_LIMITS)
    out = lengths(spatial, a, pads)
    if not early:
        _groups(a, e, c_in)
    g = a.groups
    cin = ("c_in", c_in) if _one(g) else ("c_in/groups", D.div(c_in, g))
    k = kernel_axes(a.kernel)
    weights = e.weights_of(*biased(a, "kernel"), kernel=k, cin=cin, filters=a.filters)
    # each output position: the kernel over c_in/groups channels, for each filter
    cin_f = Factor(e.labels.get(cin[0], cin[0]), cin[1])
    costs = C.macs(C.term(C.positions(out), _kernel(k), cin_f, e.named("filters", a.filters)))
    steps = _steps(spatial, a, e, out, c_in)
    return Out(positive(e, join(out, a.filters, fmt)), weights, costs=costs, steps=steps)


def _modes(a: Args, e: Entry, rank: int) -> list:
    """Each axis's padding as a formula shows it: Keras's mode, or torch's
    "same", or the padding on each side."""
    if e.flag("padding") != "explicit" or a.padding in ("valid", "same"):
        return [a.padding] * rank
    return list(a.padding)


def _steps(spatial, a: Args, e: Entry, out, c_in) -> list:
    """Each output length's formula, and where c_in comes from."""
    steps: list = [S.Source(e.labels.get("c_in", "c_in"), c_in, "channels")]
    labels = S.out_labels(a.rank)
    modes = _modes(a, e, a.rank)
    return steps + S.lengths(labels, spatial, a.kernel, a.strides, a.dilation, modes, out)


@op("conv_transpose")
def conv_transpose(x, a: Args, e: Entry) -> Out:
    """A kernel (kernel_size, filters/groups, c_in) and a bias (filters), at any rank."""
    rank = a.rank
    strided_dilation(a, e)
    spatial, c_in, fmt = _input(x, a, e, rank)
    if getattr(a, "padding_mode", "zeros") != "zeros":
        e.arg_error(a, "padding_mode", f'Only "zeros" padding mode is supported for {e.name}')
    g = getattr(a, "groups", 1)
    if e.flag("groups_first"):
        _groups(a, e, c_in)
    ops = a.output_padding
    if ops is not None:
        for o, s, d in zip(ops, a.strides, a.dilation, strict=True):
            _output_padding(a, e, o, s, d)
    explicit = e.flag("padding") == "explicit"
    pads = a.padding if explicit else _pads(a, e, rank)
    out = tuple(
        deconv_length(n, k, s, d, pad, None if ops is None else ops[i])
        for i, (n, k, s, d, pad) in enumerate(
            zip(spatial, a.kernel, a.strides, a.dilation, pads, strict=True)
        )
    )
    cout = ("filters", a.filters) if _one(g) else ("filters/groups", D.div(a.filters, g))
    k = kernel_axes(a.kernel)
    weights = e.weights_of(
        *biased(a, "kernel"), kernel=k, cin=("c_in", c_in), cout=cout, filters=a.filters
    )
    # both frameworks accept a transpose whose output has length 0
    shape = join(out, a.filters, fmt)
    # each input position scatters the kernel into filters/groups outputs per channel
    cout_f = Factor(e.labels.get(cout[0], cout[0]), cout[1])
    costs = C.macs(C.term(_inputs(spatial), _kernel(k), e.named("c_in", c_in), cout_f))
    steps: list = [S.Source(e.labels.get("c_in", "c_in"), c_in, "channels")]
    labels = S.out_labels(rank)
    modes = _modes(a, e, rank) if explicit else pads
    steps += S.transposed(labels, spatial, a.kernel, a.strides, a.dilation, modes, ops, out)
    shape = positive(e, shape, zero_ok=True) if explicit else shape
    return Out(shape, weights, costs=costs, steps=steps)


def _output_padding(a: Args, e: Entry, o, s, d):
    if e.flag("padding") == "explicit":
        if D.is_num(o) and D.is_num(s) and D.is_num(d) and o >= max(s, d):
            values = f"output_padding {o}, stride {s}, dilation {d}"
            why = f"output padding must be smaller than either stride or dilation: {values}"
            e.arg_error(a, "output_padding", why)
    elif D.is_num(o) and D.is_num(s) and o >= s:
        bad_arg(f"output_padding ({o}) must be smaller than strides ({s})")


@op("depthwise_conv")
def depthwise_conv(x, a: Args, e: Entry) -> Out:
    """One kernel_size filter per input channel (times depth_multiplier)."""
    spatial, c_in, fmt = _input(x, a, e, a.rank)
    out = lengths(spatial, a, _pads(a, e, a.rank))
    dm = a.depth_multiplier
    k = kernel_axes(a.kernel)
    weights = e.weights_of(*biased(a, "kernel"), kernel=k, c_in=c_in, depth_multiplier=dm)
    named = e.named("c_in", c_in), e.named("depth_multiplier", dm)
    costs = C.macs(C.term(C.positions(out), _kernel(k), *named))
    steps = _steps(spatial, a, e, out, c_in)
    return Out(positive(e, join(out, D.mul(c_in, dm), fmt)), weights, costs=costs, steps=steps)


@op("separable_conv")
def separable_conv(x, a: Args, e: Entry) -> Out:
    """A depthwise kernel per channel, then a 1x1 pointwise kernel to filters."""
    spatial, c_in, fmt = _input(x, a, e, a.rank)
    out = lengths(spatial, a, _pads(a, e, a.rank))
    values = dict(c_in=c_in, depth_multiplier=a.depth_multiplier, filters=a.filters)
    k, ones = kernel_axes(a.kernel), [("1", 1)] * a.rank
    weights = e.weights_of(*biased(a, "depthwise", "pointwise"), kernel=k, ones=ones, **values)
    dm = a.depth_multiplier
    pos, cin, dmf = C.positions(out), e.named("c_in", c_in), e.named("depth_multiplier", dm)
    depthwise = C.term(pos, _kernel(k), cin, dmf)
    pointwise = C.term(pos, cin, dmf, e.named("filters", a.filters))
    costs = C.macs(depthwise, pointwise)
    steps = _steps(spatial, a, e, out, c_in)
    return Out(positive(e, join(out, a.filters, fmt)), weights, costs=costs, steps=steps)
