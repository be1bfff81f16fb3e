"""Live differential test of examples/seq2seq_lstm.sc: keras.io's
lstm_seq2seq (an encoder LSTM with return_state, a decoder LSTM started from
its states with initial_state=[h, c], a softmax Dense), built in real Keras 3
at several points of its symbols, compared with symcount's totals, per-layer
counts and output shapes. Skipped without Keras."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402

pytestmark = pytest.mark.live

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "seq2seq_lstm.sc"
L = keras.layers
# (latent_dim, num_encoder_tokens, num_decoder_tokens): keras.io's, and others
POINTS = ((256, 71, 93), (8, 3, 5), (64, 120, 7))


def keras_seq2seq(latent_dim: int, enc_tokens: int, dec_tokens: int):
    encoder_inputs = keras.Input(shape=(None, enc_tokens))
    _, state_h, state_c = L.LSTM(latent_dim, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, dec_tokens))
    decoder_lstm = L.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
    decoder_outputs = L.Dense(dec_tokens, activation="softmax")(decoder_outputs)
    return keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)


@pytest.fixture(scope="module")
def real():
    return {p: keras_seq2seq(*p) for p in POINTS}


@pytest.fixture(scope="module")
def ours():
    return symcount.load(EXAMPLE)


def _at(model, point):
    latent_dim, enc, dec = point
    return model.subs(latent_dim=latent_dim, num_encoder_tokens=enc, num_decoder_tokens=dec)


@pytest.mark.parametrize("point", POINTS)
def test_totals_and_output(real, ours, point):
    k, m = real[point], _at(ours, point)
    assert m.total == k.count_params()
    assert m.trainable == sum(math.prod(w.shape) for w in k.trainable_weights)
    assert m.non_trainable == 0 == len(k.non_trainable_weights)
    assert tuple(m.rows[-1].output_shape) == tuple(k.output.shape[1:])
    assert len(ours.outputs) == 1


@pytest.mark.parametrize("point", POINTS)
def test_layer_by_layer(real, ours, point):
    """Each layer's type, its outputs' shapes (all three of a return_state LSTM) and count."""
    k, m = real[point], _at(ours, point)

    def shapes(layer):
        out = layer.output if isinstance(layer.output, (list, tuple)) else [layer.output]
        return [tuple(t.shape[1:]) for t in out]

    theirs = [
        (type(x).__name__, shapes(x), x.count_params())
        for x in k.layers
        if not isinstance(x, L.InputLayer)
    ]
    mine = [
        (
            r.type,
            [tuple(s) for s in r.output_shape]
            if isinstance(r.output_shape, list)
            else [tuple(r.output_shape)],
            r.params,
        )
        for r in m.rows
    ]
    assert mine == theirs


def test_symbolic_formula(ours):
    """The count as the formula Keras's weights give, in the three symbols."""
    u, e, d = (
        symcount_symbol(n) for n in ("latent_dim", "num_encoder_tokens", "num_decoder_tokens")
    )
    expected = 4 * u * (e + u + 1) + 4 * u * (d + u + 1) + d * (u + 1)
    assert (ours.total - expected).expand() == 0


def symcount_symbol(name):
    import sympy

    return sympy.Symbol(name, positive=True, integer=True)
