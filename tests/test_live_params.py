"""Live differential tests of Parameter, LayerScale, StochasticDepth and torch's
tensor methods (Transpose, Permute, View, Reshape): seeded random shapes and
arguments built in real torch and Keras now, compared with symcount (shape,
counts, or both refusing); and ViT's embedding stage written under torch,
compared with transformers' ViTEmbeddings on the meta device.
Skipped without the frameworks."""

from __future__ import annotations

import math
import os
import random

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch", reason="torch is not installed")

import symcount  # noqa: E402
from symcount.errors import ArgumentError, ShapeError, SymcountError  # noqa: E402

pytestmark = pytest.mark.live

B = 7  # the batch: no parameter axis drawn below is 7, so one meeting the batch fails in torch
TORCH = "convention torch\n"
N = 60


def _dims(shape) -> str:
    return ", ".join(map(str, shape))


def _ours(src):
    """(output shape, total, trainable) or the error symcount raised."""
    try:
        m = symcount.parse(src)
    except SymcountError as e:
        return e
    return tuple(m.rows[-1].output_shape), m.total, m.trainable


def _shape(rng, low=1, high=4, rank=(1, 4)):
    return [rng.randint(low, high) for _ in range(rng.randint(*rank))]


# torch's tensor methods ------------------------------------------------------------


def _tensor_case(rng):
    shape = _shape(rng, 1, 5)
    n = len(shape) + 1
    kind = rng.choice(["transpose", "permute", "view", "reshape"])
    if kind == "transpose":
        args = [rng.randint(-n - 1, n) for _ in range(2)]
        return shape, kind, args, f"Transpose({_dims(args)})"
    if kind == "permute":
        dims = list(range(n))
        rng.shuffle(dims)
        if rng.random() < 0.5:  # keep the batch first, as symcount needs
            dims.remove(0)
            dims.insert(0, 0)
        if rng.random() < 0.2:
            dims = dims[:-1]  # too few
        if rng.random() < 0.2:
            dims = [d - n if rng.random() < 0.5 else d for d in dims]  # negatives
        return shape, kind, dims, f"Permute({_dims(dims)})"
    size = math.prod(shape)
    sizes = []
    left = size
    for _ in range(rng.randint(1, 3)):
        d = rng.choice([d for d in range(1, left + 1) if left % d == 0])
        sizes.append(d)
        left //= d
    if left > 1:
        sizes.append(left)
    if rng.random() < 0.4:
        sizes[rng.randrange(len(sizes))] = -1
    if rng.random() < 0.15:
        sizes[rng.randrange(len(sizes))] += 1  # does not divide, or does not match
    name = "View" if kind == "view" else "Reshape"
    return shape, kind, sizes, f"{name}({_dims(sizes)})"


def _torch_run(shape, kind, args):
    x = torch.zeros(B, *shape)
    if kind == "transpose":
        return x.transpose(*args)
    if kind == "permute":
        return x.permute(*args)
    return getattr(x, kind)(B, *args)  # symcount's sizes are those after the batch


@pytest.mark.parametrize("i", range(N))
def test_tensor_methods_match_torch(i):
    rng = random.Random(f"tensor/{i}")
    shape, kind, args, call = _tensor_case(rng)
    ours = _ours(f"{TORCH}input({_dims(shape)}) -> {call}")
    try:
        y = _torch_run(shape, kind, args)
    except (RuntimeError, IndexError) as e:
        assert isinstance(ours, SymcountError), (call, shape, str(e))
        return
    if y.shape[0] != B:  # torch moved the batch: symcount refuses, saying why
        assert isinstance(ours, ArgumentError) and "moves the batch axis" in ours.message
        return
    assert not isinstance(ours, SymcountError), (call, shape, ours)
    assert ours == (tuple(y.shape[1:]), 0, 0)


# Parameter meeting batched tensors -------------------------------------------------


def _param_case(rng):
    """A batched tensor and a parameter broadcast together (or joined)."""
    x = _shape(rng, 1, 4, (1, 3))
    full = [B, *x]
    k = rng.randint(0, len(full))  # the parameter's rank: up to the tensor's, batch included
    p = [rng.choice([1, d]) if d != B else 1 for d in full[len(full) - k :]]
    if rng.random() < 0.2 and p:
        p[rng.randrange(len(p))] = rng.choice([2, 3, 5])  # a mismatch, or a growing 1
    if rng.random() < 0.1:
        p = [1, *p]  # more axes than the tensor
    return x, p


@pytest.mark.parametrize("op", ["Add", "Multiply", "Subtract"])
@pytest.mark.parametrize("i", range(N // 3))
def test_parameter_broadcasts_as_torch_does(op, i):
    rng = random.Random(f"param/{op}/{i}")
    x, p = _param_case(rng)
    args = "x, g" if rng.random() < 0.5 else "g, x"
    src = f"{TORCH}x = input({_dims(x)}); g = Parameter(({_dims(p)}{',' if len(p) == 1 else ''})); {op}({args})"
    ours = _ours(src)
    fn = {"Add": torch.add, "Multiply": torch.mul, "Subtract": torch.sub}[op]
    tx, tp = torch.zeros(B, *x), torch.nn.Parameter(torch.zeros(tuple(p)))
    try:
        y = fn(tx, tp) if args == "x, g" else fn(tp, tx)
    except RuntimeError as e:
        assert isinstance(ours, ShapeError), (src, str(e))
        return
    if y.dim() != len(x) + 1 or y.shape[0] != B:  # more axes than the tensor: refused
        assert isinstance(ours, ShapeError) and "before the batch" in ours.message
        return
    assert not isinstance(ours, SymcountError), (src, ours)
    assert ours == (tuple(y.shape[1:]), tp.numel(), tp.numel())


@pytest.mark.parametrize("i", range(N // 2))
def test_parameter_joins_as_expand_then_cat(i):
    rng = random.Random(f"cat/{i}")
    x = _shape(rng, 1, 4, (1, 3))
    p = [1, *x]
    dim = rng.randint(1, len(x))
    p[dim] = rng.randint(1, 3)
    if rng.random() < 0.2:
        p[0] = 2
    if rng.random() < 0.2:
        p = p[1:]
    ours = _ours(
        f"{TORCH}x = input({_dims(x)}); c = Parameter({_dims(p)}); Concatenate(c, x, dim={dim})"
    )
    tp = torch.nn.Parameter(torch.zeros(tuple(p)))
    try:
        y = torch.cat([tp.expand(B, *([-1] * (len(p) - 1))), torch.zeros(B, *x)], dim=dim)
    except (RuntimeError, IndexError) as e:  # expand needs the leading 1; cat, equal ranks
        assert isinstance(ours, ShapeError), (p, x, dim, str(e))
        return
    assert ours == (tuple(y.shape[1:]), tp.numel(), tp.numel())


def test_requires_grad_false_is_frozen():
    p = torch.nn.Parameter(torch.zeros(3, 4), requires_grad=False)
    m = symcount.parse(f"{TORCH}Parameter(3, 4, requires_grad=false)")
    assert (m.total, m.trainable, m.non_trainable) == (p.numel(), 0, p.numel())


# Keras: LayerScale, StochasticDepth, a custom layer's weight --------------------------


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras", reason="Keras is not installed")


@pytest.mark.parametrize("i", range(N // 2))
def test_layer_scale_matches_keras_applications(keras, i):
    from keras.src.applications.convnext import LayerScale

    rng = random.Random(f"layer_scale/{i}")
    x = [*_shape(rng, 1, 5, (0, 2)), rng.choice([1, 4, 8, 16])]
    dim = x[-1] if rng.random() < 0.7 else rng.choice([1, 3, 8])
    init = rng.choice([1e-6, 0.1, 1.0])
    ours = _ours(f"input({_dims(x)}) -> LayerScale({init}, {dim})")
    layer = LayerScale(init, dim)
    try:
        y = layer(keras.Input(tuple(x)))
    except Exception as e:
        assert isinstance(ours, ShapeError), (x, dim, str(e))
        return
    n = sum(math.prod(w.shape) for w in layer.trainable_weights)
    assert ours == (tuple(y.shape[1:]), n, n)


def test_stochastic_depth_keeps_the_shape(keras):
    from keras.src.applications.convnext import StochasticDepth

    y = StochasticDepth(0.1)(keras.Input((7, 7, 96)))
    assert _ours("input(7, 7, 96) -> StochasticDepth(0.1)") == (tuple(y.shape[1:]), 0, 0)


@pytest.mark.parametrize("i", range(N // 3))
def test_keras_parameter_is_a_custom_layers_weight(keras, i):
    """A layer that adds a weight with add_weight and combines it with keras.ops."""
    rng = random.Random(f"keras_param/{i}")
    x, p = _param_case(rng)
    join = rng.random() < 0.3

    class AddWeight(keras.layers.Layer):
        def build(self, _):
            self.w = self.add_weight(shape=tuple(p), initializer="zeros")

        def call(self, t):
            if join:
                w = keras.ops.broadcast_to(self.w, (keras.ops.shape(t)[0], *p[1:]))
                return keras.ops.concatenate([w, t], axis=1)
            return t * self.w

    merge = "Concatenate(g, x, axis=1)" if join else "Multiply(x, g)"
    ours = _ours(
        f"x = input({_dims(x)}); g = Parameter(({_dims(p)}{',' if len(p) == 1 else ''})); {merge}"
    )
    layer = AddWeight()
    try:
        y = layer(keras.Input(tuple(x), batch_size=B))
    except Exception as e:
        assert isinstance(ours, ShapeError), (x, p, join, str(e))
        return
    if len(y.shape) != len(x) + 1 or y.shape[0] != B:
        assert isinstance(ours, ShapeError), (x, p, join, y.shape)
        return
    n = math.prod(p)
    assert ours == (tuple(y.shape[1:]), n, n), (x, p, join)


# ViT's embedding stage under torch -----------------------------------------------

VIT_EMBEDDINGS = """convention torch
x = input(3, 224, 224) -> Conv2d(768, 16, stride=16, name=projection) -> Flatten(2) -> Transpose(1, 2)
cls = Parameter(1, 1, 768, name=cls_token)
pos = Parameter(1, 197, 768, name=position_embeddings)
h = Concatenate(cls, x, dim=1)
Add(h, pos) -> Dropout(0.0)
"""


@pytest.fixture(scope="module")
def vit_embeddings():
    transformers = pytest.importorskip("transformers", reason="transformers is not installed")
    from transformers.models.vit.modeling_vit import ViTEmbeddings

    with torch.device("meta"):
        module = ViTEmbeddings(transformers.ViTConfig())
        out = module(torch.zeros(1, 3, 224, 224))
    return module, out


def test_vit_embeddings_match_transformers(vit_embeddings):
    module, out = vit_embeddings
    ours = symcount.parse(VIT_EMBEDDINGS)
    assert ours.total == sum(p.numel() for p in module.parameters()) == 742_656
    assert ours.outputs == [tuple(out.shape[1:])] == [(197, 768)]
    theirs = {name: tuple(p.shape) for name, p in module.named_parameters()}
    mine = {}
    for row in ours.rows:
        for w in row.weights:
            key = w.name if row.type == "Parameter" else f"patch_embeddings.{row.name}.{w.name}"
            mine[key] = tuple(w.shape)
    assert mine == theirs
