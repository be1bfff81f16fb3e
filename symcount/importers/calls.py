"""The calls of pasted model code (symcount.importers.reader): layers made
and applied, models built, Keras 2 spellings mapped, torch's functional ops
and Modules' ``forward``."""

from __future__ import annotations

import ast as P

from ..errors import ArgumentError, Span
from ..language import ast as S
from . import names as N
from .values import (
    Function,
    Functional,
    Layer,
    Method,
    Module,
    ModuleClass,
    Opaque,
    Path,
    Sequential,
    Sym,
    Tensor,
    literal,
)


def _module(path: Path) -> str:
    """The module part of a class path, tensorflow.keras spelled keras."""
    text = ".".join(path.parts[:-1])
    for old in ("tensorflow.python.keras", "tensorflow.keras", "tf.keras", "tensorflow"):
        if text == old or text.startswith(old + "."):
            return "keras" + text[len(old) :] if "keras" in old else "tf" + text[len(old) :]
    return text


class CallsMixin:
    # a call ------------------------------------------------------------------------

    def call(self, node, scope):
        func = self.expr(node.func, scope)
        args, kwargs = [], {}
        for a in node.args:
            if isinstance(a, P.Starred):
                v = self.expr(a.value, scope)
                if not isinstance(v, list | tuple):
                    raise self.error("only a list or a tuple can be unpacked here", a)
                args.extend(v)
            else:
                args.append(self.expr(a, scope))
        spans = {}
        for k in node.keywords:
            if k.arg is None:
                v = self.expr(k.value, scope)
                if not isinstance(v, dict):
                    raise self.error("only a dict can be unpacked here", k)
                kwargs.update(v)
                continue
            kwargs[k.arg] = self.expr(k.value, scope)
            spans[k.arg] = k
        return self.dispatch(func, args, kwargs, node, spans)

    def dispatch(self, func, args, kwargs, node, spans):
        if isinstance(func, Path):
            return self.path_call(func, args, kwargs, node, spans)
        if isinstance(func, Layer | Sequential):
            return self.apply(func, args, kwargs, node)
        if isinstance(func, Function):
            return self.call_function(func, args, dict(kwargs), node)
        if isinstance(func, ModuleClass):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, Module):
            return self.call_module(func, args, self.span(node))
        if isinstance(func, Method):
            return self.method(func, args, kwargs, node)
        if isinstance(func, Functional):
            return self.apply_model(func, args, node)
        if isinstance(func, Opaque):
            return Opaque(func.what, self.span(node), func.activation)
        if isinstance(func, Sym) and isinstance(func.node, S.Name) and func.node.id[:1].isupper():
            raise self.unknown_layer(func.node.id, node.func)  # Dence(2): a layer misspelt
        if isinstance(func, Sym):
            raise self.error(
                "a call of a name symcount does not know (not a layer, not a function "
                "defined in the code)",
                node,
            )
        raise self.error("this value cannot be called", node)

    def path_call(self, path: Path, args, kwargs, node, spans):
        name = path.parts[-1]
        module = _module(path)
        if path.parts[:1] == ("builtins",):
            return self.builtin(name, args, node)
        if (
            module in N.FUNCTIONAL
            or path.parts[:3] == ("torch", "nn", "functional")
            or (
                module == "torch"
                and name in (*N.SAME_SHAPE_FUNCTIONS, "flatten", "cat", "concat", "add")
            )
        ):
            return self.functional(name, args, kwargs, node)
        if (
            module in N.VALUE_MODULES
            or name in N.VALUE_FUNCTIONS
            or module.endswith(
                ("regularizers", "initializers", "constraints", "optimizers", "losses", "metrics")
            )
        ):
            act = name if name in N.ACTIVATIONS else None
            return Opaque(f"{path.text}(...)", self.span(node), act)
        if name in N.IGNORED_CALLS:
            return None
        if name == "Sequential":
            return self.sequential(args, kwargs, node)
        if name in ("Model", "Functional") and self.convention == "keras":
            return self.functional_model(args, kwargs, node)
        if name in ("Input", "InputLayer") and self.convention == "keras":
            return self.input_tensor(args, kwargs, node)
        if name in N.MERGES and self.convention == "keras":
            tensors = args[0] if args and isinstance(args[0], list | tuple) else args
            return self.merge(N.MERGES[name], list(tensors), kwargs, node)
        if name in ("ModuleList", "ModuleDict") and self.convention == "torch":
            return list(args[0]) if args else []
        if name in N.ACTIVATIONS and not name[0].isupper():
            return Opaque(path.text, self.span(node), name)
        return self.layer(name, args, kwargs, node, spans)

    def builtin(self, name, args, node):
        if name == "range":
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in args) or not args:
                raise self.error(
                    "range() of values symcount does not know; it reads range over integers", node
                )
            r = range(*args)
            if len(r) > 10_000:
                from ..errors import LimitError

                raise LimitError("a range of more than 10,000 items", self.span(node))
            return r
        if name == "len" and args and isinstance(args[0], list | tuple | range | str):
            return len(args[0])
        if name in ("int",) and args and isinstance(args[0], int | float):
            return int(args[0])
        if name in ("list", "tuple") and args and isinstance(args[0], list | tuple | range):
            return (list if name == "list" else tuple)(args[0])
        if name in ("min", "max") and args and all(isinstance(a, int | float) for a in args):
            return (min if name == "min" else max)(args)
        if name in ("print", "super", "isinstance"):
            return Opaque(f"{name}()", self.span(node))
        raise self.unsupported(
            f"{name}() here", node, "range, len, int, list, tuple, min and max on constants"
        )

    # layers ------------------------------------------------------------------------

    def layer(self, name, args, kwargs, node, spans) -> Layer:
        type_ = N.OLD_TYPES.get(name, name) if self.convention == "keras" else name
        if type_ != name:
            self.notes.append(f"line {node.lineno}: {name} (Keras 2) read as {type_}")
        if self.rules.get(type_) is None:
            raise self.unknown_layer(name, node.func)
        span = self.span(node)
        kw = self.layer_kwargs(type_, kwargs, node, spans) if self.convention == "keras" else kwargs
        given = getattr(node, "args", [])
        plain = len(given) == len(args) and not any(isinstance(a, P.Starred) for a in given)
        pos = [
            self.arg_node(v, given[i] if plain else node, f"argument {i + 1} of {name}")
            for i, v in enumerate(args)
        ]
        kwnodes = []
        for k, v in kw.items():
            at = spans.get(k, node)
            if isinstance(v, Path):  # tf.nn.relu, keras.activations.relu: a function as a value
                last = v.parts[-1]
                v = Opaque(v.text, self.span(at), last if last in N.ACTIVATIONS else None)
            if isinstance(v, Opaque) and v.activation is None:
                if k in N.VALUE_ONLY or k.endswith(("_regularizer", "_initializer", "_constraint")):
                    continue
                if k == "activation":
                    self.notes.append(
                        f"line {node.lineno}: activation={v.what} left out (it holds no weights)"
                    )
                    continue
                raise self.error(f"{k}={v.what}: symcount reads literal values here", at)
            kwnodes.append(S.Kwarg(k, self.arg_node(v, at, k), span=self.span(at)))
        call = S.Call(
            S.Name(type_, span=self.span(node.func)), tuple(pos), tuple(kwnodes), span=span
        )
        return Layer(type_, call, span)

    def layer_kwargs(self, type_, kwargs, node, spans) -> dict:
        """Keras 2 spellings mapped to Keras 3's, arguments with no bearing on counts left out."""
        out = {}
        line = node.lineno
        recurrent = type_ in ("LSTM", "GRU", "SimpleRNN")
        for k, v in kwargs.items():
            if k in N.VALUE_ONLY or k.endswith(("_regularizer", "_initializer", "_constraint")):
                if k in ("init", "W_regularizer", "b_regularizer", "U_regularizer", "inner_init"):
                    self.notes.append(f"line {line}: {k}= (Keras 2) left out: it holds no weights")
                continue
            if k in ("input_shape", "batch_input_shape") and isinstance(v, Sym):
                if self.input_shape is None:
                    raise self.error(
                        f"{k}={self.text_of(spans.get(k, node))} has no value in the code: give the "
                        "shape with --input-shape (without the batch axis, e.g. --input-shape 28,28,1)",
                        spans.get(k, node),
                    )
                out["input_shape"] = tuple(self.input_shape)
                continue
            if k == "input_dim" and type_ != "Embedding":
                out["input_shape"] = (v,)
                self.notes.append(f"line {line}: input_dim={v} read as input_shape=({v},)")
                continue
            if k == "input_length" and type_ == "Embedding":
                out.setdefault("input_shape", (v,))
                self.notes.append(f"line {line}: input_length={v} read as input_shape=({v},)")
                continue
            if k == "output_dim" and type_ != "Embedding":
                out["units"] = v
                self.notes.append(f"line {line}: output_dim= (Keras 2) read as units=")
                continue
            if k in ("nb_row", "nb_col"):
                continue
            if k in N.OLD_KWARGS and not (k == "p" and type_ != "Dropout"):
                new = N.OLD_KWARGS[k]
                if k == "bias":
                    new = "use_bias"
                self.notes.append(f"line {line}: {k}= (Keras 2) read as {new}=")
                out[new] = v
                continue
            if k in ("stateful", "go_backwards") and recurrent:
                out[k] = v
                continue
            out[k] = v
        if "nb_row" in kwargs or "nb_col" in kwargs:
            out["kernel_size"] = (kwargs.get("nb_row"), kwargs.get("nb_col"))
        return out

    def arg_node(self, v, node, what: str):
        span = self.span(node) if not isinstance(node, Span) else node
        if isinstance(v, Sym):
            return v.node
        lit = literal(v, span, lambda x: self.arg_node(x, node, what), lists="[]")
        if lit is not None:
            return lit
        if isinstance(v, Tensor):
            return S.Name(v.name, span=span)
        if isinstance(v, Opaque) and v.activation is not None:
            return S.Name(v.activation, span=span)
        if isinstance(v, Layer):  # a wrapper's layer: Bidirectional(LSTM(64))
            if v.let is not None:
                return S.Name(v.let, span=span)
            v.uses += 1
            return v.node
        if isinstance(v, Opaque):
            raise ArgumentError(f"{what} is {v.what}: symcount reads literal values here", span)
        raise ArgumentError(f"{what}: symcount cannot use this value here", span)

    # applying layers ---------------------------------------------------------------------

    def apply(self, layer, args, kwargs, node):
        span = self.span(node)
        tensors = args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else args
        if not tensors or not all(isinstance(t, Tensor) for t in tensors):
            raise self.error("a layer is applied to tensors (an Input or a layer's output)", node)
        head = tuple(S.Name(t.name, span=t.span) for t in tensors)
        if isinstance(layer, Sequential):
            if len(tensors) != 1:
                raise self.error("a Sequential model is applied to one tensor", node)
            stages = (head[0], *self.sequential_stages(layer, first=False))
            return self.assign_tensor("x", S.Pipeline(stages, span=span), span)
        func = S.Name(layer.let, span=span) if layer.let is not None else layer.node
        if layer.let is None and layer.uses:
            raise self.error(
                "this layer object is applied twice; bind it to a name to share it", node
            )
        layer.uses += 1
        kws = tuple(
            S.Kwarg(k, self.arg_node(v, node, k), span=span)
            for k, v in kwargs.items()
            if k not in ("training", "mask") or isinstance(v, Tensor)
        )
        call = S.Call(func, head, kws, span=span)
        return self.assign_tensor(layer.type.lower(), S.Pipeline((call,), span=span), span)

    def assign_tensor(self, base, pipeline, span) -> Tensor:
        name = self.fresh(base)
        self.auto.add(name)
        self.emit(S.AssignStmt(name, pipeline, span=span))
        self.last_tensor = Tensor(name, span)
        return self.last_tensor

    def merge(self, kind, tensors, kwargs, node) -> Tensor:
        if not all(isinstance(t, Tensor) for t in tensors):
            raise self.error(f"{kind} merges tensors", node)
        layer = self.layer(kind, [], kwargs, node, {}) if kwargs else None
        span = self.span(node)
        func = layer.node if layer is not None else S.Name(kind, span=span)
        args = tuple(S.Name(t.name, span=t.span) for t in tensors)
        return self.assign_tensor(
            kind.lower(), S.Pipeline((S.Call(func, args, (), span=span),), span=span), span
        )

    def sequential_stages(self, seq: Sequential, first: bool) -> list:
        stages: list = []
        layers = list(seq.layers)
        if first:
            if layers and isinstance(layers[0], Tensor):
                stages.append(S.Name(layers.pop(0).name, span=seq.span))
            elif seq.input_shape is not None or self.input_shape is not None:
                shape = seq.input_shape if seq.input_shape is not None else self.input_shape
                dims = tuple(self.dim_node(d, seq.span) for d in shape)
                stages.append(S.Call(S.Name("input", span=seq.span), dims, (), span=seq.span))
            elif not layers or not self.states_input(layers[0]):
                self.model_input(seq.span, "the Sequential model")  # raises: no input shape
        for item in layers:
            if isinstance(item, Sequential):
                stages.extend(self.sequential_stages(item, first=False))
            elif isinstance(item, Layer):
                if item.let is not None:
                    stages.append(S.Name(item.let, span=item.span))
                else:
                    item.uses += 1
                    stages.append(item.node)
            elif isinstance(item, Module):
                raise self.error(
                    "a Module inside nn.Sequential is not read yet",
                    P.Pass(lineno=item.span.line, col_offset=0),
                )
            else:
                raise ArgumentError("a Sequential model holds layers", seq.span)
        return stages

    @staticmethod
    def states_input(layer) -> bool:
        return isinstance(layer, Layer) and any(
            k.name in ("input_shape", "batch_input_shape", "input_dim") for k in layer.node.kwargs
        )

    # models --------------------------------------------------------------------------

    def sequential(self, args, kwargs, node) -> Sequential:
        seq = Sequential(
            span=self.span(node),
            name=kwargs.get("name") if isinstance(kwargs.get("name"), str) else None,
        )
        items = args[0] if args and self.convention == "keras" else args
        for item in items or ():
            self.add_to(seq, item, node)
        return seq

    def add_to(self, seq: Sequential, item, node) -> None:
        if isinstance(item, Layer | Sequential | Module) or (
            isinstance(item, Tensor) and not seq.layers
        ):
            seq.layers.append(item)
            return
        if isinstance(item, Opaque) and item.activation is not None:
            return  # an activation function in nn.Sequential is a module: see torch's F
        raise self.error("a Sequential model holds layers", node)

    def functional_model(self, args, kwargs, node) -> Functional:
        inputs = kwargs.get("inputs", args[0] if args else None)
        outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
        listed = lambda v: list(v) if isinstance(v, list | tuple) else [v]  # noqa: E731
        outs = [t for t in listed(outputs) if t is not None]
        if not outs or not all(isinstance(t, Tensor) for t in outs):
            raise self.error("Model(inputs, outputs) needs the output tensors", node)
        name = kwargs.get("name") if isinstance(kwargs.get("name"), str) else None
        return Functional(listed(inputs), outs, self.span(node), name)

    def input_tensor(self, args, kwargs, node) -> Tensor:
        shape = kwargs.get("shape", args[0] if args else None)
        batch = kwargs.get("batch_shape") or kwargs.get("batch_input_shape")
        if shape is None and batch is not None:
            shape = tuple(batch)[1:]
        if shape is None:
            raise self.error("Input(...) needs its shape", node)
        if isinstance(shape, int | Sym):
            shape = (shape,)
        span = self.span(node)
        dims = tuple(self.arg_node(d, node, "the shape") for d in shape)
        call = S.Call(S.Name("input", span=span), dims, (), span=span)
        return self.assign_tensor(
            kwargs.get("name") if isinstance(kwargs.get("name"), str) else "inputs",
            S.Pipeline((call,), span=span),
            span,
        )

    def apply_model(self, model: Functional, args, node):
        raise self.unsupported(
            "a functional model applied as a layer", node, "Sequential models as layers"
        )

    def method(self, m: Method, args, kwargs, node):
        obj, name = m.obj, m.name
        if isinstance(obj, Sym) and isinstance(obj.node, S.Name) and name == "add":
            # `model.add(...)` with `model` never assigned (a snippet): the Sequential it builds
            key = obj.node.id
            if key not in self.implicit:
                self.notes.append(
                    f"line {node.lineno}: {key} is not assigned: read as a Sequential model"
                )
                self.implicit[key] = self.built = Sequential(span=self.span(node))
            obj = self.implicit[key]
        if isinstance(obj, Sequential):
            if name == "add":
                for a in args:
                    self.add_to(obj, a, node)
                return None
            if name == "build":
                shape = kwargs.get("input_shape", args[0] if args else None)
                if not isinstance(shape, list | tuple) or not shape:
                    raise self.error("build() needs the input shape with its batch axis", node)
                obj.batch, obj.input_shape = shape[0], tuple(shape[1:])
                return None
        if isinstance(obj, Sequential | Functional | Module):
            if name == "summary":
                self.summarized = obj
                return None
            if name in N.MODEL_METHODS:
                if name in ("to", "cuda", "cpu", "train", "eval", "double", "float", "half"):
                    return obj
                return Opaque(f"{name}()", self.span(node))
            if isinstance(obj, Module) and name in obj.cls.methods:
                return self.run_method(obj, name, args, kwargs, node)
        if isinstance(obj, Tensor):
            return self.tensor_method(obj, name, args, kwargs, node)
        if isinstance(obj, list) and name == "append":
            obj.extend(args)
            return None
        if isinstance(obj, Layer) and name in ("build", "summary"):
            return None
        if isinstance(obj, Layer) and name == "enable_lora":
            return self.enable_lora(obj, kwargs.get("rank", args[0] if args else None), node)
        raise self.unsupported(
            f"the method {name}()", node, "a model's add, build and summary, and a Module's methods"
        )

    def enable_lora(self, layer: Layer, rank, node) -> None:
        """``dense.enable_lora(4)``: the layer as if made with ``lora_rank=4``, as
        Keras saves it (its ``let``, already written, is written again)."""
        if layer.type not in ("Dense", "EinsumDense", "Embedding") or rank is None:
            raise self.error("enable_lora(rank) is a method of Dense, EinsumDense, Embedding", node)
        old = layer.node
        if any(k.name == "lora_rank" for k in old.kwargs):
            raise self.error("LoRA is already enabled on this layer (Keras allows it once)", node)
        kw = S.Kwarg("lora_rank", self.arg_node(rank, node, "the rank"), span=self.span(node))
        layer.node = S.Call(old.func, old.args, (*old.kwargs, kw), span=old.span)
        for i, stmt in enumerate(self.statements):
            if isinstance(stmt, S.LetStmt) and stmt.name == layer.let:
                pipe = S.Pipeline((layer.node,), span=stmt.value.span)
                self.statements[i] = S.LetStmt(stmt.name, pipe, span=stmt.span)

    # torch -------------------------------------------------------------------------

    def instantiate(self, cls: ModuleClass, args, kwargs, node) -> Module:
        module = Module(cls, {}, self.span(node))
        init = cls.methods.get("__init__")
        if init is not None:
            self.run_method(module, "__init__", args, kwargs, node)
        return module

    def run_method(self, module: Module, name: str, args, kwargs, node):
        fdef = module.cls.methods[name]
        scope = dict(module.cls.scope)
        params = [p.arg for p in [*fdef.args.posonlyargs, *fdef.args.args]]
        if params:
            scope[params[0]] = module
        self.bind_args(fdef, list(args), dict(kwargs), scope, node, module.cls.scope, skip=1)
        return self.run_body(fdef.body, scope, node)

    def call_module(self, module: Module, args, span):
        if "forward" not in module.cls.methods:
            raise ArgumentError(f"the Module {module.cls.name} has no forward()", module.cls.span)
        node = P.Pass(lineno=span.line, col_offset=0)
        node.end_lineno, node.end_col_offset = span.line, 0
        return self.run_method(module, "forward", args, {}, node)

    def functional(self, name, args, kwargs, node):
        """torch.nn.functional and torch.* on tensors."""
        x = args[0] if args else kwargs.get("input")
        if name in N.SAME_SHAPE_FUNCTIONS:
            if not isinstance(x, Tensor):
                return Opaque(f"F.{name}", self.span(node), name)
            return x
        if name == "flatten":
            start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
            return self.torch_op("Flatten", x, {"start_dim": start}, node)
        if name in ("cat", "concat"):
            tensors = list(args[0]) if args else []
            dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
            return self.merge("Cat", tensors, {"dim": dim}, node)
        if name == "add" and len(args) == 2:
            return self.merge("Add", list(args), {}, node)
        pools = {
            "max_pool1d": "MaxPool1d",
            "max_pool2d": "MaxPool2d",
            "max_pool3d": "MaxPool3d",
            "avg_pool1d": "AvgPool1d",
            "avg_pool2d": "AvgPool2d",
            "avg_pool3d": "AvgPool3d",
            "adaptive_avg_pool1d": "AdaptiveAvgPool1d",
            "adaptive_avg_pool2d": "AdaptiveAvgPool2d",
            "adaptive_max_pool2d": "AdaptiveMaxPool2d",
        }
        if name in pools and isinstance(x, Tensor):
            layer = self.layer(pools[name], list(args[1:]), kwargs, node, {})
            return self.apply(layer, [x], {}, node)
        raise self.unsupported(
            f"torch's {name}()", node, "activations, dropout, pooling, flatten and cat"
        )

    def torch_op(self, type_, x, kwargs, node):
        if not isinstance(x, Tensor):
            raise self.error(f"{type_} of a value that is not a tensor", node)
        layer = self.layer(type_, [], kwargs, node, {})
        return self.apply(layer, [x], {}, node)

    def tensor_method(self, x: Tensor, name, args, kwargs, node):
        if name in N.SAME_SHAPE_FUNCTIONS:
            return x
        if name in ("size", "dim"):
            return Opaque(f"x.{name}()", self.span(node))
        if name == "flatten":
            start = args[0] if args else kwargs.get("start_dim", 0)
            return self.torch_op("Flatten", x, {"start_dim": start}, node)
        if name in ("view", "reshape"):
            dims = (
                list(args[0])
                if len(args) == 1 and isinstance(args[0], list | tuple)
                else list(args)
            )
            # x.view(x.size(0), -1) and x.view(-1, n): everything after the batch, flattened
            if (
                len(dims) == 2
                and (isinstance(dims[0], Opaque) or dims[0] == -1)
                and (dims[1] == -1 or isinstance(dims[1], int | Sym))
            ):
                return self.torch_op("Flatten", x, {"start_dim": 1}, node)
            if dims and isinstance(dims[0], Opaque):
                layer = self.layer("View", dims[1:], {}, node, {})
                return self.apply(layer, [x], {}, node)
            raise self.unsupported(
                "this view", node, "x.view(x.size(0), -1), x.view(-1, n) and x.view(x.size(0), ...)"
            )
        raise self.unsupported(
            f"the tensor method {name}()", node, "view, reshape, flatten and shape-keeping methods"
        )
