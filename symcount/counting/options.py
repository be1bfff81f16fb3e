"""The options of the default convention (docs/compute.md, "Options"):
``--include bias,elementwise,norm``, ``--causal``, ``--per-token``,
``--training`` and ``--training-exact``.

Each option is a name in ``Counting.options``; :func:`with_options` makes the
default with options in force a Counting of its own, named
``default+bias+training`` (what ``--count-as`` and the JSON's ``compute``
object carry), its title naming every option. Each option's rule is written
once, for the op family it touches (the op a layer type runs, whatever the
framework calls it):

- ``bias``: a layer with a bias weight adds it once per output entry
  (a recurrent layer: per step; attention: per projected position);
- ``elementwise``: one FLOP per output entry of an activation (a layer's own
  ``activation=`` too), of LayerScale, and of attention's softmax; a merge of n
  tensors n - 1 per output entry;
- ``norm``: five FLOPs per output entry of a norm (mean, subtract, variance,
  divide, scale and shift: fvcore's and calflops' figure);
- ``causal``: self-attention's scores and weighted values over the pairs a
  causal mask keeps, T(T + 1)/2 of the T^2 (cross-attention stays full);
- ``per-token``: each call's counts divided by the positions it reads (the
  first axis of a sequence; an embedding's token ids);
- ``training``: forward + backward, backward = 2 x forward;
  ``training-exact``: the same, less the input gradient of a layer that reads
  a model input (or reads it through layers with no trainable weights:
  Flatten, Dropout), whose gradient nothing needs — FlopCounterMode's count of
  ``loss.backward()``.

Element-wise work is added to MACs once (as ptflops counts a bias add as a
MAC) and to FLOPs once (one add is one FLOP), so FLOPs = 2 x matmul MACs +
element-wise work.
"""

from __future__ import annotations

import dataclasses

from .. import dims as D
from . import DEFAULT, Call, Counting, costs, numel
from .families import add, div, family, first_axis, mul, prod, total

INCLUDE = ("bias", "elementwise", "norm")  # what --include takes
OPTIONS = (*INCLUDE, "causal", "per-token", "training", "training-exact")

_WORK = {"bias": "bias adds", "elementwise": "element-wise ops", "norm": "norms"}
_PASS = {
    "training": "forward + backward (backward = 2 x forward)",
    "training-exact": "forward + backward (backward = 2 x forward, without the input "
    "gradient of a layer reading a model input)",
}


def title(options: tuple[str, ...]) -> str:
    """How every output names the default with ``options`` in force."""
    given = [_WORK[o] for o in INCLUDE if o in options]
    left = [_WORK[o].split(" ")[0].replace("norms", "norm") for o in INCLUDE if o not in options]
    head = "FLOPs = 2 x MACs over matmuls and convolutions"
    if given:
        head += " + " + _and(given)
    attention = (
        "causal attention, T(T+1)/2 pairs" if "causal" in options else "attention at full length"
    )
    inner = attention + (f"; no {_or(left)} work" if left else "")
    done = next((_PASS[o] for o in _PASS if o in options), "forward pass")
    return f"{head} ({inner}), {done}" + (", per token" if "per-token" in options else "")


def _and(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _or(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


MATMULS = frozenset(
    [
        "dense",
        "conv",
        "conv_transpose",
        "depthwise_conv",
        "separable_conv",
        "einsum_dense",
        "bilinear",
    ]
)
ATTENTION = frozenset(("attention", "grouped_query_attention"))
RECURRENT = frozenset(("rnn", "rnn_layer", "bidirectional"))
NORMS = frozenset(("layer_norm", "group_norm", "batch_norm"))
NORM_FLOPS = 5
NO_ACTIVATION = (None, "linear")


def canonical(options) -> tuple[str, ...]:
    """The options in their fixed order; ValueError for one not known."""
    got = set(options)
    bad = sorted(got - set(OPTIONS))
    if bad:
        raise ValueError(f"unknown option {bad[0]!r}; choose from {', '.join(OPTIONS)}")
    if {"training", "training-exact"} <= got:
        raise ValueError("give training or training-exact, not both")
    return tuple(o for o in OPTIONS if o in got)


# the numbers an option set is checked against (tests/test_count_options.py, test_live_*)
_REPRODUCES = {
    ("bias",): "ptflops' MACs of a model with no element-wise layer (MNIST CNN: 7,317,578)",
    ("training",): "nanoGPT's 3 x forward (GPT-2 small, 1,024 tokens: 874,944,921,600)",
    ("training-exact",): "torch.utils.flop_counter.FlopCounterMode over forward and "
    "loss.backward(), an input without grad (MNIST CNN: 43,390,848)",
}

_MADE: dict[tuple[str, ...], Counting] = {}


def _with(base: Counting, options: tuple[str, ...]) -> Counting:
    if not options:
        return base
    if options in _MADE:
        return _MADE[options]
    made = dataclasses.replace(
        base,
        name="+".join((base.name, *options)),
        title=title(options),
        options=frozenset(options),
        reproduces=_REPRODUCES.get(options, ""),
        rules={},
        fallback=counted,
    )
    return _MADE.setdefault(options, made)


def with_options(options, base: Counting = DEFAULT) -> Counting:
    """The default convention with ``options`` in force (ValueError if one is
    not known, or ``base`` is a preset: the options are the default's)."""
    if base.name != DEFAULT.name:
        raise ValueError(f"the options go with the default convention, not {base.name}")
    return _with(base, canonical(options))


# --- the rule -------------------------------------------------------------------


def counted(call: Call) -> dict:
    """One call's costs with the options in force."""
    opts = call.options
    fam = family(call)
    parts = list(_matmul_parts(call, fam, "causal" in opts))  # MACs, each a product
    extra = []  # element-wise FLOPs (each counted once in MACs and in FLOPs)
    if "bias" in opts:
        extra += bias_adds(call, fam)
    if "elementwise" in opts:
        extra += elementwise_ops(call, fam)
    if "norm" in opts:
        extra += norm_ops(call, fam)
    skip = []
    if "training" in opts or "training-exact" in opts:
        if "training-exact" in opts and call.reads_input:
            skip = input_gradient(call, fam)
        parts = [mul(3, p) for p in parts] + [mul(-1, s) for s in skip]
        extra = [mul(3, e) for e in extra]
    if "per-token" in opts:
        t = tokens(call)
        parts = [_per(p, t) for p in parts]
        extra = [_per(e, t) for e in extra]
    if any(p is None for p in parts) or any(e is None for e in extra):
        return costs(macs=None, flops=None)
    macs = total(parts)
    return costs(macs=total([macs, *extra]), flops=total([mul(2, macs), *extra]))


def _per(v, t):
    """``v`` per one of ``t`` positions: a sum divided term by term (one level,
    no expansion), so each product cancels its T."""
    if v is None or t is None:
        return None
    if getattr(v, "is_Add", False):
        return total([div(a, t) for a in v.args])
    return div(v, t)


def _matmul_parts(call: Call, fam, causal: bool):
    """The op's MAC terms as values, self-attention's pairs causal if asked."""
    terms = call.out.costs.get("macs_terms")
    if terms is None:
        m = call.macs
        return [m] if m else []
    values = [None if any(f is None for f in t) else prod(t) for t in terms]
    if not causal:
        return values
    if fam in ATTENTION and len(values) == 6:
        return [*values[:3], *(_causal(call, v) for v in values[3:5]), values[5]]
    if fam == "sdpa" and len(values) == 2:
        return [_causal(call, v) for v in values]
    if fam in ("transformer_layer", "transformer_stack"):
        return [_causal_layer(call, values)]
    return values


def _self_length(call: Call):
    """T of a self-attention call (query and key of one length), else None."""
    shapes = call.inputs if isinstance(call.inputs, list) else [call.inputs]
    t = [s[0] if len(s) == 2 else None for s in shapes]
    if None in t or any(D.equal(x, t[0]) is not True for x in t[: 2 if len(t) > 1 else 1]):
        return None
    if len(shapes) > 1 and D.equal(shapes[1][0], t[0]) is not True:
        return None
    return t[0]


def _causal(call: Call, pairs_value):
    """A full T^2 term scaled to the T(T+1)/2 pairs a causal mask keeps."""
    t = _self_length(call)
    if t is None or pairs_value is None:
        return pairs_value
    return div(mul(pairs_value, add(t, 1)), mul(2, t))


def _causal_layer(call: Call, values):
    """An encoder layer (stack) with causal self-attention: the full self
    scores and values 2*T^2*d (each layer) become T*(T+1)*d."""
    lay = _layer_args(call)
    if lay is None or lay["decoder"]:
        return total(values)
    t, d, n = first_axis(call.inputs), call.inputs[-1], lay["count"]
    full = mul(n, mul(2, mul(mul(t, t), d)))
    kept = mul(n, mul(mul(t, add(t, 1)), d))
    return total([*values, mul(-1, full), kept])


def _layer_args(call: Call):
    """A torch Transformer layer's (or stack's) sizes, as the rules need them."""
    a = call.args
    count = 1
    if family(call) == "transformer_stack":
        count = getattr(a, "num_layers", 1)
        layer = getattr(a, "encoder_layer", None) or getattr(a, "decoder_layer", None)
        if layer is None:
            return None
        a = layer.ns
        decoder = layer.type_name == "TransformerDecoderLayer"
    elif family(call) == "transformer_layer":
        decoder = call.type == "TransformerDecoderLayer"
    else:
        return None
    return {
        "count": count,
        "decoder": decoder,
        "ff": a.dim_feedforward,
        "heads": a.nhead,
        "bias": a.bias,
        "norm_first": a.norm_first,
        "norm": family(call) == "transformer_stack" and call.args.norm is not None,
    }


def tokens(call: Call):
    """The positions a call reads: the first axis of a sequence (an embedding's
    token ids), 1 for a vector."""
    shape = call.inputs[0] if isinstance(call.inputs, list) else call.inputs
    if not shape:
        return 1
    if len(shape) >= 2 or family(call) in ("embedding", "reversible_embedding"):
        return shape[0]
    return 1


# --- bias, element-wise and norm work -------------------------------------------


def _leaf(name: str) -> str:
    return name.replace(".", "/").rsplit("/", 1)[-1]


def _is_bias(name: str) -> bool:
    """A bias weight as either framework names it: bias, query/bias, in_proj_bias,
    linear1.bias, bias_ih_l0 (not torch's bias_k / bias_v key rows)."""
    leaf = _leaf(name)
    return leaf == "bias" or leaf.endswith("_bias") or leaf.startswith(("bias_ih", "bias_hh"))


def _biases(call: Call):
    return [w for w in call.weights if _is_bias(w.name) and not w.state]


def _input_kernels(call: Call):
    """A recurrent layer's kernels on its input (the first layer's: torch's _l0)."""
    return [
        w
        for w in call.weights
        if _leaf(w.name) == "kernel" or _leaf(w.name).startswith("weight_ih_l0")
    ]


def bias_adds(call: Call, fam) -> list:
    """One add per output entry per bias (a recurrent layer's biases every step)."""
    biases = _biases(call)
    if not biases:
        return []
    if fam in MATMULS or fam == "time_distributed":  # a wrapped Dense or conv
        return [mul(len(biases), numel(call.output))]
    if fam in RECURRENT or fam == "rnn_cell":
        steps = 1 if fam == "rnn_cell" else first_axis(call.inputs)
        return [mul(steps, total([w.size for w in biases]))]
    if fam in ATTENTION:
        terms = call.out.costs.get("macs_terms") or ()
        if len(terms) != 6:
            return []
        n = len(terms[0]) - 3  # the query's position axes
        drop = [(n,)] * 3 + [(n, n + 1)]
        picked = [terms[0], terms[1], terms[2], terms[5]]
        return [
            prod([f for i, f in enumerate(t) if i not in skip])
            for t, skip in zip(picked, drop, strict=True)
        ]
    lay = _layer_args(call)
    if lay is not None and lay["bias"]:
        t, d, ff = first_axis(call.inputs), call.inputs[-1], lay["ff"]
        one = mul(t, total([mul(5, d), ff]))  # in_proj 3d, out_proj d, linear1 ff, linear2 d
        if lay["decoder"]:
            # cross-attention: q and out on the target; k and v on the memory (taken as T long)
            one = total([one, mul(4, mul(t, d))])
        return [mul(lay["count"], one)]
    return []


def elementwise_ops(call: Call, fam) -> list:
    """One FLOP per output entry of an activation, LayerScale or softmax; n - 1
    per output entry of a merge of n tensors."""
    out = numel(call.output) if isinstance(call.output, tuple) else None
    if fam == "elementwise":
        return [mul(len(call.inputs) - 1, out)]
    if fam in ("identity", "softmax", "prelu", "layer_scale", "clip", "glu"):
        return (
            [out] if call.type in ACTIVATIONS.get(call.convention, ()) or fam != "identity" else []
        )
    found = []
    act = getattr(call.args, "activation", None)
    if fam in MATMULS and getattr(act, "name", act) not in NO_ACTIVATION:
        found.append(out)
    if fam in ATTENTION:
        terms = call.out.costs.get("macs_terms") or ()
        if len(terms) == 6:  # (heads, pairs): the softmax's entries
            scores = prod(terms[3][:-1])
            found.append(_causal(call, scores) if "causal" in call.options else scores)
    if fam == "sdpa":
        terms = call.out.costs.get("macs_terms") or ()
        if terms:
            scores = prod(terms[0][:-1])  # (heads, L, S): the softmax's entries
            found.append(_causal(call, scores) if "causal" in call.options else scores)
    lay = _layer_args(call)
    if lay is not None:
        t, d = first_axis(call.inputs), call.inputs[-1]
        causal = "causal" in call.options and not lay["decoder"]
        pairs = mul(t, add(t, 1) if causal else t)
        pairs = div(pairs, 2) if causal else pairs
        one = [mul(lay["heads"], pairs), mul(t, lay["ff"]), mul(2, mul(t, d))]
        if lay["decoder"]:
            one += [mul(lay["heads"], mul(t, t)), mul(t, d)]  # cross softmax, third residual
        found.append(mul(lay["count"], total(one)))
    return found


def norm_ops(call: Call, fam) -> list:
    """Five FLOPs per output entry of a norm (a Transformer layer's LayerNorms too)."""
    if fam in NORMS:
        return [mul(NORM_FLOPS, numel(call.output))]
    lay = _layer_args(call)
    if lay is not None:
        t, d = first_axis(call.inputs), call.inputs[-1]
        n = add(mul(lay["count"], 3 if lay["decoder"] else 2), 1 if lay["norm"] else 0)
        return [mul(NORM_FLOPS, mul(n, mul(t, d)))]
    return []


def input_gradient(call: Call, fam) -> list:
    """The MACs of a layer's input gradient, which training-exact leaves out
    when the layer reads a model input (nothing asks for its gradient)."""
    if fam in MATMULS or fam == "time_distributed":
        return [call.macs]
    if fam in RECURRENT or fam == "rnn_cell":  # each step's input kernels (the first layer)
        steps = 1 if fam == "rnn_cell" else first_axis(call.inputs)
        return [mul(steps, total([w.size for w in _input_kernels(call)]))]
    terms = call.out.costs.get("macs_terms") or ()
    if fam in ATTENTION and len(terms) == 6:
        return [prod(t) for t in terms[:3]]  # the q, k, v projections read the input
    lay = _layer_args(call)
    if lay is not None and not lay["norm_first"]:
        t, d = first_axis(call.inputs), call.inputs[-1]
        return [mul(3, mul(t, mul(d, d)))]  # the first layer's in-projection
    return []


ACTIVATIONS = {
    "keras": frozenset(["Activation", "ReLU", "LeakyReLU", "ELU", "Softmax"]),
    "torch": frozenset(
        [
            "ReLU",
            "ReLU6",
            "LeakyReLU",
            "ELU",
            "CELU",
            "SELU",
            "GELU",
            "SiLU",
            "Mish",
            "Sigmoid",
            "Tanh",
            "Softsign",
            "Tanhshrink",
            "LogSigmoid",
            "Softplus",
            "Hardswish",
            "Hardsigmoid",
            "Hardshrink",
            "Softshrink",
            "Threshold",
            "RReLU",
            "Softmax2d",
        ]
    ),
}
