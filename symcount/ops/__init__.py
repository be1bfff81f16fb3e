"""Each layer family's shape and weight math, once, in no framework's words.

Conventions (:mod:`symcount.conventions`) are tables over these ops.
"""

from . import (
    conv,  # noqa: F401
    core,  # noqa: F401  (importing registers the ops)
    merge,  # noqa: F401
    pool,  # noqa: F401
    reshape,  # noqa: F401
)
from .base import OPS, Args, Entry, op  # noqa: F401
