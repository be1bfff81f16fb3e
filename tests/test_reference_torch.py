"""symcount's ``convention torch`` against recorded real-PyTorch results
(tests/reference/torch_layers.json, written by tests/reference/torch_cases.py
from torch 2.13). No framework needed.

Besides one test per recorded configuration, the coverage table below proves
that the fixtures exercise every module and option that issue 5 names (a
fixture file that silently lost, say, every ``proj_size`` case would fail
here, not pass vacuously).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from symcount.conventions import rules_for
from symcount.ops.spec import REQUIRED
from tests.reference.torch_cases import LAYERS
from tests.torch_differential import case_source, compare

FIXTURES = json.loads((Path(__file__).parent / "reference" / "torch_layers.json").read_text())
CASES = FIXTURES["cases"]
VALID = [c for c in CASES if "error" not in c]
RULES = rules_for("torch")


def arg(case: dict, name: str):
    """The value a case gives ``name`` (by position, keyword or default)."""
    kwargs = case.get("kwargs", {})
    if name in kwargs:
        return kwargs[name]
    names = [x.name for x in RULES.get(case["layer"]).args]
    i = names.index(name)
    if i < len(case.get("args", [])):
        return case["args"][i]
    default = RULES.get(case["layer"]).args[i].default
    return None if default is REQUIRED else default


def given(case: dict, name: str) -> bool:
    names = [x.name for x in RULES.get(case["layer"]).args]
    return name in case.get("kwargs", {}) or names.index(name) < len(case.get("args", []))


def anywhere(value, pred) -> bool:
    """pred on an int or on any entry of a list (a tuple in torch)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return any(pred(v) for v in items if v is not None and not isinstance(v, (str, bool)))


def anywhere_none(value) -> bool:
    return isinstance(value, list) and None in value


CONV = [f"Conv{n}d" for n in (1, 2, 3)]
TCONV = [f"ConvTranspose{n}d" for n in (1, 2, 3)]
POOLS = [f"{k}Pool{n}d" for k in ("Max", "Avg") for n in (1, 2, 3)]
ADAPTIVE = [f"Adaptive{k}Pool{n}d" for k in ("Avg", "Max") for n in (1, 2, 3)]
BN = [f"BatchNorm{n}d" for n in (1, 2, 3)]
IN = [f"InstanceNorm{n}d" for n in (1, 2, 3)]
RNNS = ["RNN", "LSTM", "GRU"]
TLAYERS = ["TransformerEncoderLayer", "TransformerDecoderLayer"]

# Every module issue 5 names, each with at least MIN_VALID valid configurations.
ISSUE_MODULES = [
    "Linear",
    *CONV,
    *TCONV,
    *POOLS,
    *ADAPTIVE,
    *BN,
    "LayerNorm",
    "GroupNorm",
    *IN,
    "Embedding",
    *RNNS,
    "MultiheadAttention",
    *TLAYERS,
    "Flatten",
    "Unflatten",
    "Dropout",
    "ReLU",
    "GELU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "LeakyReLU",
    "PixelShuffle",
    "Upsample",
    "ZeroPad2d",
    "Identity",
]
MIN_VALID = 10

# (modules, what, predicate on a case): the options issue 5 names, each seen in
# at least MIN_OPTION valid configurations of those modules.
MIN_OPTION = 3
OPTIONS = [
    (["Linear"], "in_features inferred", lambda c: c.get("omit") == "in_features"),
    (["Linear"], "in_features given", lambda c: "omit" not in c),
    (["Linear"], "bias=False", lambda c: arg(c, "bias") is False),
    (["Linear"], "input of rank > 1", lambda c: len(c["input_shape"]) > 1),
    (CONV, "padding='same'", lambda c: arg(c, "padding") == "same"),
    (CONV, "padding='valid'", lambda c: arg(c, "padding") == "valid"),
    (CONV, "padding tuple", lambda c: isinstance(arg(c, "padding"), list)),
    (CONV, "padding int > 0", lambda c: isinstance(arg(c, "padding"), int) and arg(c, "padding")),
    (CONV, "padding_mode reflect", lambda c: arg(c, "padding_mode") == "reflect"),
    (CONV, "padding_mode replicate", lambda c: arg(c, "padding_mode") == "replicate"),
    (CONV, "padding_mode circular", lambda c: arg(c, "padding_mode") == "circular"),
    (CONV, "stride > 1", lambda c: anywhere(arg(c, "stride"), lambda v: v > 1)),
    (CONV, "dilation > 1", lambda c: anywhere(arg(c, "dilation"), lambda v: v > 1)),
    (CONV, "groups > 1", lambda c: arg(c, "groups") > 1),
    (CONV, "bias=False", lambda c: arg(c, "bias") is False),
    (CONV, "in_channels inferred", lambda c: c.get("omit") == "in_channels"),
    (CONV, "in_channels given", lambda c: "omit" not in c),
    (TCONV, "output_padding > 0", lambda c: anywhere(arg(c, "output_padding"), lambda v: v > 0)),
    (TCONV, "stride > 1", lambda c: anywhere(arg(c, "stride"), lambda v: v > 1)),
    (TCONV, "dilation > 1", lambda c: anywhere(arg(c, "dilation"), lambda v: v > 1)),
    (TCONV, "groups > 1", lambda c: arg(c, "groups") > 1),
    (TCONV, "padding > 0", lambda c: anywhere(arg(c, "padding"), lambda v: v > 0)),
    (POOLS, "stride defaults to kernel_size", lambda c: arg(c, "stride") is None),
    (POOLS, "stride given", lambda c: arg(c, "stride") is not None),
    (POOLS, "padding > 0", lambda c: anywhere(arg(c, "padding"), lambda v: v > 0)),
    (POOLS, "ceil_mode=True", lambda c: arg(c, "ceil_mode") is True),
    (POOLS[:3], "dilation > 1", lambda c: anywhere(arg(c, "dilation"), lambda v: v > 1)),
    (POOLS[:3], "return_indices", lambda c: arg(c, "return_indices") is True),
    (POOLS[3:], "count_include_pad=False", lambda c: arg(c, "count_include_pad") is False),
    (ADAPTIVE, "output_size tuple", lambda c: isinstance(arg(c, "output_size"), list)),
    (ADAPTIVE, "output_size with None", lambda c: anywhere_none(arg(c, "output_size"))),
    (BN, "affine=False", lambda c: arg(c, "affine") is False),
    (BN, "track_running_stats=False", lambda c: arg(c, "track_running_stats") is False),
    (BN, "defaults (buffers)", lambda c: c["buffers"] > 0),
    (BN, "num_features inferred", lambda c: c.get("omit") == "num_features"),
    (IN, "affine=True", lambda c: arg(c, "affine") is True),
    (IN, "track_running_stats=True", lambda c: arg(c, "track_running_stats") is True),
    (
        ["LayerNorm"],
        "normalized_shape of several axes",
        lambda c: (
            isinstance(arg(c, "normalized_shape"), list) and len(arg(c, "normalized_shape")) > 1
        ),
    ),
    (["LayerNorm"], "elementwise_affine=False", lambda c: arg(c, "elementwise_affine") is False),
    (["LayerNorm"], "bias=False", lambda c: arg(c, "bias") is False),
    (["LayerNorm"], "normalized_shape inferred", lambda c: c.get("omit") == "normalized_shape"),
    (["GroupNorm"], "affine=False", lambda c: arg(c, "affine") is False),
    (["GroupNorm"], "num_groups > 1", lambda c: arg(c, "num_groups") > 1),
    (["Embedding"], "padding_idx", lambda c: arg(c, "padding_idx") is not None),
    (RNNS, "num_layers > 1", lambda c: arg(c, "num_layers") > 1),
    (RNNS, "bias=False", lambda c: arg(c, "bias") is False),
    (RNNS, "bidirectional", lambda c: arg(c, "bidirectional") is True),
    (RNNS, "batch_first", lambda c: arg(c, "batch_first") is True),
    (RNNS, "input_size inferred", lambda c: c.get("omit") == "input_size"),
    (RNNS, "input_size given", lambda c: "omit" not in c and given(c, "input_size")),
    (["LSTM"], "proj_size > 0", lambda c: arg(c, "proj_size") not in (0, None)),
    (
        ["LSTM"],
        "proj_size with bidirectional or layers",
        lambda c: (
            arg(c, "proj_size") and (arg(c, "bidirectional") is True or arg(c, "num_layers") > 1)
        ),
    ),
    (["RNN"], "nonlinearity relu", lambda c: arg(c, "nonlinearity") == "relu"),
    (
        ["MultiheadAttention"],
        "kdim != embed_dim",
        lambda c: "kdim" in c["kwargs"] and c["kwargs"]["kdim"] != c["output_shape"][-1],
    ),
    (
        ["MultiheadAttention"],
        "vdim != embed_dim",
        lambda c: "vdim" in c["kwargs"] and c["kwargs"]["vdim"] != c["output_shape"][-1],
    ),
    (["MultiheadAttention"], "bias=False", lambda c: arg(c, "bias") is False),
    (["MultiheadAttention"], "add_bias_kv", lambda c: arg(c, "add_bias_kv") is True),
    (["MultiheadAttention"], "cross-attention", lambda c: "other_inputs" in c),
    (["MultiheadAttention"], "embed_dim inferred", lambda c: c.get("omit") == "embed_dim"),
    (TLAYERS, "d_model inferred", lambda c: c.get("omit") == "d_model"),
    (TLAYERS, "norm_first", lambda c: arg(c, "norm_first") is True),
    (TLAYERS, "bias=False", lambda c: arg(c, "bias") is False),
    (["TransformerDecoderLayer"], "a memory of its own", lambda c: "other_inputs" in c),
    (["Flatten"], "start_dim given", lambda c: given(c, "start_dim")),
    (["Flatten"], "end_dim given", lambda c: given(c, "end_dim")),
    (["Unflatten"], "-1 in unflattened_size", lambda c: -1 in arg(c, "unflattened_size")),
    (["Upsample"], "scale_factor", lambda c: arg(c, "scale_factor") is not None),
    (["Upsample"], "size", lambda c: arg(c, "size") is not None),
    (["ZeroPad2d"], "four pads", lambda c: isinstance(arg(c, "padding"), list)),
    (LAYERS, "trainable=false (frozen)", lambda c: c.get("frozen") and c["non_trainable"] > 0),
]


def test_fixtures_were_made_by_torch_2_13():
    assert FIXTURES["torch_version"].startswith("2.13.")
    assert len(CASES) >= 500


def test_fixtures_cover_every_module():
    valid = Counter(c["layer"] for c in VALID)
    assert [m for m in LAYERS if m not in RULES] == []
    assert [m for m in ISSUE_MODULES if valid[m] < MIN_VALID] == []
    assert [m for m in LAYERS if valid[m] < 5] == []


@pytest.mark.parametrize(
    ("modules", "what", "pred"), OPTIONS, ids=[f"{m[0]}: {w}" for m, w, _ in OPTIONS]
)
def test_fixtures_cover_option(modules, what, pred):
    seen = [c["id"] for c in VALID if c["layer"] in modules and pred(c)]
    assert len(seen) >= MIN_OPTION, f"{what}: only {seen}"


def test_fixtures_include_rejected_configurations():
    """torch's refusals are recorded too: symcount must refuse each with its own error."""
    rejected = Counter(c["layer"] for c in CASES if "error" in c)
    assert sum(rejected.values()) >= 40
    wrong_size = [c for c in CASES if "error" in c and "omit" not in c and c["layer"] in CONV]
    assert wrong_size, "no convolution with a wrong in_channels"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matches_torch(case):
    assert compare(case) == [], case_source(case)
