"""Where binding used to live: it is :mod:`symcount.conventions.binding` now."""

from ..conventions.binding import COMMON_KEYWORDS, as_dim, as_dims, bind, coerce  # noqa: F401
