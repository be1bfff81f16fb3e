"""``--count-as fvcore``: the count of ``fvcore.nn.FlopCountAnalysis(model,
inputs).total()`` (fvcore 0.1.5.post20221221), read off its source
(``fvcore/nn/flop_count.py``, ``jit_handles.py``) and checked against it for
every recorded torch case (tests/test_live_count_fvcore.py).

fvcore traces the model with ``torch.jit`` and counts the traced aten ops it
has a handle for; every other op (softmax, activations, pooling, the
recurrent kernels, ``scaled_dot_product_attention``, ``bilinear``) is
skipped with a warning, so it counts 0. Its handles:

- ``linear``, ``addmm``, ``matmul``, ``bmm``, ``einsum`` and ``_convolution``:
  one "flop" per multiply-accumulate, bias left out. These are the default
  convention's MACs, so Linear, the convolutions, MultiheadAttention (its
  projections and both bmm's) and the recurrent cells (two linears a step)
  count their op's own MACs. A convolution given ``padding="same"`` or
  ``"valid"`` (with zero padding) traces as ``aten::_convolution_mode``,
  which has no handle: 0. A masked MultiheadAttention call computes its
  scores by ``baddbmm`` (no handle), and ``need_weights=False`` runs
  ``scaled_dot_product_attention``: those products count 0.
- ``batch_norm``: in training mode (a module as built: fvcore does not call
  ``eval()``) 5 per element with affine weights, 4 without; ``group_norm``,
  ``layer_norm`` and ``instance_norm`` likewise. (In eval mode, with running
  statistics, BatchNorm is 2 per element, 1 without affine.)
- ``upsample_nearest2d`` 1 and ``upsample_bilinear2d`` 4 per output element;
  ``adaptive_avg_pool2d`` 1 per input element (Upsample's ``area`` mode is
  one). Other ranks and modes have no handle: 0.

A Transformer layer calls its attention with ``need_weights=False``, which
runs ``scaled_dot_product_attention``: its projections and feed-forward
Linears count, with 5 per element for each LayerNorm, and its scores and
weighted values do not. fvcore's flop is one multiply-accumulate, so the
preset shows the same number as MACs and as FLOPs.
"""

from __future__ import annotations

from ..ops import costs as K
from . import TERMS, Call, Counting, costs, register

TITLE = (
    "fvcore 0.1.5 FlopCountAnalysis: 1 flop per multiply-accumulate of matmuls and "
    "convolutions (no bias), 4-5 per element of norms, 1-4 of upsampling; SDPA, LSTM/GRU/RNN "
    "and Bilinear 0 (no handle); modules in training mode, forward pass"
)


def _of(*terms) -> dict:
    """fvcore's count: the terms' sum, shown as MACs and as FLOPs alike."""
    c = K.macs(*terms)
    return costs(macs=c[K.MACS], flops=c[K.MACS], terms=c[TERMS])


def _zero(call: Call) -> dict:
    """No handle for the op(s) it traces to: fvcore skips them."""
    return costs(macs=0, flops=0)


def _own(call: Call) -> dict:
    """The op's own MACs (linear, matmul, bmm, convolution handles)."""
    m = call.macs
    return costs(macs=m, flops=m, terms=call.out.costs.get(TERMS))


def _shape(call: Call):
    return call.inputs[0] if isinstance(call.inputs, list) else call.inputs


# --- norms: norm_flop_counter, batchnorm_flop_jit ---------------------------------


def _norm_cost(affine, shape) -> K.Term:
    return K.term(5 if affine else 4, tuple(shape))


def _affine(type_name: str, args) -> bool:
    if type_name == "LayerNorm":
        return bool(args.elementwise_affine)
    return bool(args.affine)  # BatchNorm, InstanceNorm, GroupNorm


NORMS = (
    "LayerNorm",
    "GroupNorm",
    *(f"{k}Norm{r}d" for k in ("Batch", "Instance") for r in (1, 2, 3)),
)


def norm(call: Call) -> dict:
    return _of(_norm_cost(_affine(call.type, call.args), _shape(call)))


def _norm_term(spec, shape):
    """A Transformer stack's final norm (a LayerSpec) on ``shape``; None for one
    fvcore has no handle for (RMSNorm)."""
    if spec is None or spec.type_name not in NORMS:
        return None
    return _norm_cost(_affine(spec.type_name, spec.ns), shape)


# --- convolutions ----------------------------------------------------------------


def conv(call: Call) -> dict:
    """``padding="same"``/``"valid"`` with zero padding traces as
    ``aten::_convolution_mode`` (no handle); any other padding as
    ``aten::_convolution`` (the op's MACs). A padding_mode other than zeros
    pads first, then convolves with padding 0."""
    if isinstance(call.args.padding, str) and call.args.padding_mode == "zeros":
        return _zero(call)
    return _own(call)


# --- upsampling and adaptive average pooling ---------------------------------------


def _per_output(k: int, call: Call) -> dict:
    return _of(K.term(k, tuple(call.output)))


def upsample(call: Call) -> dict:
    """Only the 2-D kernels have handles: nearest 1 and bilinear 4 per output
    element; ``area`` is adaptive_avg_pool2d, 1 per input element."""
    x = _shape(call)
    if len(x) != 3:  # (C, L) or (C, D, H, W): upsample_*1d / *3d, no handle
        return _zero(call)
    mode = {"UpsamplingNearest2d": "nearest", "UpsamplingBilinear2d": "bilinear"}.get(
        call.type, getattr(call.args, "mode", None)
    )
    if mode == "nearest":
        return _per_output(1, call)
    if mode == "bilinear":
        return _per_output(4, call)
    if mode == "area":
        return _of(K.term(tuple(x)))
    return _zero(call)  # bicubic, nearest-exact: no handle


def adaptive_avg_pool2d(call: Call) -> dict:
    return _of(K.term(tuple(_shape(call))))


# --- MultiheadAttention: bmm's, or baddbmm, or scaled_dot_product_attention --------


def multihead_attention(call: Call) -> dict:
    """The projections always; the scores (Q K^T) by ``bmm`` only when the call
    needs the weights (torch's default) and has no mask (a mask makes it
    ``baddbmm``, which has no handle); the weighted values whenever it needs
    the weights. ``need_weights=False`` runs scaled_dot_product_attention: 0."""
    terms = call.out.costs.get(TERMS) or ()
    if len(terms) != 6:  # not the q, k, v, scores, values, out of ops/attention.py
        return _own(call)
    kw = call.keywords
    keep = [0, 1, 2, 5]
    if kw.get("need_weights", True) is not False:
        masked = kw.get("attn_mask") is not None or kw.get("key_padding_mask") is not None
        keep += [4] if masked else [3, 4]
    return _of(*(K.term(*terms[i]) for i in sorted(keep)))


# --- Transformer layers: Linears and LayerNorms, attention through SDPA (0) ---------


def _layer_terms(d, ff, t, s=None) -> list:
    """One encoder layer on t positions (a decoder layer: cross-attention on a
    memory of s): the in and out projections, the feed-forward Linears, and two
    (three) LayerNorms of 5 per element. The attention itself runs in
    scaled_dot_product_attention: 0."""
    terms = [K.term(4, t, d, d), K.term(2, t, d, ff)]
    if s is None:
        return [*terms, K.term(10, t, d)]
    # cross-attention: q and out projections on the target, k and v on the memory
    return [*terms, K.term(2, t, d, d), K.term(2, s, d, d), K.term(15, t, d)]


def transformer_layer(call: Call) -> dict:
    shapes = call.inputs if isinstance(call.inputs, list) else [call.inputs]
    t, d = shapes[0]
    ff = call.args.dim_feedforward
    if call.type == "TransformerDecoderLayer":
        s = shapes[1][0] if len(shapes) > 1 else t  # in a chain the memory is the input
        return _of(*_layer_terms(d, ff, t, s))
    return _of(*_layer_terms(d, ff, t))


def transformer_stack(call: Call) -> dict:
    """num_layers copies of the layer, then the optional norm on the output."""
    decoder = call.type == "TransformerDecoder"
    inner = call.args.decoder_layer if decoder else call.args.encoder_layer
    shapes = call.inputs if isinstance(call.inputs, list) else [call.inputs]
    t, d = shapes[0]
    s = (shapes[1][0] if len(shapes) > 1 else t) if decoder else None
    n = call.args.num_layers
    terms = [K.term(n, x) for x in _layer_terms(d, inner.ns.dim_feedforward, t, s)]
    last = _norm_term(call.args.norm, call.output)
    return _of(*terms, *([last] if last is not None else []))


def transformer(call: Call) -> dict:
    """An encoder on the source and a decoder on the target, each with its
    final LayerNorm."""
    shapes = call.inputs if isinstance(call.inputs, list) else [call.inputs]
    s, d = shapes[0]
    t = shapes[1][0] if len(shapes) > 1 else s
    ff, enc, dec = (
        call.args.dim_feedforward,
        call.args.num_encoder_layers,
        call.args.num_decoder_layers,
    )
    terms = [K.term(enc, x) for x in _layer_terms(d, ff, s)]
    terms += [K.term(dec, x) for x in _layer_terms(d, ff, t, s)]
    return _of(*terms, K.term(5, s, d), K.term(5, t, d))


RULES = {
    **{name: norm for name in NORMS},
    **{f"Conv{r}d": conv for r in (1, 2, 3)},
    "Upsample": upsample,
    "UpsamplingNearest2d": upsample,
    "UpsamplingBilinear2d": upsample,
    "AdaptiveAvgPool2d": adaptive_avg_pool2d,
    "MultiheadAttention": multihead_attention,
    "TransformerEncoderLayer": transformer_layer,
    "TransformerDecoderLayer": transformer_layer,
    "TransformerEncoder": transformer_stack,
    "TransformerDecoder": transformer_stack,
    "Transformer": transformer,
    # aten::lstm, gru, rnn_tanh/rnn_relu, bilinear, scaled_dot_product_attention:
    # no handle (the cells trace to two linears a step and keep their MACs)
    **{name: _zero for name in ("RNN", "LSTM", "GRU", "Bilinear", "ScaledDotProductAttention")},
}

FVCORE = register(
    Counting(
        "fvcore",
        TITLE,
        reproduces="fvcore 0.1.5.post20221221 FlopCountAnalysis(model, inputs).total(): "
        "the MNIST CNN 7,280,480; LSTM(6 -> 64) on 100 steps 0",
        rules=RULES,
        fallback=_own,
        conventions=("torch",),
    )
)
