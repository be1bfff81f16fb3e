"""Write symcount/conventions/framework_layers.py: the layer classes that the
installed Keras 3 (keras.layers) and PyTorch (torch.nn) export, so that a
real layer symcount does not support yet is told apart from a misspelling.

Usage (from the repository root):  .venv/bin/python tools/framework_layers.py [--check]
``--check`` exits 1 if the stored lists differ from the installed frameworks.
"""

from __future__ import annotations

import inspect
import os
import sys
import textwrap

os.environ.setdefault("KERAS_BACKEND", "torch")
OUT = os.path.join(
    os.path.dirname(__file__), "..", "symcount", "conventions", "framework_layers.py"
)


def keras_layers() -> tuple[str, list[str]]:
    import keras

    base = keras.layers.Layer
    names = [n for n, v in vars(keras.layers).items() if inspect.isclass(v) and issubclass(v, base)]
    return keras.__version__, sorted(names)


def torch_layers() -> tuple[str, list[str]]:
    import torch
    from torch import nn

    names = [n for n, v in vars(nn).items() if inspect.isclass(v) and issubclass(v, nn.Module)]
    return torch.__version__, sorted(n for n in names if not n.startswith("_"))


def render() -> str:
    parts = [
        '"""The layer classes each framework exports (written by tools/framework_layers.py;\n'
        "do not edit): a name here that a convention has no row for is a real layer\n"
        'symcount does not support yet, not a misspelling."""\n',
        "\nfrom ..ops.spec import words\n",
    ]
    for var, (version, names) in (("KERAS", keras_layers()), ("TORCH", torch_layers())):
        body = textwrap.fill(" ".join(names), 88, initial_indent="    ", subsequent_indent="    ")
        parts.append(f'\n{var}_VERSION = "{version}"\n{var} = words(\n    """\n{body}\n"""\n)\n')
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        with open(OUT) as f:
            return 0 if f.read() == text else 1
    with open(OUT, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
