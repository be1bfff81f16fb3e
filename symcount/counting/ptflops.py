"""ptflops 0.7.5's count (``get_model_complexity_info``, its default pytorch
backend), reproduced as formulas (docs/compute.md, "### ptflops").

ptflops counts in two ways at once, and both are reproduced here:

- **module hooks** on the torch.nn classes of its table (exact types, not
  subclasses): convolutions and Linear with their bias adds, one per element
  for ReLU, PReLU, ELU, LeakyReLU, ReLU6 and GELU, the input's elements for
  the max/average pools, one or two per element for the norms, the output's
  elements for Upsample, the recurrent gate matmuls per step plus its
  element-wise terms, and a formula of its own for nn.MultiheadAttention.
  A module with a hook hides its children; any other module is the sum of
  its children's counts, and 0 when it has none.
- **patched functions** (``count_functional``, on by default):
  ``F.relu/prelu/elu/relu6/gelu/silu``, the ``F`` pools, ``F.softmax``,
  ``F.interpolate``, ``torch.matmul/mm/bmm/addmm/baddbmm`` and
  ``torch.mul/add`` (and the Tensor methods). They count wherever torch
  itself calls them through ``torch.nn.functional``'s or ``torch``'s names,
  so a ReLU module is counted twice (its hook, and its ``F.relu``), a
  MultiheadAttention adds the two batched matmuls and the softmax it runs
  when it returns its weights, and LPPool and LocalResponseNorm count the
  pools, ReLU and ``mul``/``add`` inside them.

Every rule is a function of the call's sizes, so a symbolic size stays a
symbol. Sizes are per sample as everywhere in symcount: ptflops divides its
hooks' counts by the batch (its functional counts it does not, so its own
number at batch > 1 is neither per sample nor per batch); the preset counts
one sample, and ``--batch B`` multiplies the whole as for every counting.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .. import dims as D
from ..ops.costs import term, total
from . import Call, Counting, costs, register

# the activation modules ptflops hooks (output's elements) and, of those and the
# others, the ones whose forward calls a patched F function (once more per element)
HOOKED = frozenset({"ReLU", "PReLU", "ELU", "LeakyReLU", "ReLU6", "GELU"})
PATCHED = frozenset({"ReLU", "PReLU", "ELU", "GELU", "SiLU", "Softmax", "Softmax2d"})
ACTIVATIONS = HOOKED | PATCHED


def _sum(terms) -> dict:
    """A call's costs as the sum of its terms (each a tuple of factors)."""
    built = [term(*t) for t in terms]
    return costs(macs=total(*built) if built else 0, terms=[t.factors for t in built])


def _plus(*sizes):
    """A sum of sizes; None (unknown) if one is not known."""
    return None if any(v is None for v in sizes) else D.total(list(sizes))


def _first(inputs):
    return inputs[0] if isinstance(inputs, list) else inputs


def _per_element(type_name: str) -> int:
    """ptflops' count per element of an activation: its hook and its F call."""
    return (type_name in HOOKED) + (type_name in PATCHED)


def activation(call: Call) -> dict:
    n = _per_element(call.type)
    return _sum([(n, tuple(call.output))])


def linear(call: Call) -> dict:
    # (in x out + out) per row: the bias add rides with the matmul
    a = call.args
    x = _first(call.inputs)
    rows = tuple(x[:-1])
    terms = [(rows, x[-1], a.out_features)]
    if a.bias:
        terms.append((rows, a.out_features))
    return _sum(terms)


def conv(call: Call, transpose=False) -> dict:
    a = call.args
    x = _first(call.inputs)
    positions = tuple(x[1:]) if transpose else tuple(call.output[1:])
    per_group = D.div(a.out_channels, a.groups)  # torch requires groups to divide it
    terms = [(positions, tuple(a.kernel_size), x[0], per_group)]
    if a.bias:
        terms.append((tuple(call.output),))
    return _sum(terms)


def conv_transpose(call: Call) -> dict:
    return conv(call, transpose=True)


def pool(call: Call) -> dict:
    # the hook and the F pool each count the input's elements
    return _sum([(2, tuple(_first(call.inputs)))])


def lp_pool(call: Call) -> dict:
    # F.lp_pool: an F avg pool of x**p, then relu(|out|) and .mul(k) on the output;
    # an infinite p is an F max pool of |x|
    x = tuple(_first(call.inputs))
    if call.args.norm_type in (float("inf"), -float("inf")):
        return _sum([(x,)])
    return _sum([(x,), (2, tuple(call.output))])


def batch_norm(call: Call) -> dict:
    # one per element, two with an affine transform; LayerNorm has no `affine`
    affine = bool(getattr(call.args, "affine", False))
    return _sum([(1 + affine, tuple(_first(call.inputs)))])


def local_response_norm(call: Call) -> dict:
    # x.mul(x), .mul(alpha), .add(k) on every element, and an F avg pool over the
    # squares padded by size - 1 channels
    x = tuple(_first(call.inputs))
    padded = (_plus(x[0], call.args.size, -1), *x[1:])
    return _sum([(3, x), (padded,)])


def upsample(call: Call) -> dict:
    # the hook counts the output's elements, F.interpolate its own formula
    return _sum([(tuple(call.output),), *_interpolate(call)])


def interpolate(call: Call) -> dict:
    return _sum(_interpolate(call))


def _area(call: Call) -> list:
    # mode="area" is an F adaptive average pool: its input's elements
    return [(tuple(_first(call.inputs)),)] if getattr(call.args, "mode", None) == "area" else []


def _interpolate(call: Call) -> list:
    """ptflops' F.interpolate count: the size asked for times N x C, else the
    input's elements times the scale factor per spatial axis (as a float:
    int() of the product when one is given per axis)."""
    a = call.args
    x = tuple(_first(call.inputs))
    spatial = len(x) - 1
    size = a.size
    if size is not None:
        if isinstance(size, tuple | list):
            return [(x[0], *size), *_area(call)]
        return [(x[0], *([size] * spatial)), *_area(call)]
    s = a.scale_factor
    if isinstance(s, tuple | list):  # np.prod(..., dtype=np.int64): each factor truncated
        return [(x, *(D.floor(_number(f)) for f in s))]
    return [(x, *([_number(s)] * spatial)), *_area(call)]


def _number(v):
    """A scale factor as torch keeps it, a float, and that float as the exact
    rational it is (ptflops multiplies by the float; its total is int() of the
    sum); a symbol stays a symbol."""
    if not isinstance(v, int | float):
        return v
    f = Fraction(float(v))
    return int(f) if f.denominator == 1 else D.to_sympy(f)


def _rnn_step(kind: str, weights, hidden, bias: bool, layers: int) -> list:
    """The hook's per-step count: every w_ih and w_hh entry, the element-wise
    terms per gate (1, 7 or 10 per hidden unit for RNN, GRU, LSTM) and both
    biases; ptflops reads the forward direction's matrices of each layer."""
    extra = {"RNN": 1, "GRU": 7, "LSTM": 10}[kind]
    terms = []
    for i in range(layers):
        terms += [tuple(weights[f"weight_ih_l{i}"]), tuple(weights[f"weight_hh_l{i}"])]
        terms.append((extra, hidden))
        if bias:
            terms.append((2, tuple(weights[f"bias_ih_l{i}"])))
    return terms


def _shapes(call: Call) -> dict:
    return {w.name: w.shape for w in call.weights}


def rnn(call: Call) -> dict:
    a = call.args
    kind = call.type
    steps = _first(call.inputs)[0]
    per_step = _rnn_step(kind, _shapes(call), a.hidden_size, a.bias, a.num_layers)
    both = (2,) if a.bidirectional else ()  # the forward direction's count, twice
    return _sum([(*both, steps, *t) for t in per_step])


def rnn_cell(call: Call) -> dict:
    a = call.args
    kind = call.type.removesuffix("Cell")
    w = _shapes(call)
    extra = {"RNN": 1, "GRU": 7, "LSTM": 10}[kind]
    terms = [tuple(w["weight_ih"]), tuple(w["weight_hh"]), (extra, a.hidden_size)]
    if a.bias:
        terms.append((2, tuple(w["bias_ih"])))
    return _sum(terms)


def _mha_hook(heads, q, k, v, bias: bool) -> list:
    """ptflops' formula for nn.MultiheadAttention, on per-sample (length, dim)
    inputs: q scaling, the three projections as dim x dim (the key's and the
    value's own dims, squared), the in-projection biases, per head the scores,
    softmax and weighted values, and the output projection with its bias."""
    (lq, dq), (lk, dk), (lv, dv) = q, k, v
    terms = [(lq, dq), (lq, dq, dq), (lk, dk, dk), (lv, dv, dv)]
    if bias:
        terms.append((_plus(lq, lk, lv), dq))
    terms += [  # torch requires the heads to divide embed_dim, not vdim: // as ptflops
        (heads, lq, lk, D.div(dq, heads)),
        (heads, lq, lk),
        (heads, lq, lk, D.div(dv, heads) if dv == dq else D.floordiv(dv, heads)),
        (lq, dv, _plus(dv, 1)),
    ]
    return terms


def _mha_weights(embed, heads, lq, keys) -> list:
    """What F.multi_head_attention_forward adds when it returns the weights:
    torch.bmm for the scores and the weighted values (heads of embed/heads),
    and F.softmax over the scores; ``keys`` counts the bias and zero keys."""
    return [(2, lq, keys, embed), (heads, lq, keys)]


def multihead_attention(call: Call) -> dict:
    a = call.args
    shapes = list(call.inputs) if isinstance(call.inputs, list) else [call.inputs]
    q = shapes[0]
    k = shapes[1] if len(shapes) > 1 else q
    v = shapes[2] if len(shapes) > 2 else k
    embed = q[-1]
    terms = _mha_hook(a.num_heads, q, k, v, a.bias)
    keys = _plus(k[0], int(bool(a.add_bias_kv)), int(bool(a.add_zero_attn)))
    terms += _mha_weights(embed, a.num_heads, q[0], keys)
    return _sum(terms)


# --- transformer layers: the sum of their hooked children -----------------------------


def _activation_spec(spec) -> str | None:
    """The type of an activation given as a module (hooked, F-patched), or None
    for a function or a name (bound before ptflops patches F: not counted)."""
    return getattr(spec, "type_name", None)


def _ns(spec_or_args) -> Any:
    return getattr(spec_or_args, "ns", spec_or_args)


def _encoder_layer(ns, t, d) -> list:
    h, ff, bias = ns.nhead, ns.dim_feedforward, ns.bias
    x = (t, d)
    terms = _mha_hook(h, x, x, x, bias)
    return terms + _feed_forward(ns, t, d, ff, bias) + [(2, t, d)]


def _decoder_layer(ns, t, s, d) -> list:
    h, ff, bias = ns.nhead, ns.dim_feedforward, ns.bias
    x, mem = (t, d), (s, d)
    terms = _mha_hook(h, x, x, x, bias) + _mha_hook(h, x, mem, mem, bias)
    return terms + _feed_forward(ns, t, d, ff, bias) + [(3, t, d)]


def _feed_forward(ns, t, d, ff, bias) -> list:
    terms = [(t, d, ff), (t, ff, d)]
    if bias:
        terms += [(t, ff), (t, d)]
    act = _activation_spec(ns.activation)
    if act in ACTIVATIONS:
        terms.append((_per_element(act), t, ff))
    return terms


def _norm(spec, t, d) -> list:
    # a stack's final norm: a LayerNorm counts its elements once (RMSNorm: 0)
    return [(t, d)] if getattr(spec, "type_name", None) == "LayerNorm" else []


def _stack(spec, layers, d, t, s=None) -> list:
    ns = _ns(spec)
    one = _encoder_layer(ns, t, d) if s is None else _decoder_layer(ns, t, s, d)
    return [(layers, *x) for x in one]


def _pair(call: Call):
    """The (length, width) of the target and of the memory: one input is both."""
    if isinstance(call.inputs, list) and len(call.inputs) > 1:
        return call.inputs[0], call.inputs[1]
    x = _first(call.inputs)
    return x, x


def transformer_encoder_layer(call: Call) -> dict:
    x = _first(call.inputs)
    return _sum(_encoder_layer(call.args, x[0], x[-1]))


def transformer_decoder_layer(call: Call) -> dict:
    x, mem = _pair(call)
    return _sum(_decoder_layer(call.args, x[0], mem[0], x[-1]))


def transformer_encoder(call: Call) -> dict:
    a = call.args
    x = _first(call.inputs)
    t, d = x[0], x[-1]
    return _sum(_stack(a.encoder_layer, a.num_layers, d, t) + _norm(a.norm, t, d))


def transformer_decoder(call: Call) -> dict:
    a = call.args
    x, mem = _pair(call)
    t, d = x[0], x[-1]
    return _sum(_stack(a.decoder_layer, a.num_layers, d, t, mem[0]) + _norm(a.norm, t, d))


def transformer(call: Call) -> dict:
    # nn.Transformer(src, tgt): its encoder and decoder stacks, each with a final LayerNorm
    a = call.args
    src, tgt = _pair(call)
    s, t, d = src[0], tgt[0], src[-1]
    if a.custom_encoder is not None:
        e = _ns(a.custom_encoder)
        encoder = [*_stack(e.encoder_layer, e.num_layers, d, s), *_norm(e.norm, s, d)]
    else:
        encoder = [*_stack(a, a.num_encoder_layers, d, s), (s, d)]
    if a.custom_decoder is not None:
        e = _ns(a.custom_decoder)
        decoder = [*_stack(e.decoder_layer, e.num_layers, d, t, s), *_norm(e.norm, t, d)]
    else:
        decoder = [*_stack(a, a.num_decoder_layers, d, t, s), (t, d)]
    return _sum(encoder + decoder)


def _zero(call: Call) -> dict:
    # a module outside ptflops' table (and calling no patched function) is a zero-op
    return costs(macs=0)


def _rows(names: str, rule) -> dict:
    return dict.fromkeys(names.split(), rule)


RULES = {
    **_rows("Conv1d Conv2d Conv3d", conv),
    **_rows("ConvTranspose1d ConvTranspose2d ConvTranspose3d", conv_transpose),
    "Linear": linear,
    **_rows(" ".join(sorted(ACTIVATIONS)), activation),
    **_rows(
        " ".join(
            f"{kind}Pool{r}d"
            for kind in ("Max", "Avg", "AdaptiveMax", "AdaptiveAvg")
            for r in (1, 2, 3)
        ),
        pool,
    ),
    **_rows("LPPool1d LPPool2d LPPool3d", lp_pool),
    **_rows(
        "BatchNorm1d BatchNorm2d BatchNorm3d InstanceNorm1d InstanceNorm2d InstanceNorm3d "
        "GroupNorm LayerNorm",
        batch_norm,
    ),
    "LocalResponseNorm": local_response_norm,
    "Upsample": upsample,
    **_rows("UpsamplingNearest2d UpsamplingBilinear2d", interpolate),
    **_rows("RNN GRU LSTM", rnn),
    **_rows("RNNCell GRUCell LSTMCell", rnn_cell),
    "MultiheadAttention": multihead_attention,
    "TransformerEncoderLayer": transformer_encoder_layer,
    "TransformerDecoderLayer": transformer_decoder_layer,
    "TransformerEncoder": transformer_encoder,
    "TransformerDecoder": transformer_decoder,
    "Transformer": transformer,
}

PTFLOPS = register(
    Counting(
        "ptflops",
        "ptflops 0.7.5 (pytorch backend): MACs with bias adds, 1-2 per element of "
        "activations, pools, norms and upsampling, nn.MultiheadAttention by its formula; "
        "FLOPs = 2 x MACs",
        reproduces="ptflops 0.7.5 get_model_complexity_info(model, input_res, "
        "as_strings=False, backend='pytorch'): the seeds' MNIST CNN 7,317,578 MACs, "
        "LSTM(6, 64) over 100 steps 1,907,200",
        rules=RULES,
        fallback=_zero,
        conventions=("torch",),
    )
)
