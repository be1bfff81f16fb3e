"""The papers' presets (symcount.counting.papers) against each paper's closed
form, written out here in SymPy from the paper (not from symcount), compared
symbolically on GPT-2 small's source (examples/gpt2.sc) and on a torch
Transformer encoder, then at GPT-2 small's sizes."""

from __future__ import annotations

import pytest
import sympy as sp

import symcount

V, T, d, h, L = sp.symbols("V T d h L", positive=True, integer=True)
GPT2_SMALL = {"V": 50257, "T": 1024, "d": 768, "h": 12, "L": 12}
SMALL = {V: 50257, T: 1024, d: 768, h: 12, L: 12}

# GPT-2's sizes in each paper's words: d_attn = d (h heads of d/h), d_ff = 4d
D_ATTN, D_FF, N_CTX = d, 4 * d, T
# every parameter of GPT2LMHeadModel (tied head): L blocks, two tables, a final LayerNorm
BLOCK_PARAMS = 12 * d**2 + 13 * d
ALL_PARAMS = L * BLOCK_PARAMS + V * d + T * d + 2 * d


def kaplan_closed_form():
    """Table 1: N = 2 d_model n_layer (2 d_attn + d_ff); C_forward = 2N + 2 n_layer n_ctx d_attn."""
    n = 2 * d * L * (2 * D_ATTN + D_FF)
    return 2 * n + 2 * L * N_CTX * D_ATTN


def six_n_closed_form():
    """Transformer Math 101: C = 6 P D; per token 6 P (P every parameter)."""
    return 6 * ALL_PARAMS


def palm_closed_form():
    """PaLM appendix B, as nanoGPT's estimate_mfu: 6N + 12 L H Q T, N without wpe."""
    n = ALL_PARAMS - T * d
    return 6 * n + 12 * L * h * (d / h) * T


def chinchilla_closed_form():
    """Appendix F, forward, times 3 (backward = 2 x forward); GPT-2's learned
    position table counted by the same embedding rule (2 x seq x rows x d_model)."""
    kh = d  # key_size x heads
    embeddings = 2 * T * V * d + 2 * T * T * d
    attention = (
        2 * 3 * T * d * kh  # KQV
        + 2 * T * T * kh  # K @ Q logits
        + 3 * h * T * T  # softmax
        + 2 * T * T * kh  # softmax @ query reductions
        + 2 * T * kh * d  # final linear
    )
    dense = 2 * T * (d * D_FF + d * D_FF)
    logits = 2 * T * d * V
    return 3 * (embeddings + L * (attention + dense) + logits)


CASES = [
    ("kaplan", kaplan_closed_form, 188_743_680),
    ("6n", six_n_closed_form, 6 * 124_439_808),
    ("palm", palm_closed_form, 855_166_464),
    ("chinchilla", chinchilla_closed_form, None),
]


@pytest.mark.parametrize(("name", "closed", "small"), CASES)
def test_gpt2_against_the_papers_closed_form(name, closed, small):
    got = symcount.load("examples/gpt2.sc", counting=name).totals["flops"]
    assert sp.simplify(sp.sympify(got) - closed()) == 0
    at = symcount.load("examples/gpt2.sc", counting=name, values=GPT2_SMALL).totals["flops"]
    assert at == closed().subs(SMALL)
    if small is not None:
        assert at == small


def test_palm_n_is_nanogpts():
    # nanoGPT's get_num_params() for GPT-2 small: 124,439,808 - 786,432 (wpe)
    assert (ALL_PARAMS - T * d).subs(SMALL) == 123_653_376


ENCODER = "convention torch\ninput(T, d) -> TransformerEncoder(TransformerEncoderLayer(d, h, f), L)"
F = sp.Symbol("f", positive=True, integer=True)
# a torch encoder layer: in_proj 3d^2 + 3d, out_proj d^2 + d, two Linears 2 d f + f + d, two LNs
LAYER_PARAMS = 4 * d**2 + 4 * d + 2 * d * F + F + d + 4 * d

ENCODER_CASES = [
    # Kaplan: N = n_layer (4 d d_attn + 2 d d_ff) weight entries, the scores 2 n_ctx d_attn
    ("kaplan", 2 * L * (4 * d**2 + 2 * d * F) + 2 * L * T * d),
    ("6n", 6 * L * LAYER_PARAMS),
    ("palm", 6 * L * LAYER_PARAMS + 12 * L * h * (d / h) * T),
    (
        "chinchilla",
        3 * L * (2 * 4 * T * d**2 + 2 * 2 * T * T * d + 3 * h * T * T + 2 * T * 2 * d * F),
    ),
]


@pytest.mark.parametrize(("name", "want"), ENCODER_CASES)
def test_torch_encoder_against_the_papers_closed_form(name, want):
    got = symcount.parse(ENCODER, counting=name).totals["flops"]
    assert sp.simplify(sp.sympify(got) - want) == 0


@pytest.mark.parametrize("name", ["kaplan", "6n", "palm", "chinchilla"])
def test_titles_name_the_paper_and_the_pass(name):
    m = symcount.load("examples/gpt2.sc", counting=name).showing("macs", "flops")
    c = symcount.counting.lookup(name)
    assert c.reproduces
    assert ("per token" in c.title) == (name != "chinchilla")
    assert ("forward + backward" in c.title) == (name != "kaplan")
    assert m.to_dict()["compute"]["convention"] == name
