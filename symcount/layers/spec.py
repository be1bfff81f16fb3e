"""Where the rule vocabulary used to live: it is :mod:`symcount.ops.spec` now."""

from ..ops.spec import (  # noqa: F401
    REQUIRED,
    Arg,
    Factor,
    Formula,
    LayerRule,
    Out,
    W,
    Weight,
    a,
    bad_arg,
    fail,
    need_known,
    need_rank,
)
