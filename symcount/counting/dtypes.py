"""The bytes an entry takes in each dtype memory figures are counted in
(docs/compute.md). int4 packs two entries in a byte, so sizes are exact
rationals until a total is rounded for display.

>>> nbytes("bfloat16"), nbytes("int4")
(2, 1/2)
"""

from __future__ import annotations

from fractions import Fraction

DEFAULT = "float32"

DTYPES: dict[str, int | Fraction] = {
    "float64": 8,
    "float32": 4,
    "float16": 2,
    "bfloat16": 2,
    "int8": 1,
    "int4": Fraction(1, 2),
    # mixed-precision training: half weights (2 bytes); its fp32 master copy
    # is counted in the optimizer's state (symcount/model/memory.py)
    "mixed": 2,
}


def nbytes(dtype: str):
    """Bytes per entry of ``dtype``; KeyError if it is not one symcount knows."""
    return DTYPES[dtype]
