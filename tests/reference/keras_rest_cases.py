"""Samplers for the last Keras 3 layers issue 11 added (RNN with cells,
EinsumDense, SpectralNormalization, RandomColorDegeneration); keras_cases.py
takes them into LAYERS. Each returns ``(args, kwargs, input_shape)`` from its
own seeded draw."""

from __future__ import annotations

import random

from tests.reference.sampling import coin

_CELLS = ("LSTMCell", "GRUCell", "SimpleRNNCell")


def _cell(rng: random.Random) -> dict:
    name = rng.choice(_CELLS)
    kwargs = {}
    if coin(rng, 0.25):
        kwargs["use_bias"] = False
    if name == "GRUCell" and coin(rng, 0.4):
        kwargs["reset_after"] = False
    if coin(rng, 0.1):
        kwargs["dropout"] = 0.2
    if coin(rng, 0.1):
        kwargs["trainable"] = False
    return {"layer": name, "args": [rng.randint(1, 12)], "kwargs": kwargs}


def _gen_rnn(rng, name):
    r = rng.random()
    if r < 0.5:
        cell = _cell(rng)
    else:
        cells = [_cell(rng) for _ in range(rng.randint(1, 3))]
        cell = cells if r < 0.75 else {"layer": "StackedRNNCells", "args": [cells]}
    kwargs = {}
    for key in ("return_sequences", "return_state", "go_backwards", "unroll"):
        if coin(rng, 0.35):
            kwargs[key] = True
    if coin(rng, 0.05):
        kwargs["stateful"] = True  # needs a static batch size: rejected
    t = None if coin(rng, 0.15) else rng.randint(1, 10)
    shape = [t, rng.randint(1, 8)]
    if coin(rng, 0.05):
        shape = shape[1:]  # no time axis: rejected
    return [cell], kwargs, shape


def _letters(rng, n, used):
    pool = [c for c in "bcdefghijklmnopq" if c not in used]
    rng.shuffle(pool)
    return pool[:n]


def _gen_einsum_dense(rng, name):
    """An equation in one of Keras's three forms, of the input's rank."""
    rank = rng.randint(1, 3)
    form = rng.choice(["plain", "plain", "left", "right"])
    axes = _letters(rng, rank, "a")
    sizes = {c: rng.randint(1, 8) for c in axes}
    shape = [sizes[c] for c in axes]
    role = {c: rng.choice(["contract", "keep", "keep_kernel"]) for c in axes}
    named = axes  # the input letters the equation writes
    if form == "left":
        named = axes[-rng.randint(max(1, rank - 1), rank) :]  # at most one axis under ...
        for c in axes:
            if c not in named:
                role[c] = "elided"
    elif form == "right":
        if rank < 2:
            form = "plain"
        else:
            named = axes[: rng.randint(1, rank - 1)]
            for c in axes[len(named) :]:
                role[c] = "elided"
    if all(role[c] != "contract" for c in named):
        role[named[-1]] = "contract"
    new = _letters(rng, rng.randint(0, 2), "a" + "".join(axes))
    kernel = [c for c in named if role[c] in ("contract", "keep_kernel")] + new
    if not kernel:
        new = _letters(rng, 1, "a" + "".join(axes))
        kernel = new
    rng.shuffle(kernel)
    kept = [c for c in named if role[c] in ("keep", "keep_kernel")] + new
    rng.shuffle(kept)
    out_sizes = {c: rng.randint(1, 8) for c in new}
    batch = "" if form == "left" else "a"
    inp = batch + "".join(named)
    outp = batch + "".join(kept)
    if form == "left":
        eq = f"...{inp},{''.join(kernel)}->...{outp}"
    elif form == "right":
        eq = f"{inp}...,{''.join(kernel)}->{outp}..."
    else:
        eq = f"{inp},{''.join(kernel)}->{outp}"
    output_shape = []
    for c in kept:
        if c in out_sizes:
            output_shape.append(out_sizes[c])
        elif coin(rng, 0.05):
            output_shape.append(sizes[c] + 1)  # not the input's: rejected
        else:
            output_shape.append(None if coin(rng, 0.5) else sizes[c])
    kwargs = {}
    if kept and coin(rng, 0.6):
        picked = [c for c in kept if coin(rng)] or kept[-1:]
        kwargs["bias_axes"] = "".join(picked)
    elif coin(rng, 0.05):
        kwargs["bias_axes"] = "z"  # not an output axis: rejected
    if coin(rng, 0.1):
        kwargs["activation"] = "relu"
    if coin(rng, 0.08):
        shape[rng.randrange(rank)] = None  # unknown: rejected where a kernel axis needs it
    out = output_shape[0] if len(output_shape) == 1 and coin(rng, 0.4) else output_shape
    return [eq, out], kwargs, shape


def _gen_spectral_normalization(rng, name):
    kind = rng.choice(
        [
            "Dense",
            "Dense",
            "Conv1D",
            "Conv2D",
            "Conv2DTranspose",
            "DepthwiseConv2D",
            "Embedding",
            "EinsumDense",
            "LSTM",
            "SeparableConv2D",
        ]
    )
    kwargs = {}
    if coin(rng, 0.3):
        kwargs["power_iterations"] = rng.choice([0, 2, 3])
    inner_kwargs = {"use_bias": False} if kind != "Embedding" and coin(rng, 0.3) else {}
    if kind in ("Embedding", "EinsumDense", "LSTM"):
        inner_kwargs = {}
    n = rng.randint(1, 8)
    if kind == "Dense":
        inner, shape = [n], [rng.randint(1, 8) for _ in range(rng.randint(1, 3))]
    elif kind == "Embedding":
        inner, shape = [rng.randint(2, 20), n], [rng.randint(1, 8)]
    elif kind == "EinsumDense":
        inner, shape = ["abc,cd->abd", [None, n]], [rng.randint(1, 6), rng.randint(1, 8)]
    elif kind == "LSTM":
        inner, shape = [n], [rng.randint(1, 6), rng.randint(1, 8)]
    elif kind == "Conv1D":
        inner, shape = [n, rng.randint(1, 3)], [rng.randint(3, 10), rng.randint(1, 4)]
    elif kind == "DepthwiseConv2D":
        inner, shape = (
            [rng.randint(1, 3)],
            [rng.randint(3, 9), rng.randint(3, 9), rng.randint(1, 4)],
        )
        if coin(rng):
            inner_kwargs["depth_multiplier"] = rng.randint(1, 3)
    else:
        inner = [n, rng.randint(1, 3)]
        shape = [rng.randint(3, 9), rng.randint(3, 9), rng.randint(1, 4)]
    return [{"layer": kind, "args": inner, "kwargs": inner_kwargs}], kwargs, shape


def _gen_color_degeneration(rng, name):
    kwargs = {}
    df = "channels_last"
    if coin(rng, 0.3):
        df = kwargs["data_format"] = rng.choice(["channels_last", "channels_first"])
    c = rng.choice([1, 3, 3, 3, 4])
    h, w = (None if coin(rng, 0.1) else rng.randint(1, 12) for _ in range(2))
    shape = [c, h, w] if df == "channels_first" else [h, w, c]
    return [round(rng.uniform(0.05, 0.9), 2)], kwargs, shape


SAMPLERS = {
    "RNN": _gen_rnn,
    "EinsumDense": _gen_einsum_dense,
    "SpectralNormalization": _gen_spectral_normalization,
    "RandomColorDegeneration": _gen_color_degeneration,
}


def tie_symbols(case: dict, sym_case: dict, values: dict) -> None:
    """For test_symbolic: an EinsumDense output_shape entry of an axis the input
    shares must be the input's own length, so its symbol is the input's; and
    RandomColorDegeneration's channel axis must be 3, which a symbol is not known to be."""
    shape = sym_case["input_shape"]
    if case["layer"] == "RandomColorDegeneration" and len(shape) == 3:
        i = 0 if case["kwargs"].get("data_format") == "channels_first" else -1
        if shape[i] is not None:
            shape[i] = values.pop(str(shape[i]))
    if case["layer"] != "EinsumDense" or not isinstance(sym_case["args"][1], list):
        return
    left, rest = case["args"][0].startswith("..."), case["args"][0].replace("...", "")
    inp, _, outp = rest.replace("->", ",").split(",")
    out = sym_case["args"][1]
    for i, c in enumerate(outp if left else outp[1:]):
        if c not in inp or out[i] is None:
            continue
        j = len(shape) - len(inp) + inp.index(c) if left else inp.index(c) - 1
        if shape[j] is not None:
            values.pop(str(out[i]), None)
            out[i] = shape[j]
