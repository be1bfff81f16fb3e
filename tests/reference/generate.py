"""Regenerate tests/reference/keras_layers.json from real Keras (torch backend).

Usage (from the repository root):  .venv/bin/python tests/reference/generate.py [--seed 0 --per-layer 30]
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.reference.keras_cases import main

if __name__ == "__main__":
    sys.exit(main())
