"""The architecture examples (VQA, ResNet-50, GPT-2, BERT-base, VGG16, a shared
LSTM, GPT-3): the numbers the real frameworks report, through the Python API
and through the ``symcount`` command. The layer-by-layer comparisons with real
Keras and transformers builds are in test_live_architectures.py."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import symcount
from symcount import cli
from symcount import dims as D

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}
GPT2_SETS = [arg for k, v in GPT2_SMALL.items() for arg in ("--set", f"{k}={v}")]

# file, values, total, trainable, non-trainable: what Keras's model.summary() /
# transformers' sum of parameters print for the same model
NUMBERS = [
    ("vqa.sc", {}, 165_077_800, 165_077_800, 0),
    ("resnet50.sc", {}, 25_636_712, 25_583_592, 53_120),
    ("gpt2.sc", GPT2_SMALL, 124_439_808, 124_439_808, 0),
    ("bert_base.sc", {}, 109_482_240, 109_482_240, 0),
    ("vgg16.sc", {}, 138_357_544, 138_357_544, 0),
    ("shared_lstm.sc", {}, 82_305, 82_305, 0),
    ("gpt3.sc", {"L": 96}, 174_604_259_328, 174_604_259_328, 0),
]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def leaves(model) -> list:
    """The layers themselves, blocks and repeats opened (what Keras lists)."""
    return [r for _, r in model.walk(expand=True) if not r.group]


@pytest.mark.parametrize(("name", "values", "total", "trainable", "frozen"), NUMBERS)
def test_example_numbers_through_the_api(name, values, total, trainable, frozen):
    m = symcount.load(EXAMPLES / name, values=values or None)
    assert (m.total, m.trainable, m.non_trainable) == (total, trainable, frozen)
    # the rows add up to the totals, whether blocks are opened or not
    assert D.total([r.params for r in leaves(m)]) == total


@pytest.mark.parametrize(("name", "values", "total", "trainable", "frozen"), NUMBERS)
def test_example_numbers_through_the_cli(capsys, name, values, total, trainable, frozen):
    sets = [arg for k, v in values.items() for arg in ("--set", f"{k}={v}")]
    code, out, err = run(capsys, "summary", str(EXAMPLES / name), "--format", "json", *sets)
    assert code == 0, err
    d = json.loads(out)
    assert (d["total"], d["trainable"], d["non_trainable"]) == (total, trainable, frozen)
    code, out, err = run(capsys, "summary", str(EXAMPLES / name), *sets)
    assert code == 0, err
    assert f" Total params: {total:,}\n" in out or f" Total params: {total:,} (" in out
    code, expanded, err = run(capsys, "summary", str(EXAMPLES / name), "--expand", *sets)
    assert code == 0, err
    assert f" Total params: {total:,}\n" in expanded or f" Total params: {total:,} (" in expanded
    assert expanded.count("\n") >= out.count("\n")


def test_vqa_vision_model_is_one_nested_row(capsys):
    m = symcount.load(EXAMPLES / "vqa.sc")
    assert [(r.name, r.type, r.params) for r in m.rows] == [
        ("vision", "vision", 1_735_488),
        ("embedding", "Embedding", 2_560_000),
        ("lstm", "LSTM", 525_312),
        ("concatenate", "Concatenate", 0),
        ("dense", "Dense", 160_257_000),
    ]
    vision = m.rows[0]
    assert vision.group and vision.output_shape == (160_000,)
    assert [c.type for c in vision.children] == ["Conv2D"] * 2 + ["MaxPooling2D"] + [
        "Conv2D"
    ] * 2 + ["MaxPooling2D"] + ["Conv2D"] * 3 + ["MaxPooling2D", "Flatten"]
    assert m.input_shapes == [(224, 224, 3), (100,)]
    code, out, _ = run(capsys, "summary", str(EXAMPLES / "vqa.sc"))
    assert code == 0
    assert "│ vision (vision)" in out and "1,735,488" in out
    assert "conv2d_6" not in out  # folded into the vision row
    code, out, _ = run(capsys, "summary", str(EXAMPLES / "vqa.sc"), "--expand")
    assert "│   conv2d_6 (Conv2D)" in out and "(None, 50, 50, 256)" in out


def test_resnet50_has_kerass_layers_in_blocks_and_repeats():
    m = symcount.load(EXAMPLES / "resnet50.sc")
    kinds = Counter(r.type for r in leaves(m))
    # keras.applications.ResNet50: 177 layers with the InputLayer
    assert sum(kinds.values()) == 176
    assert kinds == {
        "Conv2D": 53,
        "BatchNormalization": 53,
        "Activation": 49,
        "Add": 16,
        "ZeroPadding2D": 2,
        "MaxPooling2D": 1,
        "GlobalAveragePooling2D": 1,
        "Dense": 1,
    }
    stacks = [r for r in m.rows if r.type == "stack"]
    assert [r.output_shape for r in stacks] == [
        (56, 56, 256),
        (28, 28, 512),
        (14, 14, 1024),
        (7, 7, 2048),
    ]
    # conv2's three blocks: a projection block and a repeat of two identity blocks
    first = stacks[0]
    assert [c.type for c in first.children] == ["conv_block", "repeat x2"]
    assert [c.params for c in first.children[1].children] == [71_552, 71_552]
    assert stacks[0].formula is not None and "blocks" in stacks[0].formula.general


def test_gpt2_prints_its_closed_form_without_h(capsys):
    m = symcount.load(EXAMPLES / "gpt2.sc")
    V, T, d, L = (D.symbol(s) for s in "VTdL")
    expected = L * (12 * d**2 + 13 * d) + T * d + V * d + 2 * d
    assert D.sp().expand(m.total - expected) == 0
    assert D.symbol("h") not in m.total.free_symbols
    code, out, err = run(capsys, "summary", str(EXAMPLES / "gpt2.sc"))
    assert code == 0, err
    total = next(line for line in out.splitlines() if line.startswith(" Total params:"))
    assert total == " Total params: L*(12*d**2 + 13*d) + T*d + V*d + 2*d"
    # the stack of L blocks is one row with its per-block formula
    assert "│ repeat (repeat xL)" in out and "L*(12*d**2 + 13*d)" in out
    # the tied output projection is the embedding's second call, not new weights
    assert "reversible_embedding" in out and "(ReversibleEmbedding)" in out
    assert "[shared: 2 calls]" in out
    # Keras's functional layout: the tied projection reads the final norm's output
    assert "input_layer[0][0]," in out and "layer_normalization_2[0][0]" in out
    code, out, _ = run(capsys, "summary", str(EXAMPLES / "gpt2.sc"), "--format", "json")
    d = json.loads(out)
    assert d["total"] == "L*(12*d**2 + 13*d) + T*d + V*d + 2*d"
    assert d["layers"][0]["calls"] == 2


def test_gpt2_substituted_equals_gpt2_evaluated_with_values():
    symbolic = symcount.load(EXAMPLES / "gpt2.sc").subs(GPT2_SMALL)
    assert symbolic.total == 124_439_808
    m = symcount.load(EXAMPLES / "gpt2.sc", values=GPT2_SMALL)
    blocks = [r for r in leaves(m) if r.type == "MultiHeadAttention"]
    assert len(blocks) == 12  # a numeric L is unrolled
    assert [r.params for r in m.rows[3].children] == [7_087_872] * 12


def test_bert_and_vgg16_rows():
    bert = symcount.load(EXAMPLES / "bert_base.sc")
    assert bert.row("pooler").params == 768 * 768 + 768
    assert bert.row("cls_token").output_shape == (768,)
    assert [r.params for r in bert.row("repeat").children] == [7_087_872] * 12
    vgg = symcount.load(EXAMPLES / "vgg16.sc")
    assert [(r.name, r.params) for r in vgg.rows[-3:]] == [
        ("fc1", 102_764_544),
        ("fc2", 16_781_312),
        ("predictions", 4_097_000),
    ]
    assert vgg.row("flatten").output_shape == (25_088,)
    assert [r.type for r in leaves(vgg)].count("Conv2D") == 13


def test_shared_lstm_counts_once_and_is_marked(capsys):
    m = symcount.load(EXAMPLES / "shared_lstm.sc")
    lstm = m.row("lstm")
    assert lstm.calls == 2 and lstm.params == 4 * 64 * (256 + 64 + 1)
    assert m.total == lstm.params + 129  # not 2 * lstm.params + 129
    code, out, _ = run(capsys, "summary", str(EXAMPLES / "shared_lstm.sc"))
    assert code == 0 and "│ lstm (LSTM)  " in out and "│ [shared: 2 calls]  " in out
    assert "│ concatenate (Concatenate)  " in out and " lstm[0][0], lstm[1][0] " in out


def test_gpt3_symbolic_l_is_not_unrolled():
    m = symcount.load(EXAMPLES / "gpt3.sc")
    L = D.symbol("L")
    assert m.symbols == ["L"]
    assert D.sp().expand(m.total - (1_812_099_072 * L + 642_748_416)) == 0
    assert len(leaves(m)) == 4 + 6 + 1  # embeddings and Add, one block's six layers, LN
    assert m.subs(L=96).total == 174_604_259_328
    assert symcount.load(EXAMPLES / "gpt3.sc", values={"L": 1}).total == 1_812_099_072 + (
        642_748_416
    )


def test_symbolic_repeat_that_changes_shape_is_one_positioned_cli_error(capsys, tmp_path):
    path = tmp_path / "shrinks.sc"
    path.write_text(
        "block down(f) { Conv2D(f, 3, strides=2, padding=same) }\n"
        "input(64, 64, 3) -> Conv2D(16, 3)\n"
        "repeat L { down(16) }\n"
    )
    code, out, err = run(capsys, "summary", str(path))
    assert code == 2 and out == ""
    first, line, caret = err.splitlines()[:3]
    assert first.startswith(f"{path}:3:1: shape error: repeat L: the body does not reach")
    assert "after the first pass axis 1 is 31, after the second 16" in first
    assert line.strip() == "repeat L { down(16) }"
    assert caret.strip() == "^" * len("repeat L { down(16) }")
    assert "Traceback" not in err
