"""examples/llama_gqa.sc against Hugging Face's LlamaForCausalLM and
MistralForCausalLM, built on the meta device (shapes without memory) at
several configurations: total, trainable, buffers (the rotary module's
inv_freq and original_inv_freq), each block's parameters, and the output
shape (the logits, (T, vocab)). Skipped without torch and transformers."""

from __future__ import annotations

from pathlib import Path

import pytest

import symcount

pytestmark = pytest.mark.live

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
transformers = pytest.importorskip(
    "transformers", reason="transformers is not installed: pip install -e '.[frameworks]'"
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "llama_gqa.sc"
T = 7  # any sequence length: no count depends on it

# name: (model class, config keywords); the symbols are read off the config
CONFIGS = {
    "tiny": (
        "Llama",
        dict(
            vocab_size=97,
            hidden_size=24,
            intermediate_size=40,
            num_attention_heads=6,
            num_key_value_heads=2,
            num_hidden_layers=3,
        ),
    ),
    "tiny-mha": (
        "Llama",
        dict(
            vocab_size=50,
            hidden_size=16,
            intermediate_size=24,
            num_attention_heads=4,
            num_key_value_heads=4,
            num_hidden_layers=2,
            head_dim=6,
        ),
    ),
    "tinyllama-1.1b": (
        "Llama",
        dict(
            vocab_size=32000,
            hidden_size=2048,
            intermediate_size=5632,
            num_attention_heads=32,
            num_key_value_heads=4,
            num_hidden_layers=22,
        ),
    ),
    "llama-2-7b": (
        "Llama",
        dict(
            vocab_size=32000,
            hidden_size=4096,
            intermediate_size=11008,
            num_attention_heads=32,
            num_key_value_heads=32,
            num_hidden_layers=32,
        ),
    ),
    "mistral-7b": ("Mistral", {}),  # MistralConfig()'s defaults are Mistral-7B's
}
PUBLISHED = {"llama-2-7b": 6_738_415_616, "mistral-7b": 7_241_732_096}

# tie_word_embeddings=True: lm_head.weight is embed_tokens.weight (Llama-3.2-1B's
# sizes; its published count is 1,235,814,400), the example's head then tied
TIED = {
    "tiny-tied": dict(
        vocab_size=61,
        hidden_size=32,
        intermediate_size=48,
        num_attention_heads=4,
        num_key_value_heads=1,
        num_hidden_layers=2,
    ),
    "llama-3.2-1b": dict(
        vocab_size=128256,
        hidden_size=2048,
        intermediate_size=8192,
        num_attention_heads=32,
        num_key_value_heads=8,
        num_hidden_layers=16,
        head_dim=64,
        rope_parameters={"rope_type": "default", "rope_theta": 500000.0},
    ),
}
UNTIED_HEAD = "Linear(V, bias=false, name=lm_head)"
TIED_HEAD = "TiedLinear(embed_tokens, name=lm_head)"


def build(kind: str, keywords: dict):
    config = getattr(transformers, f"{kind}Config")(**keywords)
    model_class = getattr(transformers, f"{kind}ForCausalLM")
    with torch.device("meta"):
        return model_class(config)


def sizes(hf) -> dict:
    """The example's symbols, read off the model's config."""
    c = hf.config
    head = c.head_dim or c.hidden_size // c.num_attention_heads
    return {
        "V": c.vocab_size,
        "d": c.hidden_size,
        "H": c.num_attention_heads,
        "Hkv": c.num_key_value_heads,
        "D": head,
        "ff": c.intermediate_size,
        "L": c.num_hidden_layers,
        "T": T,
    }


@pytest.fixture(scope="module", params=list(CONFIGS))
def pair(request):
    kind, keywords = CONFIGS[request.param]
    hf = build(kind, keywords)
    return request.param, hf, sizes(hf)


def numel(tensors) -> int:
    return sum(t.numel() for t in tensors)


def test_the_example_is_symbolic_in_every_size():
    model = symcount.load(EXAMPLE)
    assert set(model.symbols) == {"V", "d", "H", "Hkv", "D", "ff", "L", "T"}
    assert str(model.totals["buffers"]) == "D"  # the one rotary module, whatever L is


def test_counts_match_transformers(pair):
    name, hf, values = pair
    assert hf.config.tie_word_embeddings is False  # the example's lm_head is its own Linear
    ours = symcount.load(EXAMPLE).subs(values)
    assert ours.total == numel(hf.parameters())
    assert ours.trainable == numel(p for p in hf.parameters() if p.requires_grad)
    assert ours.totals["buffers"] == numel(hf.buffers())
    if name in PUBLISHED:
        assert ours.total == PUBLISHED[name]


def test_the_rotary_buffers_are_the_ones_transformers_registers(pair):
    _, hf, values = pair
    half = values["D"] // 2
    theirs = {n: tuple(b.shape) for n, b in hf.named_buffers()}
    assert theirs == {
        "model.rotary_emb.inv_freq": (half,),
        "model.rotary_emb.original_inv_freq": (half,),
    }
    ours = symcount.load(EXAMPLE, values=values).row("rotary_emb")
    assert {w.name: tuple(w.shape) for w in ours.weights} == {
        "inv_freq": (half,),
        "original_inv_freq": (half,),
    }


def test_each_block_and_the_ends_match(pair):
    _, hf, values = pair
    ours = symcount.load(EXAMPLE, values=values)
    m = hf.model
    assert ours.row("embed_tokens").params == numel(m.embed_tokens.parameters())
    assert ours.row("norm").params == numel(m.norm.parameters())
    assert ours.row("lm_head").params == numel(hf.lm_head.parameters())
    blocks = ours.row("repeat").children
    assert len(blocks) == len(m.layers)
    for block, layer in zip(blocks, m.layers, strict=True):
        attn_norm, attn, _, mlp_norm, mlp, _ = block.children
        assert block.params == numel(layer.parameters())
        assert attn_norm.params == numel(layer.input_layernorm.parameters())
        assert mlp_norm.params == numel(layer.post_attention_layernorm.parameters())
        q, k, v, _, o = attn.children
        projections = (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj)
        assert [q.params, k.params, v.params, o.params] == [
            numel(x.parameters()) for x in (*projections, layer.self_attn.o_proj)
        ]
        assert [tuple(x.output_shape[1:]) for x in (q, k, v)] == [
            (x.out_features,) for x in projections
        ]
        gate, _, up, _, down = mlp.children
        assert [gate.params, up.params, down.params] == [
            numel(x.parameters())
            for x in (layer.mlp.gate_proj, layer.mlp.up_proj, layer.mlp.down_proj)
        ]


def test_the_output_is_the_logits(pair):
    _, hf, values = pair
    ours = symcount.load(EXAMPLE, values=values)
    ids = torch.zeros((2, T), dtype=torch.long, device="meta")
    with torch.no_grad():
        logits = hf(input_ids=ids).logits
    assert tuple(logits.shape[1:]) == tuple(ours.output_shape) == (T, values["V"])


@pytest.mark.parametrize("name", list(TIED))
def test_a_tied_head_counts_the_embedding_once(name):
    hf = build("Llama", {**TIED[name], "tie_word_embeddings": True})
    assert hf.lm_head.weight is hf.model.embed_tokens.weight
    text = EXAMPLE.read_text()
    assert text.count(UNTIED_HEAD) == 1
    values = sizes(hf)
    ours = symcount.parse(text.replace(UNTIED_HEAD, TIED_HEAD)).subs(values)
    assert ours.total == numel(hf.parameters())  # the matrix once, on both sides
    assert ours.totals["buffers"] == numel(hf.buffers())
    assert ours.row("lm_head").params == 0
    assert tuple(ours.output_shape) == (T, values["V"])
    if name == "llama-3.2-1b":
        assert ours.total == 1_235_814_400
    untied = symcount.load(EXAMPLE).subs(values)
    assert untied.total - ours.total == values["V"] * values["d"]
