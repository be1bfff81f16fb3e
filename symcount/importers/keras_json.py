"""Keras 3 saved models: ``model.to_json()`` and a ``.keras`` archive's
``config.json`` (docs/keras_json.md), read into the syntax tree the
evaluator runs, as a ``.sc`` file's is.

The config is data: it is parsed with :mod:`json` (a ``.keras`` zip is opened
with :mod:`zipfile` and only ``config.json`` is read: never the weights,
never anything unpickled). Each layer's config lists every argument with
its value; those the layer's rule declares are kept, those that only set
how a layer trains (initializers, regularizers, constraints, dtype
policies) are left out, and any other is a positioned error naming the
argument and the layer, rather than a guess that could change a count.
Errors point at the layer's object in the JSON text.
"""

from __future__ import annotations

import json
import re
import zipfile

from ..errors import ArgumentError, LimitError, Span, SymcountError, SyntaxError_
from ..language import ast as S
from ..language.syntax import MAX_SOURCE_BYTES, MAX_SOURCE_CHARS
from ..model.builder import input_name
from ..ops.spec import REQUIRED
from .keras_nested import shared_call, shared_let
from .keras_order import in_order
from .keras_outputs import declared, model_outputs, used_indices
from .values import literal

MODEL_CLASSES = ("Sequential", "Functional", "Model")
# config keys that never change a shape or a count
VALUE_ONLY = {"name", "trainable", "dtype", "seed", "autocast"}
VALUE_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
# keys Keras 3 writes for features symcount reads only at their default
DEFAULT_ONLY = {
    "quantization_config": (None,),
    "use_gate": (False,),  # MultiHeadAttention's gate adds a dense projection
    "lora_alpha": None,  # LoRA's scale, whatever its value (lora_rank is read: ops/lora.py)
    "sliding_window": None,  # which keys a query sees, no weights
}

# keras.ops that keep a tensor's shape when its other operand is a number
ELEMENTWISE_OPS = {
    "Add",
    "Subtract",
    "Multiply",
    "Divide",
    "TrueDivide",
    "Power",
    "Maximum",
    "Minimum",
}
MERGE_OPS = {"Add", "Subtract", "Multiply", "Maximum", "Minimum"}  # of two tensors: a merge layer


def read_keras_file(path) -> str:
    """The ``config.json`` text of a ``.keras`` archive (nothing else is read:
    the zip's directory is at its end, so the weights are never loaded)."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("config.json")
            if info.file_size > MAX_SOURCE_BYTES:
                raise LimitError(
                    f"the archive's config.json is larger than {MAX_SOURCE_BYTES:,} bytes"
                )
            raw = z.read(info)
    except KeyError:
        raise SymcountError("this .keras archive has no config.json") from None
    except zipfile.BadZipFile as e:
        raise SymcountError(f"this is not a .keras archive (a zip file): {e}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SymcountError(f"the archive's config.json is not UTF-8 (byte {e.start})") from None


def looks_like_keras_json(text: str) -> bool:
    head = text.lstrip()[:4096]
    return head.startswith("{") and '"class_name"' in head


class JsonReader:
    """Walks one model config; ``program()`` gives the symcount syntax tree."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)
        self.objects = _object_offsets(text)
        self.spans: dict[int, tuple[int, int]] = {}
        self.used: set[str] = set()
        self.notes: list[str] = []
        self.blocks: list[S.Node] = []
        self.op_rows: list[str] = []  # rows of keras.ops merges, not layers in Keras's summary
        self.shared: dict | None = None  # layer -> its let, in a nested model called twice
        self.shared_lets: dict[str, dict] = {}  # each such model's lets (keras_nested.py)
        from ..conventions import rules_for

        self.rules = rules_for("keras")

    # positions ------------------------------------------------------------------

    def locate(self, data) -> None:
        """Each dict's (start, end) offsets: dicts in preorder are the text's
        ``{`` in order (json keeps the keys' order)."""
        stack, i = [data], 0
        while stack:
            v = stack.pop()
            if isinstance(v, dict):
                if i < len(self.objects):
                    self.spans[id(v)] = self.objects[i]
                i += 1
                stack.extend(reversed(list(v.values())))
            elif isinstance(v, list):
                stack.extend(reversed(v))

    def span(self, obj) -> Span:
        start, end = self.spans.get(id(obj), (0, 1))
        return Span(*self._lc(start), *self._lc(end), start, end)

    def _lc(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def error(self, message: str, obj) -> SymcountError:
        return ArgumentError(message, self.span(obj))

    def fresh(self, base: str) -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base) or "t"
        if not base[0].isalpha():
            base = f"t_{base}"
        name, i = f"{base}_", 1
        while name in self.used:
            name = f"{base}_{i}"
            i += 1
        self.used.add(name)
        return name

    # the model -------------------------------------------------------------------

    def program(self, data) -> S.Program:
        self.locate(data)
        if not isinstance(data, dict) or data.get("class_name") not in MODEL_CLASSES:
            raise self.error(
                "this JSON is not a Keras model config: symcount reads the output of "
                "model.to_json() and a .keras archive's config.json, whose class_name is "
                "Sequential or Functional (docs/keras_json.md)",
                data if isinstance(data, dict) else {},
            )
        sp = self.span(data)
        config = self.config(data)
        body = self.model_body(data, top=True)
        name = config.get("name")
        head = [S.ModelStmt(name, span=sp)] if isinstance(name, str) else []
        if self.op_rows:
            shown = ", ".join(self.op_rows[:3]) + (", ..." if len(self.op_rows) > 3 else "")
            self.notes.append(
                f"{len(self.op_rows)} keras.ops calls of two tensors ({shown}) are rows of no "
                "weights (Add, Multiply, ...); Keras's summary lists no layer for them"
            )
        whole = Span(1, 1, len(self.starts), 1, 0, len(self.text))
        return S.Program((*head, *self.blocks, *body), span=whole)

    def config(self, obj) -> dict:
        config = obj.get("config")
        if not isinstance(config, dict):
            raise self.error(f"this {obj.get('class_name')} has no config object", obj)
        return config

    def model_body(self, obj, top: bool, inputs=None) -> list[S.Node]:
        if obj.get("class_name") == "Sequential":
            return self.sequential(obj, top)
        return self.functional(obj, top, inputs or {})

    def sequential(self, obj, top: bool) -> list[S.Node]:
        config = self.config(obj)
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise self.error("this Sequential model's config has no layers list", obj)
        sp = self.span(obj)
        stages: list[S.Node] = []
        shape = config.get("build_input_shape")
        rest = []
        for layer in layers:
            if isinstance(layer, dict) and layer.get("class_name") == "InputLayer":
                shape = self.input_shape(layer)
            else:
                rest.append(layer)
        if top:
            if not isinstance(shape, list) or not shape:
                raise self.error(
                    "this Sequential model was never built: its config states no input shape "
                    "(build it, or give it an Input, before saving)",
                    obj,
                )
            stages.append(self.input_call(shape[1:], sp))
        for layer in rest:
            stages.append(self.layer_stage(layer))
        if not stages:
            raise self.error("this Sequential model has no layers", obj)
        return [S.Pipeline(tuple(stages), span=sp)]

    def input_shape(self, layer) -> list:
        config = self.config(layer)
        shape = config.get("batch_shape", config.get("batch_input_shape"))
        if not isinstance(shape, list) or not shape:
            raise self.error("this InputLayer states no batch_shape", layer)
        return shape

    def input_call(self, dims, sp: Span) -> S.Call:
        nodes = []
        for d in dims:
            if d is None:
                nodes.append(S.Name("None", span=sp))
            elif isinstance(d, int) and not isinstance(d, bool) and d >= 0:
                nodes.append(S.Num(d, span=sp))
            else:
                raise ArgumentError(f"an input dimension {d!r}: symcount reads integers", sp)
        return S.Call(S.Name("input", span=sp), tuple(nodes), (), span=sp)

    def layer_stage(self, layer) -> S.Node:
        """A layer as a chain stage: its call, or a nested model's block."""
        if not isinstance(layer, dict):
            raise SymcountError("a layer of this model is not a JSON object")
        if layer.get("class_name") in MODEL_CLASSES:
            return S.Name(self.block(layer), span=self.nest_span(layer))
        if self.shared is not None:  # keras_nested.py
            name = layer.get("name") or self.config(layer).get("name")
            return shared_let(self, name, lambda: self.layer_call(layer), self.span(layer))
        return self.layer_call(layer)

    def nest_span(self, layer) -> Span:
        if self.shared is not None:
            raise self.error(
                "a model nested in a nested model called more than once: not read yet", layer
            )
        return self.span(layer)

    def block(self, obj) -> str:
        """A nested model as a block with no parameters: one row, as Keras shows it."""
        config = self.config(obj)
        name = config.get("name") if isinstance(config.get("name"), str) else "model"
        if name in self.used or not name.isidentifier():
            raise self.error(
                f"a nested model named {name!r}: symcount writes it as a block, whose name must "
                "be an identifier used once",
                obj,
            )
        self.used.add(name)
        sp = self.span(obj)
        # a functional model's inputs: the first is the block's input, the others its parameters
        refs = _refs(config.get("input_layers")) if obj.get("class_name") != "Sequential" else []
        inputs = {ref[0]: "input" if i == 0 else self.fresh(ref[0]) for i, ref in enumerate(refs)}
        params = tuple(S.Param(t, None, span=sp) for t in list(inputs.values())[1:])
        body = self.model_body(obj, top=False, inputs=inputs)
        self.blocks.append(S.BlockStmt(name, params, tuple(body), span=sp))
        return name

    # functional models ------------------------------------------------------------

    def functional(self, obj, top: bool, inputs: dict) -> list[S.Node]:
        """A functional model's statements; nested (not ``top``), ``inputs``
        names its inputs in the block: ``input``, then the block's parameters."""
        config = self.config(obj)
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise self.error("this Functional model's config has no layers list", obj)
        sp = self.span(obj)
        tensors: dict[tuple, str] = {}  # (layer, node, index) -> the program's tensor name
        statements: list[S.Node] = []
        used = used_indices(config)  # the outputs each call is read through
        calls = []
        unnamed = 0  # inputs written without name=
        for layer in layers:
            if not isinstance(layer, dict):
                raise self.error("a layer of this model is not a JSON object", obj)
            name = layer.get("name") or self.config(layer).get("name")
            lsp = self.span(layer)
            if layer.get("class_name") == "InputLayer":
                if top:
                    t = self.fresh(name)
                    call = self.input_call(self.input_shape(layer)[1:], lsp)
                    if name == input_name(unnamed):  # the name symcount gives it
                        unnamed += 1
                    else:
                        kw = (S.Kwarg("name", S.Str(name, span=lsp), span=lsp),)
                        call = S.Call(call.func, call.args, kw, span=lsp)
                    statements.append(S.AssignStmt(t, S.Pipeline((call,), span=lsp), span=lsp))
                    tensors[(name, 0, 0)] = t
                elif name not in inputs:
                    raise self.error(f"the input {name!r} is not among the model's inputs", layer)
                else:
                    tensors[(name, 0, 0)] = inputs[name]
                continue
            nodes = layer.get("inbound_nodes") or []
            if not nodes:
                raise self.error(f"the layer {name!r} is never called (no inbound_nodes)", layer)
            calls += [(layer, name, i, node) for i, node in enumerate(nodes)]
        funcs: dict[str, S.Node] = {}  # a layer's callee, made at its first call
        for layer, name, i, node in in_order(calls, tensors):
            count = max(declared(layer, node), used.get((name, i), 0) + 1)
            self.call(layer, name, i, node, count, funcs, tensors, statements)
        outputs = model_outputs(config)
        outs = []
        for ref in outputs:
            if tuple(ref) not in tensors:
                raise self.error(f"the output {ref[0]!r} is not a tensor of this model", obj)
            outs.append(S.Pipeline((S.Name(tensors[tuple(ref)], span=sp),), span=sp))
        if not outs:
            raise self.error("this Functional model names no output_layers", obj)
        if top or len(outs) > 1:  # a block of several outputs: unpacked where it is called
            statements.append(S.OutputStmt(tuple(outs), span=sp))
        else:
            statements.append(outs[0])
        return statements

    def call(self, layer, name, i, node, count, funcs, tensors, statements) -> None:
        """One call (inbound node) of a layer: its statement; ``tensors`` gets its outputs."""
        lsp = self.span(layer)
        nodes = layer.get("inbound_nodes")
        if str(layer.get("module", "")).startswith(("keras.src.ops", "keras.ops")):
            tensors[(name, i, 0)] = self.operation(layer, node, tensors, statements)
            return
        nested = layer.get("class_name") in MODEL_CLASSES
        if nested and len(nodes) > 1:  # one row, its weights once (keras_nested.py)
            shared_call(self, layer, i, node, count, tensors, statements)
            return
        if name not in funcs:
            if nested:
                func = S.Name(self.block(layer), span=self.nest_span(layer))
            elif self.shared is not None:
                func = shared_let(self, name, lambda: self.layer_call(layer), lsp)
            else:
                func = self.layer_call(layer)
            if len(nodes) > 1 and self.shared is None:  # a shared layer: one let, each call
                let = self.fresh(name)
                statements.append(S.LetStmt(let, S.Pipeline((func,), span=lsp), span=lsp))
                func = S.Name(let, span=lsp)
            funcs[name] = func
        func = funcs[name]
        args, kwargs = self.node_inputs(node, tensors, layer)
        names = [self.fresh(name if count == 1 else f"{name}_{k}") for k in range(count)]
        for k, t in enumerate(names):
            tensors[(name, i, k)] = t
        if nested:  # x -> block, or block(x, y) for a model of several inputs
            if not args or kwargs:
                raise self.error(f"the nested model {name!r} is called on tensors", layer)
            call = S.Call(func, tuple(args), (), span=lsp)
            pipe = S.Pipeline((args[0], func) if len(args) == 1 else (call,), span=lsp)
        else:
            pipe = S.Pipeline((S.Call(func, tuple(args), tuple(kwargs), span=lsp),), span=lsp)
        if count > 1:  # out, h, c = LSTM(..., return_state=true)(x): keras_outputs.py
            statements.append(S.UnpackStmt(tuple(names), (lsp,) * count, pipe, span=lsp))
        else:
            statements.append(S.AssignStmt(names[0], pipe, span=lsp))

    def operation(self, layer, node, tensors, statements) -> str:
        """A keras.ops call in the graph (MobileNetV3's ``x + 3.0``, ConvNeXt's
        ``x + y``): no layer, no weights, no row in Keras's summary. A tensor
        and numbers keeps the tensor's shape: its name is the result's; two
        tensors are the merge layer of the same name, a row of 0 weights."""
        kind = layer.get("class_name")
        args = node.get("args", []) if isinstance(node, dict) else []
        ts = [a for a in args if _is_tensor(a)]
        numbers = all(
            _is_tensor(a) or (isinstance(a, int | float) and not isinstance(a, bool)) for a in args
        )
        sp = self.span(layer)
        if kind in ELEMENTWISE_OPS and numbers and not node.get("kwargs"):
            refs = [self.tensor_ref(t, tensors, layer, sp) for t in ts]
            if len(refs) == 1:
                return refs[0].id
            if len(refs) == 2 and kind in MERGE_OPS:
                name = layer.get("name")
                self.op_rows.append(name)
                kw = (S.Kwarg("name", S.Str(name, span=sp), span=sp),)
                merge = S.Call(S.Name(kind, span=sp), (), kw, span=sp)
                if self.shared is not None:  # keras_nested.py
                    merge = shared_let(self, name, lambda: merge, sp)
                call = S.Call(merge, tuple(refs), (), span=sp)
                t = self.fresh(name)
                statements.append(S.AssignStmt(t, S.Pipeline((call,), span=sp), span=sp))
                return t
        raise self.error(
            f"the Keras operation {layer.get('module')}.{kind} ({layer.get('name')!r}): symcount "
            "reads operations of one tensor and numbers (x + 3.0, x * 0.5); make it a layer",
            layer,
        )

    def node_inputs(self, node, tensors, layer):
        if isinstance(node, list):  # Keras 2: [[layer, node, index, kwargs], ...]
            raise self.error(
                "this config is in the Keras 2 format (inbound_nodes as lists): symcount reads "
                "Keras 3 configs; load and save the model with Keras 3",
                layer,
            )
        sp = self.span(layer)
        args: list[S.Node] = []
        for a in node.get("args", []):
            items = a if isinstance(a, list) else [a]
            for item in items:
                args.append(self.tensor_ref(item, tensors, layer, sp))
        kwargs = []
        for k, v in (node.get("kwargs") or {}).items():
            if _is_tensor(v):
                kwargs.append(S.Kwarg(k, self.tensor_ref(v, tensors, layer, sp), span=sp))
            elif isinstance(v, list) and v and all(_is_tensor(x) for x in v):  # initial_state
                refs = tuple(self.tensor_ref(x, tensors, layer, sp) for x in v)
                kwargs.append(S.Kwarg(k, S.Seq(refs, "[]", span=sp), span=sp))
            elif v is None or k in ("training", "mask"):
                continue
            else:
                kwargs.append(S.Kwarg(k, self.value(v, k, layer, sp), span=sp))
        return args, kwargs

    def tensor_ref(self, item, tensors, layer, sp):
        if not _is_tensor(item):
            raise self.error(
                f"the layer {layer.get('name')!r} is called on a value that is not a tensor", layer
            )
        hist = item["config"].get("keras_history")
        key = tuple(hist) if isinstance(hist, list) else None
        if key is None or key not in tensors:
            raise self.error(
                f"the layer {layer.get('name')!r} uses a tensor of no layer before it", layer
            )
        return S.Name(tensors[key], span=sp)

    # a layer's config ------------------------------------------------------------------

    def layer_call(self, layer) -> S.Call:
        type_ = layer.get("class_name")
        config = self.config(layer)
        sp = self.span(layer)
        rule = self.rules.get(type_) if isinstance(type_, str) else None
        if rule is None:
            message, _ = self.rules.unknown(str(type_))
            raise self.error(f"unknown layer {type_!r}: {message}", layer)
        declared = {a.name: a.default for a in rule.args}
        kinds = {a.name: a.kind for a in rule.args}
        kwargs = []
        for k, v in config.items():
            if k in DEFAULT_ONLY and DEFAULT_ONLY[k] is not None and v not in DEFAULT_ONLY[k]:
                raise self.error(
                    f"the argument {k}={json.dumps(v)[:40]} of the layer "
                    f"{config.get('name', type_)!r} ({type_}) changes its weights and is not "
                    "read by symcount",
                    layer,
                )
            if k in VALUE_ONLY or k.endswith(VALUE_SUFFIXES):
                continue  # how the layer trains, never a shape (even where a rule reads it)
            if k in declared:
                optional = declared[k] is not REQUIRED
                if k == "activation" and (not isinstance(v, str) or (v == "linear" and optional)):
                    continue  # linear is no activation; a custom function holds no weights
                if _same(v, declared[k]) or (
                    k == "data_format" and v == "channels_last" and declared[k] is None
                ):
                    continue  # the rule's default: the model file stays readable
                if (
                    isinstance(v, str)
                    and v.isidentifier()
                    and (kinds[k] == "enum" or k == "activation")
                ):
                    kwargs.append(S.Kwarg(k, S.Name(v, span=sp), span=sp))  # padding=same
                    continue
                kwargs.append(S.Kwarg(k, self.value(v, k, layer, sp), span=sp))
            elif k in rule.ignored or k in DEFAULT_ONLY:
                continue
            else:
                raise self.error(
                    f"the argument {k}={json.dumps(v)[:40]} of the layer "
                    f"{config.get('name', type_)!r} ({type_}) is not read by symcount",
                    layer,
                )
        # the rule's leading required arguments written by position: Dense(64), Conv2D(32, (3, 3))
        args = []
        for a in rule.args:
            given = next((kw for kw in kwargs if kw.name == a.name), None)
            if a.default is not REQUIRED or a.rest or given is None:
                break
            kwargs.remove(given)
            args.append(given.value)
        name = config.get("name")
        if isinstance(name, str):
            kwargs.append(S.Kwarg("name", S.Str(name, span=sp), span=sp))
        if config.get("trainable") is False:
            kwargs.append(S.Kwarg("trainable", S.Name("false", span=sp), span=sp))
        return S.Call(S.Name(type_, span=sp), tuple(args), tuple(kwargs), span=sp)

    def value(self, v, key, layer, sp):
        lit = literal(v, sp, lambda x: self.value(x, key, layer, sp))
        if lit is not None:
            return lit
        if isinstance(v, dict) and v.get("class_name") in MODEL_CLASSES:
            raise self.error(f"a model as the argument {key} is not read yet", layer)
        if isinstance(v, dict) and "class_name" in v and "config" in v:
            # a wrapper's layer (Bidirectional's layer, TimeDistributed's)
            return self.layer_call(v)
        raise self.error(
            f"the argument {key} of the layer {layer.get('name')!r} is a value symcount cannot read",
            layer,
        )


def printable(program: S.Program) -> tuple[S.Program, list[str]]:
    """The program with a model name the language can write (Keras names a
    model ``mobilenetv2_1.00_224``, ``efficientnetv2-b0``), and a note if renamed."""
    out, notes = [], []
    for stmt in program.statements:
        if isinstance(stmt, S.ModelStmt) and not stmt.name.isidentifier():
            name = re.sub(r"\W", "_", stmt.name)
            name = name if name[:1].isalpha() or name[:1] == "_" else f"m_{name}"
            notes.append(f"the model {stmt.name!r} is written as model {name}")
            stmt = S.ModelStmt(name, span=stmt.span)
        out.append(stmt)
    return S.Program(tuple(out), span=program.span), notes


def _plain(v):
    return tuple(_plain(x) for x in v) if isinstance(v, list) else v


def _same(v, default) -> bool:
    """A config value equal to a rule's default, type and all (1 is not True)."""
    p = _plain(v)
    if isinstance(p, tuple) and isinstance(default, tuple):
        return len(p) == len(default) and all(_same(a, b) for a, b in zip(p, default, strict=True))
    return type(p) is type(default) and p == default


def _is_tensor(v) -> bool:
    return isinstance(v, dict) and v.get("class_name") == "__keras_tensor__" and "config" in v


def _refs(v) -> list:
    """input_layers/output_layers: one [name, node, index] or a list of them."""
    if not isinstance(v, list) or not v:
        return []
    if isinstance(v[0], str):
        return [v]
    return [r for r in v if isinstance(r, list) and len(r) == 3]


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}]')  # a string (skipped), or a brace


def _object_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of every JSON object in the text, in the order they open."""
    out: list[list[int]] = []
    stack: list[int] = []
    for m in _TOKENS.finditer(text):
        ch = m.group()
        if ch == "{":
            stack.append(len(out))
            out.append([m.start(), m.end()])
        elif ch == "}" and stack:
            out[stack.pop()][1] = m.end()
    return [(a, b) for a, b in out]


def read(text: str) -> tuple[S.Program, list[str]]:
    """The symcount program a Keras model config describes, and notes."""
    if len(text) > MAX_SOURCE_CHARS:
        raise LimitError(f"the model config is longer than {MAX_SOURCE_CHARS:,} characters")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SyntaxError_(
            f"this is not valid JSON: {e.msg}", Span(e.lineno, e.colno, e.lineno, e.colno + 1)
        ) from None
    except RecursionError:
        raise LimitError("the JSON is nested too deeply to read") from None
    reader = JsonReader(text)
    try:
        program = reader.program(data)
    except RecursionError:
        raise LimitError("the model config is nested too deeply to read") from None
    return program, reader.notes
