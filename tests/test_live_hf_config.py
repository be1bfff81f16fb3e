"""Hugging Face config.json files (symcount/importers/hf_config.py) against
transformers on the meta device: every family at its default config and at
random small configs, the model class from ``architectures``. Total,
trainable, buffers and each block of every ``repeat`` (transformers' layer
lists), and the ``--symbolic`` closed form at the config's values. Skipped
without torch and transformers."""

from __future__ import annotations

import json
import random

import pytest

import symcount

pytestmark = pytest.mark.live

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
transformers = pytest.importorskip(
    "transformers", reason="transformers is not installed: pip install -e '.[frameworks]'"
)

CONFIG = {
    "GPT2": "GPT2Config",
    "Bert": "BertConfig",
    "Llama": "LlamaConfig",
    "Mistral": "MistralConfig",
    "T5": "T5Config",
    "ViT": "ViTConfig",
}
CLASSES = [
    "GPT2LMHeadModel",
    "GPT2Model",
    "GPT2ForSequenceClassification",
    "GPT2ForTokenClassification",
    "BertModel",
    "BertForMaskedLM",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "BertForQuestionAnswering",
    "BertForPreTraining",
    "BertForNextSentencePrediction",
    "BertForMultipleChoice",
    "BertLMHeadModel",
    "LlamaForCausalLM",
    "LlamaModel",
    "LlamaForSequenceClassification",
    "MistralForCausalLM",
    "MistralModel",
    "T5ForConditionalGeneration",
    "T5Model",
    "T5EncoderModel",
    "ViTModel",
    "ViTForImageClassification",
]


def family(cls: str) -> str:
    return next(f for f in CONFIG if cls.startswith(f))


def numel(tensors) -> int:
    return sum(t.numel() for t in tensors)


def build(cls: str, keywords: dict):
    """(config.json text, the model on the meta device)."""
    config = getattr(transformers, CONFIG[family(cls)])(**keywords)
    if cls == "BertLMHeadModel":
        config.is_decoder = True
    data = config.to_dict()
    data["architectures"] = [cls]
    with torch.device("meta"):
        model = getattr(transformers, cls)(config)
    return json.dumps(data), model


def layer_lists(model) -> list:
    """transformers' lists of blocks, in the order the model holds them."""
    kept: list = []
    for name, m in model.named_modules():
        nested = any(name.startswith(k + ".") for k, _ in kept)
        if isinstance(m, torch.nn.ModuleList) and len(m) and not nested:
            kept.append((name, m))  # T5's blocks hold lists of their own: not blocks
    return [m for _, m in kept]


def check(cls: str, keywords: dict) -> None:
    text, hf = build(cls, keywords)
    ours = symcount.parse_hf_config(text)
    total = numel(hf.parameters())
    trainable = numel(p for p in hf.parameters() if p.requires_grad)
    buffers = numel(hf.buffers())
    assert ours.total == total, (cls, keywords)
    assert ours.trainable == trainable
    assert ours.totals["buffers"] == buffers
    repeats = [r for r in ours.rows if r.type.startswith("repeat")]
    lists = layer_lists(hf)
    assert len(repeats) == len(lists)
    for row, blocks in zip(repeats, lists, strict=True):
        assert len(row.children) == len(blocks)
        for i, (ours_block, theirs) in enumerate(zip(row.children, blocks, strict=True)):
            extra = 0
            if family(cls) == "T5" and i == 0:  # the stack's relative_attention_bias
                extra = hf.config.relative_attention_num_buckets * hf.config.num_heads
            assert ours_block.params + extra == numel(theirs.parameters()), (cls, i)
    symbolic = symcount.parse_hf_config(text, symbolic=True)
    assert symbolic.total.free_symbols
    config = json.loads(text)
    config["num_labels"] = len(config["id2label"])
    at = {s: config[s.name] for s in symbolic.total.free_symbols}
    assert symbolic.total.subs(at) == total


@pytest.mark.parametrize("cls", CLASSES)
def test_default_config(cls):
    check(cls, {})


def small(cls: str, rng: random.Random) -> dict:
    f = family(cls)
    heads = rng.randint(1, 4)
    if f == "GPT2":
        return dict(
            vocab_size=rng.randint(5, 200),
            n_positions=rng.randint(2, 40),
            n_head=heads,
            n_embd=heads * rng.randint(1, 6),
            n_layer=rng.randint(1, 3),
            n_inner=rng.choice([None, rng.randint(1, 50)]),
            tie_word_embeddings=rng.random() < 0.7,
            num_labels=rng.randint(1, 5),
        )
    if f == "Bert":
        return dict(
            vocab_size=rng.randint(5, 200),
            max_position_embeddings=rng.randint(2, 40),
            type_vocab_size=rng.randint(1, 3),
            num_attention_heads=heads,
            hidden_size=heads * rng.randint(1, 6),
            num_hidden_layers=rng.randint(1, 3),
            intermediate_size=rng.randint(1, 50),
            tie_word_embeddings=rng.random() < 0.7,
            num_labels=rng.randint(1, 5),
        )
    if f in ("Llama", "Mistral"):
        kv = rng.choice([d for d in range(1, heads + 1) if heads % d == 0])
        keywords = dict(
            vocab_size=rng.randint(5, 200),
            num_attention_heads=heads,
            num_key_value_heads=kv,
            hidden_size=heads * 2 * rng.randint(1, 4),
            intermediate_size=rng.randint(1, 50),
            num_hidden_layers=rng.randint(1, 3),
            head_dim=rng.choice([None, 2 * rng.randint(1, 4)]),
            tie_word_embeddings=rng.random() < 0.5,
            num_labels=rng.randint(1, 5),
        )
        if f == "Llama":
            keywords |= dict(attention_bias=rng.random() < 0.5, mlp_bias=rng.random() < 0.5)
        return keywords
    if f == "T5":
        return dict(
            vocab_size=rng.randint(5, 200),
            d_model=rng.randint(2, 24),
            d_kv=rng.randint(1, 8),
            num_heads=heads,
            d_ff=rng.randint(1, 40),
            num_layers=rng.randint(1, 3),
            num_decoder_layers=rng.choice([None, rng.randint(1, 3)]),
            relative_attention_num_buckets=rng.randint(2, 40),
            feed_forward_proj=rng.choice(["relu", "gated-gelu"]),
            tie_word_embeddings=rng.random() < 0.7,
        )
    patch = rng.randint(1, 4)
    return dict(
        num_attention_heads=heads,
        hidden_size=heads * rng.randint(1, 6),
        num_hidden_layers=rng.randint(1, 3),
        intermediate_size=rng.randint(1, 40),
        patch_size=patch,
        image_size=patch * rng.randint(1, 4),
        num_channels=rng.randint(1, 4),
        qkv_bias=rng.random() < 0.5,
        num_labels=rng.randint(1, 5),
    )


FAMILY_CLASSES = {
    "GPT2": ["GPT2LMHeadModel", "GPT2Model", "GPT2ForSequenceClassification"],
    "Bert": ["BertModel", "BertForMaskedLM", "BertForSequenceClassification", "BertForPreTraining"],
    "Llama": ["LlamaForCausalLM", "LlamaModel", "LlamaForSequenceClassification"],
    "Mistral": ["MistralForCausalLM", "MistralModel"],
    "T5": ["T5ForConditionalGeneration", "T5Model", "T5EncoderModel"],
    "ViT": ["ViTModel", "ViTForImageClassification"],
}


@pytest.mark.parametrize("name", list(FAMILY_CLASSES))
def test_random_small_configs(name):
    rng = random.Random(f"hf-config-{name}")
    for _ in range(10):
        cls = rng.choice(FAMILY_CLASSES[name])
        check(cls, small(cls, rng))
