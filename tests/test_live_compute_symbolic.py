"""symcount's default FLOPs, symbolic in the batch and the sequence (and an
image's height and width), against ``torch.utils.flop_counter.FlopCounterMode``
run on fake tensors whose sizes are symbols (issue 12's last check).

Real torch modules run under ``FakeTensorMode`` with a ``ShapeEnv``: the
input's batch, length, height and width are SymInts, so the counter's total
is a SymInt whose node holds a SymPy expression in the ShapeEnv's symbols.
That expression is mapped onto symcount's symbols (its own objects, no text
in between: torch's ``FloorDiv`` becomes SymPy's ``floor``) and must equal
symcount's symbolic count exactly: ``simplify(a - b) == 0``.

An LSTM cannot run on symbolic sizes (torch's CPU kernel asks for numel());
with fixed sizes the counter counts it as 0 on fake tensors as on real ones:
both asserted, with the analytic count in tests/test_live_compute.py.

Needs torch (the ``frameworks`` extra), and transformers for GPT-2's block.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

pytest.importorskip(
    "torch", reason="real PyTorch is not installed: pip install -e '.[frameworks]' to run this"
)

import sympy

import symcount
from tests.test_live_compute import CONVS, MNIST, _convs, _mnist

pytestmark = pytest.mark.live

# distinct hints, and no duck sizing: every size its own symbol
HINTS = {"B": 3, "T": 5, "H": 37, "W": 41}


class Symbolic:
    """A FakeTensorMode whose sizes named in HINTS are symbols."""

    def __init__(self):
        from torch._dynamo.source import ConstantSource
        from torch._subclasses.fake_tensor import FakeTensorMode
        from torch.fx.experimental.symbolic_shapes import DimDynamic, ShapeEnv

        self.env = ShapeEnv(duck_shape=False)
        self.mode = FakeTensorMode(shape_env=self.env, allow_non_fake_inputs=True)
        self.size, self.symbol = {}, {}
        for name, hint in HINTS.items():
            s = self.env.create_symbol(
                hint, source=ConstantSource(name), dynamic_dim=DimDynamic.DYNAMIC
            )
            self.size[name] = self.env.create_symintnode(s, hint=hint)
            self.symbol[s] = name

    def flops(self, fn):
        """FlopCounterMode's total for ``fn(sizes)``, as a SymPy expression
        whose symbols are named as HINTS names them (``names``: symcount's)."""
        import torch
        from torch.nn.attention import SDPBackend, sdpa_kernel
        from torch.utils.flop_counter import FlopCounterMode

        fc = FlopCounterMode(display=False)
        with (
            self.mode,
            torch.no_grad(),
            sdpa_kernel(SDPBackend.MATH),
            fc,
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            fn(self.size)
        return fc.get_total_flops()

    def to_sympy(self, total, names: dict):
        """A SymInt's expression (or an int) over symcount's symbols ``names``."""
        from torch.utils._sympy.functions import FloorDiv

        if isinstance(total, int):
            return sympy.Integer(total)
        expr = total.node.expr.replace(FloorDiv, lambda a, b: sympy.floor(a / b))
        return expr.xreplace(
            {s: names[n] for s, n in self.symbol.items() if s in expr.free_symbols}
        )


def symcount_flops(source: str, values=None):
    model = symcount.parse(source, values=values).batched("B")
    return model.totals["flops"]


def symbols(expr, *names):
    """symcount's own symbols in ``expr`` (with its assumptions), by name."""
    found = {s.name: s for s in expr.free_symbols}
    return [found[n] for n in names]


def assert_same(fake: Symbolic, total, ours):
    if isinstance(ours, int):
        ours = sympy.Integer(ours)
    names = {s.name: s for s in ours.free_symbols}
    names.setdefault("B", sympy.Symbol("B"))
    theirs = fake.to_sympy(total, names)
    assert theirs.free_symbols <= ours.free_symbols | {names["B"]}, (theirs, ours)
    assert sympy.simplify(theirs - ours) == 0, f"torch {theirs}\nsymcount {ours}"
    for point in ({"B": 2, "T": 3, "H": 9, "W": 10}, {"B": 7, "T": 64, "H": 28, "W": 31}):
        sub = {names[n]: v for n, v in point.items() if n in names}
        assert theirs.xreplace(sub) == ours.xreplace(sub), point


def test_linear_on_a_sequence():
    import torch

    fake = Symbolic()
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Linear(16, 3))
    total = fake.flops(lambda s: net(torch.empty(s["B"], s["T"], 8)))
    ours = symcount_flops("convention torch\ninput(T, 8) -> Linear(8, 16) -> Linear(16, 3)")
    assert_same(fake, total, ours)
    assert str(ours) == "352*B*T"


CONV_CASES = [  # symcount's layer, and the same torch module's arguments; input (3, H, W)
    ("Conv2d(3, 4, 3)", "Conv2d", (3, 4, 3), {}),
    ("Conv2d(3, 6, 3, stride=2, padding=1)", "Conv2d", (3, 6, 3), {"stride": 2, "padding": 1}),
    (
        "Conv2d(3, 6, (3, 5), stride=(2, 3), dilation=(2, 1), groups=3)",
        "Conv2d",
        (3, 6, (3, 5)),
        {"stride": (2, 3), "dilation": (2, 1), "groups": 3},
    ),
    (
        "ConvTranspose2d(3, 4, 4, stride=3, padding=1, output_padding=2)",
        "ConvTranspose2d",
        (3, 4, 4),
        {"stride": 3, "padding": 1, "output_padding": 2},
    ),
]


@pytest.mark.parametrize(("layer", "cls", "args", "kwargs"), CONV_CASES)
def test_convolutions_on_a_symbolic_image(layer, cls, args, kwargs):
    """Batch, height and width all symbols: the output's floor divisions
    appear on both sides."""
    import torch

    fake = Symbolic()
    conv = getattr(torch.nn, cls)(*args, **kwargs)
    total = fake.flops(lambda s: conv(torch.empty(s["B"], 3, s["H"], s["W"])))
    assert_same(fake, total, symcount_flops(f"convention torch\ninput(3, H, W) -> {layer}"))


def test_mnist_cnn_and_the_grouped_convolutions_with_a_symbolic_batch():
    import torch

    fake = Symbolic()
    net = _mnist()
    total = fake.flops(lambda s: net(torch.empty(s["B"], 1, 28, 28)))
    assert_same(fake, total, symcount_flops(MNIST))
    assert str(symcount_flops(MNIST)) == "14560960*B"
    net = _convs()
    total = fake.flops(lambda s: net(torch.empty(s["B"], 16, 33, 31)))
    assert_same(fake, total, symcount_flops(CONVS))


def test_transformer_encoder_layer_with_eager_attention():
    import torch

    fake = Symbolic()
    for batch_first in (True, False):
        layer = torch.nn.TransformerEncoderLayer(64, 4, 256, batch_first=batch_first)
        layer.train()  # the slow path: attention through scaled_dot_product_attention's math

        def run(s, layer=layer, batch_first=batch_first):
            shape = (s["B"], s["T"], 64) if batch_first else (s["T"], s["B"], 64)
            layer(torch.empty(*shape))

        ours = symcount_flops(
            "convention torch\ninput(T, 64) -> "
            f"TransformerEncoderLayer(64, 4, 256, batch_first={str(batch_first).lower()})"
        )
        assert_same(fake, fake.flops(run), ours)
        t, b = symbols(ours, "T", "B")
        want = 2 * b * t * (4 * 64**2 + 2 * 64 * 256) + 4 * b * t**2 * 64
        assert sympy.expand(ours - want) == 0


def _gpt2_decoder_source() -> str:
    """examples/gpt2.sc's decoder block alone, on (T, d), GPT-2 small's width."""
    text = (Path(__file__).parent.parent / "examples" / "gpt2.sc").read_text()
    blocks = text[: text.index("let wte")]
    return blocks + "\ninput(T, d) -> decoder\n"


def test_gpt2_small_block_eager():
    """transformers' GPT2Block (eager attention) against examples/gpt2.sc's
    decoder: 2·B·T·12d² + 4·B·T²·d."""
    pytest.importorskip("transformers", reason="transformers is not installed")
    import torch
    from transformers import GPT2Config
    from transformers.models.gpt2.modeling_gpt2 import GPT2Block

    config = GPT2Config()
    config._attn_implementation = "eager"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        block = GPT2Block(config, layer_idx=0)
    fake = Symbolic()
    total = fake.flops(lambda s: block(torch.empty(s["B"], s["T"], config.n_embd)))
    ours = symcount_flops(_gpt2_decoder_source(), values={"d": 768, "h": 12})
    assert_same(fake, total, ours)
    t, b = symbols(ours, "T", "B")
    assert sympy.expand(ours - (2 * b * t * 12 * 768**2 + 4 * b * t**2 * 768)) == 0


def test_lstm_cannot_run_on_symbolic_sizes_and_counts_0_on_fixed_ones():
    """The CPU LSTM kernel calls numel(), which a symbolic size refuses; on
    fixed-size fake tensors the counter sees no matmul (aten.lstm is one
    kernel): 0, as on real tensors. symcount's count is the analytic one."""
    import torch

    fake = Symbolic()
    lstm = torch.nn.LSTM(6, 64)
    with pytest.raises(RuntimeError, match="symbolic sizes"):
        fake.flops(lambda s: lstm(torch.empty(s["T"], s["B"], 6)))
    assert fake.flops(lambda s: lstm(torch.empty(100, 2, 6))) == 0
    ours = symcount_flops("convention torch\ninput(T, 6) -> LSTM(6, 64)")
    assert str(ours) == "35840*B*T"  # 2 x T x 4H(I + H)
