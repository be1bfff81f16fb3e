"""Hugging Face config.json files read without transformers
(symcount/importers/hf_config.py, docs/huggingface.md): the published models'
counts, the model class, --symbolic, symcount import, what is not a config
and the errors. tests/test_live_hf_config.py checks against transformers."""

from __future__ import annotations

import json

import pytest

import symcount
from symcount.cli import main
from symcount.errors import SymcountError
from symcount.importers.hf_config import is_hf_config

# the config.json files as the Hub has them (their size fields; the rest is read as absent)
GPT2 = {
    "model_type": "gpt2",
    "architectures": ["GPT2LMHeadModel"],
    "vocab_size": 50257,
    "n_positions": 1024,
    "n_ctx": 1024,
    "n_embd": 768,
    "n_head": 12,
    "n_layer": 12,
    "activation_function": "gelu_new",
}
LLAMA2_7B = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "num_hidden_layers": 32,
    "max_position_embeddings": 4096,
    "tie_word_embeddings": False,
}
LLAMA32_1B = {  # grouped-query attention, tied embeddings, head_dim stated
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "vocab_size": 128256,
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 64,
    "num_hidden_layers": 16,
    "max_position_embeddings": 131072,
    "tie_word_embeddings": True,
}
MISTRAL_7B = {
    "model_type": "mistral",
    "architectures": ["MistralForCausalLM"],
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_hidden_layers": 32,
    "max_position_embeddings": 32768,
}
BERT_BASE = {
    "model_type": "bert",
    "architectures": ["BertForMaskedLM"],
    "vocab_size": 30522,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
}
T5_SMALL = {
    "model_type": "t5",
    "architectures": ["T5ForConditionalGeneration"],
    "vocab_size": 32128,
    "d_model": 512,
    "d_kv": 64,
    "d_ff": 2048,
    "num_heads": 8,
    "num_layers": 6,
    "num_decoder_layers": 6,
    "relative_attention_num_buckets": 32,
    "feed_forward_proj": "relu",
}
FLAN_T5_SMALL = T5_SMALL | {
    "d_ff": 1024,
    "num_layers": 8,
    "num_decoder_layers": 8,
    "num_heads": 6,
    "vocab_size": 32128,
    "d_model": 512,
    "feed_forward_proj": "gated-gelu",
    "tie_word_embeddings": False,
}
VIT_BASE = {
    "model_type": "vit",
    "architectures": ["ViTForImageClassification"],
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "image_size": 224,
    "patch_size": 16,
    "num_channels": 3,
    "id2label": {str(i): f"LABEL_{i}" for i in range(1000)},
}

# (config, --model-class, total, buffers): the counts transformers gives
# (sum(p.numel() for p in model.parameters()), model.buffers()), published where noted
PUBLISHED = [
    (GPT2, None, 124_439_808, 0),
    (GPT2, "GPT2Model", 124_439_808, 0),  # the head is the tied embedding
    (LLAMA2_7B, None, 6_738_415_616, 128),  # Llama-2-7B
    (LLAMA32_1B, None, 1_235_814_400, 64),  # Llama-3.2-1B
    (MISTRAL_7B, None, 7_241_732_096, 128),  # Mistral-7B
    (BERT_BASE, "BertModel", 109_482_240, 1024),  # position_ids, token_type_ids
    (BERT_BASE, None, 109_514_298, 1024),
    (BERT_BASE, "BertForSequenceClassification", 109_483_778, 1024),
    (T5_SMALL, None, 60_506_624, 0),
    (T5_SMALL, "T5EncoderModel", 35_330_816, 0),
    (FLAN_T5_SMALL, None, 76_961_152, 0),  # google/flan-t5-small
    (VIT_BASE, None, 86_567_656, 0),
    (VIT_BASE, "ViTModel", 86_389_248, 0),
]


@pytest.mark.parametrize(("config", "cls", "total", "buffers"), PUBLISHED)
def test_published_configs_give_transformers_counts(config, cls, total, buffers):
    model = symcount.parse_hf_config(json.dumps(config), model_class=cls)
    assert (model.total, model.trainable, model.totals["buffers"]) == (total, total, buffers)
    symbolic = symcount.parse_hf_config(json.dumps(config), model_class=cls, symbolic=True)
    at = {s: config[s.name] for s in symbolic.total.free_symbols if s.name != "num_labels"}
    labels = len(config.get("id2label", "ab"))  # transformers' default: 2 labels
    at |= {s: labels for s in symbolic.total.free_symbols if s.name == "num_labels"}
    assert symbolic.total.subs(at) == total


def test_symbolic_keeps_the_configs_names(tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(GPT2))
    assert main(["summary", str(path), "--symbolic"]) == 0
    out, err = capsys.readouterr()
    closed = (
        "n_embd*n_positions + n_embd*vocab_size + 2*n_embd + n_layer*(12*n_embd**2 + 13*n_embd)"
    )
    assert f"Total params: {closed}" in out
    assert "note: model class GPT2LMHeadModel (the config's architectures)" in err
    assert main(["summary", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 124_439_808


def test_model_class_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(BERT_BASE))
    assert main(["summary", str(path), "--model-class", "BertModel", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 109_482_240
    assert main(["summary", str(path), "--model-class", "GPT2Model"]) == 2
    err = capsys.readouterr().err
    assert "model class 'GPT2Model' is not one symcount builds for model_type 'bert'" in err
    assert "BertForMaskedLM" in err


def test_load_reads_a_config_json(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(MISTRAL_7B))
    assert symcount.load(path).total == 7_241_732_096


def test_import_writes_a_model_file_with_the_same_numbers(tmp_path, capsys):
    for config in (GPT2, LLAMA32_1B, BERT_BASE, FLAN_T5_SMALL, VIT_BASE):
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        out = tmp_path / "model.sc"
        assert main(["import", str(path), "-o", str(out)]) == 0
        capsys.readouterr()
        text = out.read_text()
        assert "repeat " in text and "block " in text
        model = symcount.parse(text)
        assert model.total == symcount.parse_hf_config(json.dumps(config)).total
        # --symbolic: a file in the config's names, to --set and solve
        assert main(["import", str(path), "--symbolic", "-o", str(out)]) == 0
        capsys.readouterr()
        symbolic = symcount.parse(out.read_text())
        assert symbolic.total.free_symbols


def test_what_is_a_hugging_face_config():
    assert is_hf_config(json.dumps(GPT2))
    assert is_hf_config(json.dumps({"architectures": ["BertModel"]}))
    keras = {"class_name": "Sequential", "config": {"layers": []}, "model_type": "x"}
    assert not is_hf_config(json.dumps(keras))
    assert not is_hf_config("model m\ninput(3) -> Dense(2)")
    assert not is_hf_config("[1, 2]")


@pytest.mark.parametrize(
    ("config", "cls", "says"),
    [
        ({"model_type": "bloom"}, None, "model_type 'bloom' is not one symcount reads"),
        (GPT2 | {"n_embd": -3}, None, "the config's n_embd must be a non-negative whole number"),
        (GPT2 | {"n_layer": 1.5}, None, "the config's n_layer must be a non-negative whole number"),
        (GPT2, "GPT2DoubleHeadsModel", "is not one symcount builds for model_type 'gpt2'"),
        ({"architectures": []}, None, "the config names no architectures; give --model-class"),
    ],
)
def test_errors_name_what_is_wrong(config, cls, says):
    with pytest.raises(SymcountError) as e:
        symcount.parse_hf_config(json.dumps(config), model_class=cls)
    assert says in str(e.value)


def test_symbolic_and_model_class_are_for_configs(capsys):
    assert main(["summary", "examples/mlp.sc", "--symbolic"]) == 2
    assert (
        "--model-class and --symbolic are for a Hugging Face config.json" in capsys.readouterr().err
    )


def test_a_buffer_counts_as_a_buffer_and_feeds_no_layer():
    model = symcount.parse(
        "convention torch\nids = Buffer(1, S, name=position_ids)\ninput(S) -> Embedding(9, 4)"
    )
    row = model.row("position_ids")
    assert row.params == 0 and row.type == "Buffer"
    assert str(model.totals["buffers"]) == "S" and model.total == 36
    with pytest.raises(SymcountError, match="takes batched tensors"):
        symcount.parse("convention torch\nBuffer(1, 5) -> Linear(5, 2)")


@pytest.mark.parametrize(
    ("config", "says", "line"),
    [
        (
            {"model_type": "llama", "head_dim": 3},
            "head_dim must be even (the features rotate in pairs); got 3",
            "let rope = RotaryEmbedding(head_dim, name=rotary_emb)",
        ),
        (
            {"model_type": "bert", "hidden_size": 10, "num_attention_heads": 3},
            "the query has 10 features, not divisible by num_heads=3",
            "ScaledDotProductAttention(num_attention_heads)(q, k, v)",
        ),
    ],
)
def test_a_size_the_model_cannot_have_is_shown_in_the_model(config, says, line):
    with pytest.raises(SymcountError) as e:
        symcount.parse_hf_config(json.dumps(config), filename="config.json")
    text = str(e.value)
    assert text.startswith("config.json (as symcount models it):") and says in text
    assert line in text


def test_convention_is_the_familys():
    with pytest.raises(SymcountError, match="--convention keras does not apply"):
        symcount.parse_hf_config(json.dumps(LLAMA2_7B), convention="keras")
    assert symcount.parse_hf_config(json.dumps(LLAMA2_7B), convention="torch").total > 0


def test_set_replaces_a_configs_size(tmp_path, capsys):
    assert symcount.parse_hf_config(json.dumps(GPT2), values={"n_layer": 2}).total == 53_561_088
    path = tmp_path / "config.json"
    path.write_text(json.dumps(GPT2))
    out = tmp_path / "model.sc"
    assert main(["import", str(path), "--set", "n_layer=2", "-o", str(out)]) == 0
    assert "let n_layer" not in out.read_text()
    assert symcount.parse(out.read_text(), values={"n_layer": 2}).total == 53_561_088
