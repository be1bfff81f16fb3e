"""Keras's SpectralNormalization: a wrapped layer (run through the evaluator's
context, as Bidirectional's is) whose kernel is divided by its largest
singular value, estimated by power iteration from a vector ``u`` that Keras
keeps as a non-trainable weight, (1, the kernel's last axis)."""

from __future__ import annotations

from .. import printing as P
from .base import Args, Entry, op
from .spec import Factor, Out, Weight, bad_arg

KERNELS = {"kernel", "embeddings"}  # the weight it normalizes, by name


@op("spectral_norm")
def spectral_norm(shape, p: Args, e: Entry) -> Out:
    """The wrapped layer's weights, and u: (1, the kernel's last axis), non-trainable."""
    inner = p.layer
    # the layers whose kernel is an attribute of the layer itself (a recurrent
    # layer's is its cell's), as the convention lists them
    if inner.type_name not in e.layer.extra["wraps"]:
        bad_arg(
            f"{inner.type_name} has no attribute 'kernel' nor 'embeddings': {e.name} wraps "
            "a layer that has one (Dense, EinsumDense, Embedding, a convolution)"
        )
    out = p.ctx.run(inner, shape)
    kernel = next(w for w in out.weights if w.name in KERNELS)
    what = "spectral norm's power-iteration vector"
    u = Weight("vector_u", ((Factor("1", 1),), kernel.dims[-1]), trainable=False, what=what)
    weights = [w.renamed(f"{inner.name}/") for w in out.weights] + [u]
    note = f"vector_u {P.shape(u.shape, batch=False)}: the power iteration's vector, non-trainable"
    # the wrapped layer's compute; the power iteration (weights only) is not counted
    return Out(out.shape, weights, notes=[note], children=[(inner, out)], costs=out.costs)
