"""Keras 3's LoRA (``lora_rank``, or ``layer.enable_lora(rank)``) on Dense,
EinsumDense and Embedding: the layer's kernel (embeddings) is frozen and two
low-rank trainable factors are added, A of the kernel's leading axes and the
rank, B of the rank and its last axis (keras/src/layers/core/dense.py,
einsum_dense.py, embedding.py: ``enable_lora``). ``lora_alpha`` only scales
their product: no weights. A convention without the argument (torch) never
has it set."""

from __future__ import annotations

import dataclasses

from .. import dims as D
from .. import printing as P
from ..language.values import Word
from .base import Args
from .spec import Factor, Weight, bad_arg

FROZEN = "frozen by LoRA"


def rank_of(a: Args):
    """The layer's LoRA rank, or None (Keras: ``if self.lora_rank:``; 0 is none)."""
    rank = getattr(a, "lora_rank", None)
    if isinstance(rank, Word):  # a size left as a symbol: lora_rank=r
        rank = D.symbol(rank.name)
    if rank is None or (D.is_int(rank) and rank == 0):
        return None
    if not (D.is_int(rank) or D.is_symbolic(rank)) or D.known_nonpositive(rank):
        bad_arg(f"lora_rank must be a positive integer (0 or None: no LoRA), not {_shown(rank)}")
    return D.normalize(rank)


def with_lora(weights: list[Weight], frozen: str, names: tuple[str, str], a: Args) -> list[Weight]:
    """``weights`` with ``frozen`` (the kernel's name) made non-trainable and
    the two factors ``names`` appended, in Keras's order (after the bias)."""
    rank = rank_of(a)
    if rank is None:
        return weights
    out, kernel = [], None
    for w in weights:
        if w.name == frozen:
            kernel = w
            w = dataclasses.replace(w, trainable=False, what=FROZEN)
        out.append(w)
    if kernel is None:  # pragma: no cover - a table naming no kernel
        return weights
    r = (Factor("lora_rank", rank),)
    out.append(Weight(names[0], (*kernel.dims[:-1], r)))
    out.append(Weight(names[1], (r, kernel.dims[-1])))
    return out


def _shown(v) -> str:
    return "true" if v is True else "false" if v is False else P.expr(v)
