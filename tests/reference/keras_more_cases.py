"""Samplers for the Keras 3 layers added by issue 11 (preprocessing,
augmentation, Normalization); keras_cases.py takes them into LAYERS. Each
returns ``(args, kwargs, input_shape)`` from its own seeded draw."""

from __future__ import annotations

import random

from tests.reference.sampling import coin


def _image(rng: random.Random, df: str, none_p: float = 0.1) -> list:
    h, w = (None if coin(rng, none_p) else rng.randint(1, 16) for _ in range(2))
    c = rng.choice([1, 3, 3, 4])
    return [c, h, w] if df == "channels_first" else [h, w, c]


def _data_format(rng, kwargs) -> str:
    if coin(rng, 0.3):
        kwargs["data_format"] = rng.choice(["channels_last", "channels_first"])
    return kwargs.get("data_format", "channels_last")


def _any_shape(rng, none_p=0.1) -> list:
    return [None if coin(rng, none_p) else rng.randint(1, 10) for _ in range(rng.randint(1, 4))]


def _gen_rescaling(rng, name):
    kwargs = {"offset": round(rng.uniform(-1, 1), 2)} if coin(rng, 0.4) else {}
    return [rng.choice([1 / 255, 0.5, 2.0, 1 / 127.5])], kwargs, _any_shape(rng)


def _gen_size(rng, name):
    kwargs = {}
    df = _data_format(rng, kwargs)
    if name == "Resizing" and coin(rng, 0.3):
        kwargs["interpolation"] = rng.choice(["nearest", "bilinear", "bicubic"])
    if name == "Resizing" and coin(rng, 0.2):
        kwargs["crop_to_aspect_ratio"] = True
    return [rng.randint(1, 20), rng.randint(1, 20)], kwargs, _image(rng, df)


# name -> (positional args drawn, the keyword that may be drawn)
_AUGMENT = {
    "RandomFlip": ([], "mode"),
    "RandomRotation": (["factor"], "fill_mode"),
    "RandomZoom": (["factor"], "fill_mode"),
    "RandomTranslation": (["factor", "factor"], "fill_mode"),
    "RandomContrast": (["factor"], None),
    "RandomBrightness": (["factor"], None),
    "RandomHue": (["factor"], None),
    "RandomSaturation": (["factor"], None),
    "RandomSharpness": (["factor"], None),
    "RandomPosterization": (["bits"], None),
    "RandomShear": ([], "x_factor"),
    "RandomGrayscale": ([], "factor"),
    "RandomInvert": ([], "factor"),
    "RandomColorJitter": ([], "brightness_factor"),
    "RandomGaussianBlur": ([], "factor"),
    "RandomErasing": ([], "factor"),
    "RandomPerspective": ([], "factor"),
    "RandomElasticTransform": ([], "factor"),
    "AutoContrast": ([], None),
    "Solarization": ([], "addition_factor"),
    "Equalization": ([], None),
}
_KEYWORDS = {
    "mode": lambda rng: rng.choice(["horizontal", "vertical", "horizontal_and_vertical"]),
    "fill_mode": lambda rng: rng.choice(["reflect", "constant", "nearest", "wrap"]),
}


def _gen_augment(rng, name):
    positional, keyword = _AUGMENT[name]
    args = [
        rng.randint(1, 8) if p == "bits" else round(rng.uniform(0.05, 0.5), 2) for p in positional
    ]
    kwargs = {}
    if keyword and coin(rng, 0.5):
        kwargs[keyword] = _KEYWORDS.get(keyword, lambda r: round(r.uniform(0.05, 0.5), 2))(rng)
    # images only: Keras builds any rank, but runs only (batch, H, W, C)
    return args, kwargs, _image(rng, "channels_last")


def _gen_normalization(rng, name):
    rank = rng.randint(1, 4)
    shape = [rng.randint(1, 8) for _ in range(rank)]
    kwargs = {}
    kept = [rank]
    r = rng.random()
    if r < 0.15:
        kwargs["axis"] = None
        kept = []
    elif r < 0.45:
        ax = rng.randint(1, rank)
        kept = [ax]
        kwargs["axis"] = ax if coin(rng) else ax - rank - 1
    elif r < 0.75:
        kept = sorted(rng.sample(range(1, rank + 1), rng.randint(1, rank)))
        kwargs["axis"] = [a if coin(rng) else a - rank - 1 for a in kept]
        if coin(rng, 0.1):
            kwargs["axis"].append(kept[0] - rank - 1)  # one axis twice: rejected
    elif r < 0.8:
        kwargs["axis"] = rank + 1  # out of range: rejected
    if coin(rng, 0.1):
        kwargs["mean"], kwargs["variance"] = 0.5, 2.0  # given statistics: no weights
    if coin(rng, 0.1):
        kwargs["invert"] = True
    others = [i for i in range(1, rank + 1) if i not in kept]
    if coin(rng, 0.15):
        pick = others if others and coin(rng, 0.7) else kept or others
        if pick:
            shape[rng.choice(pick) - 1] = None  # a kept axis unknown: rejected
    return [], kwargs, shape


def _gen_adaptive_pool(rng, name):
    n = int(name[-2])
    kwargs = {}
    df = _data_format(rng, kwargs)
    sizes = [rng.randint(1, 8) for _ in range(n)]
    size = sizes[0] if n == 1 or coin(rng) else sizes
    spatial = [None if coin(rng, 0.1) else rng.randint(1, 16 if n < 3 else 8) for _ in range(n)]
    c = rng.randint(1, 8)
    shape = [c, *spatial] if df == "channels_first" else [*spatial, c]
    return [size], kwargs, shape


def _gen_category_encoding(rng, name):
    kwargs = {}
    if coin(rng, 0.7):
        kwargs["output_mode"] = rng.choice(["multi_hot", "one_hot", "count"])
    # multi_hot and count: rank 1 only (Keras's symbolic shape of more is not its eager one)
    rank = rng.randint(1, 3) if kwargs.get("output_mode") == "one_hot" else 1
    return [rng.randint(1, 20)], kwargs, [rng.choice([1, rng.randint(1, 6)]) for _ in range(rank)]


def _gen_discretization(rng, name):
    kwargs = {}
    if coin(rng, 0.6):
        kwargs["bin_boundaries"] = sorted(
            round(rng.uniform(-2, 2), 2) for _ in range(rng.randint(1, 5))
        )
    if "bin_boundaries" not in kwargs or coin(rng, 0.15):  # both: rejected
        kwargs["num_bins"] = rng.randint(2, 8)
    mode = rng.choice(["int", "one_hot", "multi_hot", "count"])
    if mode != "int" or coin(rng, 0.5):
        kwargs["output_mode"] = mode
    rank = 1 if mode in ("multi_hot", "count") else rng.randint(1, 3)
    return [], kwargs, [rng.choice([1, rng.randint(1, 6)]) for _ in range(rank)]


SAMPLERS = {
    "Rescaling": _gen_rescaling,
    "Resizing": _gen_size,
    "CenterCrop": _gen_size,
    "RandomCrop": _gen_size,
    "Normalization": _gen_normalization,
    **dict.fromkeys(_AUGMENT, _gen_augment),
    "CategoryEncoding": _gen_category_encoding,
    "Discretization": _gen_discretization,
    **{
        f"Adaptive{k}Pooling{n}D": _gen_adaptive_pool for k in ("Average", "Max") for n in (1, 2, 3)
    },
}
