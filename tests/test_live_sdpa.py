"""ScaledDotProductAttention and RotaryEmbedding against real torch now, on
shapes hypothesis draws: accepted by both or refused by both, and then the same
output shape and buffers. The cases are built as tests/reference/ builds them
(torch's function on its reference kernel; transformers' rotary module)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.live

pytest.importorskip("torch", reason="PyTorch is not installed")
pytest.importorskip("transformers", reason="transformers is not installed")

from tests.reference.torch_cases import torch_reference  # noqa: E402
from tests.torch_differential import compare  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def attention_cases(draw):
    h, kv = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    d, dk, dv = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    lq, lk = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    lv = draw(st.sampled_from([lk, lk, lk, max(1, lk - 1)]))  # the longer value: see the kernel
    kwargs = {"num_key_value_heads": kv}
    for key, values in (
        ("enable_gqa", [True, False]),
        ("is_causal", [True, False]),
        ("scale", [1.0, 0.5]),
    ):
        if draw(st.booleans()):
            kwargs[key] = draw(st.sampled_from(values))
    others = [[lk, kv * dk], [lv, kv * dv]]
    if draw(st.booleans()):
        # a mask of three axes (the batch of 2 never meets the heads: see the sampler)
        heads = max(h, kv)
        others.append(
            [
                draw(st.sampled_from([1, heads, heads + 1])),
                draw(st.sampled_from([1, lq])),
                draw(st.sampled_from([1, lk, lk + 1])),
            ]
        )
    width = h * d + draw(st.sampled_from([0, 0, 0, 1]))
    return {
        "id": "live",
        "layer": "ScaledDotProductAttention",
        "args": [h],
        "kwargs": kwargs,
        "input_shape": [lq, width],
        "other_inputs": others,
    }


@SETTINGS
@given(attention_cases())
def test_attention_agrees_with_torch(case):
    assert compare(torch_reference(case)) == []


@SETTINGS
@given(
    d=st.integers(1, 12).map(lambda n: 2 * n),
    heads=st.integers(1, 4),
    length=st.integers(1, 6),
    base=st.sampled_from([10000.0, 500000.0]),
)
def test_rotary_agrees_with_transformers(d, heads, length, base):
    case = {
        "id": "live",
        "layer": "RotaryEmbedding",
        "args": [d],
        "kwargs": {"base": base},
        "input_shape": [length, heads * d],
    }
    result = torch_reference(case)
    assert "error" not in result
    assert compare(result) == []
