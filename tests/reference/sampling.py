"""Random draws shared by the Keras and PyTorch case generators.

Both draw from a seeded ``random.Random`` in a fixed order, so the recorded
fixtures can be regenerated exactly; a change here changes every draw after
it, and the fixtures must then be regenerated."""

from __future__ import annotations

import random


def coin(rng: random.Random, p: float = 0.5) -> bool:
    return rng.random() < p


def compact(values: list[int], rng: random.Random):
    """An int when all values agree (sometimes), else a list (a tuple in torch)."""
    if len(set(values)) == 1 and coin(rng, 0.6):
        return values[0]
    return list(values)


def factor_into(rng: random.Random, total: int, k: int) -> list[int]:
    """Split ``total`` into k positive factors (random order)."""
    primes, t, p = [], total, 2
    while t > 1:
        while t % p == 0:
            primes.append(p)
            t //= p
        p += 1
    dims = [1] * k
    for q in primes:
        dims[rng.randrange(k)] *= q
    return dims
