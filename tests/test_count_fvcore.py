"""``--count-as fvcore``'s rules at symbolic sizes (no fvcore needed: the
live test, tests/test_live_count_fvcore.py, checks them against fvcore), and
a CLI golden of one summary."""

from __future__ import annotations

import pytest

import symcount
from symcount import cli


def fvcore(text: str):
    return symcount.parse(f"convention torch\n{text}", counting="fvcore").totals


# (the model, fvcore's count as a formula in its sizes)
RULES = [
    # matmuls and convolutions: the op's own MACs, bias left out
    ("input(T, c) -> Linear(c, u)", "T*c*u"),
    ("input(c, H, W) -> Conv2d(c, 8, 3, padding=1)", "72*H*W*c"),
    ("input(c, H, W) -> Conv2d(c, 8, 3, padding=1, padding_mode='reflect')", "72*H*W*c"),
    # padding given as a word traces as aten::_convolution_mode: no handle
    ("input(c, H, W) -> Conv2d(c, 8, 3, padding='same')", "0"),
    ("input(4, L) -> Conv1d(4, 8, 3, padding='valid')", "0"),
    ("input(4, H, W) -> ConvTranspose2d(4, 8, 2, stride=2)", "128*H*W"),
    ("input(T, d) -> MultiheadAttention(d, 4)", "2*T**2*d + 4*T*d**2"),
    # the call's keywords: a mask makes the scores baddbmm, need_weights=false SDPA (0)
    (
        "x = input(T, d)\nm = input(T, T)\nMultiheadAttention(d, 4)(x, x, x, attn_mask=m)",
        "T**2*d + 4*T*d**2",
    ),
    (
        "x = input(T, d)\nMultiheadAttention(d, 4)(x, x, x, need_weights=false)",
        "4*T*d**2",
    ),
    ("input(c) -> LSTMCell(c, 8)", "32*c + 256"),
    # norms: 5 per element with affine weights, 4 without (training mode)
    ("input(c, H, W) -> BatchNorm2d(c)", "5*H*W*c"),
    ("input(c, H, W) -> BatchNorm2d(c, affine=false)", "4*H*W*c"),
    ("input(c, L) -> InstanceNorm1d(c)", "4*L*c"),
    ("input(c, L) -> InstanceNorm1d(c, affine=true)", "5*L*c"),
    ("input(8, L) -> GroupNorm(2, 8)", "40*L"),
    ("input(T, d) -> LayerNorm(d)", "5*T*d"),
    ("input(T, d) -> LayerNorm(d, bias=false)", "5*T*d"),
    ("input(T, d) -> LayerNorm(d, elementwise_affine=false)", "4*T*d"),
    ("input(T, d) -> RMSNorm(d)", "0"),
    # 2-D upsampling per output element, adaptive_avg_pool2d per input element
    ("input(c, H, W) -> Upsample(scale_factor=2)", "4*H*W*c"),
    ("input(c, H, W) -> Upsample(scale_factor=2, mode='bilinear')", "16*H*W*c"),
    ("input(c, H, W) -> UpsamplingBilinear2d(scale_factor=2)", "16*H*W*c"),
    ("input(c, H, W) -> UpsamplingNearest2d(size=(5, 7))", "35*c"),
    ("input(c, H, W) -> Upsample(size=(2, 2), mode='area')", "H*W*c"),
    ("input(c, H, W) -> Upsample(scale_factor=2, mode='bicubic')", "0"),
    ("input(c, L) -> Upsample(scale_factor=2)", "0"),
    ("input(c, H, W) -> AdaptiveAvgPool2d(1)", "H*W*c"),
    ("input(c, L) -> AdaptiveAvgPool1d(1)", "0"),
    # no handle
    ("input(T, c) -> LSTM(c, 8)", "0"),
    ("input(T, c) -> GRU(c, 8)", "0"),
    ("input(c) -> Bilinear(c, c, 4)", "0"),
    ("input(c, H, W) -> MaxPool2d(2) -> ReLU() -> Softmax(dim=1)", "0"),
    # Transformer layers: projections, feed-forward, LayerNorms; attention in SDPA (0)
    ("input(T, d) -> TransformerEncoderLayer(d, 4, ff)", "2*T*d*ff + 4*T*d**2 + 10*T*d"),
    (
        "t = input(T, d)\nm = input(S, d)\nTransformerDecoderLayer(d, 4, ff)(t, m)",
        "2*S*d**2 + 2*T*d*ff + 6*T*d**2 + 15*T*d",
    ),
    (
        "input(T, 8) -> TransformerEncoder(TransformerEncoderLayer(8, 2, 16), L, norm=LayerNorm(8))",
        "592*L*T + 40*T",
    ),
    (
        "input(T, 8) -> TransformerEncoder(TransformerEncoderLayer(8, 2, 16), 2, norm=RMSNorm(8))",
        "1184*T",
    ),
    (
        "s = input(S, 8)\nt = input(T, 8)\n"
        "Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16)(s, t)",
        "1352*S + 800*T",
    ),
]


@pytest.mark.parametrize(("text", "want"), RULES, ids=[r[0] for r in RULES])
def test_rule_at_symbolic_sizes(text, want):
    import sympy

    got = fvcore(text)
    macs = sympy.sympify(got["macs"])
    names = {s.name: s for s in macs.free_symbols}  # symcount's symbols, with their assumptions
    assert sympy.expand(macs - sympy.sympify(want, locals=names)) == 0, macs
    assert got["flops"] == got["macs"]  # fvcore's flop is one multiply-accumulate


@pytest.mark.parametrize(("text", "want"), RULES[:14], ids=[r[0] for r in RULES[:14]])
def test_substituted_equals_numeric(text, want):
    """The symbolic count at three points is the count of the numeric model."""
    sizes = {"T": (3, 5, 8), "c": (2, 4, 6), "u": (7, 1, 3), "H": (4, 6, 9), "W": (5, 4, 3)}
    sizes |= {"L": (6, 9, 12), "d": (8, 16, 4), "S": (2, 7, 1), "ff": (5, 9, 3)}
    model = symcount.parse(f"convention torch\n{text}", counting="fvcore")
    for i in range(3):
        point = {k: v[i] for k, v in sizes.items() if k in model.symbols}
        numeric = symcount.parse(f"convention torch\n{text}", values=point, counting="fvcore")
        assert model.subs(**point).totals["macs"] == numeric.totals["macs"]
        assert not numeric.symbols


def test_batch_multiplies_and_the_title_names_fvcore():
    m = symcount.parse("convention torch\ninput(T, d) -> LayerNorm(d)", counting="fvcore")
    assert str(m.batched("B").totals["macs"]) == "5*B*T*d"
    assert m.showing("macs").to_dict()["compute"] == {"convention": "fvcore", "batch": 1}
    assert symcount.counting.lookup("fvcore").title.startswith("fvcore 0.1.5 FlopCountAnalysis")


def test_keras_models_are_refused():
    with pytest.raises(symcount.SymcountError) as e:
        symcount.parse("input(4) -> Dense(2)", counting="fvcore")
    assert "--convention torch" in str(e.value)


CNN = (
    "convention torch; input(3, 32, 32) -> Conv2d(3, 16, 3, padding=1) -> BatchNorm2d(16) "
    '-> ReLU() -> Upsample(scale_factor=2, mode="bilinear") -> AdaptiveAvgPool2d(1) '
    "-> Flatten() -> Linear(16, 10)"
)


def test_golden_summary(capsys, golden):
    code = cli.main(["summary", "-e", CNN, "--count-as", "fvcore"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    golden("fvcore_cnn.summary.txt", out)
