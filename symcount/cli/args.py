"""Argument types shared by the commands (argparse ``type=`` callables)."""

from __future__ import annotations

import argparse
import re

MAX_OPTION = 10**15  # no option counts past this (and int() of 5,000 digits refuses)


def short(text: str, limit: int = 60) -> str:
    """An option's value as an error repeats it: quoted, and cut when long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def positive(text: str) -> int:
    """A positive integer option value (``--limit 5``, ``--width 120``)."""
    if not re.fullmatch(r"\s*[+-]?[0-9]+\s*", text):
        raise argparse.ArgumentTypeError(f"{short(text)} is not an integer")
    if len(text.strip().lstrip("+-")) > 16 or int(text) > MAX_OPTION:
        raise argparse.ArgumentTypeError(f"{short(text)} is too large (at most 10**15)")
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{short(text)} must be positive")
    return n


_COUNT = re.compile(
    r"(?P<num>[0-9][0-9_,]*(?:\.[0-9]+)?)\s*"
    r"(?:(?P<unit>[kKmMbBgGtT]?)|[eE]\+?(?P<exp>[0-9]{1,2})|(?:\^|\*\*)(?P<pow>[0-9]{1,2}))\Z"
)
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9, "t": 10**12}


def count(text: str) -> int:
    """A count: ``59910``, ``59_910``, ``59,910``, ``350M``, ``1.5B``, ``10k``,
    and for compute budgets ``1e12``, ``2.5e9``, ``10^12``, ``10**12`` (exponents
    up to 99, read exactly: never through a float)."""
    from fractions import Fraction

    m = _COUNT.match(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a count (e.g. 59910, 59_910, 350M, 1.5B, 1e12, 10^12)"
        )
    num = Fraction(m["num"].replace("_", "").replace(",", ""))
    if m["exp"] is not None:
        value = num * 10 ** int(m["exp"])
    elif m["pow"] is not None:
        if len(m["num"]) > 4:  # a power of a small base only (10^12): bounded work
            raise argparse.ArgumentTypeError(f"{text!r}: write a power as 10^12 (base 1 to 9999)")
        value = num ** int(m["pow"])
    else:
        value = num * _UNITS[m["unit"].lower()]
    if value.denominator != 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of parameters")
    return int(value)


def positive_count(text: str) -> int:
    """A count of at least 1 (a budget line)."""
    n = count(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return n


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def set_values(text: str) -> list[tuple[str, int]]:
    """``u=64`` to [("u", 64)], ``u=64,f=6`` to both pairs; anything else is a
    usage error (exit 2)."""
    return [_one_value(part, text) for part in text.split(",")]


def _one_value(part: str, text: str) -> tuple[str, int]:
    name, sep, value = part.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=INTEGER (e.g. --set u=64, or --set u=64,f=6 for two)"
        )
    try:
        number = int(value, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: the value of {name} must be an integer, e.g. --set {name}=64"
        ) from None
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {name} must be a positive integer (symbols are sizes)"
        )
    return name, number


def depth(text: str) -> int:
    """``--depth N``: 0 or a positive integer (how many levels of blocks to open)."""
    if text.strip() == "0":
        return 0
    n = positive(text)
    if n > 1000:  # blocks nest at most 64 deep: anything larger is "all"
        raise argparse.ArgumentTypeError(
            f"{short(text)} is too deep (at most 1000; --expand opens all)"
        )
    return n


def batch_size(text: str) -> int | str:
    """``--batch``: a positive integer, or a symbol's name (``B``)."""
    name = text.strip()
    if _NAME.fullmatch(name):
        return name
    try:
        return positive(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{short(text)} is not a batch size: a positive integer or a symbol's name"
        ) from None


def input_shape(text: str) -> tuple:
    """--input-shape 3,32,32: positive integers or names, comma-separated."""
    dims = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and int(part) > 0:
            dims.append(int(part))
        elif part.isidentifier():
            dims.append(part)
        else:
            raise argparse.ArgumentTypeError(
                f"{text!r}: give the dimensions as positive integers or names, comma-separated "
                "(e.g. 3,32,32), without the batch axis"
            )
    return tuple(dims)


def add_python_args(p: argparse.ArgumentParser) -> None:
    """--python and --input-shape: pasted Keras and PyTorch code (docs/python.md)."""
    py = p.add_argument_group("Python code (docs/python.md)")
    py.add_argument(
        "--python",
        action="store_true",
        help="read the model as pasted Keras or PyTorch code (the default for a .py file); "
        "the code is read, never run",
    )
    py.add_argument(
        "--input-shape",
        type=input_shape,
        metavar="DIMS",
        help="the input shape of code that does not state one, without the batch axis: "
        "--input-shape 3,32,32 (names allowed: 3,H,W)",
    )


def add_batch(p: argparse.ArgumentParser, *, count_as: bool = True) -> None:
    """``--batch`` (and ``--count-as``) for the commands beyond summary and
    explain: solve, plot, diff (docs/compute.md)."""
    g = p.add_argument_group("compute (docs/compute.md)")
    if count_as:
        g.add_argument(
            "--count-as",
            metavar="NAME",
            help="count the compute as a tool or a paper does (fvcore, ptflops, calflops, "
            "torchinfo, kaplan, ...; docs/compute.md)",
        )
    g.add_argument(
        "--batch",
        type=batch_size,
        metavar="B",
        help="count the compute for a batch of B samples: an integer or a symbol "
        "(default 1, or the batch the model's input states)",
    )


def add_hf_args(p: argparse.ArgumentParser) -> None:
    """--model-class and --symbolic: a Hugging Face config.json (docs/huggingface.md)."""
    hf = p.add_argument_group("Hugging Face config.json (docs/huggingface.md)")
    hf.add_argument(
        "--model-class",
        metavar="CLASS",
        help="the transformers class to count (default: the config's architectures): "
        "--model-class BertForMaskedLM",
    )
    hf.add_argument(
        "--symbolic",
        action="store_true",
        help="keep the config's sizes as symbols (n_embd, n_layer, ...): closed forms",
    )
