"""examples/vit_base.sc against Hugging Face's ViTModel, built on the meta
device (shapes without memory) at several configurations: total, trainable,
buffers (none), the two outputs' shapes from a forward pass on meta pixel
values, and each part (the embeddings and their parameters, every layer and
its projections, the final layernorm, the pooler). The classification
variant the example's comments describe is checked against
ViTForImageClassification. Skipped without torch and transformers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcount

pytestmark = pytest.mark.live

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
transformers = pytest.importorskip(
    "transformers", reason="transformers is not installed: pip install -e '.[frameworks]'"
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "vit_base.sc"

# name: ViTConfig keywords; the example's symbols are read off the config
CONFIGS = {
    "vit-base": {},  # ViTConfig()'s defaults are ViT-base/16 at 224
    "vit-small": dict(hidden_size=384, num_attention_heads=6, intermediate_size=1536),
    "vit-large": dict(
        hidden_size=1024, num_attention_heads=16, num_hidden_layers=24, intermediate_size=4096
    ),
    "vit-base-32-384": dict(patch_size=32, image_size=384),
    # 3 heads do not divide 10 (head_dim 3: the projections are 9 wide) and
    # patches of 6 do not tile 20 (3 x 3 patches, the last 2 pixels dropped)
    "tiny-floors": dict(
        hidden_size=10,
        num_attention_heads=3,
        num_hidden_layers=2,
        intermediate_size=8,
        image_size=20,
        patch_size=6,
    ),
    "tiny": dict(
        hidden_size=16,
        num_attention_heads=4,
        num_hidden_layers=1,
        intermediate_size=24,
        image_size=32,
        patch_size=8,
    ),
}
KNOWN = {"vit-base": 86_389_248, "vit-large": 304_351_232, "vit-base-32-384": 88_118_784}

POOLER = "pooler_output = last_hidden_state -> pooler\noutput last_hidden_state, pooler_output\n"
CLASSIFIER = "last_hidden_state[:, 0, :] -> Linear(d, num_labels, name=classifier)\n"
# name: (ViTConfig keywords, num_labels)
CLASSIFIERS = {"vit-base-imagenet": ({}, 1000), "tiny": (CONFIGS["tiny"], 5)}


def sizes(config) -> dict:
    """The example's symbols, read off a ViTConfig."""
    return {
        "d": config.hidden_size,
        "H": config.num_attention_heads,
        "L": config.num_hidden_layers,
        "ff": config.intermediate_size,
        "P": config.patch_size,
        "S": config.image_size,
    }


def numel(tensors) -> int:
    return sum(t.numel() for t in tensors)


def pixels(config):
    side = config.image_size
    return torch.zeros((2, config.num_channels, side, side), device="meta")


@pytest.fixture(scope="module")
def symbolic():
    return symcount.load(EXAMPLE)


@pytest.fixture(scope="module", params=list(CONFIGS))
def pair(request):
    config = transformers.ViTConfig(**CONFIGS[request.param])
    with torch.device("meta"):
        hf = transformers.ViTModel(config)
    values = sizes(config)
    return request.param, hf, values, symcount.load(EXAMPLE, values=values)


def test_the_example_is_symbolic_in_every_size(symbolic):
    assert set(symbolic.symbols) == {"d", "H", "L", "ff", "P", "S"}
    assert symbolic.totals["buffers"] == 0
    assert [r.name for r in symbolic.rows] == ["embeddings", "repeat", "layernorm", "pooler"]
    assert [t.name for t in symbolic.graph.outputs] == ["last_hidden_state", "pooler_output"]


def test_the_configs_hold_what_the_example_fixes(pair):
    _, hf, _, _ = pair
    c = hf.config
    assert (c.num_channels, c.qkv_bias, c.hidden_act, c.pooler_act) == (3, True, "gelu", "tanh")
    assert c.layer_norm_eps == 1e-12 and c.pooler_output_size == c.hidden_size
    assert c.hidden_dropout_prob == c.attention_probs_dropout_prob == 0.0


def test_counts_match_transformers(pair, symbolic):
    name, hf, values, ours = pair
    total = numel(hf.parameters())
    assert ours.total == total
    assert ours.trainable == numel(p for p in hf.parameters() if p.requires_grad) == total
    assert ours.totals["buffers"] == numel(hf.buffers()) == 0
    # the symbolic counts, substituted, are the numeric model's
    at = symbolic.subs(values)
    assert (at.total, at.trainable, at.totals["buffers"]) == (total, total, 0)
    if name in KNOWN:
        assert total == KNOWN[name]


def test_the_outputs_are_the_hidden_states_and_the_pooled_token(pair, symbolic):
    _, hf, values, ours = pair
    with torch.no_grad():
        out = hf(pixel_values=pixels(hf.config))
    theirs = [tuple(out.last_hidden_state.shape[1:]), tuple(out.pooler_output.shape[1:])]
    tokens = (values["S"] // values["P"]) ** 2 + 1
    assert theirs == [(tokens, values["d"]), (values["d"],)]
    assert [tuple(t.shape) for t in ours.graph.outputs] == theirs
    substituted = [tuple(t.shape) for t in symbolic.subs(values).graph.outputs]
    assert substituted == theirs


def test_the_embeddings_match(pair):
    _, hf, values, ours = pair
    e = hf.embeddings
    row = ours.row("embeddings")
    assert row.params == numel(e.parameters())
    patches, cls, pos = row.children[:3]
    assert patches.params == numel(e.patch_embeddings.parameters())
    assert tuple(patches.output_shape) == (e.patch_embeddings.num_patches, values["d"])
    (projection,) = patches.children[:1]
    assert projection.name == "projection"
    assert {w.name: tuple(w.shape) for w in projection.weights} == {
        n: tuple(p.shape) for n, p in e.patch_embeddings.projection.named_parameters()
    }
    for mine, theirs in ((cls, e.cls_token), (pos, e.position_embeddings)):
        assert [tuple(w.shape) for w in mine.weights] == [tuple(theirs.shape)]


def test_each_layer_matches(pair):
    _, hf, _, ours = pair
    layers = ours.row("repeat").children
    assert len(layers) == len(hf.layers)
    for mine, theirs in zip(layers, hf.layers, strict=True):
        assert mine.params == numel(theirs.parameters())
        before, attention, _, _, after, mlp, _, _ = mine.children
        assert before.params == numel(theirs.layernorm_before.parameters())
        assert after.params == numel(theirs.layernorm_after.parameters())
        a = theirs.attention
        projections = (a.q_proj, a.k_proj, a.v_proj)
        q, k, v, sdpa, o = attention.children
        assert sdpa.type == "ScaledDotProductAttention"
        assert [x.params for x in (q, k, v, o)] == [
            numel(x.parameters()) for x in (*projections, a.o_proj)
        ]
        assert [tuple(x.output_shape[1:]) for x in (q, k, v, o)] == [
            (x.out_features,) for x in (*projections, a.o_proj)
        ]
        fc1, _, fc2 = mlp.children
        assert [fc1.params, fc2.params] == [
            numel(theirs.mlp.fc1.parameters()),
            numel(theirs.mlp.fc2.parameters()),
        ]


def test_the_final_layernorm_and_the_pooler_match(pair):
    _, hf, _, ours = pair
    assert ours.row("layernorm").params == numel(hf.layernorm.parameters())
    pooler = ours.row("pooler")
    assert pooler.params == numel(hf.pooler.parameters())
    assert [c.type for c in pooler.children] == ["GetItem", "Linear", "Tanh"]
    assert pooler.children[1].name == "dense"


@st.composite
def small_configs(draw) -> dict:
    """Small ViTConfigs, heads that need not divide the width (but at most as
    many: HF's head_dim would be 0) and patches that need not tile the image."""
    heads, patch = draw(st.integers(1, 6)), draw(st.integers(1, 9))
    return dict(
        hidden_size=draw(st.integers(heads, 24)),
        num_attention_heads=heads,
        num_hidden_layers=draw(st.integers(1, 2)),
        intermediate_size=draw(st.integers(1, 16)),
        patch_size=patch,
        image_size=draw(st.integers(patch, 3 * patch + 2)),
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_configs())
def test_random_configurations_match(symbolic, keywords):
    config = transformers.ViTConfig(**keywords)
    with torch.device("meta"):
        hf = transformers.ViTModel(config)
        out = hf(pixel_values=pixels(config))
    ours = symbolic.subs(sizes(config))
    assert ours.total == ours.trainable == numel(hf.parameters())
    assert [tuple(t.shape) for t in ours.graph.outputs] == [
        tuple(out.last_hidden_state.shape[1:]),
        tuple(out.pooler_output.shape[1:]),
    ]


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_the_classification_variant_matches(name):
    keywords, labels = CLASSIFIERS[name]
    config = transformers.ViTConfig(num_labels=labels, **keywords)
    with torch.device("meta"):
        hf = transformers.ViTForImageClassification(config)
    assert hf.vit.pooler is None  # add_pooling_layer=False
    text = EXAMPLE.read_text()
    assert text.count(POOLER) == 1
    values = {**sizes(config), "num_labels": labels}
    ours = symcount.parse(text.replace(POOLER, CLASSIFIER)).subs(values)
    assert ours.total == numel(hf.parameters())
    assert ours.totals["buffers"] == numel(hf.buffers()) == 0
    assert ours.row("classifier").params == numel(hf.classifier.parameters())
    with torch.no_grad():
        logits = hf(pixel_values=pixels(config)).logits
    assert tuple(logits.shape[1:]) == tuple(ours.output_shape) == (labels,)
    if name == "vit-base-imagenet":
        assert ours.total == 86_567_656  # google/vit-base-patch16-224
