"""``--count-as calflops``: the count of calflops 0.3.2's
``calculate_flops(model, input_shape=..., output_as_string=False)``, read off
its source (``calflops/pytorch_ops.py``, ``calculate_pipline.py``) and checked
against it for every recorded torch case (tests/test_live_count_calflops.py).

calflops puts the model in eval mode and, for one forward pass, replaces a
list of ``torch.nn.functional`` functions and tensor methods by wrappers that
add up a (FLOPs, MACs) pair per call; the recurrent modules get a forward
hook instead. What it counts, per call (sizes of the whole input tensor):

- ``F.linear``: MACs = input entries x out_features, FLOPs = 2 x MACs (the
  bias is not counted);
- ``F.conv*d``: MACs = output positions x kernel x c_in x filters/groups,
  FLOPs = 2 x MACs + one add per output entry when there is a bias. The output
  positions are calflops' own formula: with ``padding="same"`` it pads
  d·(k-1)//2 on each side, one position short of torch's when d·(k-1) is odd;
- ``F.conv_transpose*d``: MACs = *input* positions x kernel x c_in x
  (weight.shape[1] // groups) — the per-group filters divided by the groups a
  second time — and the bias over the positions of the *forward* conv formula;
- activations (relu, prelu, elu, leaky_relu, relu6, silu, gelu), pooling
  (avg, max, adaptive, which LPPool and LocalResponseNorm call), softmax: 1
  FLOP per input entry, 0 MACs; ``Tensor.mul``/``Tensor.add`` one per entry;
- norms: batch_norm 2 per entry (1 without affine) with running statistics,
  else 5 (4); layer_norm, group_norm, instance_norm 5 (4);
- ``F.interpolate``: ``prod(size)`` when given a size (once for the whole
  batch and every channel), else the input's entries; ``mode="area"`` adds
  its adaptive_avg_pool's;
- LSTM/GRU/RNN and their cells (module hooks): per step and layer
  2·W_ih + 2·W_hh - 2·gates + the gate arithmetic (RNN H, GRU 7H, LSTM 10H)
  + both bias vectors, times 2 directions;
- ``torch.matmul``, ``addmm``, ``baddbmm``, ``einsum``: counted, but
  ``torch.bmm`` and ``F.scaled_dot_product_attention`` are not. So
  MultiheadAttention (need_weights, torch's default) counts its projections
  and the softmax over the scores, not Q·Kᵀ nor A·V, and a Transformer layer
  (attention through SDPA) counts its projections, feed-forward and
  LayerNorms only: attention is 0.

Everything else is 0: Bilinear, Embedding, RMSNorm, dropout, padding,
reshapes, and the activations it does not patch (ReLU6, Hardtanh, CELU, SELU,
Mish, Sigmoid, Tanh, the shrinks, GLU, LogSoftmax, Softmin, ...). The
functional's own arguments decide, so a Transformer layer's activation
(bound before calflops patches) is 0. A layer the recorded torch modules do
not cover keeps symcount's own MACs (FLOPs 2 x MACs).

DeepSpeed's profiler (``deepspeed.py``) is the same code, later fixed: it
counts bmm and SDPA, transposed convolutions and upsampling correctly.
"""

from __future__ import annotations

from .. import dims as D
from ..ops import costs as K
from . import TERMS, Call, Counting, costs, register

TITLE = (
    "calflops 0.3.2 calculate_flops: FLOPs = 2 x MACs of Linear, matmul and convolutions, "
    "conv bias adds, activations, pooling and softmax 1 per element, norms 5 "
    "(BatchNorm in eval 2), LSTM/GRU gate work; bmm and scaled_dot_product_attention "
    "not counted; eval mode, forward pass"
)


def shape(call: Call):
    """The (first) input's per-sample shape."""
    return tuple(call.inputs[0] if isinstance(call.inputs, list) else call.inputs)


def shapes(call: Call) -> list:
    return [tuple(s) for s in call.inputs] if isinstance(call.inputs, list) else [shape(call)]


def entries(s) -> K.Term:
    return K.term(tuple(s))


def counted(macs=(), extra=()) -> dict:
    """The tool's pair: MACs the terms' sum, FLOPs twice that plus ``extra``
    (bias, element-wise, norm work, which have no MACs)."""
    macs, extra = list(macs), list(extra)
    m = K.total(*macs) if macs else 0
    e = K.total(*extra) if extra else 0
    f = None if m is None or e is None else D.add(D.mul(2, m), e)
    factors = tuple(t.factors for t in macs)
    return costs(macs=m, flops=f, terms=factors)


def zero(call: Call) -> dict:
    """Nothing it patches is called."""
    return costs(macs=0, flops=0)


def own(call: Call) -> dict:
    """The op's own MACs, FLOPs 2 x MACs (F.linear, matmul)."""
    return costs(macs=call.macs, terms=call.out.costs.get(TERMS))


def per_entry(call: Call) -> dict:
    """An activation, pooling or softmax: 1 FLOP per input entry."""
    return counted(extra=[entries(shape(call))])


# --- Linear, convolutions ----------------------------------------------------------


def linear(call: Call) -> dict:
    out = call.weight("weight").shape[0]
    return counted([K.term(tuple(shape(call)), out)])


def _tool_positions(call: Call) -> tuple:
    """calflops' output positions of F.conv*d: torch's, except that
    ``padding="same"`` pads d(k-1)//2 a side (a padding_mode other than zeros
    pads first and convolves with padding 0: torch's positions)."""
    a = call.args
    if not (a.padding == "same" and a.padding_mode == "zeros"):
        return tuple(call.output[1:])
    out = []
    for n, k, d, s in zip(shape(call)[1:], a.kernel_size, a.dilation, a.stride, strict=True):
        span = d * (k - 1)
        out.append(D.add(D.floordiv(D.add(n, 2 * (span // 2) - span - 1), s), 1))
    return tuple(out)


def conv(call: Call) -> dict:
    a = call.args
    c_in = shape(call)[0]
    pos = _tool_positions(call)
    macs = K.term(pos, tuple(a.kernel_size), c_in, D.floordiv(a.out_channels, a.groups))
    bias = [K.term(a.out_channels, pos)] if a.bias else []
    return counted([macs], bias)


def _forward_positions(call: Call) -> tuple:
    """The positions of the forward conv formula on a transposed conv's input
    (what calflops 0.3.2 takes for its output): (n + 2p - d(k-1) - 1)//s + 1."""
    a = call.args
    dims = zip(shape(call)[1:], a.kernel_size, a.dilation, a.stride, a.padding, strict=True)
    return tuple(
        D.add(D.floordiv(D.add(n, 2 * p - d * (k - 1) - 1), s), 1) for n, k, d, s, p in dims
    )


def conv_transpose(call: Call) -> dict:
    a = call.args
    x = shape(call)
    per_group = call.weight("weight").shape[1]  # out_channels / groups
    macs = K.term(tuple(x[1:]), tuple(a.kernel_size), x[0], D.floordiv(per_group, a.groups))
    bias = [K.term(per_group, _forward_positions(call))] if a.bias else []
    return counted([macs], bias)


# --- pooling, norms ----------------------------------------------------------------


def lp_pool(call: Call) -> dict:
    """avg_pool on x^p, then relu and Tensor.mul on the pooled output."""
    return counted(extra=[entries(shape(call)), K.term(2, tuple(call.output))])


def local_response_norm(call: Call) -> dict:
    """x.mul(x), then avg_pool over channels padded by size - 1, then
    .mul(alpha).add(k): one each per entry but the pool's."""
    x = shape(call)
    padded = (D.add(x[0], call.args.size - 1), *x[1:])
    return counted(extra=[K.term(3, x), entries(padded)])


def _norm_factor(call_type: str, a) -> int:
    if call_type.startswith("BatchNorm"):
        if a.track_running_stats:  # eval mode with running statistics
            return 2 if a.affine else 1
        return 5 if a.affine else 4
    if call_type == "LayerNorm":
        return 5 if a.elementwise_affine else 4
    return 5 if a.affine else 4  # InstanceNorm, GroupNorm


NORMS = (
    "LayerNorm",
    "GroupNorm",
    *(f"{k}Norm{r}d" for k in ("Batch", "Instance") for r in (1, 2, 3)),
)


def norm(call: Call) -> dict:
    return counted(extra=[K.term(_norm_factor(call.type, call.args), shape(call))])


# --- upsampling --------------------------------------------------------------------


def sized(call: Call):
    """F.interpolate given a size: prod(size) (or the int), once per call."""
    size = call.args.size
    if isinstance(size, tuple | list):
        return K.term(tuple(size))
    return K.term(size)


def area(call: Call) -> list:
    """``mode="area"`` interpolates with adaptive_avg_pool: its input's entries."""
    return [entries(shape(call))] if getattr(call.args, "mode", None) == "area" else []


def upsample(call: Call) -> dict:
    """A size: prod(size); a scale factor: the input's entries (0.3.2 drops
    the product by the scale; a tuple of scales crashes it unless its length
    is the batch size)."""
    if call.args.size is not None:
        return counted(extra=[sized(call), *area(call)])
    return counted(extra=[entries(shape(call)), *area(call)])


# --- recurrent layers (module hooks) -----------------------------------------------

GATE_WORK = {"RNN": 1, "GRU": 7, "LSTM": 10}  # the hook's element-wise adds and products


def _step(kind: str, gates, inputs, state, hidden, bias: bool) -> list:
    """One layer and one step of the hook: 2·W_ih + 2·W_hh - 2·gates, the gate
    arithmetic and both biases (W_ih: gates x inputs, W_hh: gates x state)."""
    extra = GATE_WORK[kind] * hidden + (2 * gates if bias else 0)
    return [D.mul(2 * gates, D.add(inputs, state)), D.add(extra, -2 * gates)]


def rnn(call: Call) -> dict:
    """num_layers layers (the later ones read the directions' outputs), both
    directions, every step (the hook multiplies by the input's two leading
    axes: steps x batch whatever the layout)."""
    a = call.args
    kind = call.type
    h = a.hidden_size
    state = call.weight("weight_hh_l0").shape[1]  # hidden_size, or proj_size
    dirs = 2 if a.bidirectional else 1
    gates = call.weight("weight_ih_l0").shape[0]
    n = a.num_layers
    first = _step(kind, gates, call.weight("weight_ih_l0").shape[1], state, h, a.bias)
    parts = list(first)
    if n != 1:
        later = _step(kind, gates, D.mul(dirs, state), state, h, a.bias)
        parts += [D.mul(D.add(n, -1), v) for v in later]
    t = shape(call)[0]
    return counted(extra=[K.term(dirs, t, D.total(parts))])


def rnn_cell(call: Call) -> dict:
    a = call.args
    kind = call.type.removesuffix("Cell")
    w_ih = call.weight("weight_ih").shape
    work = _step(kind, w_ih[0], w_ih[1], call.weight("weight_hh").shape[1], a.hidden_size, a.bias)
    return counted(extra=[K.term(D.total(work))])


# --- attention and Transformer layers ----------------------------------------------


def _projections(t, s, d, kd, vd) -> list:
    """MultiheadAttention's four F.linear: q on t positions, k and v on s, out."""
    return [K.term(t, d, d), K.term(s, kd, d), K.term(s, vd, d), K.term(t, d, d)]


def mha_parts(call: Call, scores) -> dict:
    """MultiheadAttention called as ``mha(q, k, v)`` (need_weights=True): the
    projections, softmax over heads x t x s' (a bias_k and a zero key add
    one each), and ``scores(h, t, s', d)``: the bmm's (terms) the tool counts."""
    a = call.args
    xs = shapes(call)
    q = xs[0]
    k, v = (xs[1], xs[2]) if len(xs) == 3 else (q, q)
    t, d = q
    s = D.add(k[0], int(bool(a.add_bias_kv)) + int(bool(a.add_zero_attn)))
    macs = _projections(t, k[0], d, k[1], v[1]) + scores(t, s, d)
    return counted(macs, [K.term(a.num_heads, t, s)])


def no_scores(t, s, d) -> list:
    return []


def multihead_attention(call: Call) -> dict:
    return mha_parts(call, no_scores)


def _layer_terms(d, ff, t, s, attention) -> tuple[list, list]:
    """One encoder layer on t positions (a decoder layer: cross-attention on a
    memory of s too): MACs of the projections, the feed-forward Linears and
    ``attention(t, s, d)`` (SDPA); FLOPs of the LayerNorms (5 per entry). The
    activation was bound before the tool patched F: 0."""
    macs = [K.term(4, t, d, d), K.term(2, t, d, ff), *attention(t, t, d)]
    if s is None:
        return macs, [K.term(10, t, d)]
    macs += [K.term(2, t, d, d), K.term(2, s, d, d), *attention(t, s, d)]
    return macs, [K.term(15, t, d)]


def _layer_sizes(call: Call):
    xs = shapes(call)
    t, d = xs[0]
    s = xs[1][0] if len(xs) > 1 else t  # in a chain the memory is the input
    return t, d, s


def _final_norm(spec, s) -> list:
    """A Transformer stack's optional norm (a LayerSpec) on shape ``s``."""
    if spec is None or spec.type_name not in NORMS:
        return []
    return [K.term(_norm_factor(spec.type_name, spec.ns), tuple(s))]


def transformer_parts(call: Call, attention) -> dict:
    """A Transformer layer, stack or whole Transformer, attention through SDPA
    (``attention(t, s, d)``: its MACs as the tool counts them)."""
    a = call.args
    if call.type in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        t, d, s = _layer_sizes(call)
        decoder = call.type == "TransformerDecoderLayer"
        return counted(*_layer_terms(d, a.dim_feedforward, t, s if decoder else None, attention))
    if call.type == "Transformer":
        src, d, tgt = _layer_sizes(call)
        enc = _layer_terms(d, a.dim_feedforward, src, None, attention)
        dec = _layer_terms(d, a.dim_feedforward, tgt, src, attention)
        macs = [K.term(a.num_encoder_layers, m) for m in enc[0]]
        macs += [K.term(a.num_decoder_layers, m) for m in dec[0]]
        extra = [K.term(a.num_encoder_layers, enc[1][0]), K.term(a.num_decoder_layers, dec[1][0])]
        return counted(macs, [*extra, K.term(5, src, d), K.term(5, tgt, d)])
    decoder = call.type == "TransformerDecoder"
    inner = a.decoder_layer if decoder else a.encoder_layer
    t, d, s = _layer_sizes(call)
    macs, extra = _layer_terms(d, inner.ns.dim_feedforward, t, s if decoder else None, attention)
    n = a.num_layers
    macs = [K.term(n, m) for m in macs]
    extra = [K.term(n, e) for e in extra] + _final_norm(a.norm, call.output)
    return counted(macs, extra)


def transformer(call: Call) -> dict:
    return transformer_parts(call, no_scores)


ACTIVATIONS = ("ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "PReLU", "Softmax", "Softmax2d")
POOLS = tuple(
    f"{kind}Pool{r}d" for kind in ("Max", "Avg", "AdaptiveMax", "AdaptiveAvg") for r in (1, 2, 3)
)
TRANSFORMERS = (
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
)
UPSAMPLES = ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")

RULES = {
    "Linear": linear,
    "TiedLinear": own,
    **{f"Conv{r}d": conv for r in (1, 2, 3)},
    **{f"ConvTranspose{r}d": conv_transpose for r in (1, 2, 3)},
    **{name: per_entry for name in ACTIVATIONS + POOLS},
    **{f"LPPool{r}d": lp_pool for r in (1, 2, 3)},
    "LocalResponseNorm": local_response_norm,
    **{name: norm for name in NORMS},
    **{name: upsample for name in UPSAMPLES},
    **{name: rnn for name in ("RNN", "LSTM", "GRU")},
    **{f"{name}Cell": rnn_cell for name in ("RNN", "LSTM", "GRU")},
    "MultiheadAttention": multihead_attention,
    **{name: transformer for name in TRANSFORMERS},
    # F.bilinear, F.embedding (0 by its rule), F.rms_norm, SDPA: not counted
    **{name: zero for name in ("Bilinear", "Embedding", "RMSNorm", "ScaledDotProductAttention")},
}


def unpatched(call: Call) -> dict:
    """A torch module calflops patches nothing of (dropout, padding, the other
    activations, reshapes) is 0; a layer beyond the torch modules keeps the
    op's own MACs."""
    return zero(call) if call.type in TORCH_ZERO else own(call)


# the torch modules whose forward calls nothing calflops patches
UNPATCHED = """Flatten Unflatten Identity Dropout Dropout1d Dropout2d Dropout3d AlphaDropout
    FeatureAlphaDropout ReLU6 CELU SELU Mish Sigmoid Tanh Softsign Tanhshrink LogSigmoid
    Softplus Hardswish Hardsigmoid Hardshrink Softshrink Hardtanh Threshold RReLU LogSoftmax
    Softmin GLU PixelShuffle PixelUnshuffle ChannelShuffle Transpose Permute View Reshape
    RotaryEmbedding Concatenate GetItem Parameter"""
PADS = ("Zero", "Constant", "Reflection", "Replication", "Circular")
TORCH_ZERO = frozenset(UNPATCHED.split()) | {f"{k}Pad{r}d" for k in PADS for r in (1, 2, 3)}

CALFLOPS = register(
    Counting(
        "calflops",
        TITLE,
        reproduces="calflops 0.3.2 calculate_flops(model, input_shape=..., "
        "output_as_string=False): the MNIST CNN 14,597,920 FLOPs, 7,280,480 MACs; "
        "LSTM(6 -> 64) on 100 steps 3,648,000 FLOPs",
        rules=RULES,
        fallback=unpatched,
        conventions=("torch",),
    )
)
