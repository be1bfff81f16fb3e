"""``--count-as deepspeed``: the count of DeepSpeed 0.19.8's flops profiler,
``deepspeed.profiling.flops_profiler.get_model_profile(model, ...,
as_string=False)`` (``profiler.py``), checked against it for every recorded
torch case (tests/test_live_count_calflops.py).

calflops was written from this profiler, so the rules are calflops'
(:mod:`symcount.counting.calflops`) where the two agree, and DeepSpeed's own
where it has since fixed them:

- it also patches ``torch.bmm``, ``torch.mm``, ``Tensor.__matmul__`` and
  ``F.scaled_dot_product_attention`` (MACs = q entries x keys + q's heads x
  queries x keys x the value width: H·L·S·(D + D_v)), so MultiheadAttention counts Q·Kᵀ and A·V and
  a Transformer layer its attention;
- a transposed convolution: MACs = input positions x kernel x c_in x
  filters/groups (symcount's own), the bias over torch's output positions;
- ``F.interpolate`` with a scale factor: the input's entries x the scale per
  spatial axis (``int()`` of the whole batch's, so floored); with a size,
  ``prod(size)`` as calflops.
"""

from __future__ import annotations

from .. import dims as D
from ..ops import costs as K
from . import Call, Counting, register
from . import calflops as CF

TITLE = (
    "DeepSpeed 0.19.8 flops profiler: FLOPs = 2 x MACs of Linear, matmul, bmm, "
    "scaled_dot_product_attention and convolutions, conv bias adds, activations, pooling "
    "and softmax 1 per element, norms 5 (BatchNorm in eval 2), LSTM/GRU gate work; "
    "eval mode, forward pass"
)


def conv_transpose(call: Call) -> dict:
    a = call.args
    bias = [CF.entries(call.output)] if a.bias else []
    return CF.counted([K.term(call.macs)], bias)


def upsample(call: Call) -> dict:
    a = call.args
    if a.size is not None:
        return CF.counted(extra=[CF.sized(call), *CF.area(call)])
    x = CF.shape(call)
    scale = a.scale_factor
    factor = D.prod(scale) if isinstance(scale, tuple | list) else D.power(scale, len(x) - 1)
    return CF.counted(extra=[K.term(D.floor(D.mul(D.prod(x), factor))), *CF.area(call)])


def _scores(t, s, d) -> list:
    """Q·Kᵀ and A·V over every head: t x s x d each (bmm, or SDPA)."""
    return [K.term(2, t, s, d)]


def multihead_attention(call: Call) -> dict:
    return CF.mha_parts(call, _scores)


def transformer(call: Call) -> dict:
    return CF.transformer_parts(call, _scores)


def sdpa(call: Call) -> dict:
    """``_attn_flops_compute(q, k, v)``: q's entries x the keys, and q's heads
    x queries x keys x the value width (q's heads: more key/value heads than
    query heads broadcast, and are not counted)."""
    a = call.args
    (t, w), (s, _), (_, vw) = CF.shapes(call)[:3]
    dv = D.floordiv(vw, a.num_key_value_heads or a.num_heads)
    return CF.counted([K.term(t, w, s), K.term(a.num_heads, t, s, dv)])


RULES = {
    **CF.RULES,
    **{f"ConvTranspose{r}d": conv_transpose for r in (1, 2, 3)},
    **{name: upsample for name in CF.UPSAMPLES},
    "MultiheadAttention": multihead_attention,
    **{name: transformer for name in CF.TRANSFORMERS},
    "ScaledDotProductAttention": sdpa,
}

DEEPSPEED = register(
    Counting(
        "deepspeed",
        TITLE,
        reproduces="DeepSpeed 0.19.8 get_model_profile(model, ..., as_string=False): "
        "the MNIST CNN 14,597,920 FLOPs, 7,280,480 MACs; LSTM(6 -> 64) on 100 steps "
        "3,648,000 FLOPs",
        rules=RULES,
        fallback=CF.unpatched,
        conventions=("torch",),
    )
)
