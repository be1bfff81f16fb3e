"""``--count-as torchinfo`` (symcount/counting/torchinfo.py) without torch:
each layer family's rule against the count torchinfo 1.8.0's
``LayerInfo.calculate_macs`` gives (written out by hand here; the live test,
tests/test_live_count_torchinfo.py, checks them against torchinfo itself),
symbolic forms, the refusal of Keras models, and a CLI golden."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.errors import SymcountError

T = "convention torch\n"

# (source, torchinfo's mult-adds at batch 1): parameters x the positions their rule names
CASES = [
    ("input(20) -> Linear(20, 5)", 20 * 5 + 5),
    ("input(7, 20) -> Linear(20, 5)", 20 * 5 + 5),  # the sequence left out (torchinfo #77)
    ("input(7, 20) -> Linear(20, 5, bias=false)", 20 * 5),
    ("input(3, 10, 10) -> Conv2d(3, 4, 3)", (4 * 3 * 9 + 4) * 8 * 8),
    ("input(4, 9) -> Conv1d(4, 6, 3, stride=2, groups=2)", (6 * 2 * 3 + 6) * 4),
    ("input(2, 5, 5) -> ConvTranspose2d(2, 3, 3, stride=2)", (2 * 3 * 9 + 3) * 11 * 11),
    ("input(4, 6, 6) -> BatchNorm2d(4)", 2 * 4),
    ("input(4, 6, 6) -> InstanceNorm2d(4)", 0),  # no affine parameters
    ("input(4, 6, 6) -> InstanceNorm2d(4, affine=true)", 2 * 4),
    ("input(7, 16) -> LayerNorm(16)", 2 * 16),
    ("input(8, 5) -> GroupNorm(2, 8)", 2 * 8),
    ("input(9) -> Embedding(100, 16)", 100 * 16),
    ("input(3, 5) -> PReLU(3)", 3),
    ("input(100, 6) -> LSTM(6, 64)", 100 * (4 * 64 * (6 + 64) + 2 * 4 * 64)),
    ("input(10, 6) -> GRU(6, 8, bias=false)", 10 * 3 * 8 * (6 + 8)),
    (
        "input(10, 6) -> RNN(6, 8, num_layers=2, bidirectional=true)",
        10 * 2 * (8 * 6 + 8 * 8 + 16 + 8 * 16 + 8 * 8 + 16),
    ),
    ("input(6) -> LSTMCell(6, 8)", 8 * (4 * 8 * (6 + 8) + 2 * 4 * 8)),  # batch x hidden
    ("input(7, 16) -> MultiheadAttention(16, 4)", 0),
    ("input(7, 16) -> ReLU -> MaxPool1d(2) -> Dropout", 0),
    # batch_first: only linear1, linear2, norm1, norm2, once a sample
    (
        "input(7, 16) -> TransformerEncoderLayer(16, 4, 32, batch_first=true)",
        16 * 32 + 32 + 32 * 16 + 16 + 4 * 16,
    ),
    # batch_first=false: the first axis is the sequence, taken for the batch: x T
    (
        "input(7, 16) -> TransformerEncoderLayer(16, 4, 32)",
        7 * (16 * 32 + 32 + 32 * 16 + 16 + 4 * 16),
    ),
    (
        "input(7, 16) -> TransformerEncoder(TransformerEncoderLayer(16, 4, 32, batch_first=true), 3,"
        " norm=LayerNorm(16))",
        3 * (16 * 32 + 32 + 32 * 16 + 16 + 4 * 16) + 2 * 16,
    ),
]


@pytest.mark.parametrize(("source", "want"), CASES)
def test_each_family_counts_as_torchinfo(source, want):
    model = symcount.parse(T + source, counting="torchinfo")
    assert model.totals["macs"] == want
    assert model.batched(3).totals["macs"] == 3 * want
    assert model.totals["flops"] == 2 * want


def test_transformer_streams_encoder_on_source_decoder_on_target():
    """Transformer(src, tgt), sequence first: the encoder's leaves x the source
    length, the decoder's x the target length."""
    src = T + "x0 = input(5, 8)\nx1 = input(3, 8)\nTransformer(8, 2, 1, 1, 16)(x0, x1)"
    ff = 8 * 16 + 16 + 16 * 8 + 8
    encoder = 5 * (ff + 2 * 2 * 8 + 2 * 8)  # one layer's two norms, then encoder.norm
    decoder = 3 * (ff + 3 * 2 * 8 + 2 * 8)
    assert symcount.parse(src, counting="torchinfo").totals["macs"] == encoder + decoder


def test_a_tied_head_counts_the_table_again():
    """TiedLinear is an nn.Linear whose weight is the Embedding's: torchinfo
    reads it among the Linear's parameters, so the table counts twice."""
    src = T + "let e = Embedding(50, 8)\ninput(7) -> e -> LayerNorm(8) -> TiedLinear(e)"
    m = symcount.parse(src, counting="torchinfo")
    assert [r.count("macs") for r in m.rows] == [50 * 8, 2 * 8, 50 * 8]
    assert m.totals["params"] == 50 * 8 + 2 * 8


def test_shared_layer_counts_each_call_and_repeats_multiply():
    src = T + "let lin = Linear(8, 16)\na = input(5, 8) -> lin\nb = input(3, 8) -> lin\noutput a, b"
    assert symcount.parse(src, counting="torchinfo").totals["macs"] == 2 * (8 * 16 + 16)
    m = symcount.parse(T + "input(T, 8) -> repeat L { Linear(8, 8) }", counting="torchinfo")
    assert str(m.batched("B").totals["macs"]) == "72*B*L"


@settings(max_examples=25, deadline=None)
@given(
    c=st.integers(1, 6),
    k=st.integers(1, 6),
    h=st.integers(3, 20),
    t=st.integers(1, 30),
    b=st.integers(1, 4),
)
def test_symbolic_forms_substituted_equal_the_numbers(c, k, h, t, b):
    sources = [  # each with the sizes it names
        ("input(c, h, h) -> Conv2d(c, k, 3, stride=2, padding=1)", "chk"),
        ("input(t, c) -> LSTM(c, k, bidirectional=true)", "tck"),
        ("input(t, c) -> Linear(c, k) -> LayerNorm(k)", "tck"),
    ]
    given_sizes = {"c": c, "k": k, "h": h, "t": t}
    for s, names in sources:
        values = {n: given_sizes[n] for n in names}
        symbolic = symcount.parse(T + s, counting="torchinfo").batched("B")
        numeric = symcount.parse(T + s, values=values, counting="torchinfo").batched(b)
        assert symbolic.subs(B=b, **values).totals["macs"] == numeric.totals["macs"], s


def test_explain_shows_each_parameters_term(capsys):
    from symcount.cli import main

    src = "convention torch; input(T, 6) -> LSTM(6, 64)"
    assert main(["explain", "-e", src, "--count-as", "torchinfo"]) == 0
    out = capsys.readouterr().out
    assert "  MACs = 256*6*T + 256*64*T + 256*T + 256*T = 18432*T\n" in out


def test_a_keras_model_is_refused_with_the_way_out():
    with pytest.raises(SymcountError) as e:
        symcount.parse("input(4) -> Dense(2)", counting="torchinfo")
    assert "--convention torch" in str(e.value)


def test_the_title_names_the_tool_and_version():
    from symcount import counting

    c = counting.lookup("torchinfo")
    assert c.title.startswith("torchinfo 1.8.0 mult-adds") and "7,317,578" in c.reproduces
    assert "torchinfo" in counting.names()


MNIST = (
    "convention torch; input(1, 28, 28) -> Conv2d(1, 24, 3) -> Conv2d(24, 36, 3) -> Flatten()"
    " -> Linear(20736, 128) -> Linear(128, 10)"
)


def test_cli_summary_golden(golden, capsys):
    from symcount.cli import main

    assert main(["summary", "-e", MNIST, "--count-as", "torchinfo"]) == 0
    out = capsys.readouterr().out
    golden("mnist_cnn_torch.count_as_torchinfo.summary.txt", out)
    assert " Total MACs: 7,317,578\n" in out
