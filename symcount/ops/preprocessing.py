"""Preprocessing and augmentation: layers that resize or crop images to a
size, and Keras's Normalization, whose statistics are state. Augmentations
that keep the shape (Rescaling, RandomFlip, ...) run the identity op."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .base import Args, Entry, layout, op, resolve_axis
from .spec import Out, bad_arg, fail

ADAPTED = "statistics of the data, set by adapt()"


@op("resize")
def resize(x, a: Args, e: Entry) -> Out:
    """An image (H, W, C) to (height, width, C): resized or cropped. No weights."""
    if len(x) != 3:
        # Keras reads a rank-3 tensor as one unbatched image: symcount takes batches only
        fail(f"{e.name} expects an input of shape (H, W, C) (batch excluded); got {P.shape(x)}")
    if layout(a, e) == "channels_first":
        return Out((x[0], a.height, a.width))
    return Out((a.height, a.width, x[-1]))


@op("normalization")
def normalization(x, a: Args, e: Entry) -> Out:
    """mean and variance over the kept axes and a count, all state; none when
    the layer is given mean and variance."""
    if (a.mean is None) != (a.variance is None):
        bad_arg(f"{e.name}: give both mean and variance, or neither")
    axes = () if a.axis is None else a.axis if isinstance(a.axis, tuple) else (a.axis,)
    kept = []
    for ax in axes:
        i = resolve_axis(ax, len(x), e.name)
        if x[i] is None:
            fail(f"axis {ax}, which {e.name} keeps, must have a known size, but it is None")
        if i in kept:  # Keras fails when it builds the layer (a reshape of the statistics)
            bad_arg(f"{e.name}: axis {ax} names an axis already kept")
        kept.append(i)
    if a.mean is not None:  # the axes are checked all the same, as Keras does
        return Out(tuple(x))
    single, many = e.flag("norm_labels")
    kept.sort()
    dims = [(single if len(kept) == 1 else f"{many}_{n + 1}", x[i]) for n, i in enumerate(kept)]
    return Out(tuple(x), e.weights_of("mean", "var", "count", state=True, what=ADAPTED, dims=dims))


@op("encode")
def encode(x, a: Args, e: Entry) -> Out:
    """Integer or bucketed inputs as one-hot, multi-hot or count vectors of
    num_tokens entries (int: the bucket indices, the same shape). No weights."""
    n = _tokens(a, e)
    mode = a.output_mode
    if mode == "int":
        return Out(tuple(x))
    if mode == "one_hot":
        last = D.equal(x[-1], 1) if x and x[-1] is not None else False
        if last is None:  # Keras replaces a last axis of length 1, else adds one
            fail(f"{e.name} with output_mode=one_hot needs to know if the last axis is 1")
        return Out((*x[:-1], n) if last else (*x, n))
    if not x:  # Keras: a batch of scalars stays one
        return Out(())
    if len(x) > 1:
        # Keras's symbolic shape here, (batch, *x[:-1], n), is not what its computation
        # gives (an axis goes missing): symcount refuses rather than pick one
        fail(f"{e.name} with output_mode={mode} takes an input of rank 2 (batch included)")
    return Out((*x[:-1], n))


def _tokens(a: Args, e: Entry):
    if not hasattr(a, "bins"):
        return a.tokens
    if (a.boundaries is None) == (a.bins is None):
        bad_arg(f"{e.name}: give exactly one of bin_boundaries and num_bins")
    if a.bins is not None:
        return a.bins
    b = a.boundaries
    return len(b) + 1 if isinstance(b, tuple | list) else 2
