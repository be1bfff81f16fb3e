"""Preprocessing and augmentation: layers that resize or crop images to a
size, and Keras's Normalization, whose statistics are state. Augmentations
that keep the shape (Rescaling, RandomFlip, ...) run the identity op."""

from __future__ import annotations

from .. import printing as P
from .base import Args, Entry, layout, op, resolve_axis
from .spec import Out, bad_arg, fail


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
    return Out(tuple(x), e.weights_of("mean", "var", "count", state=True, dims=dims))
