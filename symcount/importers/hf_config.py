"""Hugging Face ``config.json`` files (docs/huggingface.md): GPT-2, BERT and its
task heads, LLaMA and Mistral, T5, ViT.

A family's model is written once, as the shipped examples write it
(examples/gpt2.sc, bert_base.sc, llama_gqa.sc, t5_small.sc, vit_base.sc):
blocks, ``repeat``, names as the config names its sizes. That text is
symcount's own (constants in this module, chosen by the config's flags and
model class); nothing the user wrote is ever parsed as model text. The
config's sizes enter the syntax tree only as ``let NAME = NUMBER`` nodes
built here, and with ``symbolic=True`` they are left out, so every size
stays a symbol and the counts are closed forms.
"""

from __future__ import annotations

import json
from functools import cache

from ..errors import Span, SymcountError
from ..language import ast as A

NOWHERE = Span(1, 1, 1, 1)


def is_hf_config(text: str) -> bool:
    """A JSON object with ``model_type`` or ``architectures`` (a Keras JSON has
    ``class_name``, and is another importer's)."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return (
        isinstance(data, dict)
        and "class_name" not in data
        and ("model_type" in data or "architectures" in data)
    )


def read(text: str, *, model_class: str | None = None, symbolic: bool = False, given=()):
    """(program, convention, notes) of a Hugging Face config's model."""
    how = {"model_class": model_class, "symbolic": symbolic, "given": given}
    program, conv, notes, _ = read_with_source(text, **how)
    return program, conv, notes


def read_with_source(
    text: str, *, model_class: str | None = None, symbolic: bool = False, given=()
):
    """read()'s three, and the model text the program's spans point into (an
    error in the model, a size the config makes impossible, is shown there).
    The sizes named in ``given`` (--set) are left symbols, for their values."""
    try:
        cfg = json.loads(text)
    except ValueError as e:
        raise SymcountError(f"not a JSON file: {e}") from None
    if not isinstance(cfg, dict):
        raise SymcountError("a Hugging Face config.json is a JSON object")
    cls = model_class or _architecture(cfg)
    family = _family(cfg, cls)
    if cls not in family.classes:
        raise SymcountError(
            f"model class {cls!r} is not one symcount builds for model_type "
            f"{family.model_type!r}; choose one of {', '.join(family.classes)} "
            "(--model-class)"
        )
    if cfg.get("add_cross_attention"):
        raise SymcountError(
            "add_cross_attention=true (a decoder reading an encoder) is not read yet: "
            "docs/huggingface.md says what is"
        )
    sizes, template, conv, built = family.build(cfg, cls)
    lets = [_let(k, v) for k, v in sizes.items()]  # checked with --symbolic too
    lets = [] if symbolic else [s for s in lets if s.name not in given]
    body = _parse(template).statements
    name = A.ModelStmt(cls, span=NOWHERE)
    conv_stmt = [A.ConventionStmt(conv, NOWHERE, span=NOWHERE)] if conv != "keras" else []
    statements = (name, *conv_stmt, *lets, *body)
    notes = [f"model class {cls}" + ("" if model_class else " (the config's architectures)")]
    notes += family.notes + built
    return A.Program(statements, span=NOWHERE), conv, notes, template


def _architecture(cfg: dict) -> str:
    arch = cfg.get("architectures")
    if isinstance(arch, list) and arch and isinstance(arch[0], str):
        return arch[0]
    fam = FAMILIES.get(cfg.get("model_type"))
    if fam is None:
        if "model_type" in cfg:
            _family(cfg, "")  # says which model types symcount reads
        raise SymcountError("the config names no architectures; give --model-class")
    return fam.classes[0]


def _family(cfg: dict, cls: str):
    fam = FAMILIES.get(cfg.get("model_type"))
    if fam is None:
        for f in FAMILIES.values():
            if cls in f.classes:
                return f
        known = ", ".join(sorted(FAMILIES))
        raise SymcountError(
            f"model_type {cfg.get('model_type')!r} is not one symcount reads; it reads {known}"
        )
    return fam


def _let(name: str, value) -> A.LetStmt:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SymcountError(
            f"the config's {name} must be a non-negative whole number; got {repr(value)[:40]}"
        )
    return A.LetStmt(name, A.Pipeline((A.Num(value, span=NOWHERE),), span=NOWHERE), span=NOWHERE)


@cache
def _parse(template: str) -> A.Program:
    from ..language.syntax import parse_program

    return parse_program(template)


def _int(cfg: dict, key: str, default):
    v = cfg.get(key, default)
    return default if v is None else v


def _labels(cfg: dict) -> int:
    if isinstance(cfg.get("id2label"), dict):
        return len(cfg["id2label"])
    return _int(cfg, "num_labels", 2)


class Family:
    def __init__(self, model_type, classes, build, notes=()):
        self.model_type, self.classes, self.build, self.notes = (
            model_type,
            classes,
            build,
            list(notes),
        )


# GPT-2 ---------------------------------------------------------------------

GPT2_BODY = """
block decoder {
  residual { LayerNormalization -> MultiHeadAttention(n_head, n_embd / n_head) }
  residual { LayerNormalization -> Dense(n_inner, activation=gelu) -> Dense(n_embd) }
}
let wte = ReversibleEmbedding(vocab_size, n_embd, name=wte)
tokens = input(n_positions) -> wte
positions = input(n_positions) -> Embedding(n_positions, n_embd, name=wpe)
hidden = Add(tokens, positions) -> repeat n_layer { decoder } -> LayerNormalization(name=ln_f)
"""
GPT2_HEADS = {
    "GPT2Model": "",
    "GPT2LMHeadModel": "hidden -> {lm_head}\n",
    "GPT2ForSequenceClassification": "hidden -> Dense(num_labels, use_bias=false, name=score)\n",
    "GPT2ForTokenClassification": "hidden -> Dense(num_labels, name=classifier)\n",
}


def _gpt2(cfg, cls):
    sizes = {k: _int(cfg, k, d) for k, d in GPT2_DEFAULTS.items()}
    body = GPT2_BODY
    if cfg.get("n_inner") is None:
        sizes.pop("n_inner")
        body = "let n_inner = 4 * n_embd\n" + body
    if cls in ("GPT2ForSequenceClassification", "GPT2ForTokenClassification"):
        sizes["num_labels"] = _labels(cfg)
    tied = cfg.get("tie_word_embeddings", True)
    head = "wte(reverse=true)" if tied else "Dense(vocab_size, use_bias=false, name=lm_head)"
    return sizes, body + GPT2_HEADS[cls].replace("{lm_head}", head), "keras", []


GPT2_DEFAULTS = {"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_head": 12}
GPT2_DEFAULTS |= {"n_layer": 12, "n_inner": None}


# BERT ----------------------------------------------------------------------

BERT_BODY = """
let word_embeddings = Embedding(vocab_size, hidden_size, name=word_embeddings)
position_ids = Buffer(1, max_position_embeddings, name=position_ids)
token_type_ids = Buffer(1, max_position_embeddings, name=token_type_ids)
block attention {
  q = input -> Linear(hidden_size, hidden_size)
  k = input -> Linear(hidden_size, hidden_size)
  v = input -> Linear(hidden_size, hidden_size)
  ScaledDotProductAttention(num_attention_heads)(q, k, v) -> Linear(hidden_size, hidden_size)
}
block layer {
  residual { attention } -> LayerNorm(hidden_size, eps=1e-12)
  residual { Linear(hidden_size, intermediate_size) -> GELU -> Linear(intermediate_size, hidden_size) } -> LayerNorm(hidden_size, eps=1e-12)
}
tokens = input(max_position_embeddings) -> word_embeddings
positions = input(max_position_embeddings) -> Embedding(max_position_embeddings, hidden_size, name=position_embeddings)
segments = input(max_position_embeddings) -> Embedding(type_vocab_size, hidden_size, name=token_type_embeddings)
hidden = Add(tokens, positions, segments) -> LayerNorm(hidden_size, eps=1e-12) -> repeat num_hidden_layers { layer }
"""
BERT_POOLER = "pooled = hidden[:, 0] -> Linear(hidden_size, hidden_size, name=pooler) -> Tanh\n"
BERT_HEADS = {
    "BertModel": BERT_POOLER,
    "BertForSequenceClassification": BERT_POOLER
    + "pooled -> Linear(hidden_size, num_labels, name=classifier)\n",
    "BertForMultipleChoice": BERT_POOLER + "pooled -> Linear(hidden_size, 1, name=classifier)\n",
    "BertForNextSentencePrediction": BERT_POOLER
    + "pooled -> Linear(hidden_size, 2, name=seq_relationship)\n",
    "BertForTokenClassification": "hidden -> Linear(hidden_size, num_labels, name=classifier)\n",
    "BertForQuestionAnswering": "hidden -> Linear(hidden_size, num_labels, name=qa_outputs)\n",
    "BertForMaskedLM": "{mlm}",
    "BertLMHeadModel": "{mlm}",
    "BertForPreTraining": BERT_POOLER
    + "{mlm}pooled -> Linear(hidden_size, 2, name=seq_relationship)\n",
}
BERT_TRANSFORM = (
    "hidden -> Linear(hidden_size, hidden_size, name=transform) -> GELU"
    " -> LayerNorm(hidden_size, eps=1e-12)"
)
BERT_MLM_TIED = (
    f"logits = {BERT_TRANSFORM} -> TiedLinear(word_embeddings, name=decoder)\n"
    "Add(logits, Parameter(vocab_size, name=bias))\n"
)
BERT_MLM_UNTIED = f"{BERT_TRANSFORM} -> Linear(hidden_size, vocab_size, name=decoder)\n"
BERT_DEFAULTS = {
    "vocab_size": 30522,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "hidden_size": 768,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "intermediate_size": 3072,
}


def _bert(cfg, cls):
    sizes = {k: _int(cfg, k, d) for k, d in BERT_DEFAULTS.items()}
    head = BERT_HEADS[cls]
    if "num_labels" in head:
        sizes["num_labels"] = _labels(cfg)
    mlm = BERT_MLM_TIED if cfg.get("tie_word_embeddings", True) else BERT_MLM_UNTIED
    return sizes, BERT_BODY + head.replace("{mlm}", mlm), "torch", []


# LLaMA and Mistral ---------------------------------------------------------

LLAMA_BODY = """
let rope = RotaryEmbedding(head_dim, name=rotary_emb)
block self_attn {
  q = input -> Linear(num_attention_heads * head_dim, bias={ab}) -> rope
  k = input -> Linear(num_key_value_heads * head_dim, bias={ab}) -> rope
  v = input -> Linear(num_key_value_heads * head_dim, bias={ab})
  ScaledDotProductAttention(num_attention_heads, num_key_value_heads=num_key_value_heads, is_causal=true, enable_gqa=true)(q, k, v)
  Linear(hidden_size, bias={ab})
}
block mlp {
  gate = input -> Linear(intermediate_size, bias={mb}) -> SiLU
  up = input -> Linear(intermediate_size, bias={mb})
  Multiply(gate, up) -> Linear(hidden_size, bias={mb})
}
block decoder_layer {
  residual { RMSNorm -> self_attn }
  residual { RMSNorm -> mlp }
}
let embed_tokens = Embedding(vocab_size, hidden_size, name=embed_tokens)
x = input(max_position_embeddings) -> embed_tokens
position_embeddings = x -> rope
hidden = x -> repeat num_hidden_layers { decoder_layer } -> RMSNorm(name=norm)
"""
LLAMA_DEFAULTS = {
    "vocab_size": 32000,
    "max_position_embeddings": 2048,
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_attention_heads": 32,
    "num_hidden_layers": 32,
}
MISTRAL_DEFAULTS = LLAMA_DEFAULTS | {
    "intermediate_size": 14336,
    "max_position_embeddings": 4096 * 32,
}


def _llama_like(prefix, defaults, cfg, cls):
    sizes = {k: _int(cfg, k, d) for k, d in defaults.items()}
    body = LLAMA_BODY
    kv = cfg.get("num_key_value_heads", 8 if prefix == "Mistral" else None)
    if kv is None:
        body = "let num_key_value_heads = num_attention_heads\n" + body
    else:
        sizes["num_key_value_heads"] = kv
    if cfg.get("head_dim") is None:
        body = "let head_dim = hidden_size // num_attention_heads\n" + body
    else:
        sizes["head_dim"] = cfg["head_dim"]
    flag = {True: "true", False: "false"}
    ab = flag[bool(cfg.get("attention_bias", False))] if prefix == "Llama" else "false"
    mb = flag[bool(cfg.get("mlp_bias", False))] if prefix == "Llama" else "false"
    body = body.replace("{ab}", ab).replace("{mb}", mb)
    if cls.endswith("ForCausalLM"):
        tied = cfg.get("tie_word_embeddings", False)
        head = (
            "TiedLinear(embed_tokens, name=lm_head)"
            if tied
            else ("Linear(vocab_size, bias=false, name=lm_head)")
        )
        body += f"hidden -> {head}\n"
    elif cls.endswith("ForSequenceClassification"):
        sizes["num_labels"] = _labels(cfg)
        body += "hidden -> Linear(num_labels, bias=false, name=score)\n"
    return sizes, body, "torch", []


def _llama(cfg, cls):
    return _llama_like("Llama", LLAMA_DEFAULTS, cfg, cls)


def _mistral(cfg, cls):
    return _llama_like("Mistral", MISTRAL_DEFAULTS, cfg, cls)


FAMILIES = {
    "gpt2": Family("gpt2", list(GPT2_HEADS), _gpt2),
    "bert": Family("bert", list(BERT_HEADS), _bert),
    "llama": Family(
        "llama", ["LlamaForCausalLM", "LlamaModel", "LlamaForSequenceClassification"], _llama
    ),
    "mistral": Family(
        "mistral",
        ["MistralForCausalLM", "MistralModel", "MistralForSequenceClassification"],
        _mistral,
    ),
}


# ViT -----------------------------------------------------------------------

VIT_BODY = """
let layernorm = LayerNorm(hidden_size, name=layernorm)
block embeddings {
  patches = input -> Conv2d(num_channels, hidden_size, patch_size, stride=patch_size, name=projection) -> Flatten(2) -> Transpose(1, 2)
  cls = Parameter(1, 1, hidden_size, name=cls_token)
  pos = Parameter(1, (image_size // patch_size)**2 + 1, hidden_size, name=position_embeddings)
  Add(Concatenate(cls, patches, dim=1), pos)
}
block attention {
  q = input -> Linear(hidden_size, num_attention_heads * (hidden_size // num_attention_heads), bias={qb})
  k = input -> Linear(hidden_size, num_attention_heads * (hidden_size // num_attention_heads), bias={qb})
  v = input -> Linear(hidden_size, num_attention_heads * (hidden_size // num_attention_heads), bias={qb})
  ScaledDotProductAttention(num_attention_heads)(q, k, v) -> Linear(num_attention_heads * (hidden_size // num_attention_heads), hidden_size)
}
block layer {
  residual { LayerNorm(hidden_size) -> attention }
  residual { LayerNorm(hidden_size) -> Linear(hidden_size, intermediate_size) -> GELU -> Linear(intermediate_size, hidden_size) }
}
hidden = input(num_channels, image_size, image_size) -> embeddings -> repeat num_hidden_layers { layer } -> layernorm
"""
VIT_HEADS = {
    "ViTModel": "hidden[:, 0] -> Linear(hidden_size, hidden_size, name=pooler) -> Tanh\n",
    "ViTForImageClassification": "hidden[:, 0, :] -> Linear(hidden_size, num_labels, name=classifier)\n",
}
VIT_DEFAULTS = {
    "hidden_size": 768,
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "intermediate_size": 3072,
    "patch_size": 16,
    "image_size": 224,
    "num_channels": 3,
}


def _vit(cfg, cls):
    sizes = {k: _int(cfg, k, d) for k, d in VIT_DEFAULTS.items()}
    if cls == "ViTForImageClassification":
        sizes["num_labels"] = _labels(cfg)
    qb = "true" if cfg.get("qkv_bias", True) else "false"
    return sizes, VIT_BODY.replace("{qb}", qb) + VIT_HEADS[cls], "torch", []


# T5 ------------------------------------------------------------------------

T5_ATTENTION = """
block {name} {
  q = input -> Linear(num_heads * d_kv, bias=false)
  k = {kv} -> Linear(num_heads * d_kv, bias=false)
  v = {kv} -> Linear(num_heads * d_kv, bias=false)
  ScaledDotProductAttention(num_heads, scale=1)(q, k, v{bias}) -> Linear(d_model, bias=false)
}
"""
T5_FF = {
    False: "block ff {\n  Linear(d_ff, bias=false) -> ReLU -> Linear(d_model, bias=false)\n}\n",
    True: "block ff {\n  g = input -> Linear(d_ff, bias=false) -> GELU\n"
    "  u = input -> Linear(d_ff, bias=false)\n  Multiply(g, u) -> Linear(d_model, bias=false)\n}\n",
}
T5_ENCODER = """
block encoder_block {
  residual { RMSNorm -> encoder_attention }
  residual { RMSNorm -> ff }
}
let shared = Embedding(vocab_size, d_model, name=shared)
let S = 512
encoder_bias = input(S, S) -> Embedding(relative_attention_num_buckets, num_heads, name=encoder_relative_attention_bias) -> Permute(0, 3, 1, 2)
encoded = input(S) -> shared -> repeat num_layers { encoder_block } -> RMSNorm(name=encoder_final_layer_norm)
"""
T5_DECODER = """
block decoder_block {
  residual { RMSNorm -> decoder_attention }
  residual { RMSNorm -> cross_attention }
  residual { RMSNorm -> ff }
}
let T = 512
decoder_bias = input(T, T) -> Embedding(relative_attention_num_buckets, num_heads, name=decoder_relative_attention_bias) -> Permute(0, 3, 1, 2)
decoded = input(T) -> shared -> repeat num_decoder_layers { decoder_block } -> RMSNorm(name=decoder_final_layer_norm)
"""
T5_DEFAULTS = {
    "vocab_size": 32128,
    "d_model": 512,
    "d_kv": 64,
    "d_ff": 2048,
    "num_heads": 8,
    "num_layers": 6,
    "relative_attention_num_buckets": 32,
}


def _attention(name, kv, bias):
    text = T5_ATTENTION.replace("{name}", name).replace("{kv}", kv)
    return text.replace("{bias}", f", {bias}" if bias else "")


def _t5(cfg, cls):
    sizes = {k: _int(cfg, k, d) for k, d in T5_DEFAULTS.items()}
    gated = str(cfg.get("feed_forward_proj", "relu")).startswith("gated-")
    body = T5_FF[gated] + _attention("encoder_attention", "input", "encoder_bias") + T5_ENCODER
    if cls != "T5EncoderModel":
        if cfg.get("num_decoder_layers") is None:
            body = "let num_decoder_layers = num_layers\n" + body
        else:
            sizes["num_decoder_layers"] = cfg["num_decoder_layers"]
        body += _attention("decoder_attention", "input", "decoder_bias")
        body += _attention("cross_attention", "encoded", "") + T5_DECODER
    if cls == "T5ForConditionalGeneration":
        tied = cfg.get("tie_word_embeddings", True)
        head = (
            "TiedLinear(shared, name=lm_head)"
            if tied
            else ("Linear(vocab_size, bias=false, name=lm_head)")
        )
        body += f"decoded -> {head}\n"
    notes = [
        "the sequence lengths (512, encoder and decoder) are no config's: no count depends on them"
    ]
    return sizes, body, "torch", notes


FAMILIES["vit"] = Family("vit", list(VIT_HEADS), _vit)
FAMILIES["t5"] = Family("t5", ["T5ForConditionalGeneration", "T5Model", "T5EncoderModel"], _t5)
