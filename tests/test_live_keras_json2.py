"""Live differential tests of what Keras saved models carry beyond plain
layers (docs/keras_json.md): LoRA (``lora_rank``, ``enable_lora``), layers
used through a later output (``keras_history`` index > 0), JSON on standard
input, and random models mixing them, each read back from ``to_json()`` and
a ``.keras`` archive and compared with real Keras 3 (torch backend) layer by
layer: name, type, output shape, trainable and non-trainable weights.
Needs the `frameworks` extra; skipped without."""

from __future__ import annotations

import json
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


def check(real, ours, nested_types: bool = True) -> None:
    assert ours.name == real.name
    rows, expected = our_rows(ours), keras_rows(real)
    if not nested_types:  # a nested model's row is typed by its block's name (see below)
        models = {la.name for la in real.layers if isinstance(la, keras.Model)}
        rows = [r if r[0] not in models else (r[0], "-", *r[2:]) for r in rows]
        expected = [r if r[0] not in models else (r[0], "-", *r[2:]) for r in expected]
    assert rows == expected
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


ENABLE_LORA = """\
import keras
from keras import layers
inputs = keras.Input((10,), dtype="int32")
emb = layers.Embedding(100, 8)
d = layers.Dense(4)
x = d(layers.GlobalAveragePooling1D()(emb(inputs)))
model = keras.Model(inputs, x)
emb.enable_lora(rank=3)
d.enable_lora(2)
"""


def test_enable_lora_in_python_code():
    """The code is read, never run; the same model built here, for Keras's figures."""
    fresh()
    inputs = keras.Input((10,), dtype="int32")
    emb, d = L.Embedding(100, 8), L.Dense(4)
    real = keras.Model(inputs, d(L.GlobalAveragePooling1D()(emb(inputs))))
    emb.enable_lora(rank=3)
    d.enable_lora(2)
    ours = symcount.parse_python(ENABLE_LORA)
    assert [r[2:] for r in our_rows(ours)] == [r[2:] for r in keras_rows(real)]
    assert (ours.total, ours.trainable) == (real.count_params(), weights(real)[0])
    with pytest.raises(symcount.SymcountError, match="LoRA is already enabled"):
        symcount.parse_python(ENABLE_LORA + "d.enable_lora(2)\n")


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


# random models: seeded, a fixed count, LoRA, return_state, nesting and sharing in the mix


def as_model_file(text: str):
    """The config written as a model file (what `symcount import` writes), read back."""
    from symcount.importers import read_keras_json
    from symcount.importers.keras_json import printable
    from symcount.language.printer import to_text

    program, _ = read_keras_json(text)
    model = symcount.parse(to_text(printable(program)[0]))
    model.name = json.loads(text)["config"]["name"]
    return model


class Maker:
    """One random model's layers: the reference cases where the shape has some
    (tests/reference/keras_layers.json), else layers of any shape: a LoRA
    Dense or EinsumDense, an RNN returning its states (functional only)."""

    def __init__(self, rng: random.Random, by_shape: dict, functional: bool):
        self.rng, self.by_shape, self.functional = rng, by_shape, functional
        self.extra: list = []  # tensors made besides the chain: more outputs
        self.inputs: list = []

    def lora_layer(self, shape):
        rng = self.rng
        rank, units = rng.randint(1, 6), rng.randint(1, 12)
        alpha = rng.choice([None, rank, 2 * rank])
        if len(shape) in (1, 2) and rng.random() < 0.4:
            eq = "ab,bc->ac" if len(shape) == 1 else "abc,cd->abd"
            out = units if len(shape) == 1 else (shape[0], units)
            bias = rng.choice([None, "c" if len(shape) == 1 else "d"])
            return L.EinsumDense(eq, out, bias_axes=bias, lora_rank=rank, lora_alpha=alpha)
        use_bias = rng.random() < 0.8
        return L.Dense(units, use_bias=use_bias, lora_rank=rank, lora_alpha=alpha)

    def step(self, x):
        """x through one random layer (or a few, nested): the next tensor."""
        from tests.reference.keras_cases import build_layer

        rng, shape = self.rng, tuple(x.shape[1:])
        options = self.by_shape.get(shape)
        roll = rng.random()
        if self.functional and len(shape) == 2 and roll < 0.25:
            return self.recurrent(x)
        if self.functional and roll > 0.9 and shape and shape[-1] is not None:
            return self.nested(x)
        known = bool(shape) and shape[-1] is not None  # a kernel needs its input's size
        if not options and not known:
            return x
        if known and (roll < 0.45 or not options):
            return self.lora_layer(shape)(x)
        if roll < 0.55:  # a nested Sequential of one or two layers
            sub = keras.Sequential([keras.Input(shape), build_layer(rng.choice(options))])
            inner = tuple(sub.output_shape[1:])
            if rng.random() < 0.5 and inner and inner[-1] is not None:
                sub.add(self.lora_layer(inner))
            return sub(x)
        layer = build_layer(rng.choice(options))
        y = layer(x)
        if self.functional and rng.random() < 0.2:  # shared: the same layer on a second input
            b = keras.Input(shape=shape)
            self.inputs.append(b)
            y2 = layer(b)
            if tuple(y2.shape) == tuple(y.shape):
                return L.Add()([y, y2])
            self.extra.append(y2)
        return y

    def nested(self, x):
        """A nested functional model of one or two inputs and one or two outputs,
        sometimes called twice."""
        rng, shape = self.rng, tuple(x.shape[1:])
        i = keras.Input(shape)
        j = keras.Input(shape) if rng.random() < 0.5 else None
        y = self.lora_layer(shape)(i if j is None else L.Add()([i, j]))
        outs = [y, self.lora_layer(shape)(i)] if rng.random() < 0.5 else [y]
        inner = keras.Model([i] if j is None else [i, j], outs if len(outs) > 1 else y)
        if j is None:
            got = inner(x)
        else:
            second = keras.Input(shape)
            self.inputs.append(second)
            got = inner([x, second])
        if rng.random() < 0.4:  # called again: shared, its weights once
            again = inner(x) if j is None else inner([second, x])
            self.extra += again if len(outs) > 1 else [again]
        if len(outs) == 1:
            return got
        self.extra.append(got[1])
        return got[0]

    def recurrent(self, x):
        rng = self.rng
        kind = rng.choice(["LSTM", "GRU", "SimpleRNN"])
        units = rng.randint(1, 8)
        outs = getattr(L, kind)(units, return_state=True, return_sequences=rng.random() < 0.5)(x)
        y, states = outs[0], list(outs[1:])
        use = rng.random()
        if use < 0.4 and len(states) == 2:
            self.extra.append(L.Concatenate()(states))
        elif use < 0.7:
            self.extra.append(states[-1])
        elif len(y.shape) == 2:
            y = L.Add()([y, states[0]])  # the output and the state h: the same shape
        return y


def random_model(rng: random.Random, index: int, by_shape: dict):
    fresh()
    functional = index % 3 != 0
    shapes = sorted((s for s in by_shape if len(by_shape[s]) > 1), key=str)
    maker = Maker(rng, by_shape, functional)
    if rng.random() < 0.2:  # tokens: an Embedding first (with LoRA half the time)
        a = keras.Input((rng.randint(1, 9),), dtype="int32")
        rank = rng.choice([None, rng.randint(1, 4)])
        x = L.Embedding(rng.randint(2, 40), rng.randint(1, 10), lora_rank=rank)(a)
    else:
        a = keras.Input(rng.choice(shapes))
        x = a
    maker.inputs.append(a)
    for _ in range(rng.randint(1, 4)):
        x = maker.step(x)
    if functional:
        outputs = [x, *maker.extra]
        real = keras.Model(maker.inputs, outputs if len(outputs) > 1 else x, name=f"fn_{index}")
    else:
        real = keras.Model(a, x)  # the graph, then as a Sequential of its layers
        real = keras.Sequential([keras.Input(a.shape[1:], dtype=a.dtype), *real.layers[1:]])
        real.name = f"seq_{index}"
    for layer in real.layers:
        if rng.random() < 0.1:
            layer.trainable = False
        lora = isinstance(layer, (L.Dense, L.EinsumDense, L.Embedding))
        if (
            lora
            and not layer.lora_enabled
            and rng.random() < 0.3
            and not getattr(layer, "kernel_constraint", None)
        ):
            layer.enable_lora(rng.randint(1, 5))  # after building: the config carries it
    return real


MODELS = 300


@pytest.fixture(scope="module")
def by_shape():
    from tests.test_live_keras_json import chainable

    return chainable()


@pytest.mark.parametrize("index", range(MODELS))
def test_random_model(index, by_shape, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = random_model(random.Random(13_000 + index), index, by_shape)
    text = real.to_json()
    check(real, symcount.parse_keras_json(text), nested_types=False)
    check(real, as_model_file(text), nested_types=False)
    if index % 10 == 0:  # the archive on every tenth: saving costs more than reading
        path = tmp_path / "m.keras"
        real.save(path)
        check(real, symcount.load(path), nested_types=False)


# nested models of several inputs and outputs ---------------------------------------------


def two_in_two_out():
    """A nested functional model of two inputs and two outputs, its outputs used apart."""
    p, q = keras.Input((6,), name="p"), keras.Input((4,), name="q")
    h = L.Dense(5, name="mix")(L.Concatenate(name="join")([p, q]))
    inner = keras.Model([p, q], [h, L.Dense(3, name="side")(q)], name="encoder")
    a, b = keras.Input((6,), name="a"), keras.Input((4,), name="b")
    e, s = inner([a, b])
    return keras.Model([a, b], [L.Dense(2, name="head")(e), s], name="outer")


def nested_states():
    """A nested model whose outputs are an LSTM's states, starting a decoder."""
    x = keras.Input((5, 3), name="x")
    _, h, c = L.LSTM(4, return_state=True, name="enc_lstm")(x)
    encoder = keras.Model(x, [h, c], name="encoder")
    src, tgt = keras.Input((5, 3), name="src"), keras.Input((7, 2), name="tgt")
    h, c = encoder(src)
    y = L.LSTM(4, return_sequences=True, name="dec")(tgt, initial_state=[h, c])
    return keras.Model([src, tgt], L.Dense(2)(y), name="s2s_nested")


def three_inputs_in_a_chain():
    i, j, k = (keras.Input((8,), name=n) for n in "ijk")
    inner = keras.Model([i, j, k], L.Add()([i, L.Dense(8)(j), k]), name="adder")
    x = keras.Input((8,), name="x")
    y = L.Dense(8, name="pre")(x)
    return keras.Model(x, L.Dense(1)(inner([x, y, y])), name="chain")


@pytest.mark.parametrize("make", [two_in_two_out, nested_states, three_inputs_in_a_chain])
def test_nested_several_inputs_and_outputs(make, tmp_path):
    fresh()
    real = make()
    both_ways_nested(real, tmp_path)


def both_ways_nested(real, tmp_path):
    check(real, symcount.parse_keras_json(real.to_json()), nested_types=False)
    check(real, as_model_file(real.to_json()), nested_types=False)
    path = tmp_path / f"{real.name}.keras"
    real.save(path)
    check(real, symcount.load(path), nested_types=False)


# a nested model called more than once: one row, its weights once ---------------------------


def siamese():
    """keras.io's siamese network: one encoder (a Sequential) on both images."""
    encoder = keras.Sequential(
        [keras.Input((8, 8, 1)), L.Conv2D(4, 3), L.BatchNormalization(), L.Flatten(), L.Dense(6)],
        name="encoder",
    )
    a, b = keras.Input((8, 8, 1), name="left"), keras.Input((8, 8, 1), name="right")
    d = L.Subtract(name="diff")([encoder(a), encoder(b)])
    return keras.Model([a, b], L.Dense(1, activation="sigmoid")(d), name="siamese")


def shared_functional():
    """A functional block of two outputs, with a merge and a shared layer inside, called thrice."""
    i = keras.Input((5,), name="i")
    inner_shared = L.Dense(5, name="twice")
    h = inner_shared(inner_shared(i))
    unit = keras.Model(i, [L.Add(name="res")([i, h]), L.Dense(2, name="aux")(h)], name="unit")
    x = keras.Input((5,), name="x")
    y1, a1 = unit(x)
    y2, a2 = unit(y1)
    y3, _ = unit(L.Dense(5, name="mid")(y2))
    return keras.Model(x, [y3, L.Concatenate()([a1, a2])], name="thrice")


def shared_two_inputs():
    p, q = keras.Input((3,), name="p"), keras.Input((3,), name="q")
    pair = keras.Model([p, q], L.Dense(4, name="fuse")(L.Concatenate()([p, q])), name="pair")
    a, b, c = (keras.Input((3,), name=n) for n in "abc")
    return keras.Model([a, b, c], L.Add()([pair([a, b]), pair([b, c])]), name="pairs")


@pytest.mark.parametrize("make", [siamese, shared_functional, shared_two_inputs])
def test_a_nested_model_called_more_than_once(make, tmp_path):
    fresh()
    real = make()
    both_ways_nested(real, tmp_path)
