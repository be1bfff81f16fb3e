"""Reference cases for symcount's torch attention ops, which torch.nn has no
module for: ``ScaledDotProductAttention`` (the computation of
``torch.nn.functional.scaled_dot_product_attention``) and ``RotaryEmbedding``
(Hugging Face transformers' ``LlamaRotaryEmbedding``). torch_cases.py samples
and records them with the rest.

Each is built as the real code computes it: the (N, L, heads*head_dim)
projections viewed into heads and transposed, as Llama's attention does,
then torch's own function (or transformers' rotary module and
``apply_rotary_pos_emb``), and the result reshaped back. So torch's shape
checks are the reference, and the recorded tensors are the rotary module's
own buffers. PyTorch and transformers are imported only when a case is built.
"""

from __future__ import annotations

from tests.reference.sampling import coin


def _gen_sdpa(rng, name):
    h = rng.randint(1, 4)
    kv = h if coin(rng, 0.5) else rng.choice([d for d in range(1, h + 1) if h % d == 0])
    if coin(rng, 0.06):
        kv = h + 1 if h < 4 else 3  # does not divide num_heads: rejected
    d, dv = rng.randint(1, 6), rng.randint(1, 6)
    dk = d + 1 if coin(rng, 0.05) else d  # the key's heads narrower or wider: rejected
    length, keys = rng.randint(1, 6), rng.randint(1, 6)
    values = keys + 1 if coin(rng, 0.05) else keys  # key and value lengths differ: rejected
    args, kwargs = ([h], {}) if coin(rng, 0.6) else ([], {"num_heads": h})
    if kv != h or coin(rng, 0.15):
        kwargs["num_key_value_heads"] = kv
        if kv != h and not coin(rng, 0.1):  # without enable_gqa, torch rejects it
            kwargs["enable_gqa"] = True
    if coin(rng, 0.4):
        kwargs["is_causal"] = coin(rng, 0.7)
    if coin(rng, 0.3):
        kwargs["scale"] = rng.choice([1.0, 0.125])
    if coin(rng, 0.2):
        kwargs["dropout_p"] = 0.1
    others = [[keys, kv * dk], [values, kv * dv]]
    if coin(rng, 0.35):  # attn_mask: broadcast to (N, H, L, S)
        mask = [h if coin(rng) else 1, length if coin(rng) else 1, keys if coin(rng) else 1]
        if coin(rng, 0.08):
            mask = [h + 1, length, keys]  # does not broadcast: rejected
        elif h > 2 and coin(rng, 0.05):
            mask = mask[1:]  # (N, L, S): the batch (2) meets the heads, rejected
        others.append(mask)
        if kwargs.get("is_causal") and not coin(rng, 0.1):
            kwargs["is_causal"] = False  # a mask and is_causal together: rejected
    width = h * d + (1 if coin(rng, 0.04) else 0)  # not whole heads: rejected
    return {"args": args, "kwargs": kwargs, "input_shape": [length, width], "other_inputs": others}


def _gen_rotary(rng, name):
    d = 2 * rng.randint(1, 8)
    if d > 2 and coin(rng, 0.12):
        d -= 1  # odd: the pairs do not close, rejected (1 would broadcast to 2 features)
    heads = rng.randint(1, 4)
    width = heads * d  # the rotation is applied to whole heads (the module reads no width)
    args, kwargs = ([d], {}) if coin(rng, 0.7) else ([], {"head_dim": d})
    if coin(rng, 0.3):
        kwargs["base"] = rng.choice([10000.0, 500000.0, 1000000.0])
    if coin(rng, 0.2):
        kwargs["max_position_embeddings"] = rng.choice([2048, 4096])
    return {"args": args, "kwargs": kwargs, "input_shape": [rng.randint(1, 6), width]}


SAMPLERS = {"ScaledDotProductAttention": _gen_sdpa, "RotaryEmbedding": _gen_rotary}


def _arg(spec: dict, i: int, name: str, default=None):
    args = spec.get("args", [])
    return args[i] if i < len(args) else spec.get("kwargs", {}).get(name, default)


def _heads(t, n):
    """(N, L, n*d) -> (N, n, L, d), as q_proj(x).view(...).transpose(1, 2)."""
    b, length, _ = t.shape
    return t.view(b, length, n, -1).transpose(1, 2)


def _merged(t):
    """(N, n, L, d) -> (N, L, n*d), as attn_output.transpose(1, 2).reshape(...)."""
    b, n, length, d = t.shape
    return t.transpose(1, 2).reshape(b, length, n * d)


def _sdpa(spec: dict):
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel

    kw = spec.get("kwargs", {})
    h = _arg(spec, 0, "num_heads")
    kv = kw.get("num_key_value_heads") or h
    options = {
        "dropout_p": kw.get("dropout_p", 0.0),
        "is_causal": kw.get("is_causal", False),
        "scale": kw.get("scale"),
        "enable_gqa": kw.get("enable_gqa", False),
    }

    class ScaledDotProductAttention(torch.nn.Module):
        def forward(self, q, k, v, mask=None):
            f = torch.nn.functional.scaled_dot_product_attention
            # torch's reference kernel, whose checks are the function's documented
            # contract; the CPU's fused kernel, which torch picks for some inputs,
            # skips two: it accepts an attn_mask with is_causal=True, and a value
            # longer than the key
            with sdpa_kernel(SDPBackend.MATH):
                out = f(_heads(q, h), _heads(k, kv), _heads(v, kv), mask, **options)
            return _merged(out)

    return ScaledDotProductAttention()


def _rotary(spec: dict):
    import torch
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import (
        LlamaRotaryEmbedding,
        apply_rotary_pos_emb,
    )

    d = _arg(spec, 0, "head_dim")
    kw = spec.get("kwargs", {})
    config = LlamaConfig(
        head_dim=d,
        hidden_size=d,
        num_attention_heads=1,
        max_position_embeddings=kw.get("max_position_embeddings", 2048),
        rope_parameters={"rope_type": "default", "rope_theta": kw.get("base", 10000.0)},
    )

    class Rotated(LlamaRotaryEmbedding):
        """The model's rotary module (its own buffers), applied to one projection."""

        def forward(self, x):
            b, length, _ = x.shape
            heads = x.view(b, length, -1, d).transpose(1, 2)
            cos, sin = super().forward(x, torch.arange(length)[None])
            out, _ = apply_rotary_pos_emb(heads, heads, cos, sin)
            return _merged(out)

    return Rotated(config)


BUILDERS = {"ScaledDotProductAttention": _sdpa, "RotaryEmbedding": _rotary}


def build(spec: dict):
    """The module for a case of one of these ops (torch_cases.build_module)."""
    return BUILDERS[spec["layer"]](spec)
