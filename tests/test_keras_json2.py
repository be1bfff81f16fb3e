"""What Keras saved models carry beyond plain layers, without Keras (the live
tests, tests/test_live_keras_json2.py, check the same against real Keras):
LoRA, a layer read through a later output (keras_history index > 0), nested
models of several inputs and outputs (a block's ``output a, b``), and a
config piped on standard input."""

from __future__ import annotations

import io
import json
import sys

import pytest

import symcount
from symcount.cli import main
from tests.test_keras_json import dense, functional, input_layer, layer, sequential, tensor


def rows(model):
    return [(r.name, tuple(r.output_shape), r.trainable, r.non_trainable) for r in model.rows]


@pytest.mark.parametrize(
    ("kw", "counts"),
    [
        ({"lora_rank": 2}, (29, 17, 12)),  # the figures: Keras 3 says 29
        ({"lora_rank": 2, "lora_alpha": 16}, (29, 17, 12)),  # a scale: no weights
        ({"lora_rank": None}, (15, 15, 0)),
        ({"lora_rank": 3, "use_bias": False}, (33, 21, 12)),
        ({"lora_rank": 2, "trainable": False}, (29, 0, 29)),
    ],
)
def test_lora_dense(kw, counts):
    model = symcount.parse_keras_json(
        json.dumps(sequential("m", [input_layer("x", 4), dense("d", 3, **kw)]))
    )
    assert (model.total, model.trainable, model.non_trainable) == counts


def lstm(name, units, *calls, **kw):
    config = {"units": units, "return_sequences": False, "return_state": True, **kw}
    return layer("LSTM", name, *calls, **config)


def test_states_read_by_index():
    """out, h, c = LSTM(16, return_state=True)(x); Concatenate([h, c]); c an output."""
    config = functional(
        "states",
        [
            input_layer("x", 5, 8),
            lstm("lstm", 16, [tensor("x")]),
            layer("Concatenate", "cat", [tensor("lstm", 0, 1), tensor("lstm", 0, 2)], axis=-1),
            dense("d", 3, [tensor("cat")]),
        ],
        [["x", 0, 0]],
        [["d", 0, 0], ["lstm", 0, 2]],
    )
    model = symcount.parse_keras_json(json.dumps(config))
    assert rows(model) == [
        ("lstm", ((16,), (16,), (16,)), 1600, 0),
        ("cat", (32,), 0, 0),
        ("d", (3,), 99, 0),
    ]


def test_an_index_past_the_layer_outputs_is_an_error():
    config = functional(
        "bad",
        [input_layer("x", 4), dense("d", 3, [tensor("x")]), dense("e", 2, [tensor("d", 0, 1)])],
        [["x", 0, 0]],
        [["e", 0, 0]],
    )
    with pytest.raises(symcount.SymcountError, match="2 names for 1 tensor"):
        symcount.parse_keras_json(json.dumps(config))


def nested_two_in_two_out():
    inner = functional(
        "encoder",
        [
            input_layer("p", 6),
            input_layer("q", 4),
            layer("Concatenate", "join", [tensor("p"), tensor("q")], axis=-1),
            dense("mix", 5, [tensor("join")]),
            dense("side", 3, [tensor("q")]),
        ],
        [["p", 0, 0], ["q", 0, 0]],
        [["mix", 0, 0], ["side", 0, 0]],
    )
    inner["name"] = "encoder"
    inner["inbound_nodes"] = [{"args": [[tensor("a"), tensor("b")]], "kwargs": {}}]
    return functional(
        "outer",
        [input_layer("a", 6), input_layer("b", 4), inner, dense("head", 2, [tensor("encoder")])],
        [["a", 0, 0], ["b", 0, 0]],
        [["head", 0, 0], ["encoder", 1, 1]],  # Keras numbers a Functional's calls from 1 here
    )


def test_a_nested_model_of_two_inputs_and_two_outputs():
    model = symcount.parse_keras_json(json.dumps(nested_two_in_two_out()))
    assert rows(model) == [("encoder", ((5,), (3,)), 70, 0), ("head", (2,), 12, 0)]
    assert [r.name for r in model.rows[0].children] == ["join", "mix", "side"]


@pytest.mark.parametrize(
    ("text", "shape", "total"),
    [
        (
            "block b() { x = Dense(4); y = input -> Dense(3); output x, y }\n"
            "p, q = input(5) -> b\noutput p, q",
            ((4,), (3,)),
            42,
        ),
        ("block b() { x = Dense(4); output x }\ninput(5) -> b", (4,), 24),
        (
            "block b() { out, h, c = LSTM(4, return_state=true); output h, c }\n"
            "h, c = input(3, 2) -> b\nAdd(h, c)",
            ((4,), (4,)),
            112,
        ),
    ],
)
def test_a_block_of_several_outputs(text, shape, total):
    model = symcount.parse(text)
    assert (tuple(model.rows[0].output_shape), model.total) == (shape, total)


def test_a_block_of_several_outputs_is_unpacked_by_count():
    with pytest.raises(symcount.SymcountError, match="3 names for 2 tensors: b"):
        symcount.parse("block b() { x = Dense(4); output x, input }\np, q, r = input(5) -> b")


def test_json_on_stdin(monkeypatch, capsys):
    text = json.dumps(nested_two_in_two_out())
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["summary", "-", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        'encoder,encoder,"[(None, 5), (None, 3)]",70,70,0,0',
        'head,Dense,"(None, 2)",12,12,0,0',
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main(["import", "-"]) == 0
    sc = capsys.readouterr().out
    assert "encoder_0_, encoder_1_ = encoder(a_, b_)" in sc
    assert (
        sc.splitlines()[0] == "# read from <stdin> by symcount import (the config is read as data)"
    )
    assert symcount.parse(sc).total == 82
