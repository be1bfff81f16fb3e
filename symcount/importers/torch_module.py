"""A live ``torch.nn.Module`` read into a symcount program (docs/python.md,
"A live module").

The module is never run on data: torch.fx's symbolic tracing (the forward
called on proxies that record the calls) where it traces, each
``call_module`` node a layer, ``call_function`` and ``call_method`` nodes
the functional ops the Python reader maps too; the module tree where it
does not (``named_children`` in order, as a
Sequential). Each leaf module's constructor arguments are read back from its
attributes: by default the attributes named as the arguments of symcount's
own rule for the type (``in_features``, ``kernel_size``...), with the
entries of ``READERS`` where torch keeps an argument under another name or
only as a weight (``bias=`` as ``module.bias is not None``, the Transformer
layers' sizes from their submodules). What is built is the same syntax tree
the Python reader builds, run by the evaluator under the torch convention,
so every count, formula and output works as for a ``.sc`` file. torch is
imported here only, inside :func:`read_module`.
"""

from __future__ import annotations

import math
import operator

from ..errors import ArgumentError, Span
from ..language import ast as S
from .values import literal

AT = Span(1, 1, 1, 1)
REQUIRED_NAME = "REQUIRED"
SKIPPED = {"device", "dtype", "inplace", "_weight", "_freeze", "enable_nested_tensor", "mask_check"}


def _layer_norm(m):
    return {
        "normalized_shape": tuple(m.normalized_shape),
        "eps": m.eps,
        "elementwise_affine": m.elementwise_affine,
        "bias": m.bias is not None or not m.elementwise_affine,
    }


def _attention(m):
    return {
        "embed_dim": m.embed_dim,
        "num_heads": m.num_heads,
        "dropout": m.dropout,
        "bias": m.in_proj_bias is not None,
        "add_bias_kv": m.bias_k is not None,
        "add_zero_attn": m.add_zero_attn,
        "kdim": m.kdim,
        "vdim": m.vdim,
        "batch_first": m.batch_first,
    }


def _transformer_layer(m):
    return {
        "d_model": m.self_attn.embed_dim,
        "nhead": m.self_attn.num_heads,
        "dim_feedforward": m.linear1.out_features,
        "dropout": m.dropout.p,
        "layer_norm_eps": m.norm1.eps,
        "batch_first": m.self_attn.batch_first,
        "norm_first": m.norm_first,
        "bias": m.linear1.bias is not None,
    }


def _stack(m):
    return {
        "decoder_layer" if hasattr(m.layers[0], "multihead_attn") else "encoder_layer": m.layers[0],
        "num_layers": len(m.layers),
        "norm": m.norm,
    }


def _transformer(m):
    first = m.encoder.layers[0]
    return {
        "d_model": m.d_model,
        "nhead": m.nhead,
        "num_encoder_layers": len(m.encoder.layers),
        "num_decoder_layers": len(m.decoder.layers),
        "dim_feedforward": first.linear1.out_features,
        "dropout": first.dropout.p,
        "layer_norm_eps": first.norm1.eps,
        "batch_first": m.batch_first,
        "norm_first": first.norm_first,
        "bias": first.linear1.bias is not None,
    }


def _prelu(m):
    return {"num_parameters": m.num_parameters}


def _rms_norm(m):
    return {
        "normalized_shape": tuple(m.normalized_shape),
        "eps": m.eps,
        "elementwise_affine": m.elementwise_affine,
    }


# torch module types whose constructor arguments are not all attributes of the same name
READERS = {
    "LayerNorm": _layer_norm,
    "RMSNorm": _rms_norm,
    "MultiheadAttention": _attention,
    "TransformerEncoderLayer": _transformer_layer,
    "TransformerDecoderLayer": _transformer_layer,
    "TransformerEncoder": _stack,
    "TransformerDecoder": _stack,
    "Transformer": _transformer,
    "PReLU": _prelu,
}

# torch functions and tensor methods that keep the shape (activations, dropout, ...)
SAME_SHAPE = {
    "relu", "relu6", "gelu", "silu", "sigmoid", "tanh", "elu", "selu", "celu", "leaky_relu",
    "softmax", "log_softmax", "softplus", "softsign", "mish", "hardswish", "hardsigmoid",
    "hardtanh", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
    "contiguous", "clone", "detach", "float", "double", "half", "abs", "neg", "exp", "sqrt",
    "relu_", "sigmoid_", "tanh_", "to",
}  # fmt: skip


# torch.nn.functional's pooling, read as the layer of the same arguments
POOLS = {
    f"{kind}_pool{n}d": f"{layer}Pool{n}d"
    for n in (1, 2, 3)
    for kind, layer in (
        ("max", "Max"),
        ("avg", "Avg"),
        ("adaptive_avg", "AdaptiveAvg"),
        ("adaptive_max", "AdaptiveMax"),
    )
}


class ModuleReader:
    def __init__(self):
        from ..conventions import rules_for

        self.rules = rules_for("torch")
        self.statements: list[S.Node] = []
        self.used: set[str] = set()
        self.lets: dict[int, str] = {}  # id(module) -> its layer's name (shared when called twice)
        self.notes: list[str] = []

    # names ---------------------------------------------------------------------------

    def fresh(self, base: str) -> str:
        from .reader import RESERVED

        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base) or "x"
        if base[0].isdigit():
            base = f"m{base}"
        if base in RESERVED:
            base = f"{base}_"
        name, i = base, 1
        while name in self.used:
            name, i = f"{base}_{i}", i + 1
        self.used.add(name)
        return name

    def assign(self, base: str, value: S.Node) -> str:
        name = self.fresh(base)
        self.statements.append(S.AssignStmt(name, S.Pipeline((value,), span=AT), span=AT))
        return name

    # values --------------------------------------------------------------------------

    def value(self, v, what: str) -> S.Node:
        import torch

        lit = literal(v, AT, lambda x: self.value(x, what))  # a torch.Size is a tuple
        if lit is not None:
            return lit
        if isinstance(v, torch.nn.Module):
            return self.constructor(v, what)
        raise ArgumentError(f"{what} holds a {type(v).__name__}, not a size")

    # layers --------------------------------------------------------------------------

    def arguments(self, m, type_: str, rule) -> dict:
        if type_ in READERS:
            return READERS[type_](m)
        out = {}
        for a in rule.args:
            if a.name in SKIPPED or not hasattr(m, a.name):
                continue
            v = getattr(m, a.name)
            if (a.name == "bias" or a.name.endswith("_bias")) and not isinstance(v, bool):
                v = v is not None  # the weight, or None: the flag it was made with
            out[a.name] = v
        return out

    def constructor(self, m, where: str, name: str | None = None) -> S.Call:
        type_ = type(m).__name__
        rule = self.rules.get(type_) if type(m).__module__.startswith("torch.nn") else None
        if rule is None:
            message, _ = self.rules.unknown(type_)
            import torch

            kind = f"torch.nn.{type_}" if getattr(torch.nn, type_, None) is type(m) else type_
            raise ArgumentError(
                f"the module {where or type_!r} is a {kind}, which symcount does not know ({message}); "
                "it reads the torch.nn layers of docs/layers.md and modules made of them"
            )
        defaults = {a.name: a.default for a in rule.args}
        kwargs = []
        for k, v in self.arguments(m, type_, rule).items():
            d = defaults.get(k)
            if k in defaults and str(d) != REQUIRED_NAME and _same(v, d):
                continue
            if isinstance(v, float) and not math.isfinite(v):
                if str(d) == REQUIRED_NAME:
                    raise ArgumentError(
                        f"the module {where!r}: {k}={v}, symcount reads finite numbers"
                    )
                self.notes.append(
                    f"the module {where!r}: {k}={v} left out (a finite number is read)"
                )
                continue
            kwargs.append(S.Kwarg(k, self.value(v, f"{where}.{k}"), span=AT))
        params = list(m.parameters())
        if params and not any(p.requires_grad for p in params):
            kwargs.append(S.Kwarg("trainable", S.Name("false", span=AT), span=AT))
        elif not all(p.requires_grad for p in params):
            self.notes.append(
                f"the module {where!r}: some of its parameters are frozen, which a layer "
                "cannot say: "
                "counted as trainable"
            )
        if name is not None:
            kwargs.append(S.Kwarg("name", S.Name(name, span=AT), span=AT))
        return S.Call(S.Name(type_, span=AT), (), tuple(kwargs), span=AT)

    def layer(self, m, where: str) -> str:
        """The name the program binds the module's layer to (one layer however often called)."""
        key = id(m)
        if key not in self.lets:
            name = self.fresh(where or type(m).__name__.lower())
            call = self.constructor(m, where or type(m).__name__, name)
            self.statements.append(S.LetStmt(name, S.Pipeline((call,), span=AT), span=AT))
            self.lets[key] = name
        return self.lets[key]

    def apply(self, m, where: str, inputs: list[str]) -> str:
        let = self.layer(m, where)
        args = tuple(S.Name(x, span=AT) for x in inputs)
        return self.assign(
            type(m).__name__.lower(), S.Call(S.Name(let, span=AT), args, (), span=AT)
        )

    def op(self, type_: str, inputs: list[str], kwargs: dict, args=()) -> str:
        kws = tuple(S.Kwarg(k, self.value(v, type_), span=AT) for k, v in kwargs.items())
        pos = tuple(self.value(v, type_) for v in args)
        name = S.Name(type_, span=AT)
        func = S.Call(name, pos, kws, span=AT) if kws or pos else name
        args = tuple(S.Name(x, span=AT) for x in inputs)
        return self.assign(type_.lower(), S.Call(func, args, (), span=AT))

    # a module ------------------------------------------------------------------------

    def is_leaf(self, m) -> bool:
        import torch

        return type(m).__module__.startswith("torch.nn") and not isinstance(
            m, torch.nn.Sequential | torch.nn.ModuleList | torch.nn.ModuleDict
        )

    def module(self, m, where: str, inputs: list):
        """The output tensor name(s) of ``m`` applied to the tensors ``inputs``."""
        import torch

        if self.is_leaf(m):
            return self.apply(m, where, inputs)
        graph, why = self.trace(m)
        if graph is None:
            if len(inputs) != 1:
                raise ArgumentError(
                    f"{where or 'the module'} does not trace with torch.fx and has "
                    "several inputs; symcount reads an untraceable module as its children in order"
                )
            self.notes.append(
                f"{where or 'the module'} ({type(m).__name__}) does not trace with torch.fx "
                f"({why}): read as its children in order"
            )
            x = inputs[0]
            for name, child in m.named_children():
                x = self.module(child, f"{where}.{name}" if where else name, [x])
            return x
        return self.graph(m, graph, where, inputs, torch)

    def trace(self, m):
        import torch.fx as fx

        reader = self

        class Tracer(fx.Tracer):
            def is_leaf_module(self, mod, qualname):
                return reader.is_leaf(mod)

        try:
            return Tracer().trace(m), None
        except Exception as e:  # any failure to trace: the module tree instead
            first = str(e).strip().split("\n")[0][:200]
            return None, f"{type(e).__name__}: {first}" if first else type(e).__name__

    def graph(self, m, graph, where, inputs, torch):
        env: dict = {}
        placeholders = [n for n in graph.nodes if n.op == "placeholder"]
        if len(placeholders) < len(inputs):
            raise ArgumentError(
                f"{where or 'the module'}'s forward takes {len(placeholders)} "
                f"input(s), given {len(inputs)} input shapes"
            )
        for i, n in enumerate(placeholders):
            env[n.name] = inputs[i] if i < len(inputs) else None
        result = None
        for n in graph.nodes:
            if n.op == "placeholder":
                continue
            if n.op == "output":
                result = self.arg(n.args[0], env)
                break
            args = [self.arg(a, env) for a in n.args]
            kwargs = {k: self.arg(v, env) for k, v in n.kwargs.items()}
            for o in _others([*args, *kwargs.values()]):
                raise ArgumentError(
                    f"the forward of {where or type(m).__name__} uses the {o.what}; "
                    "symcount follows a layer's first output"
                )
            if n.op == "call_module":
                sub = m.get_submodule(n.target)
                name = f"{where}.{n.target}" if where else n.target
                tensors = [a for a in args if isinstance(a, str)]
                env[n.name] = self.module(sub, name, tensors)
            elif n.op in ("call_function", "call_method"):
                env[n.name] = self.function(n, args, kwargs, torch)
            else:  # get_attr: a parameter or buffer used by the forward itself
                raise ArgumentError(
                    f"the forward of {where or type(m).__name__} uses "
                    f"{n.target} directly; symcount reads the layers it calls"
                )
        return result

    def arg(self, a, env):
        import torch.fx as fx

        if isinstance(a, fx.Node):
            return env[a.name]
        if isinstance(a, list | tuple):
            return type(a)(self.arg(x, env) for x in a)
        return a

    def function(self, n, args, kwargs, torch):
        target = n.target
        name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
        x = args[0] if args else kwargs.get("input")
        if name in ("size", "dim") or name == "getattr":
            return Size()
        if target is operator.getitem:
            if isinstance(x, Size):
                return Size()
            if isinstance(x, str) and args[1] == 0:
                return x  # a layer's first output (LSTM's output, attention's values)
            if isinstance(x, list | tuple):
                return x[args[1]]
            return Other(f"item {args[1]!r} of a layer's output (a state, attention weights)")
        if name in SAME_SHAPE:
            return x
        merges = {
            "add": "Add",
            "iadd": "Add",
            "sub": "Subtract",
            "mul": "Multiply",
            "imul": "Multiply",
        }
        if name in merges and len(args) == 2 and all(isinstance(a, str) for a in args):
            return self.op(merges[name], list(args), {})
        if name in ("add", "iadd", "mul", "sub", "truediv") and any(
            isinstance(a, int | float) for a in args
        ):
            return next(a for a in args if isinstance(a, str))
        if name == "flatten":
            start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
            end = args[2] if len(args) > 2 else kwargs.get("end_dim", -1)
            kw = {"start_dim": start} if end == -1 else {"start_dim": start, "end_dim": end}
            return self.op("Flatten", [x], kw)
        if name in POOLS and isinstance(x, str):
            return self.op(POOLS[name], [x], kwargs, args[1:])
        if name in ("cat", "concat"):
            dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
            return self.op("Cat", list(args[0]), {"dim": dim})
        if name in ("view", "reshape"):
            dims = list(args[1:])
            if len(dims) == 1 and isinstance(dims[0], list | tuple):
                dims = list(dims[0])
            if len(dims) == 2 and isinstance(dims[0], Size | int) and dims[1] == -1:
                return self.op("Flatten", [x], {"start_dim": 1})
            if dims and isinstance(dims[0], Size) and all(isinstance(d, int) for d in dims[1:]):
                return self.op(name.capitalize(), [x], {}, dims[1:])  # the sizes after the batch
        if name == "transpose" and isinstance(x, str):
            pair = list(args[1:3]) or [kwargs.get("dim0"), kwargs.get("dim1")]
            return self.op("Transpose", [x], {}, pair)
        if name == "permute" and isinstance(x, str):
            dims = list(args[1:]) or list(kwargs.get("dims", ()))
            if len(dims) == 1 and isinstance(dims[0], list | tuple):
                dims = list(dims[0])
            return self.op("Permute", [x], {}, dims)
        raise ArgumentError(
            f"the forward calls {name}(), which symcount does not read; it reads "
            "torch.nn layers, activations, dropout, flatten, view and reshape after the batch, "
            "transpose, permute, pooling, cat, + - and *"
        )


class Size:
    """x.size(...): a value of the running tensor, not a count."""


class Other:
    """A value the forward computes and symcount does not follow (an error once used)."""

    def __init__(self, what: str):
        self.what = what


def _others(values):
    for v in values:
        if isinstance(v, Other):
            yield v
        elif isinstance(v, list | tuple):
            yield from _others(v)


def _same(v, d) -> bool:
    if isinstance(v, list | tuple) and isinstance(d, list | tuple):
        return tuple(v) == tuple(d)
    return type(v) is type(d) and v == d


def read_module(module, input_shape) -> tuple[S.Program, list[str]]:
    """The program of a live ``torch.nn.Module`` on inputs of ``input_shape``
    (without the batch; a list of shapes for several inputs)."""
    import torch

    if not isinstance(module, torch.nn.Module):
        raise ArgumentError(f"from_torch reads a torch.nn.Module, not a {type(module).__name__}")
    shapes = list(input_shape)
    if not shapes or not all(isinstance(s, list | tuple | torch.Size) for s in shapes):
        shapes = [shapes]
    r = ModuleReader()
    inputs = []
    for s in shapes:
        dims = tuple(
            S.Num(int(d), span=AT) if isinstance(d, int) else S.Name(str(d), span=AT) for d in s
        )
        call = S.Call(S.Name("input", span=AT), dims, (), span=AT)
        inputs.append(r.assign("x", call))
    out = r.module(module, "", inputs)
    outs = out if isinstance(out, list | tuple) else [out]
    if not outs or not all(isinstance(t, str) for t in outs):
        raise ArgumentError("the module's forward returns no tensor symcount follows")
    r.statements.append(
        S.OutputStmt(tuple(S.Pipeline((S.Name(t, span=AT),), span=AT) for t in outs), span=AT)
    )
    return S.Program(tuple(r.statements), span=AT), r.notes
