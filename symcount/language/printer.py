"""A syntax tree (symcount.language.ast) written back as model text: what
``symcount import`` saves, so a model read from Python code can be edited,
made symbolic and solved as any ``.sc`` file.

The text parses to the same tree (spans aside): every operator nested in
another is bracketed, strings keep the quote they can be written in.

>>> from symcount.language.syntax import parse_program
>>> to_text(parse_program("input(28, 28, 1) -> Conv2D(24, 3, padding=same)"))
'input(28, 28, 1) -> Conv2D(24, 3, padding=same)\\n'
"""

from __future__ import annotations

from . import ast as A


class UnprintableError(ValueError):
    """A value the language has no way to write (a string with both quotes)."""


def to_text(program: A.Program, header: list[str] | None = None) -> str:
    """The program as text, a statement a line; ``header`` lines (comments) first."""
    lines = [f"# {h}" if h else "#" for h in header or []]
    lines += [statement(s) for s in program.statements]
    return "\n".join(lines) + "\n"


def statement(s: A.Node) -> str:
    if isinstance(s, A.ModelStmt):
        return f"model {s.name}"
    if isinstance(s, A.ConventionStmt):
        return f"convention {s.name}"
    if isinstance(s, A.SymbolsStmt):
        return "symbols " + ", ".join(s.names)
    if isinstance(s, A.LetStmt):
        return f"let {s.name} = {expr(s.value)}"
    if isinstance(s, A.AssignStmt):
        return f"{s.name} = {chain(s.value)}"
    if isinstance(s, A.UnpackStmt):
        return f"{', '.join(s.names)} = {expr(s.value)}"
    if isinstance(s, A.OutputStmt):
        return "output " + ", ".join(expr(v) for v in s.values)
    if isinstance(s, A.Pipeline):
        return chain(s)
    if isinstance(s, A.BlockStmt):
        params = ", ".join(
            p.name if p.default is None else f"{p.name}={expr(p.default)}" for p in s.params
        )
        return f"block {s.name}({params}) {_body(s.body)}"
    raise UnprintableError(f"no text for a {type(s).__name__}")


def chain(p: A.Pipeline) -> str:
    """A statement's chain: on one line, or a stage a line when long (a line
    starting with '->' continues the one before)."""
    text = expr(p)
    if (len(text) <= 88 and "\n" not in text) or len(p.stages) < 2:
        return text
    # a stage of several lines (a repeat's body) is indented under its '->'
    parts = [expr(p.stages[0])] + [expr(s).replace("\n", "\n  ") for s in p.stages[1:]]
    return "\n  -> ".join(parts)


def expr(e: A.Node) -> str:
    if isinstance(e, A.Pipeline):
        return " -> ".join(expr(s) for s in e.stages)
    if isinstance(e, A.Num):
        return str(e.value)
    if isinstance(e, A.Dec):
        return e.text
    if isinstance(e, A.Str):
        if '"' not in e.value:
            return f'"{e.value}"'
        if "'" not in e.value:
            return f"'{e.value}'"
        raise UnprintableError(f"the string {e.value!r} has both kinds of quote")
    if isinstance(e, A.Name):
        return e.id
    if isinstance(e, A.Seq):
        items = [expr(i) for i in e.items]
        if e.brackets == "[]":
            return "[" + ", ".join(items) + "]"
        return "(" + (items[0] + "," if len(items) == 1 else ", ".join(items)) + ")"
    if isinstance(e, A.BinOp):
        return f"{_operand(e.left)} {e.op} {_operand(e.right)}"
    if isinstance(e, A.Neg):
        return f"-{_operand(e.operand)}"
    if isinstance(e, A.Kwarg):
        return f"{e.name}={expr(e.value)}"
    if isinstance(e, A.Call):
        args = [expr(a) for a in e.args] + [expr(k) for k in e.kwargs]
        return f"{_callee(e.func)}({', '.join(args)})"
    if isinstance(e, A.Attr):
        return f"{_callee(e.base)}.{e.name}"
    if isinstance(e, A.Index):
        return f"{_callee(e.base)}[{', '.join(expr(i) for i in e.items)}]"
    if isinstance(e, A.Slice):
        parts = ["" if p is None else expr(p) for p in (e.start, e.stop, e.step)]
        return ":".join(parts[:2] if e.step is None else parts)
    if isinstance(e, A.EllipsisItem):
        return "..."
    if isinstance(e, A.Repeat):
        return f"repeat {_operand(e.count)} {_body(e.body)}"
    if isinstance(e, A.Residual):
        return f"residual {_body(e.body)}"
    raise UnprintableError(f"no text for a {type(e).__name__}")


def _operand(e: A.Node) -> str:
    text = expr(e)
    return f"({text})" if isinstance(e, A.BinOp | A.Neg | A.Pipeline) else text


def _callee(e: A.Node) -> str:
    text = expr(e)
    return text if isinstance(e, A.Name | A.Call | A.Attr | A.Index) else f"({text})"


def _body(stmts) -> str:
    """``{ ... }``: a statement a line, indented under the line that opens it."""
    lines = "\n".join(statement(b) for b in stmts)
    return "{\n" + "\n".join("  " + line for line in lines.split("\n")) + "\n}"
