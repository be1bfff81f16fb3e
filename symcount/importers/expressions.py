"""The expressions of pasted model code (symcount.importers.reader):
constants, names, attributes, arithmetic on literals, comparisons and
subscripts. Only integer arithmetic on literals is ever computed; a name
with no value is a symbol."""

from __future__ import annotations

import ast as P

from ..errors import LimitError
from ..language import ast as S
from . import names as N
from .values import Functional, Method, Module, Opaque, Path, Sequential, Sym, Tensor

MAX_ITEMS = 10_000  # a list the reader builds
BUILTINS = {"range", "len", "int", "list", "tuple", "print", "super", "isinstance", "min", "max"}


class ExpressionsMixin:
    # expressions -----------------------------------------------------------------------

    def expr(self, node, scope: dict):
        self.step(node)
        if isinstance(node, P.Constant):
            if isinstance(node.value, int | float | str | bool | type(None)):
                return node.value
            raise self.unsupported("this constant", node, "numbers, strings, True, False and None")
        if isinstance(node, P.Name):
            return self.name(node, scope)
        if isinstance(node, P.Attribute):
            return self.attribute(self.expr(node.value, scope), node)
        if isinstance(node, P.Tuple):
            return tuple(self.items(node.elts, scope))
        if isinstance(node, P.List):
            return list(self.items(node.elts, scope))
        if isinstance(node, P.BinOp):
            return self.binop(
                node.op, self.expr(node.left, scope), self.expr(node.right, scope), node
            )
        if isinstance(node, P.UnaryOp):
            return self.unary(node, self.expr(node.operand, scope))
        if isinstance(node, P.Call):
            return self.call(node, scope)
        if isinstance(node, P.Lambda):
            return Opaque("a lambda", self.span(node))
        if isinstance(node, P.Subscript):
            return self.subscript(node, scope)
        if isinstance(node, P.Compare):
            return self.compare(node, scope)
        if isinstance(node, P.Dict):
            keys = [self.expr(k, scope) if k is not None else None for k in node.keys]
            return {k: self.expr(v, scope) for k, v in zip(keys, node.values, strict=True)}
        if isinstance(node, P.JoinedStr):
            return Opaque("an f-string", self.span(node))
        if isinstance(node, P.ListComp):
            return self.list_comp(node, scope)
        raise self.unsupported(
            f"a {type(node).__name__} expression", node, "constants, names, arithmetic and calls"
        )

    def items(self, elts, scope):
        if len(elts) > MAX_ITEMS:
            raise LimitError(f"a list of more than {MAX_ITEMS:,} items", self.span(elts[0]))
        out = []
        for e in elts:
            if isinstance(e, P.Starred):
                v = self.expr(e.value, scope)
                if not isinstance(v, list | tuple | range):
                    raise self.error("only a list, a tuple or a range can be unpacked here", e)
                out.extend(v)
            else:
                out.append(self.expr(e, scope))
        return out

    def list_comp(self, node, scope):
        if len(node.generators) != 1 or node.generators[0].ifs:
            raise self.unsupported("this comprehension", node, "[expr for x in list_or_range]")
        gen = node.generators[0]
        items = self.expr(gen.iter, scope)
        if not isinstance(items, list | tuple | range):
            raise self.unsupported(
                "a comprehension over this value", gen.iter, "lists, tuples and range(...)"
            )
        inner = dict(scope)
        out = []
        for item in items:
            self.assign(gen.target, item, inner, gen.iter)
            out.append(self.expr(node.elt, inner))
        return out

    def name(self, node, scope):
        if node.id in scope:
            return scope[node.id]
        if node.id in BUILTINS:
            return Path(("builtins", node.id))
        if node.id in ("true", "false"):
            return node.id == "true"
        if self.rules.get(N.OLD_TYPES.get(node.id, node.id)) is not None or node.id in (
            "Sequential",
            "Model",
            "Input",
            "InputLayer",
        ):
            return Path(
                ("keras", "layers", node.id)
                if self.convention == "keras"
                else ("torch", "nn", node.id)
            )
        if node.id in N.MERGES or node.id in N.VALUE_FUNCTIONS:
            return Path(("keras", "layers", node.id))
        return Sym(S.Name(node.id, span=self.span(node)))  # a size never assigned: a symbol

    def attribute(self, base, node):
        if isinstance(base, Path):
            return base.attr(node.attr)
        if isinstance(base, Module):
            if node.attr in base.attrs:
                return base.attrs[node.attr]
            if node.attr in base.cls.methods:
                return Method(base, node.attr)
            raise self.error(
                f"the module has no attribute {node.attr!r} (set it in __init__)", node
            )
        if isinstance(base, Tensor):
            if node.attr == "shape":
                return Sym(S.Attr(S.Name(base.name, span=base.span), "shape", span=self.span(node)))
            return Method(base, node.attr)
        if isinstance(base, Sequential | Functional):
            return Method(base, node.attr)
        if isinstance(base, Opaque):
            return base
        if isinstance(base, Sym) and isinstance(base.node, S.Name):
            key = f"{base.node.id}.{node.attr}"  # self.model in a pasted method's body
            if base.node.id in self.implicit:
                return Method(self.implicit[base.node.id], node.attr)
            if node.attr == "add" or node.attr in N.MODEL_METHODS:
                return Method(base, node.attr)
            return Sym(S.Name(key, span=self.span(node)))
        if isinstance(base, Sym):
            raise self.error(f"{node.attr!r} of a name with no value", node)
        return Method(base, node.attr)

    def binop(self, op, left, right, node):
        if isinstance(left, Tensor) and isinstance(right, Tensor):
            kinds = {P.Add: "Add", P.Mult: "Multiply", P.Sub: "Subtract"}
            kind = kinds.get(type(op))
            if kind is None:
                raise self.unsupported("this operation on tensors", node, "a + b, a * b and a - b")
            return self.merge(kind, [left, right], {}, node)
        if (
            isinstance(left, int | float)
            and isinstance(right, int | float)
            and not isinstance(left, bool)
        ):
            return self.arith(op, left, right, node)
        if (
            isinstance(left, list | tuple)
            and isinstance(right, list | tuple)
            and isinstance(op, P.Add)
        ):
            return type(left)([*left, *right])
        if isinstance(left, list | tuple) and isinstance(right, int) and isinstance(op, P.Mult):
            if len(left) * right > MAX_ITEMS:
                raise LimitError(f"a list of more than {MAX_ITEMS:,} items", self.span(node))
            return type(left)(list(left) * right)
        if isinstance(left, str) and isinstance(right, str) and isinstance(op, P.Add):
            return left + right
        a, b = self.sym_node(left, node), self.sym_node(right, node)
        ops = {
            P.Add: "+",
            P.Sub: "-",
            P.Mult: "*",
            P.Div: "/",
            P.FloorDiv: "//",
            P.Mod: "%",
            P.Pow: "**",
        }
        if type(op) not in ops:
            raise self.unsupported("this operator", node, "+ - * / // % **")
        return Sym(S.BinOp(ops[type(op)], a, b, span=self.span(node)))

    def arith(self, op, a, b, node):
        try:
            if isinstance(op, P.Add):
                return a + b
            if isinstance(op, P.Sub):
                return a - b
            if isinstance(op, P.Mult):
                return a * b
            if isinstance(op, P.FloorDiv):
                return a // b
            if isinstance(op, P.Mod):
                return a % b
            if isinstance(op, P.Div):
                q = a / b
                return int(q) if isinstance(a, int) and isinstance(b, int) and a % b == 0 else q
            if isinstance(op, P.Pow):
                if abs(b) > 256 or abs(a) > 2**64:
                    raise LimitError("a power too large to read", self.span(node))
                return a**b
        except ZeroDivisionError:
            raise self.error("division by zero", node) from None
        raise self.unsupported("this operator", node, "+ - * / // % **")

    def sym_node(self, v, node):
        """A value as a size in the program: a number or an expression of symbols."""
        span = self.span(node)
        if isinstance(v, Sym):
            return v.node
        if isinstance(v, bool):
            raise self.error("a boolean where a size is expected", node)
        if isinstance(v, int):
            return S.Num(v, span=span) if v >= 0 else S.Neg(S.Num(-v, span=span), span=span)
        if isinstance(v, float):
            return S.Dec(repr(v), span=span)
        raise self.error("this value is not a size", node)

    def unary(self, node, v):
        if isinstance(node.op, P.USub):
            if isinstance(v, int | float) and not isinstance(v, bool):
                return -v
            return Sym(S.Neg(self.sym_node(v, node), span=self.span(node)))
        if isinstance(node.op, P.UAdd):
            return v
        if isinstance(node.op, P.Not) and isinstance(v, bool | int | type(None)):
            return not v
        raise self.unsupported("this operator", node, "- and not on constants")

    def compare(self, node, scope):
        left = self.expr(node.left, scope)
        for op, c in zip(node.ops, node.comparators, strict=True):
            right = self.expr(c, scope)
            if not all(isinstance(v, int | float | str | bool | type(None)) for v in (left, right)):
                raise self.error("a comparison of values symcount does not know", node)
            table = {
                P.Eq: lambda a, b: a == b,
                P.NotEq: lambda a, b: a != b,
                P.Lt: lambda a, b: a < b,
                P.LtE: lambda a, b: a <= b,
                P.Gt: lambda a, b: a > b,
                P.GtE: lambda a, b: a >= b,
                P.Is: lambda a, b: a is b,
                P.IsNot: lambda a, b: a is not b,
            }
            fn = table.get(type(op))
            if fn is None:
                raise self.unsupported("this comparison", node, "== != < <= > >= is")
            if not fn(left, right):
                return False
            left = right
        return True

    def subscript(self, node, scope):
        base = self.expr(node.value, scope)
        if isinstance(base, list | tuple):
            idx = self.expr(node.slice, scope)
            if isinstance(idx, int) and not isinstance(idx, bool):
                try:
                    return base[idx]
                except IndexError:
                    raise self.error("index out of range", node) from None
            raise self.unsupported("this index", node, "integer indexes of lists")
        if isinstance(base, Sym) and isinstance(base.node, S.Attr):  # x.shape[-1]
            idx = self.expr(node.slice, scope)
            return Sym(S.Index(base.node, (self.sym_node(idx, node.slice),), span=self.span(node)))
        if isinstance(base, dict):
            return base.get(self.expr(node.slice, scope))
        if isinstance(base, Opaque):  # score[0] of model.evaluate(...)
            return base
        raise self.unsupported("this subscript", node, "items of lists and x.shape[i]")
