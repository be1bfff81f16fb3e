"""examples/t5_small.sc against Hugging Face's T5ForConditionalGeneration
(T5Config(): t5-small's sizes), built on the meta device: total, trainable,
buffers, each block, the relative-position tables, the tied head, and the
output shapes (the encoder's states and the logits). Skipped without torch
and transformers."""

from __future__ import annotations

from pathlib import Path

import pytest

import symcount

pytestmark = pytest.mark.live

torch = pytest.importorskip("torch", reason="PyTorch is not installed")
transformers = pytest.importorskip(
    "transformers", reason="transformers is not installed: pip install -e '.[frameworks]'"
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "t5_small.sc"
S, T = 16, 12  # the example's encoder and decoder lengths


@pytest.fixture(scope="module")
def hf():
    with torch.device("meta"):
        return transformers.T5ForConditionalGeneration(transformers.T5Config())


@pytest.fixture(scope="module")
def ours():
    return symcount.load(EXAMPLE)


def numel(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_the_config_is_t5_small(hf):
    c = hf.config
    sizes = (c.vocab_size, c.d_model, c.num_heads, c.d_kv, c.d_ff, c.num_layers)
    assert sizes == (32128, 512, 8, 64, 2048, 6)
    assert c.num_decoder_layers == 6 and c.relative_attention_num_buckets == 32


def test_totals_match(hf, ours):
    assert ours.total == numel(hf) == 60_506_624
    assert ours.trainable == sum(p.numel() for p in hf.parameters() if p.requires_grad)
    assert ours.totals["buffers"] == sum(b.numel() for b in hf.buffers()) == 0


def test_the_head_is_tied_to_the_shared_embedding(hf, ours):
    assert hf.config.tie_word_embeddings is True
    assert hf.lm_head.weight is hf.shared.weight
    every = sum(p.numel() for _, p in hf.named_parameters(remove_duplicate=False))
    # shared, encoder.embed_tokens, decoder.embed_tokens and lm_head are one matrix,
    # counted once on both sides
    assert hf.encoder.embed_tokens.weight is hf.decoder.embed_tokens.weight is hf.shared.weight
    assert every == ours.total + 3 * 32128 * 512
    assert ours.row("lm_head").params == 0
    assert ours.row("shared").params == numel(hf.shared)


def test_each_stack_matches(hf, ours):
    for stack, repeat in ((hf.encoder, "repeat"), (hf.decoder, "repeat_1")):
        blocks = ours.row(repeat).children
        assert len(blocks) == len(stack.block) == 6
        bias = stack.block[0].layer[0].SelfAttention.relative_attention_bias
        assert tuple(bias.weight.shape) == (32, 8)
        for i, (mine, theirs) in enumerate(zip(blocks, stack.block, strict=True)):
            # block 0 holds the bias table, written as its own row here
            assert mine.params == numel(theirs) - (numel(bias) if i == 0 else 0)
    assert ours.row("encoder_relative_attention_bias").params == 256
    assert ours.row("decoder_relative_attention_bias").params == 256
    assert ours.row("encoder_final_layer_norm").params == numel(hf.encoder.final_layer_norm)
    assert ours.row("decoder_final_layer_norm").params == numel(hf.decoder.final_layer_norm)


def test_the_sublayers_match(hf, ours):
    enc = ours.row("repeat").children[0]
    theirs = hf.encoder.block[1].layer
    norm, attention, _, ff_norm, ff, _ = enc.children  # each residual: its rows, then Add
    assert norm.params == numel(theirs[0].layer_norm)
    assert attention.params == numel(theirs[0].SelfAttention)
    assert ff_norm.params == numel(theirs[1].layer_norm)
    assert ff.params == numel(theirs[1].DenseReluDense)
    dec = ours.row("repeat_1").children[1].children
    theirs = hf.decoder.block[1].layer
    assert [dec[i].params for i in (0, 1, 3, 4, 6, 7)] == [
        numel(m)
        for m in (
            theirs[0].layer_norm,
            theirs[0].SelfAttention,
            theirs[1].layer_norm,
            theirs[1].EncDecAttention,
            theirs[2].layer_norm,
            theirs[2].DenseReluDense,
        )
    ]


def test_output_shapes_match(hf, ours):
    ids = torch.zeros((2, S), dtype=torch.long, device="meta")
    dec = torch.zeros((2, T), dtype=torch.long, device="meta")
    with torch.no_grad():
        out = hf(input_ids=ids, decoder_input_ids=dec)
    assert tuple(out.encoder_last_hidden_state.shape[1:]) == (S, 512)
    assert tuple(ours.row("encoder_final_layer_norm").output_shape) == (S, 512)
    assert tuple(out.logits.shape[1:]) == tuple(ours.output_shape) == (T, 32128)
