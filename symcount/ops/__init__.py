"""Each layer family's shape and weight math, once, in no framework's words.

Conventions (:mod:`symcount.conventions`) are tables over these ops.
"""

from . import (  # noqa: F401  (importing registers the ops)
    attention,
    buffer,
    cells,
    conv,
    core,
    einsum,
    image,
    indexing,
    merge,
    norm,
    parameter,
    pool,
    preprocessing,
    recurrent,
    reshape,
    sdpa,
    spectral,
    tensor,
    wrappers,
)
from .base import OPS, Args, Entry, op  # noqa: F401
