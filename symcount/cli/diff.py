"""``symcount diff FILE``: a model written in Keras vocabulary, and the same
architecture built from the equivalent torch.nn modules, row by row, with the
difference of their parameter counts as a formula.

The file is evaluated once, with Keras's rules, each noting its layer's
torch.nn equivalent (:mod:`symcount.conventions.equivalents`: the same op
and arguments read off the torch table); the two models are that one
evaluation's rows without and with the equivalents' weights, so they
correspond one to one. Layers with no torch.nn equivalent are named, and
left out of both sides of the difference.
"""

from __future__ import annotations

import argparse

from .. import dims as D
from .. import printing as P
from ..errors import ArgumentError
from .args import add_batch, positive

DEFAULT_WIDTH = 160  # not a terminal: five columns side by side, unwrapped
TIDY_OPS = 200  # differences up to this size are expanded and factored

DESCRIPTION = """\
The same architecture under Keras's and PyTorch's conventions, row by row.

FILE is written in Keras vocabulary (convention keras, the default). Each
layer is matched with its torch.nn equivalent (Dense -> Linear, Conv2D ->
Conv2d, BatchNormalization -> BatchNorm2d, LSTM -> LSTM, ...), built on the
same input (channels first), and both counts are shown with the difference
PyTorch - Keras as a formula. Keras's non-trainable moving statistics are
PyTorch's buffers, which PyTorch does not count as parameters."""

EPILOG = """\
examples:
  symcount diff examples/torch_vs_keras_bn.sc
  symcount diff -e 'input(t, f) -> LSTM(u)'          # PyTorch - Keras = 4*u
  symcount diff -e 'input(t, f) -> GRU(u, reset_after=false)'

docs/torch.md lists the equivalents."""


def register(subparsers, add_model_args) -> None:
    p = subparsers.add_parser(
        "diff",
        help="the same model under Keras and PyTorch, row by row, with the difference",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(p)
    p.add_argument("--expand", action="store_true", help="a row for every layer inside blocks")
    p.add_argument("--width", type=positive, default=None, metavar="N", help="wrap the table to N")
    p.add_argument("--ascii", action="store_true", help="draw the table with ASCII characters")
    p.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (the table) or json (one object: rows with both counts and the difference)",
    )
    p.add_argument(
        "--compute",
        action="store_true",
        help="show MACs and FLOPs on both sides too, under the default convention "
        "(docs/compute.md)",
    )
    add_batch(p, count_as=False)  # one counting: the same op's count on both sides
    from . import memory

    memory.add_args(p, estimates=False)  # --dtype, --optimizer: the bytes on both sides
    p.add_argument(
        "--memory",
        action="store_true",
        help="add each side's bytes of the weights (parameters and buffers) per layer and in the "
        "totals (docs/memory.md)",
    )
    p.set_defaults(run=run, parser=p)


def run(args, parser) -> str:
    from . import _read, _source, _values

    if args.convention == "torch":
        parser.error("diff reads a model written in Keras vocabulary (convention keras)")
    if getattr(args, "lets", None):
        parser.error("diff takes --set values; --let relations are for summary and explain")
    path, text, display = _source(args, parser)
    saved = path is not None and path.endswith((".json", ".keras"))  # docs/keras_json.md
    if saved:
        from ..api import keras_saved

        text, display = keras_saved(path)
    elif path is not None:
        text = _read(path)
    values = _values(args, parser)
    python = args.python or (path is not None and path.endswith(".py"))
    if python:
        from ..importers.reader import detect

        if detect(text) == "torch":
            parser.error(
                "diff compares Keras code with its PyTorch equivalent; this is PyTorch code"
            )
    keras_model, torch_model = evaluate(
        text,
        values=values,
        filename=display,
        python=python,
        input_shape=args.input_shape,
        batch=args.batch,
        keras_json=saved,
    )
    if keras_model.convention != "keras":
        raise ArgumentError(
            "diff compares a model written in Keras vocabulary with its PyTorch equivalent; "
            f"this one is written for convention {keras_model.convention}",
            hint="remove the 'convention torch' line and write the layers as Keras names them",
        ).at(_convention_span(text), text, display)
    if args.compute or args.batch is not None:
        keras_model, torch_model = (m.showing("macs", "flops") for m in (keras_model, torch_model))
    if args.memory or args.dtype or args.optimizer:
        keras_model, torch_model = (
            m.with_memory(args.dtype, args.optimizer) for m in (keras_model, torch_model)
        )
    if args.format == "json":
        import json

        return json.dumps(to_dict(keras_model, torch_model, expand=args.expand)) + "\n"
    return render(
        keras_model, torch_model, expand=args.expand, width=_width(args), ascii=args.ascii
    )


def _convention_span(text: str):
    """Where the file's ``convention`` line names its convention (for the caret)."""
    from ..language.ast import ConventionStmt
    from ..language.syntax import parse_program

    stmts = parse_program(text).statements
    return next((s.name_span for s in stmts if isinstance(s, ConventionStmt)), None)


def _width(args) -> int:
    """--width, else the terminal's, else wide enough for five columns unwrapped."""
    from ..render.table import output_width

    return output_width(args.width, DEFAULT_WIDTH)


def evaluate(
    text: str,
    *,
    values=None,
    filename=None,
    python=False,
    input_shape=None,
    batch=None,
    keras_json=False,
):
    """(the Keras model, its torch.nn equivalent) of ``text`` (symcount's
    language, or Keras code with ``python``), from one evaluation."""
    from ..api import check_values, run_program
    from ..conventions.equivalents import noting_rules, split
    from ..evaluation.evaluator import Evaluator

    class Noting(Evaluator):
        """Keras's rules, each noting its layer's equivalent (a file saying
        ``convention torch`` is evaluated as torch, and refused by run)."""

        def set_convention(self, stmt):
            super().set_convention(stmt)
            if self.convention == "keras":
                self.rules = noting_rules()

    def noting():
        ev = Noting(values=check_values(values))
        ev.rules = noting_rules()
        return ev

    program = None
    if python:
        from ..errors import SymcountError
        from ..importers import read_python

        try:
            program, _, _ = read_python(text, convention="keras", input_shape=input_shape)
        except SymcountError as e:
            raise e.at(None, text, filename) from None
    if keras_json:
        from ..errors import SymcountError
        from ..importers import read_keras_json

        try:
            program, _ = read_keras_json(text)
        except SymcountError as e:
            raise e.at(None, text, filename) from None
    model = run_program(text, noting, filename, program=program, batch=batch)
    if model.convention != "keras":
        return model, model
    return split(model)


def translate(text: str, *, values=None, filename=None):
    """The model in ``text`` (Keras vocabulary) with each layer's weights
    taken from its torch.nn equivalent."""
    return evaluate(text, values=values, filename=filename)[1]


# rendering ------------------------------------------------------------------


def equivalent(row):
    from ..conventions.equivalents import of

    return of(row)


def difference(a, b):
    """``a - b``, multiplied out when symbolic (one row's counts: small)."""
    return tidy(D.sub(a, b))


def tidy(v):
    """A small symbolic difference multiplied out and factored: 4*u, not
    4*u*(f + u + 2) - 4*u*(f + u + 1). Big ones are left as they are
    (expand and factor cost too much on thousands of terms)."""
    if D.is_symbolic(v) and v.count_ops() <= TIDY_OPS and D.expands_small(v):
        sp = D.sp()
        v = D.normalize(sp.factor(sp.expand(v)))
    return v


def signed(v) -> str:
    if D.is_num(v) and v > 0:
        return "+" + P.number(v)
    return P.number(v)


# Each side lists the quantities (symcount.model.quantities) its convention names
# (Quantity.side): the first, the total, leads; a part of it reads "12 frozen",
# any other quantity "buffers: 12"; zeros are left out of a row's cell.


def _listed(quantities, side: str, *, rows: bool = False) -> list:
    """(quantity, Side) of the quantities after the lead that ``side`` shows."""
    out = []
    for q in quantities[1:]:
        s = q.side(side)
        if s is not None and (s.in_rows or not rows):
            out.append((q, s))
    return out


def _cell(row, quantities, side: str) -> str:
    lead = quantities[0]
    extra = []
    for q, s in _listed(quantities, side, rows=True):
        v = row.count(q.name)
        if v != 0:
            extra.append(
                f"{P.number(v)} {s.name}" if q.name in lead.parts else f"{s.name}: {P.number(v)}"
            )
    text = P.number(row.count(lead.name))
    return text + (f" ({'; '.join(extra)})" if extra else "")


def keras_cell(row, quantities=None) -> str:
    return _cell(row, quantities or _default(), "keras")


def torch_cell(row, quantities=None) -> str:
    return _cell(row, quantities or _default(), "torch")


def _default() -> list:
    from ..model.quantities import REGISTRY

    return REGISTRY.shown()


def _weights(row, *, buffers: bool) -> str:
    """``kernel 288, bias 32`` (sizes as formulas in the numbers given)."""
    parts = []
    for w in row.weights:
        if buffers and w.state:
            parts.append(f"{w.name} {P.number(w.size)} (buffer)")
        elif w.state:
            parts.append(f"{w.name} {P.number(w.size)} (non-trainable)")
        else:
            parts.append(f"{w.name} {P.number(w.size)}")
    return ", ".join(parts) or "none"


def render(keras_model, torch_model, *, expand=False, width=None, ascii=False) -> str:
    from ..render import label
    from ..render.table import ASCII, UNICODE, draw

    qs = keras_model.quantities
    pairs = list(zip(keras_model.walk(expand=expand), torch_model.walk(expand=expand), strict=True))
    body = []
    for (depth, k), (_, t) in pairs:
        eq = equivalent(t)
        keras = keras_cell(k, qs)
        if t.group:
            d = signed(difference(t.params, k.params))
            body.append([label(k, depth), "(block)", keras, torch_cell(t, qs), d])
        elif eq is None or eq.missing:
            body.append([label(k, depth), "none", keras, "-", "n/a"])
        else:
            d = signed(difference(t.params, k.params))
            body.append([label(k, depth), eq.text, keras, torch_cell(t, qs), d])
    lines = []
    if keras_model.name:
        lines.append(f'Model: "{keras_model.name}"  (Keras, and each layer\'s PyTorch equivalent)')
    # the names are user text: shown, never acted on (draw escapes the table's cells)
    lines = [P.text(line) for line in lines]
    lines += draw(
        ["Layer (type)", "PyTorch equivalent", "Keras", "PyTorch", "PyTorch - Keras"],
        body,
        align="llrrr",
        width=width or DEFAULT_WIDTH,
        box=ASCII if ascii else UNICODE,
    )
    lines += [P.text(line) for line in _totals(keras_model, torch_model)]
    lines += [P.text(line) for line in _why(keras_model, torch_model)]
    return "\n".join(lines) + "\n"


def to_dict(keras_model, torch_model, *, expand=False) -> dict:
    """The diff as data (``--format json``): numbers are JSON integers,
    expressions strings, as in the summary's JSON."""
    j = P.json_value
    qs = keras_model.quantities
    lead = qs[0]
    rows = []
    for (depth, k), (_, t) in zip(
        keras_model.walk(expand=expand), torch_model.walk(expand=expand), strict=True
    ):
        eq = equivalent(t)
        missing = not t.group and (eq is None or eq.missing)
        row = {
            "name": k.name,
            "type": k.type,
            "depth": depth,
            "torch": None if missing else ("block" if t.group else eq.text),
        }
        for side, r, absent in (("keras", k, False), ("torch", t, missing)):
            row[f"{side}_{lead.json_key}"] = None if absent else j(r.count(lead.name))
            for q, s in _listed(qs, side, rows=True):
                row[f"{side}_{_key(q, s)}"] = None if absent else j(r.count(q.name))
        row["difference"] = None if missing else j(difference(t.params, k.params))
        if missing:
            row["no_equivalent"] = eq.why if eq is not None else ""
        rows.append(row)
    return {
        "model": keras_model.name,
        "symbols": keras_model.symbols,
        "rows": rows,
        **{
            side: {
                lead.json_total_key: j(m.sum(lead.name)),
                **{_key(q, s): j(m.sum(q.name)) for q, s in _listed(qs, side)},
            }
            for side, m in (("keras", keras_model), ("torch", torch_model))
        },
        "difference": j(_total_difference(keras_model, torch_model)[0]),
        **(
            {"compute": {"convention": keras_model.counting, "batch": j(keras_model.batch)}}
            if keras_model.compute_shown
            else {}
        ),
    }


def _key(q, side) -> str:
    """A quantity's JSON key on one side: its own (``macs``) unless its
    declaration names it per side (``frozen`` for torch's non-trainable)."""
    if q.diff is None:
        return q.json_key
    return side.name.replace("-", "_").replace(" ", "_")


def _leaves(keras_model, torch_model):
    """(keras row, torch row, equivalent, times) of every layer, blocks and
    repeats opened; ``times``: how often the enclosing repeats count it."""
    stack = [(k, t, 1) for k, t in zip(keras_model.rows, torch_model.rows, strict=True)]
    stack.reverse()
    while stack:
        k, t, times = stack.pop()
        if t.group:
            inner = D.mul(times, t.multiplier)
            kids = zip(k.children, t.children, strict=True)
            stack.extend(reversed([(a, b, inner) for a, b in kids]))
        else:
            yield k, t, equivalent(t), times


def _why(keras_model, torch_model) -> list[str]:
    """Each kind of difference once (the first layer of its kind, with its
    weights on both sides), then the layers without an equivalent."""
    kinds: dict[tuple, list] = {}
    missing = []
    for k, t, eq, times in _leaves(keras_model, torch_model):
        if eq is None or eq.missing:
            missing.append(f"  {k.name} ({k.type}): {eq.why if eq is not None else 'none'}")
            continue
        d = difference(t.params, k.params)
        if d != 0 or t.buffers != 0 or any(w.state for w in k.weights):
            key = (k.type, eq.modules[0].type if eq.modules else eq.text, eq.why)
            kinds.setdefault(key, []).append((k, t, eq, D.mul(times, d)))
    lines = []
    if kinds:
        lines += ["", " Where they differ:"]
    for group in kinds.values():
        k, t, eq, d = group[0]
        lines.append(f"  {k.name} ({k.type} -> {eq.text}): {signed(d)}")
        lines.append(f"    Keras:   {_weights(k, buffers=False)}")
        lines.append(f"    PyTorch: {_weights(t, buffers=True)}")
        if eq.why:
            lines.append(f"    {eq.why}")
        if len(group) > 1:
            total = tidy(D.total([x[3] for x in group]))
            lines.append(f"    and {len(group) - 1} more like it: {signed(total)} in all")
    if missing:
        lines += ["", " No PyTorch equivalent (left out of the difference):", *missing]
    return lines


def _side_total(model, quantities, side: str, title: str) -> str:
    """``Total params: 10 (trainable 8, frozen 2); buffers: 4``: the lead, its
    parts in parentheses, then the other quantities the side names."""
    lead = quantities[0]
    parts, others = [], []
    for q, s in _listed(quantities, side):
        v = P.number(model.sum(q.name))
        if q.name in lead.parts:
            parts.append(f"{s.name} {v}")
        else:
            others.append(f"; {s.name}: {v}")
    text = f" {title} {lead.title}: {P.number(model.sum(lead.name))}"
    if parts:
        text += f" ({', '.join(parts)})"
    return text + "".join(others)


def _totals(keras_model, torch_model) -> list[str]:
    qs = keras_model.quantities
    lines = [
        _side_total(keras_model, qs, "keras", "Keras:  "),
        _side_total(torch_model, qs, "torch", "PyTorch:"),
    ]
    d, left_out = _total_difference(keras_model, torch_model)
    suffix = ", leaving out the layers without an equivalent" if left_out else ""
    lines.append(f" PyTorch - Keras: {signed(d)} params{suffix}")
    from ..render import compute_note

    note = compute_note(keras_model)  # both sides count the same ops on the same shapes
    if note:
        lines.append(f" {note} (both sides)")
    return lines


def _total_difference(keras_model, torch_model):
    """(PyTorch - Keras over the layers that have an equivalent, whether any has none)."""
    # the sum of each layer's (small) difference; a layer without an
    # equivalent counts 0 under PyTorch, so it is left out of both sides
    parts, left_out = [], False
    for k, t, eq, times in _leaves(keras_model, torch_model):
        if eq is None or eq.missing:
            left_out = True
        else:
            d = difference(t.params, k.params)
            if d != 0:
                parts.append(D.mul(times, d))
    return tidy(D.total(parts)), left_out
