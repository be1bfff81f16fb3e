"""explain says what each non-trainable weight or buffer is, from the weight
itself (its op says it): a batch norm's moving (Keras) or running (PyTorch)
statistics, rotary frequencies, Normalization's adapted statistics, a
spectral norm's vector u, a frozen Parameter; never "running statistics" for
what is not."""

from __future__ import annotations

import pytest

import symcount
from symcount.render.explain import explain, status

CASES = [
    (
        "input(8) -> BatchNormalization()",
        {
            "moving_mean": "non-trainable (moving statistics)",
            "moving_variance": "non-trainable (moving statistics)",
            "gamma": "trainable",
        },
    ),
    (
        "convention torch\ninput(8) -> BatchNorm1d(8)",
        {
            "running_mean": "buffer (running statistics, not a parameter)",
            "num_batches_tracked": "buffer (running statistics, not a parameter)",
            "weight": "trainable",
        },
    ),
    (
        "convention torch\ninput(T, 64) -> RotaryEmbedding(16)",
        {
            "inv_freq": "buffer (rotary frequencies, not a parameter)",
            "original_inv_freq": "buffer (rotary frequencies, not a parameter)",
        },
    ),
    (
        "input(8) -> Normalization()",
        {
            "mean": "non-trainable (statistics of the data, set by adapt())",
            "variance": "non-trainable (statistics of the data, set by adapt())",
            "count": "non-trainable (statistics of the data, set by adapt())",
        },
    ),
    (
        "input(8) -> SpectralNormalization(Dense(4))",
        {"vector_u": "non-trainable (spectral norm's power-iteration vector)"},
    ),
    (
        "convention torch\nParameter(1, 4, requires_grad=false)",
        {"parameter": "non-trainable (frozen: requires_grad=false)"},
    ),
    (
        "input(3, 4) -> RNN(LSTMCell(2, trainable=false))",
        {"lstm_cell/kernel": "non-trainable (frozen cell: trainable=false)"},
    ),
    (
        "input(8) -> Dense(4, trainable=false)",
        {"kernel": "non-trainable (frozen: trainable=false)"},
    ),
]


def _statuses(model) -> dict:
    out = {}
    for row in model.rows:
        for _, r in row.walk():
            for w in r.weights:
                out.setdefault(w.name, status(r, w))
    return out


@pytest.mark.parametrize("text,want", CASES)
def test_each_state_says_what_it_is(text, want):
    got = _statuses(symcount.parse(text))
    assert {k: got[k] for k in want} == want


def test_rotary_explain_text():
    text = explain(symcount.parse(CASES[2][0]))
    assert "running statistics" not in text
    assert text.count("buffer (rotary frequencies, not a parameter)") == 2


def test_words_survive_subs():
    model = symcount.parse(CASES[2][0]).subs({"T": 5})
    assert set(_statuses(model).values()) == {"buffer (rotary frequencies, not a parameter)"}
