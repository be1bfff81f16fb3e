"""Dense (Linear), Bilinear, Embedding, and the layers that keep the shape:
activations, dropouts, identities, PReLU."""

from __future__ import annotations

from .. import dims as D
from .. import printing as P
from . import costs as C
from . import shapes as S
from .base import Args, Entry, batch_axis, biased, op
from .lora import with_lora
from .spec import Out, bad_arg, fail, need_known


@op("dense")
def dense(x, a: Args, e: Entry) -> Out:
    """A kernel (c_in, units) and a bias (units) on the last axis, at any rank."""
    if not x:
        e.fail("no_features")
    hint = lambda: f"{e.name}({P.expr(a.units)})"  # noqa: E731  (only when it fails)
    c_in = e.input_size(a, "c_in", x[-1], "features", hint=hint, unknown="dense_unknown")
    weights = e.weights_of(*biased(a, "kernel"), c_in=c_in, units=a.units)
    weights = with_lora(weights, "kernel", ("lora_kernel_a", "lora_kernel_b"), a)
    # every leading axis (a sequence's steps too) is a row of the matmul
    term = C.term(C.leading(x[:-1]), e.named("c_in", c_in), e.named("units", a.units))
    steps: list = [S.Source(e.labels.get("c_in", "c_in"), c_in, "features")]
    if len(x) > 1:
        units = e.labels.get("units", "units")
        steps.append(S.last_axis(x, units, a.units))
    return Out((*x[:-1], a.units), weights, costs=C.macs(term), steps=steps)


@op("bilinear", inputs=(1, 2))
def bilinear(shapes, a: Args, e: Entry) -> Out:
    """A kernel (units, in1, in2) and a bias (units) over two inputs' last axes."""
    x1 = shapes[0]
    x2 = shapes[1] if len(shapes) > 1 else x1
    if not x1 or not x2:
        fail(f"{e.name} needs a feature axis on both inputs")
    for key, s in (("in1", x1), ("in2", x2)):
        if D.equal(getattr(a, key), s[-1]) is False:
            name = e.arg_names[key]
            e.arg_error(a, key, f"{name}={P.expr(getattr(a, key))} but the input has {s[-1]}")
    weights = e.weights_of(*biased(a, "kernel"), units=a.units, in1=a.in1, in2=a.in2)
    named = (e.named(k, getattr(a, k)) for k in ("units", "in1", "in2"))
    costs = C.macs(C.term(C.leading(x1[:-1]), *named))
    return Out((*x1[:-1], a.units), weights, costs=costs)


@op("embedding")
def embedding(x, a: Args, e: Entry) -> Out:
    """A table of vocab rows, each dim wide; any index shape."""
    idx = getattr(a, "padding_idx", None)
    if idx is not None:
        n = a.vocab
        if isinstance(idx, bool) or not D.is_int(idx):
            e.arg_error(a, "padding_idx", "padding_idx must be a literal integer or None")
        if D.is_num(n) and not -n <= idx < n:
            e.arg_error(a, "padding_idx", f"padding_idx must be within num_embeddings ({n})")
    weights = e.weights_of("table", vocab=a.vocab, dim=a.dim)
    return Out((*x, a.dim), with_lora(weights, "embeddings", LORA_EMBEDDINGS, a))


LORA_EMBEDDINGS = ("lora_embeddings_a", "lora_embeddings_b")


@op("reversible_embedding")
def reversible_embedding(x, a: Args, e: Entry) -> Out:
    """An embedding that also projects back to the vocabulary in reverse calls
    (``wte(h, reverse=true)``), with the same matrix when tied."""
    weights = e.weights_of("table", vocab=a.vocab, dim=a.dim)
    if not a.tie_weights:
        weights += e.weights_of("reverse", vocab=a.vocab, dim=a.dim)
    if a.ctx.call_kwargs.get("reverse"):
        if D.equal(x[-1], a.dim) is False:
            fail(f"a reverse call takes vectors of {e.arg_names['dim']}={a.dim}, got {x[-1]}")
        # a matmul with the table (lookups: 0)
        costs = C.macs(C.term(C.leading(x[:-1]), e.named("dim", a.dim), e.named("vocab", a.vocab)))
        return Out((*x[:-1], a.vocab), weights, costs=costs)
    notes = ["the same matrix projects back to the vocabulary in reverse calls (tied weights)"]
    return Out((*x, a.dim), weights, notes=notes if a.tie_weights else [])


def _ranks(x, a: Args, e: Entry):
    """Layers that keep the shape but take only some ranks (Softmax2d)."""
    ranks = getattr(a, "ranks", None)
    if ranks is not None and len(x) not in ranks:
        fail(f"{e.name} expects an input of shape {a.form}; got {P.shape(x)}")


@op("identity")
def identity(x, a: Args, e: Entry) -> Out:
    """Changes values only: no weights, same shape."""
    _ranks(x, a, e)
    return Out(tuple(x))


@op("dropout")
def dropout(x, a: Args, e: Entry) -> Out:
    """Zeroes entries (or channels) at random while training: same shape, no weights."""
    _ranks(x, a, e)
    if not 0 <= a.rate <= 1:
        e.arg_error(a, "rate", f"dropout probability has to be between 0 and 1, but got {a.rate}")
    return Out(tuple(x))


@op("softmax")
def softmax(x, a: Args, e: Entry) -> Out:
    """Normalizes along an axis (batch counted as 0): same shape, no weights."""
    full = len(x) + 1
    if a.axis is not None and not -full <= a.axis < full:
        name = e.arg_names["axis"]
        e.arg_error(a, "axis", f"{name}={a.axis} is out of range for an input of {full} axes")
    return Out(tuple(x))  # the batch axis is allowed: the shape is unchanged


@op("clip")
def clip(x, a: Args, e: Entry) -> Out:
    """Clips to [low, high]: same shape, no weights."""
    low = a.min_value if a.min_value is not None else a.low
    high = a.max_value if a.max_value is not None else a.high
    if not high > low:
        e.arg_error(a, "high", f"max_val ({high}) must be greater than min_val ({low})")
    return Out(tuple(x))


@op("glu")
def glu(x, a: Args, e: Entry) -> Out:
    """Halves the axis: one half gates the other. No weights."""
    i = batch_axis(e, a, "axis", x)
    n = x[i]
    if D.is_num(n) and n % 2:
        fail(f"{e.name} halves axis {a.axis}, which must have an even length; it has {n}")
    out = list(x)
    out[i] = None if n is None else D.div(n, 2)
    return Out(tuple(out))


@op("prelu")
def prelu(x, a: Args, e: Entry) -> Out:
    """Learned slopes: one per input entry shared along shared_axes (Keras), or
    one, or one per channel (PyTorch's num_parameters)."""
    if e.flag("slopes") == "channel":
        n = a.slopes
        c = x[0] if len(x) >= 1 else 1
        if not (D.is_num(n) and n == 1) and D.equal(n, c) is False:
            layer = f"{e.name}({e.arg_names['slopes']}={P.expr(n)})"
            e.arg_error(a, "slopes", f"{layer} needs 1 or the input's channels ({P.expr(c)})")
        return Out(tuple(x), e.weights_of("alpha", slopes=n))
    labels = ["d_" + str(i + 1) for i in range(len(x))]
    dims = list(zip(labels, x, strict=True))
    shared = a.shared_axes
    if shared is not None:
        for ax in shared if isinstance(shared, tuple) else (shared,):
            if not 1 <= ax <= len(x):
                bad_arg(f"shared axis {ax} is out of range 1..{len(x)}")
            dims[ax - 1] = ("1", 1)
    for label, d in dims:
        need_known(d, f"{e.name}'s input axis {label}")
    return Out(tuple(x), e.weights_of("alpha", slopes=dims))
