"""Live differential tests of what Keras saved models carry beyond plain
layers (docs/keras_json.md): LoRA (``lora_rank``, ``enable_lora``), layers
used through a later output (``keras_history`` index > 0), JSON on standard
input, and random models mixing them, each read back from ``to_json()`` and
a ``.keras`` archive and compared with real Keras 3 (torch backend) layer by
layer: name, type, output shape, trainable and non-trainable weights.
Needs the `frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
import random
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402

pytestmark = pytest.mark.live
L = keras.layers


def weights(layer) -> tuple[int, int]:
    t = sum(math.prod(w.shape) for w in layer.trainable_weights)
    f = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
    return t, f


def keras_rows(model) -> list[tuple]:
    """(name, type, output shape without the batch, trainable, non-trainable)
    of each top-level layer, as model.summary() lists them."""
    out = []
    for layer in model.layers:
        if isinstance(layer, L.InputLayer):
            continue
        node = layer._inbound_nodes[0]  # a shared layer: its first call, as symcount shows
        shapes = [tuple(t.shape[1:]) for t in node.output_tensors]
        shape = shapes[0] if len(shapes) == 1 else tuple(shapes)
        out.append((layer.name, type(layer).__name__, shape, *weights(layer)))
    return out


def our_rows(model) -> list[tuple]:
    return [
        (r.name, r.type, tuple(r.output_shape), r.trainable, r.non_trainable) for r in model.rows
    ]


def check(real, ours) -> None:
    assert ours.name == real.name
    assert our_rows(ours) == keras_rows(real)
    t, f = weights(real)
    assert (ours.total, ours.trainable, ours.non_trainable) == (real.count_params(), t, f)


def both_ways(real, tmp_path) -> None:
    """to_json() and a .keras archive, each read back and compared with ``real``."""
    check(real, symcount.parse_keras_json(real.to_json()))
    path = tmp_path / f"{real.name}.keras"
    real.save(path)
    check(real, symcount.load(path))


def fresh():
    keras.backend.clear_session(free_memory=False)


# LoRA ----------------------------------------------------------------------------------

LORA = [  # (layer, input shape): sizes and ranks, Dense on a sequence too
    (lambda: L.Dense(3, lora_rank=2), (4,)),
    (lambda: L.Dense(17, lora_rank=5, lora_alpha=10), (9,)),
    (lambda: L.Dense(8, use_bias=False, lora_rank=1), (6, 12)),
    (lambda: L.Embedding(50, 16, lora_rank=4), (7,)),
    (lambda: L.Embedding(11, 3, lora_rank=8, lora_alpha=2), (5,)),
    (lambda: L.EinsumDense("ab,bc->ac", 6, bias_axes="c", lora_rank=2), (5,)),
    (lambda: L.EinsumDense("abc,cde->abde", (4, 3, 2), bias_axes="de", lora_rank=3), (4, 8)),
    (lambda: L.EinsumDense("...b,bc->...c", 7, lora_rank=2), (3, 5)),
]


@pytest.mark.parametrize("index", range(len(LORA)))
def test_lora_layer(index, tmp_path):
    make, shape = LORA[index]
    fresh()
    dtype = "int32" if "Embedding" in repr(make()) else "float32"
    fresh()
    real = keras.Sequential([keras.Input(shape, dtype=dtype), make()], name=f"lora_{index}")
    assert real.layers[0].lora_enabled
    both_ways(real, tmp_path)


def test_the_issue_figures():
    """Dense(3, lora_rank=2) on 4 features: 29 params, 12 of them the frozen kernel."""
    fresh()
    real = keras.Sequential([keras.Input((4,)), L.Dense(3, lora_rank=2)], name="m")
    ours = symcount.parse_keras_json(real.to_json())
    assert (real.count_params(), *weights(real)) == (29, 17, 12)
    assert (ours.total, ours.trainable, ours.non_trainable) == (29, 17, 12)
    assert symcount.parse("input(4) -> Dense(3, lora_rank=2)").total == 29


def test_enable_lora_after_building(tmp_path):
    fresh()
    x = keras.Input((10,), dtype="int32", name="tokens")
    e = L.Embedding(100, 12, name="emb")
    d1 = L.Dense(20, name="d1")
    d2 = L.Dense(5, name="d2")
    ein = L.EinsumDense("abc,cd->abd", (10, 6), bias_axes="d", name="ein")
    real = keras.Model(x, d2(L.GlobalAveragePooling1D()(ein(d1(e(x))))), name="tuned")
    for layer, rank in ((e, 3), (d1, 4), (ein, 2)):
        layer.enable_lora(rank)
    assert '"lora_rank": 4' in real.to_json()
    both_ways(real, tmp_path)


def test_frozen_lora_layer(tmp_path):
    """trainable=False over LoRA: every weight non-trainable, as Keras counts."""
    fresh()
    real = keras.Sequential(
        [keras.Input((6,)), L.Dense(4, lora_rank=2, trainable=False), L.Dense(2)], name="frozen"
    )
    both_ways(real, tmp_path)


@pytest.mark.parametrize(
    ("text", "total", "trainable"),
    [
        ("input(4) -> Dense(3, lora_rank=r)", "7*r + 15", "7*r + 3"),
        ("input(4) -> Dense(3, lora_rank=0) -> Dense(2, lora_rank=None)", "23", "23"),
    ],
)
def test_lora_in_the_language(text, total, trainable):
    model = symcount.parse(text)
    assert (str(model.total), str(model.trainable)) == (total, trainable)


def test_a_symbolic_rank_is_keras_count_at_each_value():
    for r in (1, 3, 16):
        fresh()
        real = keras.Sequential([keras.Input((4,)), L.Dense(3, lora_rank=r)])
        ours = symcount.parse("input(4) -> Dense(3, lora_rank=r)", values={"r": r})
        assert (ours.total, ours.trainable) == (real.count_params(), weights(real)[0])


def test_lora_in_python_code():
    code = (
        "import keras\nfrom keras import layers\n"
        "model = keras.Sequential([keras.Input((4,)), layers.Dense(3, lora_rank=2, lora_alpha=8)])\n"
    )
    fresh()
    real = keras.Sequential([keras.Input((4,)), L.Dense(3, lora_rank=2, lora_alpha=8)])
    ours = symcount.parse_python(code)
    assert (ours.total, ours.trainable) == (real.count_params(), weights(real)[0])


@pytest.mark.parametrize("bad", ["-1", "1.5", "true"])
def test_a_bad_lora_rank_is_an_error(bad):
    with pytest.raises(symcount.SymcountError, match="lora_rank must be a positive integer"):
        symcount.parse(f"input(4) -> Dense(3, lora_rank={bad})")


# a layer used through a later output: keras_history [layer, node, index > 0] ----------


def seq2seq():
    """keras.io's sequence-to-sequence LSTM: the encoder's states start the decoder."""
    enc_in = keras.Input((None, 7), name="encoder_inputs")
    _, h, c = L.LSTM(12, return_state=True, name="encoder")(enc_in)
    dec_in = keras.Input((None, 9), name="decoder_inputs")
    out, _, _ = L.LSTM(12, return_sequences=True, return_state=True, name="decoder")(
        dec_in, initial_state=[h, c]
    )
    return keras.Model([enc_in, dec_in], L.Dense(9, activation="softmax")(out), name="s2s")


def states_as_outputs():
    x = keras.Input((5, 8), name="x")
    out, h, c = L.LSTM(16, return_state=True, return_sequences=True)(x)
    merged = L.Concatenate()([h, c])
    g, gh = L.GRU(4, return_state=True)(out, initial_state=[L.Dense(4)(h)])
    _s, sh = L.SimpleRNN(3, return_state=True)(out)
    fwd = L.Bidirectional(L.LSTM(3), merge_mode=None)(out)
    return keras.Model(x, [L.Dense(3)(merged), c, g, gh, sh, fwd[1]], name="states")


def rnn_of_cells():
    x = keras.Input((6, 4), name="x")
    _out, h, c = L.RNN(L.LSTMCell(5), return_state=True)(x)
    _y, s = L.RNN(L.GRUCell(3), return_state=True)(L.RepeatVector(2)(c))
    return keras.Model(x, [L.Add()([h, c]), s], name="cells")


def attention_scores():
    q = keras.Input((4, 8), name="q")
    v = keras.Input((6, 8), name="v")
    out, scores = L.MultiHeadAttention(2, 4, name="mha")(q, v, return_attention_scores=True)
    return keras.Model([q, v], [out, L.Flatten()(scores)], name="scores")


@pytest.mark.parametrize("make", [seq2seq, states_as_outputs, rnn_of_cells])
def test_later_outputs(make, tmp_path):
    fresh()
    both_ways(make(), tmp_path)


def test_attention_scores_are_refused_by_name():
    """symcount's MultiHeadAttention returns no scores: an error naming the keyword."""
    fresh()
    with pytest.raises(symcount.SymcountError, match="no keyword 'return_attention_scores'"):
        symcount.parse_keras_json(attention_scores().to_json())


# JSON on standard input: known by its content -------------------------------------------


def piped(monkeypatch, capsys, text: str, *argv: str) -> tuple[int, str, str]:
    import io
    import sys

    from symcount.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_on_stdin(monkeypatch, capsys, tmp_path):
    fresh()
    real = states_as_outputs()
    text = real.to_json()
    code, out, _ = piped(monkeypatch, capsys, text, "summary", "-", "--format", "csv")
    assert code == 0
    rows = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert rows == [r[0] for r in keras_rows(real)]
    code, out, _ = piped(monkeypatch, capsys, text, "summary", "-")
    assert code == 0 and f"Total params: {real.count_params():,}" in out
    code, sc, _ = piped(monkeypatch, capsys, text, "import", "-")
    assert code == 0 and "lstm_0_, lstm_1_, lstm_2_ = LSTM(16" in sc
    copy = symcount.parse(sc)
    assert (copy.total, copy.trainable) == (real.count_params(), weights(real)[0])
    code, _, err = piped(
        monkeypatch, capsys, '{"class_name": "Sequential", "config": {]}', "summary", "-"
    )
    assert code == 2 and "<stdin>:1:41: syntax error: this is not valid JSON" in err
    code, out, _ = piped(
        monkeypatch, capsys, "input(3) -> Dense(2)", "summary", "-", "--format", "csv"
    )
    assert code == 0 and "dense,Dense" in out  # a model file on stdin is read as before
