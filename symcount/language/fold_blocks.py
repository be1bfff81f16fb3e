"""Copies of the same layers that differ in their numbers, made one block
with parameters (fold.py): ResNet's stages differ in filters and strides.

Each number of a copy is a hole; a hole whose number is the same in every
copy stays written, the others become parameters. Holes that hold the same
number in every copy share a parameter, and a hole that is always a whole
multiple of an earlier one is written so (``4 * filters``), as a person
would write the block."""

from __future__ import annotations

import keyword
import re

from . import ast as A
from .fold_tree import holes, unnamed

MAX_PARAMS = 4
RESERVED = {"input", "Input", "output", "block", "repeat", "residual", "let", "model"}
RESERVED |= {"convention", "symbols", "ceil", "floor", "min", "max", "true", "false", "None"}


class Namer:
    """Fresh identifiers: none is a name the program already uses."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken) | RESERVED
        self.params: dict[str, list[str]] = {}  # a new block's parameters
        self.memo: dict = {}  # a step's shape, by the step's id (fold.py's _shape)

    def block(self) -> str:
        """block1, block2, ...: a new block's name."""
        self.blocks = getattr(self, "blocks", 0) + 1
        while f"block{self.blocks}" in self.taken:
            self.blocks += 1
        self.taken.add(f"block{self.blocks}")
        return f"block{self.blocks}"

    def fresh(self, base: str) -> str:
        base = re.sub(r"\W", "_", base).strip("_") or "p"
        if not base[0].isalpha():
            base = f"p_{base}"
        name, i = base, 2
        while name in self.taken or keyword.iskeyword(name):
            name, i = f"{base}_{i}", i + 1
        self.taken.add(name)
        return name


def parameterize(copies: list[list[A.Node]], namer: Namer, arg_name=None):
    """(the block's body: the stages or statements, its params, each copy's call arguments), or
    None when the copies differ in more than MAX_PARAMS numbers.

    ``copies`` are stage lists of one structure (equal once their numbers
    are holes); ``arg_name(layer, i)`` names a positional argument."""
    found = [holes(unnamed(A.Pipeline(tuple(c), span=c[0].span)))[1] for c in copies]
    params_of = namer.params
    namer = Namer(namer.taken)  # a block's parameters are its own: any block may say filters
    first = found[0]
    exprs: list[A.Node] = []  # what each hole becomes in the body
    owners: list[int] = []  # the holes that are parameters, in order
    names: list[str] = []
    for h, (node, ctx) in enumerate(first):
        values = [f[h][0] for f in found]
        if all(v == values[0] for v in values):
            exprs.append(node)
            continue
        expr = _relation(h, values, found, owners, names, node)
        if expr is None:
            if len(owners) == MAX_PARAMS:
                return None
            owners.append(h)
            names.append(namer.fresh(_base(ctx, arg_name, params_of)))
            expr = A.Name(names[-1], span=node.span)
        exprs.append(expr)
    body, _ = holes(unnamed(A.Pipeline(tuple(copies[0]), span=copies[0][0].span)), iter(exprs))
    params = tuple(A.Param(n, None, span=body.span) for n in names)
    args = [tuple(f[h][0] for h in owners) for f in found]
    return body.stages, params, args


def _relation(h, values, found, owners, names, node):
    """The hole written in a parameter: the same number, or a whole multiple."""
    for o, name in zip(owners, names, strict=True):
        base = [f[o][0] for f in found]
        if values == base:
            return A.Name(name, span=node.span)
        if all(isinstance(v, A.Num) for v in values + base):
            ratios = {
                v.value // b.value if b.value and v.value % b.value == 0 else None
                for v, b in zip(values, base, strict=True)
            }
            if len(ratios) == 1 and (k := ratios.pop()) is not None and k > 1:
                return A.BinOp(
                    "*", A.Num(k, span=node.span), A.Name(name, span=node.span), span=node.span
                )
    return None


def _base(ctx, arg_name, params_of) -> str:
    """A parameter's name: the keyword its number is given to, or the name
    of the argument at its position (a layer's, or a block's parameter)."""
    if isinstance(ctx, str):
        return ctx
    if isinstance(ctx, tuple) and ctx[0] in params_of and ctx[1] < len(params_of[ctx[0]]):
        return params_of[ctx[0]][ctx[1]]
    if isinstance(ctx, tuple) and ctx[0] and arg_name is not None:
        name = arg_name(*ctx)
        if name:
            return name
    return "n"
