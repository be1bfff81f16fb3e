"""Image layers that keep the shape but, unlike the other augmentations,
check it: Keras's RandomColorDegeneration blends each image with its
grayscale, so it takes RGB images only, (H, W, 3), even symbolically."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from .base import Args, Entry, layout, op
from .spec import Out, fail


@op("rgb_image")
def rgb_image(x, a: Args, e: Entry) -> Out:
    """The input unchanged; it must be images of 3 channels. No weights."""
    if len(x) != 3:
        # Keras also reads a rank-3 tensor as one unbatched image: symcount takes batches only
        fail(f"{e.name} expects images of shape (H, W, 3) (batch excluded); got {P.shape(x)}")
    c = x[0] if layout(a, e) == "channels_first" else x[-1]
    if c is None or D.equal(c, 3) is not True:
        fail(f"input images must have 3 channels, but they have {P.expr(c)}")
    return Out(tuple(x))
