"""Each layer family's shape and weight math, once, in no framework's words.

Conventions (:mod:`symcount.conventions`) are tables over these ops.
"""

from . import attention, core, norm, recurrent, wrappers  # noqa: F401  (importing registers the ops)
from .base import OPS, Args, Entry, op  # noqa: F401
