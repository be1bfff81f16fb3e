"""Live differential tests of the architecture examples: the same models built
in real Keras 3 (torch backend) and, where installed, Hugging Face transformers
(on the meta device: shapes without memory), compared layer by layer with
symcount's rows. Each real model is built once per session (module fixtures).
Needs the `frameworks` extra (`pip install -e '.[frameworks]'`); skipped without."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402

pytestmark = pytest.mark.live

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
layers = keras.layers


# one row per layer, from both sides -----------------------------------------------


def keras_row(layer) -> tuple:
    """(type, output shape without the batch axis, trainable, non-trainable)."""
    node = layer._inbound_nodes[0]  # a shared layer: its first call, as symcount shows
    shape = tuple(node.output_tensors[0].shape[1:])
    trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
    return (type(layer).__name__, shape, trainable, frozen)


def our_row(row) -> tuple:
    return (row.type, tuple(row.output_shape), row.trainable, row.non_trainable)


def leaves(model) -> list:
    return [r for _, r in model.walk(expand=True) if not r.group]


def keras_layers(model) -> list:
    """Every layer but the inputs, nested models opened (as summary(expand_nested))."""
    out = []
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            out += keras_layers(layer)
        else:
            out.append(layer)
    return out


def mismatches(pairs) -> list[str]:
    """Pairs of (keras layer, symcount row) that differ, described."""
    bad = []
    for k, ours in pairs:
        theirs, mine = keras_row(k), our_row(ours)
        if theirs != mine:
            bad.append(f"keras {k.name} {theirs} != symcount {ours.name} {mine}")
    return bad


def by_name(keras_model, ours) -> list:
    """Pair layers by name: symcount generates Keras's names (conv2d, conv2d_1, ...)."""
    theirs = {layer.name: layer for layer in keras_layers(keras_model)}
    mine = {r.name: r for r in leaves(ours)}
    assert sorted(theirs) == sorted(mine)
    return [(theirs[n], mine[n]) for n in theirs]


# the Keras guide's VQA model --------------------------------------------------------


@pytest.fixture(scope="module")
def keras_vqa():
    keras.backend.clear_session()  # fresh name counters: conv2d, conv2d_1, ...
    relu = {"activation": "relu"}
    vision = keras.Sequential(
        [
            layers.Conv2D(64, 3, padding="same", **relu),
            layers.Conv2D(64, 3, **relu),
            layers.MaxPooling2D(),
            layers.Conv2D(128, 3, padding="same", **relu),
            layers.Conv2D(128, 3, **relu),
            layers.MaxPooling2D(),
            layers.Conv2D(256, 3, padding="same", **relu),
            layers.Conv2D(256, 3, **relu),
            layers.Conv2D(256, 3, **relu),
            layers.MaxPooling2D(),
            layers.Flatten(),
        ],
        name="vision",
    )
    image = keras.Input((224, 224, 3))
    encoded_image = vision(image)
    question = keras.Input((100,), dtype="int32")
    encoded_question = layers.LSTM(256)(layers.Embedding(10000, 256)(question))
    merged = layers.Concatenate()([encoded_question, encoded_image])
    output = layers.Dense(1000, activation="softmax")(merged)
    return keras.Model([image, question], output), vision


def test_vqa_matches_keras_layer_by_layer(keras_vqa):
    model, vision = keras_vqa
    ours = symcount.load(EXAMPLES / "vqa.sc")
    assert ours.total == model.count_params() == 165_077_800
    pairs = by_name(model, ours)
    assert len(pairs) == 15
    assert mismatches(pairs) == []
    # the nested vision model is one row, as in Keras's summary
    row = ours.row("vision")
    assert (row.params, tuple(row.output_shape)) == (
        vision.count_params(),
        tuple(vision.output.shape[1:]),
    )


# ResNet-50 ------------------------------------------------------------------------

# keras/src/applications/resnet.py creates a block's layers in this order (its
# model.layers lists them by graph depth, the shortcut between the 2_relu and 3_bn)
BLOCK_ORDER = ["0_conv", "0_bn", "1_conv", "1_bn", "1_relu", "2_conv", "2_bn", "2_relu"]
BLOCK_ORDER += ["3_conv", "3_bn", "add", "out"]
BLOCK_NAME = re.compile(r"^(conv\d_block\d+)_(.+)$")


def in_creation_order(keras_model, name=BLOCK_NAME, order=BLOCK_ORDER) -> list:
    """The layers in the order the application's code creates them: each block
    (``name`` matches its prefix and part) sorted by ``order`` of its parts."""
    ordered, done = [], set()
    all_layers = keras_layers(keras_model)
    for layer in all_layers:
        m = name.match(layer.name)
        if not m:
            ordered.append(layer)
        elif m.group(1) not in done:
            done.add(m.group(1))
            block = [x for x in all_layers if x.name.startswith(m.group(1) + "_")]
            ordered += sorted(block, key=lambda x: order.index(name.match(x.name).group(2)))
    return ordered


@pytest.fixture(scope="module")
def keras_resnet50():
    return keras.applications.ResNet50(weights=None, include_top=True)


def test_resnet50_matches_keras_layer_by_layer(keras_resnet50):
    ours = symcount.load(EXAMPLES / "resnet50.sc")
    theirs = in_creation_order(keras_resnet50)
    mine = leaves(ours)
    assert len(theirs) == len(mine) == 176
    assert mismatches(zip(theirs, mine, strict=True)) == []
    nt = sum(math.prod(w.shape) for w in keras_resnet50.non_trainable_weights)
    assert (ours.total, ours.non_trainable) == (keras_resnet50.count_params(), nt)
    assert (ours.total, ours.non_trainable) == (25_636_712, 53_120)


def test_resnet50_blocks_match_kerass_blocks(keras_resnet50):
    ours = symcount.load(EXAMPLES / "resnet50.sc")
    mine = [r for _, r in ours.walk(expand=True) if r.type in ("conv_block", "identity_block")]
    groups: dict[str, int] = {}
    for layer in keras_layers(keras_resnet50):
        m = BLOCK_NAME.match(layer.name)
        if m:
            groups[m[1]] = groups.get(m[1], 0) + layer.count_params()
    assert len(mine) == len(groups) == 16
    assert [r.params for r in mine] == list(groups.values())


# VGG16 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_vgg16():
    return keras.applications.VGG16(weights=None, include_top=True)


def test_vgg16_matches_keras_layer_by_layer(keras_vgg16):
    ours = symcount.load(EXAMPLES / "vgg16.sc")
    theirs, mine = keras_layers(keras_vgg16), leaves(ours)
    assert len(theirs) == len(mine) == 22
    assert mismatches(zip(theirs, mine, strict=True)) == []
    assert [r.name for r in mine[-3:]] == [x.name for x in theirs[-3:]]
    assert ours.total == keras_vgg16.count_params() == 138_357_544


# a shared layer and a tied embedding ----------------------------------------------


def test_shared_lstm_counts_once_like_keras():
    keras.backend.clear_session()
    shared = layers.LSTM(64)
    a, b = keras.Input((280, 256)), keras.Input((280, 256))
    merged = layers.Concatenate(axis=-1)([shared(a), shared(b)])
    model = keras.Model([a, b], layers.Dense(1, activation="sigmoid")(merged))
    ours = symcount.load(EXAMPLES / "shared_lstm.sc")
    assert ours.total == model.count_params() == 82_305
    assert len(shared._inbound_nodes) == ours.row("lstm").calls == 2
    assert mismatches(by_name(model, ours)) == []


# the GPT-2 example with small sizes, as a Keras model with a tied ReversibleEmbedding
SMALL = {"V": 1000, "T": 32, "d": 64, "h": 4, "L": 3}


@pytest.fixture(scope="module")
def keras_small_gpt():
    keras.backend.clear_session()
    V, T, d, h, L = (SMALL[k] for k in "VTdhL")
    wte = layers.ReversibleEmbedding(V, d)
    tokens, positions = keras.Input((T,), dtype="int32"), keras.Input((T,), dtype="int32")
    x = layers.Add()([wte(tokens), layers.Embedding(T, d)(positions)])
    for _ in range(L):
        y = layers.LayerNormalization()(x)
        x = layers.Add()([x, layers.MultiHeadAttention(h, d // h)(y, y)])
        y = layers.LayerNormalization()(x)
        y = layers.Dense(4 * d, activation="gelu")(y)
        y = layers.Dense(d)(y)
        x = layers.Add()([x, y])
    logits = wte(layers.LayerNormalization()(x), reverse=True)
    return keras.Model([tokens, positions], logits), wte


def test_gpt2_with_a_tied_reversible_embedding_matches_keras(keras_small_gpt):
    model, wte = keras_small_gpt
    ours = symcount.load(EXAMPLES / "gpt2.sc", values=SMALL)
    assert ours.total == model.count_params()
    assert len(wte.weights) == 1  # tied: the reverse projection has no matrix of its own
    assert mismatches(by_name(model, ours)) == []
    assert tuple(model.output.shape[1:]) == ours.outputs[0] == (SMALL["T"], SMALL["V"])
    # and the symbolic closed form, substituted, gives the same number
    assert symcount.load(EXAMPLES / "gpt2.sc").subs(SMALL).total == model.count_params()


# GPT-2 small, BERT-base and GPT-3 as transformers builds them ------------------------


@pytest.fixture(scope="module")
def transformers():
    pytest.importorskip("torch", reason="PyTorch is not installed")
    return pytest.importorskip(
        "transformers", reason="transformers is not installed: pip install -e '.[frameworks]'"
    )


def numel(module) -> int:
    """Unique parameters, as PyTorch counts them (a tied matrix once)."""
    return sum(p.numel() for p in module.parameters())


def on_meta(build):
    import torch

    with torch.device("meta"):  # shapes only: no memory, no initialisation
        return build()


GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}


def test_gpt2_small_matches_transformers(transformers):
    hf = on_meta(lambda: transformers.GPT2LMHeadModel(transformers.GPT2Config()))
    cfg = hf.config
    assert (cfg.vocab_size, cfg.n_positions, cfg.n_embd, cfg.n_head, cfg.n_layer) == tuple(
        GPT2_SMALL.values()
    )
    ours = symcount.load(EXAMPLES / "gpt2.sc", values=GPT2_SMALL)
    assert ours.total == numel(hf) == 124_439_808
    # the output projection is the token embedding: counted once, on both sides
    assert hf.lm_head.weight is hf.transformer.wte.weight
    every = sum(p.numel() for _, p in hf.named_parameters(remove_duplicate=False))
    assert every == ours.total + 50257 * 768
    t = hf.transformer
    assert ours.row("reversible_embedding").params == numel(t.wte)
    assert ours.row("embedding").params == numel(t.wpe)
    assert ours.rows[-1].params == numel(t.ln_f)
    decoders = ours.rows[3].children
    assert len(decoders) == len(t.h) == 12
    for block, theirs in zip(decoders, t.h, strict=True):
        ln1, attn, _, ln2, mlp, _ = block.children
        assert block.params == numel(theirs)
        assert [ln1.params, attn.params, ln2.params, mlp.params] == [
            numel(theirs.ln_1),
            numel(theirs.attn),
            numel(theirs.ln_2),
            numel(theirs.mlp),
        ]


def test_bert_base_matches_transformers(transformers):
    hf = on_meta(lambda: transformers.BertModel(transformers.BertConfig()))
    ours = symcount.load(EXAMPLES / "bert_base.sc")
    assert ours.total == numel(hf) == 109_482_240
    e = hf.embeddings
    got = [ours.row(n).params for n in ("embedding", "embedding_1", "embedding_2")]
    tables = (e.word_embeddings, e.position_embeddings, e.token_type_embeddings)
    assert got == [numel(x) for x in tables]
    assert ours.row("layer_normalization").params == numel(e.LayerNorm)
    encoders = ours.row("repeat").children
    assert [r.params for r in encoders] == [numel(x) for x in hf.encoder.layer]
    assert ours.row("pooler").params == numel(hf.pooler)


def test_gpt3_closed_form_matches_a_gpt3_shaped_transformers_model(transformers):
    # GPT-3 175B's sizes in GPT-2's architecture (which GPT-3 shares, but for
    # its sparse attention pattern, which has no parameters)
    config = transformers.GPT2Config(n_embd=12288, n_head=96, n_layer=96, n_positions=2048)
    hf = on_meta(lambda: transformers.GPT2LMHeadModel(config))
    ours = symcount.load(EXAMPLES / "gpt3.sc")
    assert ours.symbols == ["L"]
    assert ours.subs(L=96).total == numel(hf) == 174_604_259_328
