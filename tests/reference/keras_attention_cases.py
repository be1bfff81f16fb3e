"""Samplers for Keras's GroupQueryAttention, Attention and AdditiveAttention
(issue 11); keras_cases.py takes them into LAYERS. Each returns ``(args,
kwargs, input_shape, extra)`` from its own seeded draw; ``extra`` may give
the case two more keys: ``other_inputs`` (the value's and the key's shapes:
cross-attention) and ``call_kwargs`` (``return_attention_scores``,
``use_causal_mask``).

Self-attention is the query alone (``input_shape``), called as Keras writes
it: ``layer(x, x)`` (GroupQueryAttention), ``layer([x, x])`` (Attention and
AdditiveAttention, which take a list)."""

from __future__ import annotations

import random

from tests.reference.sampling import coin


def _length(rng: random.Random, none_p: float = 0.15):
    return None if coin(rng, none_p) else rng.randint(1, 10)


def _call_kwargs(rng: random.Random) -> dict:
    out = {}
    if coin(rng, 0.2):
        out["return_attention_scores"] = True
    if coin(rng, 0.2):
        out["use_causal_mask"] = True
    return out


def _kv_shapes(rng: random.Random, lead: list, d_value, d_key, tv) -> list:
    """[value] or [value, key]: the key the value's length, or (rarely) not."""
    value = [*lead, tv, d_value]
    if coin(rng, 0.5):
        return [value]
    tk = tv if coin(rng, 0.85) else rng.choice([None, rng.randint(1, 10)])
    return [value, [*lead, tk, d_key]]


def _gen_gqa(rng: random.Random, name: str):
    kv = rng.randint(1, 4)
    heads = kv * rng.randint(1, 3) if coin(rng, 0.9) else rng.randint(1, 8)  # may not divide
    args = [rng.randint(1, 8), heads, kv]
    kwargs = {}
    if coin(rng, 0.3):
        kwargs["use_bias"] = False
    if coin(rng, 0.2):
        kwargs["use_gate"] = True
    if coin(rng, 0.2):
        kwargs["dropout"] = round(rng.uniform(0.05, 0.5), 2)
    if coin(rng, 0.1):
        kwargs["flash_attention"] = True  # with dropout: rejected
    if coin(rng, 0.15):
        kwargs["sliding_window"] = rng.randint(1, 6)
    d = rng.randint(1, 16)
    query = [_length(rng), d]
    if coin(rng, 0.05):
        query = [rng.randint(1, 4), *query]  # rank 4: built, but Keras cannot run it
    extra = {"call_kwargs": _call_kwargs(rng)}
    if coin(rng, 0.6):
        d_value = d if coin(rng, 0.9) else rng.randint(1, 16)  # unequal: rejected
        extra["other_inputs"] = _kv_shapes(rng, [], d_value, rng.randint(1, 16), _length(rng))
    return args, kwargs, query, extra


def _gen_score(rng: random.Random, name: str):
    kwargs = {}
    if coin(rng, 0.5):
        kwargs["use_scale"] = name == "Attention"  # the other default
    if name == "Attention" and coin(rng, 0.4):
        kwargs["score_mode"] = "concat"
    if coin(rng, 0.2):
        kwargs["dropout"] = round(rng.uniform(0.05, 0.5), 2)
    lead = [rng.randint(1, 3) for _ in range(rng.choice([0, 0, 0, 1]))]
    d = None if coin(rng, 0.05) else rng.randint(1, 12)
    query = [*lead, _length(rng), d]
    extra = {"call_kwargs": _call_kwargs(rng)}
    if coin(rng, 0.7):
        r = rng.random()
        d_key = d if r < 0.8 else 1 if r < 0.85 else rng.randint(1, 12)  # may not match
        v_lead = [x if coin(rng, 0.85) else rng.choice([1, x + 1]) for x in lead]
        d_value = rng.randint(1, 12)
        others = _kv_shapes(rng, v_lead, d_value, d_key, _length(rng))
        if len(others) == 1:
            others[0][-1] = d_key  # the value is the key: its features meet the query's
        extra["other_inputs"] = others
    return [], kwargs, query, extra


SAMPLERS = {
    "GroupQueryAttention": _gen_gqa,
    "Attention": _gen_score,
    "AdditiveAttention": _gen_score,
}


# --- calling the layer in real Keras ----------------------------------------------


def call(layer, case: dict, tensors: list):
    """The layer on the query (and the value and key), as Keras's code calls it."""
    kwargs = case.get("call_kwargs", {})
    if len(tensors) == 1:
        tensors = [tensors[0], tensors[0]]  # self-attention: the value is the query
    if case["layer"] == "GroupQueryAttention":
        return layer(*tensors, **kwargs)
    return layer(list(tensors), **kwargs)


def source(case: dict, layer_text: str, dims) -> str:
    """The case as symcount source: a chain for self-attention, else the layer
    applied to named inputs (q, v, k), with the call's keywords."""
    shapes = [case["input_shape"], *case.get("other_inputs", [])]
    names = ["q", "v", "k"][: len(shapes)]
    lines = [f"{n} = input({dims(s)})" for n, s in zip(names, shapes, strict=True)]
    kwargs = [f"{k}={'true' if v else 'false'}" for k, v in case.get("call_kwargs", {}).items()]
    return "\n".join([*lines, f"{layer_text}({', '.join([*names, *kwargs])})"])
