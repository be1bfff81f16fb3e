"""symcount: closed-form shapes and parameter counts of neural networks.

>>> m = parse("input(28,28,1) -> Conv2D(24,3) -> Conv2D(36,3) -> Flatten -> Dense(128) -> Dense(10)")
>>> m.total
2663678
>>> str(parse("input(t, f) -> LSTM(u)").total)
'4*u*(f + u + 1)'
"""

from __future__ import annotations

from .api import (  # also attaches Model's analysis and display methods
    from_torch,
    load,
    parse,
    parse_hf_config,  # a Hugging Face config.json (docs/huggingface.md)
    parse_keras_json,  # a Keras model.to_json() or .keras (docs/keras_json.md)
    parse_python,
)
from .errors import (
    ArgumentError,
    LimitError,
    ShapeError,
    SolveError,
    SymcountError,
    SyntaxError_,
    UnknownLayerError,
)
from .model import Model, Row

__all__ = [
    "ArgumentError",
    "LimitError",
    "Model",
    "Row",
    "ShapeError",
    "SolveError",
    "SymcountError",
    "SyntaxError_",
    "UnknownLayerError",
    "from_torch",
    "load",
    "parse",
    "parse_hf_config",
    "parse_keras_json",
    "parse_python",
]
__version__ = "0.1.0"
