"""Pasted Keras and PyTorch code, read and never run (docs/python.md).

The source is parsed with Python's ``ast`` module and walked by a small
interpreter of the subset model code is written in: constants and integer
arithmetic, ``for`` loops over literal lists and ``range``, functions defined
and called, ``Sequential([...])`` and ``model.add(...)``, the functional API,
``nn.Sequential`` and ``nn.Module`` classes with their ``forward``. What it
builds is a symcount program as a syntax tree (symcount.language.ast), each
node carrying its place in the Python source, which the evaluator then runs
as it runs a ``.sc`` file: every count, formula and error is the same, and an
error points at the Python line. A name with no value stays a symbol.

Nothing is imported, executed or evaluated: the only values computed are
integer arithmetic on literals. Anything outside the subset is a positioned
error naming the construct.
"""

from __future__ import annotations

import ast as P

from ..errors import ArgumentError, LimitError, Span, SymcountError, SyntaxError_
from ..language import ast as S
from .calls import CallsMixin
from .expressions import ExpressionsMixin
from .values import (
    Function,
    Functional,
    Layer,
    Module,
    ModuleClass,
    Path,
    Sequential,
    Sym,
    Tensor,
)

MAX_STEPS = 200_000  # statements and expressions the reader walks, in all
MAX_DEPTH = 32  # nested calls of the user's functions
MAX_ITEMS = 10_000  # a range or a list the reader iterates or builds

# names pasted snippets use without importing them
PRESET = {
    "tf": Path(("tensorflow",)),
    "tensorflow": Path(("tensorflow",)),
    "keras": Path(("keras",)),
    "layers": Path(("keras", "layers")),
    "models": Path(("keras", "models")),
    "regularizers": Path(("keras", "regularizers")),
    "initializers": Path(("keras", "initializers")),
    "activations": Path(("keras", "activations")),
    "optimizers": Path(("keras", "optimizers")),
    "torch": Path(("torch",)),
    "nn": Path(("torch", "nn")),
    "F": Path(("torch", "nn", "functional")),
}
# names the model text cannot bind: the language's keywords and its input's names
RESERVED = {
    "input",
    "Input",
    "_",
    "model",
    "convention",
    "symbols",
    "let",
    "output",
    "block",
    "repeat",
    "residual",
    "true",
    "false",
    "True",
    "False",
    "None",
}
BUILTINS = {"range", "len", "int", "list", "tuple", "print", "super", "isinstance", "min", "max"}


class Return(Exception):
    def __init__(self, value):
        self.value = value


class Reader(CallsMixin, ExpressionsMixin):
    """Walks one source file; ``program()`` gives the symcount syntax tree."""

    def __init__(self, text: str, *, convention: str, input_shape=None):
        self.text = text
        self.lines = text.split("\n")
        starts, at = [], 0
        for line in self.lines:
            starts.append(at)
            at += len(line) + 1
        self.starts = starts
        self.convention = convention
        self.input_shape = input_shape  # --input-shape, without the batch
        self.statements: list[S.Node] = []
        self.used: set[str] = set()
        self.notes: list[str] = []
        self.steps = 0
        self.depth = 0
        self.summarized = None  # the model .summary() was called on
        self.built = None  # the last model built at module level
        self.last_tensor = None  # the last tensor a layer made (a model without Model(...))
        self.classes: list[ModuleClass] = []  # the Module classes the code defines
        self.implicit: dict[str, Sequential] = {}  # model.add(...) on a name with no value
        self.auto: set[str] = set()  # tensor names the reader made up (not the code's)
        self.scope: dict = dict(PRESET)
        from ..conventions import rules_for

        self.rules = rules_for(convention)

    # positions ----------------------------------------------------------------

    def span(self, node) -> Span:
        line = node.lineno
        end_line = getattr(node, "end_lineno", None) or line
        col = self._col(line, node.col_offset)
        end_col = self._col(end_line, getattr(node, "end_col_offset", None) or node.col_offset)
        return Span(
            line,
            col + 1,
            end_line,
            end_col + 1,
            self.starts[line - 1] + col,
            self.starts[end_line - 1] + end_col,
        )

    def _col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def text_of(self, node) -> str:
        """The source text of ``node`` (its value, for a keyword argument)."""
        node = getattr(node, "value", node)
        sp = self.span(node)
        return self.text[sp.start : sp.end]

    def error(self, message: str, node, hint: str | None = None) -> SymcountError:
        return ArgumentError(message, self.span(node), hint=hint)

    def unsupported(self, what: str, node, supported: str) -> SymcountError:
        return self.error(
            f"{what} is not read by symcount; it reads {supported} (docs/python.md)", node
        )

    def step(self, node) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise LimitError(
                f"the code takes more than {MAX_STEPS:,} steps to read", self.span(node)
            )

    # names of the program the reader writes --------------------------------------

    def fresh(self, base: str) -> str:
        if not base.isidentifier() or base in RESERVED:
            base = f"{base}_"
        name, i = base, 1
        sep = "" if base.endswith("_") else "_"
        while name in self.used:
            name = f"{base}{sep}{i}"
            i += 1
        self.used.add(name)
        return name

    def emit(self, stmt: S.Node) -> None:
        self.statements.append(stmt)

    # the whole file -------------------------------------------------------------

    def read(self, tree: P.Module) -> None:
        for stmt in tree.body:
            self.statement(stmt, self.scope, top=True)

    def program(self, tree: P.Module) -> S.Program:
        self.read(tree)
        model = self.summarized or self.built
        if model is None and self.classes:
            # a Module class the code defines but never makes: the last one, made with no arguments
            cls = self.classes[-1]
            self.notes.append(f"{cls.name}() is never made in the code: read as {cls.name}()")
            model = self.instantiate(cls, [], {}, P.Pass(lineno=cls.span.line, col_offset=0))
        if model is None and self.last_tensor is not None:
            # functional code without its Model(...): the last tensor it computes is the output
            t = self.last_tensor
            self.notes.append("no Model(...) in the code: the last tensor computed is the output")
            model = Functional([], [t], t.span)
        if model is None:
            raise SymcountError(
                "found no model in the code: symcount reads a Keras Sequential or functional "
                "model, or a PyTorch nn.Sequential or nn.Module class (docs/python.md)",
                Span(1, 1, 1, 1),
            )
        self.finish(model)
        whole = Span(1, 1, len(self.lines), 1, 0, len(self.text))
        return S.Program(tuple(self.statements), span=whole)

    def finish(self, model) -> None:
        """Write the chosen model's last statements: a Sequential's chain, a
        functional model's outputs, a Module's forward on its input."""
        if isinstance(model, Sequential):
            if model.name:
                self.statements.insert(0, S.ModelStmt(model.name, span=model.span))
            self.emit(S.Pipeline(tuple(self.sequential_stages(model, first=True)), span=model.span))
        elif isinstance(model, Functional):
            if model.name:
                self.statements.insert(0, S.ModelStmt(model.name, span=model.span))
            outs = tuple(
                S.Pipeline((S.Name(t.name, span=t.span),), span=t.span) for t in model.outputs
            )
            self.emit(S.OutputStmt(outs, span=model.span))
        elif isinstance(model, Module):
            x = self.model_input(model.span, "a PyTorch module")
            out = self.call_module(model, [x], model.span)
            outs = out if isinstance(out, list | tuple) else [out]
            if not all(isinstance(t, Tensor) for t in outs):
                raise SymcountError("the module's forward returns no tensor", model.span)
            values = tuple(S.Pipeline((S.Name(t.name, span=t.span),), span=t.span) for t in outs)
            self.emit(S.OutputStmt(values, span=model.span))
        else:  # pragma: no cover - only models are chosen
            raise AssertionError(model)

    def model_input(self, span: Span, what: str) -> Tensor:
        if self.input_shape is None:
            raise SymcountError(
                f"{what} does not state its input shape: give it with --input-shape "
                "(without the batch axis, e.g. --input-shape 3,32,32)",
                span,
            )
        dims = tuple(self.dim_node(d, span) for d in self.input_shape)
        name = self.fresh("x")
        call = S.Call(S.Name("input", span=span), dims, (), span=span)
        self.emit(S.AssignStmt(name, S.Pipeline((call,), span=span), span=span))
        return Tensor(name, span)

    @staticmethod
    def dim_node(d, span):
        if isinstance(d, int):
            return S.Num(d, span=span)
        if d is None:
            return S.Name("None", span=span)
        return S.Name(str(d), span=span)

    # statements -------------------------------------------------------------------

    def statement(self, stmt, scope: dict, top: bool = False) -> None:
        self.step(stmt)
        if isinstance(stmt, P.Import | P.ImportFrom):
            self.imports(stmt, scope)
        elif isinstance(stmt, P.Assign):
            value = self.expr(stmt.value, scope)
            for target in stmt.targets:
                self.assign(target, value, scope, stmt.value)
            if top:
                self.note_model(value)
        elif isinstance(stmt, P.AnnAssign):
            if stmt.value is not None:
                value = self.expr(stmt.value, scope)
                self.assign(stmt.target, value, scope, stmt.value)
                if top:
                    self.note_model(value)
        elif isinstance(stmt, P.AugAssign):
            self.aug_assign(stmt, scope)
        elif isinstance(stmt, P.Expr):
            if isinstance(stmt.value, P.Constant):  # a docstring
                return
            value = self.expr(stmt.value, scope)
            if top:
                self.note_model(value)
        elif isinstance(stmt, P.FunctionDef):
            scope[stmt.name] = Function(stmt, scope)
        elif isinstance(stmt, P.ClassDef):
            self.class_def(stmt, scope)
        elif isinstance(stmt, P.For):
            self.for_loop(stmt, scope, top)
        elif isinstance(stmt, P.If):
            self.if_stmt(stmt, scope, top)
        elif isinstance(stmt, P.Return):
            raise Return(None if stmt.value is None else self.expr(stmt.value, scope))
        elif isinstance(stmt, P.Pass | P.Global | P.Nonlocal | P.Assert | P.Delete):
            return
        elif isinstance(stmt, (P.With, P.Try)):
            for s in stmt.body:
                self.statement(s, scope, top)
        else:
            kind = type(stmt).__name__.lower()
            raise self.unsupported(
                f"a '{kind}' statement",
                stmt,
                "assignments, calls, def, class (nn.Module), for over a list or range, and if",
            )

    def note_model(self, value) -> None:
        if isinstance(value, Sequential | Functional | Module):
            self.built = value

    def imports(self, stmt, scope: dict) -> None:
        if isinstance(stmt, P.Import):
            for a in stmt.names:
                parts = tuple(a.name.split("."))
                if a.asname:
                    scope[a.asname] = Path(parts)
                else:
                    scope[parts[0]] = Path(parts[:1])
            return
        base = tuple((stmt.module or "").split(".")) if stmt.module else ()
        for a in stmt.names:
            if a.name == "*":
                continue  # `from keras.layers import *`: bare names are looked up as layers
            scope[a.asname or a.name] = Path((*base, a.name))

    def assign(self, target, value, scope: dict, source) -> None:
        if isinstance(target, P.Name):
            self.bind(target.id, value, target)
            scope[target.id] = self.named(value, target.id)
        elif isinstance(target, P.Tuple | P.List):
            self.unpack(target, value, scope)
        elif isinstance(target, P.Attribute) and isinstance(target.value, P.Name):
            obj = scope.get(target.value.id)
            if not isinstance(obj, Module):
                raise self.unsupported(
                    "an assignment to an attribute",
                    target,
                    "self.name = ... in a Module's __init__",
                )
            self.bind(target.attr, value, target, prefix=obj)
            obj.attrs[target.attr] = value
        elif isinstance(target, P.Subscript):
            raise self.unsupported("an assignment to an item", target, "assignments to names")
        else:
            raise self.unsupported("this assignment", target, "assignments to names")

    def named(self, value, name: str):
        """A tensor the last statement made, renamed after the Python name it is
        assigned to (``X = Conv2D(...)(X)``: the model file reads ``X_1 = ...``)."""
        last = self.statements[-1] if self.statements else None
        if (
            isinstance(value, Tensor)
            and value.name in self.auto
            and isinstance(last, S.AssignStmt)
            and last.name == value.name
        ):
            self.auto.discard(value.name)
            self.used.discard(value.name)
            new = self.fresh(name)
            self.statements[-1] = S.AssignStmt(new, last.value, span=last.span)
            value = Tensor(new, value.span)
            if self.last_tensor is not None and self.last_tensor.name == last.name:
                self.last_tensor = value
        return value

    def bind(self, name: str, value, node, prefix=None) -> None:
        """A layer object bound to a name is a ``let``: applied twice, it is one shared layer."""
        if isinstance(value, Layer) and value.let is None and value.uses == 0:
            value.let = self.fresh(name)
            node_ = value.node
            if (
                self.convention == "torch"
                and prefix is not None
                and not any(k.name == "name" for k in node_.kwargs)
            ):
                # a Module's attribute: the row is named as torch names the submodule
                kw = S.Kwarg("name", S.Name(value.let, span=node_.span), span=node_.span)
                node_ = S.Call(node_.func, node_.args, (*node_.kwargs, kw), span=node_.span)
                value.node = node_
            self.emit(S.LetStmt(value.let, S.Pipeline((node_,), span=node_.span), span=node_.span))
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                if isinstance(v, Layer):
                    self.bind(f"{name}_{i}", v, node, prefix)

    def unpack(self, target, value, scope: dict) -> None:
        elts = target.elts
        if isinstance(value, Tensor):
            names = [e.id if isinstance(e, P.Name) else None for e in elts]
            if None in names:
                raise self.unsupported("this unpacking", target, "names on the left")
            fresh = [n if n == "_" else self.fresh(n) for n in names]
            spans = tuple(self.span(e) for e in elts)
            pipe = S.Pipeline((S.Name(value.name, span=value.span),), span=value.span)
            self.emit(S.UnpackStmt(tuple(fresh), spans, pipe, span=self.span(target)))
            for e, n in zip(elts, fresh, strict=True):
                if n != "_":
                    scope[e.id] = Tensor(n, self.span(e))
            return
        if not isinstance(value, list | tuple) or len(value) != len(elts):
            raise self.error("cannot unpack this value into these names", target)
        for e, v in zip(elts, value, strict=True):
            self.assign(e, v, scope, e)

    def aug_assign(self, stmt, scope: dict) -> None:
        if not isinstance(stmt.target, P.Name):
            raise self.unsupported("this augmented assignment", stmt, "name += value")
        left = self.expr(stmt.target, scope)
        right = self.expr(stmt.value, scope)
        value = self.binop(stmt.op, left, right, stmt)
        scope[stmt.target.id] = value

    def for_loop(self, stmt, scope: dict, top: bool) -> None:
        items = self.expr(stmt.iter, scope)
        if isinstance(items, range):
            items = list(items)
        if not isinstance(items, list | tuple):
            raise self.unsupported(
                "a for loop over this value",
                stmt.iter,
                "for over a literal list, a tuple or range(...)",
            )
        if stmt.orelse:
            raise self.unsupported("for ... else", stmt, "for loops without else")
        for item in items:
            self.assign(stmt.target, item, scope, stmt.iter)
            for s in stmt.body:
                self.statement(s, scope, top)

    def if_stmt(self, stmt, scope: dict, top: bool) -> None:
        test = stmt.test
        if (
            isinstance(test, P.Compare)
            and isinstance(test.left, P.Name)
            and test.left.id == "__name__"
        ):
            self.notes.append(f"line {stmt.lineno}: the `if __name__ == ...` block is not read")
            return
        cond = self.expr(test, scope)
        if not isinstance(cond, bool | int | str | type(None) | list | tuple):
            raise self.error(
                "this condition has no value symcount knows; it reads if over constants", test
            )
        for s in stmt.body if cond else stmt.orelse:
            self.statement(s, scope, top)

    def class_def(self, stmt, scope: dict) -> None:
        bases = [self.expr(b, scope) for b in stmt.bases]
        texts = [b.text if isinstance(b, Path) else "" for b in bases]
        module = any(t.split(".")[-1] == "Module" for t in texts) or any(
            isinstance(b, ModuleClass) for b in bases
        )
        if not module:
            what = (
                "a Keras Model subclass" if any(t.endswith("Model") for t in texts) else "a class"
            )
            raise self.unsupported(
                what, stmt, "Keras Sequential and functional models, and PyTorch nn.Module classes"
            )
        methods = {s.name: s for s in stmt.body if isinstance(s, P.FunctionDef)}
        for b in bases:  # methods a Module class of the user's inherits
            if isinstance(b, ModuleClass):
                methods = {**b.methods, **methods}
        cls = ModuleClass(stmt.name, methods, self.span(stmt), scope)
        scope[stmt.name] = cls
        self.classes.append(cls)

    # functions -----------------------------------------------------------------------

    def call_function(self, fn: Function, args, kwargs, node):
        scope = dict(fn.scope)
        self.bind_args(fn.node, args, kwargs, scope, node, fn.scope)
        return self.run_body(fn.node.body, scope, node)

    def run_body(self, body, scope, node):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LimitError(
                f"functions call each other more than {MAX_DEPTH} deep", self.span(node)
            )
        try:
            for s in body:
                self.statement(s, scope)
        except Return as r:
            return r.value
        finally:
            self.depth -= 1
        return None

    def bind_args(self, fdef, args, kwargs, scope, node, def_scope, skip: int = 0) -> None:
        a = fdef.args
        params = [p.arg for p in [*a.posonlyargs, *a.args]][skip:]
        defaults = a.defaults
        first_default = len(params) - len(defaults)
        if len(args) > len(params) and a.vararg is None:
            raise self.error(
                f"{fdef.name}() takes {len(params)} arguments; {len(args)} given", node
            )
        for i, p in enumerate(params):
            if i < len(args):
                scope[p] = args[i]
            elif p in kwargs:
                scope[p] = kwargs.pop(p)
            elif i >= first_default:
                scope[p] = self.expr(defaults[i - first_default], def_scope)
            else:
                scope[p] = Sym(S.Name(p, span=self.span(node)))  # no value: a symbol
        if a.vararg is not None:
            scope[a.vararg.arg] = tuple(args[len(params) :])
        for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True):
            if p.arg in kwargs:
                scope[p.arg] = kwargs.pop(p.arg)
            else:
                scope[p.arg] = None if d is None else self.expr(d, def_scope)
        if a.kwarg is not None:
            scope[a.kwarg.arg] = dict(kwargs)
        elif kwargs:
            k = next(iter(kwargs))
            raise self.error(f"{fdef.name}() has no argument {k!r}", node)

    def unknown_layer(self, name: str, node) -> SymcountError:
        message, hint = self.rules.unknown(name)
        return self.error(f"unknown layer or function {name!r}: {message}", node, hint=hint)


def read(text: str, *, convention: str, input_shape=None) -> tuple[S.Program, list[str]]:
    """The symcount program pasted code builds, and notes on what was left out."""
    try:
        tree = P.parse(text)
    except SyntaxError as e:
        line = e.lineno or 1
        col = e.offset or 1
        raise SyntaxError_(
            f"this is not valid Python: {e.msg}", Span(line, col, line, col + 1)
        ) from None
    except (RecursionError, MemoryError, ValueError) as e:
        raise LimitError(f"the code cannot be read: {e}") from None
    reader = Reader(text, convention=convention, input_shape=input_shape)
    try:
        program = reader.program(tree)
    except RecursionError:
        raise LimitError("the code is nested too deeply to read") from None
    return program, reader.notes


def detect(text: str) -> str:
    """keras or torch: what the code imports or subclasses."""
    try:
        tree = P.parse(text)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return "keras"  # read() words the error
    torch = keras = False
    for node in P.walk(tree):
        if isinstance(node, P.Import):
            for a in node.names:
                torch |= a.name.split(".")[0] == "torch"
                keras |= a.name.split(".")[0] in ("keras", "tensorflow")
        elif isinstance(node, P.ImportFrom) and node.module:
            torch |= node.module.split(".")[0] == "torch"
            keras |= node.module.split(".")[0] in ("keras", "tensorflow")
        elif isinstance(node, P.Attribute) and isinstance(node.value, P.Name):
            torch |= node.value.id == "nn" and node.attr in (
                "Module",
                "Sequential",
                "Linear",
                "Conv2d",
            )
    return "torch" if torch and not keras else "keras"
