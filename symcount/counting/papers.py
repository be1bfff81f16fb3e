"""The papers' compute counts as presets (docs/compute.md): ``--count-as
kaplan``, ``6n``, ``palm``, ``chinchilla``.

Each is a rule per op family (the op a layer type runs: Keras's Dense and
torch's Linear are both ``dense``), so a Transformer written either way is
counted as the paper counts it, layer by layer:

- ``kaplan`` (Kaplan et al. 2020, Table 1): forward FLOPs per token
  2N + 2 n_layer n_ctx d_attn, N the non-embedding weight matrices: each
  matmul 2 x its weights per token, attention's scores 2 n_ctx d_attn (the
  paper's one "mask" term: A V is not in it), embeddings and the de-embedding
  (ReversibleEmbedding, TiedLinear) left out as the paper's total is;
- ``6n`` (EleutherAI, Transformer Math 101): training FLOPs per token
  6N (C = 6ND over D tokens), N every parameter (embeddings too; a tied
  table once), attention ignored;
- ``palm`` (Chowdhery et al. 2022, appendix B; nanoGPT's estimate_mfu):
  training FLOPs per token 6N + 12 L H Q T, N every parameter but the plain
  embedding tables (the position embedding: nanoGPT's get_num_params); a tied
  token table counts once, as the output head's matmul;
- ``chinchilla`` (Hoffmann et al. 2022, appendix F): per sequence, the
  embedding as a matmul 2 T V d, every matmul 2 x MACs (QKV, Q K^T, the
  attention reduction A V, the final linear, the dense block, the logits),
  softmax 3 x heads x T_q x T_k, no bias or norm; forward + backward, backward
  = 2 x forward.

MACs are half the FLOPs wherever a paper counts FLOPs only.
"""

from __future__ import annotations

from . import Call, Counting, costs, register
from .families import add, div, family, first_axis, mul, prod, sub, total

EMBEDDINGS = frozenset(("embedding", "reversible_embedding"))
HEADS = frozenset(("tied_linear",))
ATTENTION = frozenset(("attention", "grouped_query_attention"))
LAYERS = frozenset(("transformer_layer", "transformer_stack", "transformer"))


def _flops(v) -> dict:
    return costs(macs=None if v is None else div(v, 2), flops=v)


def _per_token(call: Call, v):
    t = first_axis(call.inputs)
    if v is None or t is None:
        return None
    if getattr(v, "is_Add", False):
        return total([div(a, t) for a in v.args])
    return div(v, t)


def _terms(call: Call) -> list:
    terms = call.out.costs.get("macs_terms") or ()
    return [None if any(f is None for f in t) else prod(t) for t in terms]


def _reverse(call: Call) -> bool:
    """A ReversibleEmbedding's reverse call (the output head: it has a matmul)."""
    return family(call) == "reversible_embedding" and bool(call.macs)


def _parameters(call: Call):
    """The call's layer's parameters (no buffers, no state)."""
    return total([w.size for w in call.weights if not w.state])


def _heads(call: Call):
    """Attention's per-token scores width, n_ctx x d_attn: the Q K^T term over
    the query positions (every head), or a torch Transformer layer's T x d
    each layer (and its count of layers)."""
    fam = family(call)
    if fam in ATTENTION:
        terms = _terms(call)
        return _per_token(call, terms[3]) if len(terms) == 6 else 0
    if fam in LAYERS:
        t, d = first_axis(call.inputs), call.inputs[-1]
        return mul(_layers(call), mul(t, d))
    if fam == "sdpa":
        terms = _terms(call)
        return _per_token(call, terms[0]) if terms else 0
    return 0


def _layers(call: Call):
    """How many self-attention layers a torch Transformer layer type holds."""
    a, fam = call.args, family(call)
    if fam == "transformer_stack":
        return a.num_layers
    if fam == "transformer":
        return add(a.num_encoder_layers, a.num_decoder_layers)
    return 1


# --- Kaplan et al. 2020 -----------------------------------------------------------


def kaplan(call: Call) -> dict:
    fam = family(call)
    if fam in EMBEDDINGS or fam in HEADS:
        return _flops(0)  # embeddings and the de-embedding: not in the paper's total
    if fam in ATTENTION:
        terms = _terms(call)
        if len(terms) != 6 or None in terms:
            return _flops(None)
        proj = total([terms[0], terms[1], terms[2], terms[5]])
        return _flops(add(mul(2, _per_token(call, proj)), mul(2, _heads(call))))
    if fam in LAYERS:
        t = first_axis(call.inputs)
        pairs = mul(2, mul(_layers(call), mul(mul(t, t), call.inputs[-1])))
        matmuls = sub(call.macs, pairs) if call.macs is not None else None
        return _flops(add(mul(2, _per_token(call, matmuls)), mul(2, _heads(call))))
    return _flops(mul(2, _per_token(call, call.macs)))


# --- 6N (EleutherAI, Transformer Math 101) ---------------------------------------------


def six_n(call: Call) -> dict:
    if _reverse(call):
        return _flops(0)  # the tied table counts once, at its first call
    return _flops(mul(6, _parameters(call)))


# --- PaLM appendix B (nanoGPT's estimate_mfu) --------------------------------------------


def palm(call: Call) -> dict:
    fam = family(call)
    if _reverse(call) or fam == "embedding":
        return _flops(0)  # the head's matmul is the token table's; position tables are out
    return _flops(add(mul(6, _parameters(call)), mul(12, _heads(call))))


# --- Chinchilla appendix F -------------------------------------------------------------


def chinchilla(call: Call) -> dict:
    fam = family(call)
    macs = call.macs
    softmax = 0
    if fam in EMBEDDINGS and not _reverse(call):
        t = first_axis(call.inputs)
        macs = _table(call, t)
    elif fam in ATTENTION:
        terms = call.out.costs.get("macs_terms") or ()
        softmax = mul(3, prod(terms[3][:-1])) if len(terms) == 6 else 0
    elif fam in LAYERS:
        t = first_axis(call.inputs)
        lay = call.args.encoder_layer if fam == "transformer_stack" else None
        heads = (lay.ns if lay is not None else call.args).nhead
        softmax = mul(3, mul(mul(_layers(call), heads), mul(t, t)))
    if macs is None:
        return costs(macs=None, flops=None)
    return costs(macs=mul(3, macs), flops=mul(3, add(mul(2, macs), softmax)))


def _table(call: Call, t):
    """An embedding as a one-hot matmul: T x vocab x dim."""
    table = next((w for w in call.weights if not w.state), None)
    return 0 if table is None else mul(t, table.size)


KAPLAN = register(
    Counting(
        "kaplan",
        "Kaplan et al. 2020, Table 1: C_forward = 2N + 2 n_layer n_ctx d_attn "
        "(N non-embedding; embeddings and de-embedding left out), forward pass, per token",
        reproduces="Kaplan et al. 2020, Table 1: GPT-2 small at n_ctx 1,024, "
        "188,743,680 FLOPs per token",
        fallback=kaplan,
    )
)
SIX_N = register(
    Counting(
        "6n",
        "6N (EleutherAI, Transformer Math 101): training FLOPs = 6 x parameters "
        "(attention ignored), forward + backward, per token",
        reproduces="Transformer Math 101's C = 6ND: GPT-2 small 746,638,848 FLOPs per token",
        fallback=six_n,
    )
)
PALM = register(
    Counting(
        "palm",
        "PaLM (Chowdhery et al. 2022, appendix B): 6N + 12 L H Q T "
        "(N without position embeddings), forward + backward, per token",
        reproduces="nanoGPT's estimate_mfu: GPT-2 small at T 1,024, 855,166,464 FLOPs per token",
        fallback=palm,
    )
)
CHINCHILLA = register(
    Counting(
        "chinchilla",
        "Chinchilla (Hoffmann et al. 2022, appendix F): embeddings as a matmul, "
        "softmax 3 x heads x T^2, no bias or norms, forward + backward (backward = 2 x forward)",
        reproduces="Hoffmann et al. 2022, appendix F's forward count, times 3",
        fallback=chinchilla,
    )
)
