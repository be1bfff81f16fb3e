"""The ``symcount`` command: a thin layer over :func:`symcount.parse`.

Only the standard library is imported at start-up; the parser (lark) is
loaded when a model is read, and SymPy only when the model has symbols.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import SymcountError
from . import activations, count_options
from .args import add_hf_args, add_python_args, depth, positive, set_values
from .hf import hf_config, keras_on_stdin
from .output import EXIT_BROKEN_PIPE as EXIT_BROKEN_PIPE  # the statuses, named here too
from .output import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from .output import EXIT_OUTPUT as EXIT_OUTPUT
from .output import guarded, say, write

EXIT_USAGE = 2  # bad input: the model, a --set value, a file, an option

FORMATS = ("text", "json", "markdown", "csv")
CONVENTIONS = ("keras", "torch")

DESCRIPTION = """\
Exact output shapes and parameter counts of neural networks, as formulas.

Write a model in the symcount language (one layer per line, or one line with
'->'), and get Keras's model.summary() without Keras, with symbols allowed
anywhere a number is."""

EPILOG = """\
examples:
  symcount summary examples/mnist_cnn.sc
  symcount summary -e 'input(28, 28, 1) -> Conv2D(24, 3) -> Flatten -> Dense(10)'
  symcount summary -e 'input(t, f) -> LSTM(u)' --set u=64
  symcount explain examples/mnist_cnn.sc --layer conv2d_1
  cat model.sc | symcount summary - --format json
  symcount solve examples/stacked_lstm_symbolic.sc --at-most 1M
  symcount diff examples/torch_vs_keras_bn.sc
  symcount summary examples/gpt2.sc --latex
  symcount layers

exit status: 0 on success, 2 for a mistake in the input or the options
(the message names the file, line and column), 130 when interrupted."""

SUMMARY_EPILOG = """\
examples:
  symcount summary examples/mnist_cnn.sc
  symcount summary -e 'input(514) -> Dense(514) -> Dense(257)'
  symcount summary examples/lstm_symbolic.sc --set u=64 --set f=6
  symcount summary examples/mnist_cnn.sc --format json | jq .total

formats:
  text      a table like Keras's model.summary() (symbolic cells print the
            expression; long cells wrap to fit --width)
  json      one line: the object documented in docs/language.md ("Machine-readable
            output"): model, convention, symbols, layers, total, trainable,
            non_trainable, buffers; numbers are JSON integers, expressions
            strings, unknown dims null
  markdown  a GitHub table, then the totals
  csv       name,type,output_shape,params,trainable,non_trainable,buffers
            (one row per layer, no totals row)"""

EXPLAIN_EPILOG = """\
example:
  $ symcount explain -e 'input(26, 26, 24) -> Conv2D(36, 3)'
  conv2d (Conv2D)  params = (k_h*k_w*c_in + 1)*filters = (3*3*24 + 1)*36 = 7,812
    kernel  (3, 3, 24, 36)  k_h*k_w*c_in*filters = 3*3*24*36 = 7,776  trainable
    bias    (36,)           filters = 36                              trainable"""


# argument parsing ------------------------------------------------------------


def _add_model_args(p: argparse.ArgumentParser) -> None:
    src = p.add_argument_group("model (one of)")
    src.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="a model file (.sc, Keras/PyTorch code in .py, a Keras .json/.keras), or '-' for stdin",
    )
    src.add_argument(
        "-e",
        "--expr",
        metavar="TEXT",
        help="the model inline, e.g. -e 'input(3, 1) -> SimpleRNN(10)'",
    )
    p.add_argument(
        "--set",
        dest="values",
        action="extend",
        type=set_values,
        default=[],
        metavar="NAME=INT",
        help="give a symbol a value before counting (repeatable, or comma-separated): "
        "--set u=64 --set f=6, --set u=64,f=6",
    )
    p.add_argument(
        "--let",
        dest="lets",
        action="append",
        default=[],
        metavar="NAME=EXPR",
        help="replace a symbol by an expression in others (repeatable): --let d=64*h",
    )
    p.add_argument(
        "--convention",
        choices=CONVENTIONS,
        help="layer names and counting rules (overrides the file's 'convention' line)",
    )
    add_python_args(p)
    add_hf_args(p)


def _add_latex_args(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--latex",
        action="store_true",
        help=f"print LaTeX for a paper: {what} (needs amsmath and booktabs; docs/latex.md)",
    )
    p.add_argument(
        "--standalone",
        action="store_true",
        help="with --latex: a complete document that pdflatex compiles",
    )


def _latex_wanted(args, parser) -> bool:
    if args.standalone and not args.latex:
        parser.error("--standalone goes with --latex")
    if args.latex and getattr(args, "format", "text") != "text":
        parser.error(f"--latex and --format {args.format} are two output formats; give one")
    return args.latex


def _add_algebra_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("algebra on the counts (one of; docs/algebra.md)")
    x = g.add_mutually_exclusive_group()
    for flag, how, text in (
        ("--simplify", "simplify", "simplify every count and output-shape entry"),
        ("--expand-counts", "expand", "multiply the counts out into sums of terms"),
        ("--factor", "factor", "factor the counts (4*u*(f + u + 1))"),
        ("--collect", "collect", "expand, then collect powers of each symbol"),
    ):
        x.add_argument(flag, dest="rewrite", action="store_const", const=how, help=text)


class _Parser(argparse.ArgumentParser):
    """argparse, printing through commands.output: help written to a full disk
    is an error like any output (argparse would drop it silently)."""

    def _print_message(self, message, file=None):
        if message:
            write(message) if file is sys.stdout else say(message.rstrip("\n"))


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="symcount",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"symcount {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "summary",
        help="a table of layers, output shapes and parameter counts, with totals",
        description="Print a table like Keras's model.summary(): layer (type),\n"
        "output shape and parameter count, then the totals.",
        epilog=SUMMARY_EPILOG,
        formatter_class=fmt,
    )
    _add_model_args(s)
    s.set_defaults(parser=s)
    s.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    s.add_argument(
        "--width",
        type=positive,
        metavar="N",
        help="widest text table in characters (default: the terminal's width, "
        "or 100 when not writing to a terminal)",
    )
    s.add_argument("--ascii", action="store_true", help="draw the table with ASCII characters")
    _add_algebra_args(s)
    count_options.add_compute_args(s)
    _command_module("columns").add(s)
    _memory().add_args(s)
    activations.add_args(s)
    s.add_argument(
        "--leading",
        action="store_true",
        help="after the table: the total's dominant term(s) as the symbols grow, and "
        "(with every symbol --set) that approximation's relative error",
    )
    opened = s.add_mutually_exclusive_group()
    opened.add_argument(
        "--expand",
        action="store_true",
        help="list the layers inside blocks and repeats (indented) instead of one row each",
    )
    opened.add_argument(
        "--depth",
        type=depth,
        metavar="N",
        help="open blocks and repeats N levels deep (torchinfo's depth; 0: one row each)",
    )
    _add_latex_args(s, "the total as an equation and a booktabs table of the layers")

    e = sub.add_parser(
        "explain",
        help="each layer's count as a formula, with the numbers put in",
        description="For each layer: its parameter count as a formula, the same\n"
        "formula with the numbers put in, and the value; then one line per weight\n"
        "(shape, count, trainable or not) and notes. Ends with the totals.",
        epilog=EXPLAIN_EPILOG,
        formatter_class=fmt,
    )
    _add_model_args(e)
    e.set_defaults(parser=e)
    e.add_argument("--layer", metavar="NAME", help="explain only this layer (e.g. conv2d_1)")
    e.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: summary's JSON, each layer with its shape_steps (docs/shapes.md)",
    )
    _add_algebra_args(e)
    count_options.add_compute_args(e)
    _memory().add_args(e)
    activations.add_args(e)
    _add_latex_args(e, "each layer's formula, numbers and value as alignat* lines, then the total")

    ly = sub.add_parser(
        "layers",
        help="list the layer types symcount knows, with their arguments",
        description="List the known layer types and their constructor arguments\n"
        "(positional order first; NAME=DEFAULT for optional ones).",
        epilog="examples:\n  symcount layers\n  symcount layers Conv2D LSTM",
        formatter_class=fmt,
    )
    ly.add_argument("names", nargs="*", metavar="LAYER", help="show these layers in detail")
    ly.add_argument(
        "--convention", choices=CONVENTIONS, default="keras", help="whose layers (default: keras)"
    )
    for name in COMMAND_MODULES:
        _command_module(name).register(sub, _add_model_args)
    return parser


# Commands beyond summary/explain/layers live in symcount/cli/<name>.py, each
# with ``register(subparsers, add_model_args)`` (adding a parser whose defaults
# set ``run=fn(args, parser) -> str`` and ``parser=``) and no heavy imports at
# module level, so start-up stays lean.
COMMAND_MODULES: tuple[str, ...] = ("solve", "plot", "diff", "importing", "serve")


def _memory():
    from . import memory

    return memory


def _command_module(name: str):
    import importlib

    return importlib.import_module(f"symcount.cli.{name}")


# commands ----------------------------------------------------------------------


def _source(args, parser: argparse.ArgumentParser) -> tuple[str | None, str | None, str]:
    """(path, text, display name): exactly one of FILE, '-' and -e."""
    if args.file is not None and args.expr is not None:
        parser.error("give either FILE or -e TEXT, not both")
    if args.expr is not None:
        return None, args.expr, "<expr>"
    if args.file is None:
        parser.error("no model: give a FILE, '-' for standard input, or -e TEXT")
    if args.file == "-":
        from ..api import read_limited

        try:
            text = read_limited(sys.stdin, "standard input")
        except SymcountError as e:
            raise e.at(None, filename="<stdin>") from None
        except (OSError, UnicodeDecodeError) as e:
            raise SymcountError(f"cannot read standard input: {e}").at(
                None, filename="symcount"
            ) from None
        return None, text, "<stdin>"
    return args.file, None, args.file


def _read(path: str) -> str:
    """A model file's text; a file that cannot be read is a user error (exit 2)."""
    from ..api import read_source

    try:
        return read_source(path)
    except SymcountError as e:
        raise e.at(None, filename=path) from None
    except OSError as e:
        message = f"cannot read {path}: {e.strerror or e}"
    except UnicodeDecodeError as e:
        message = f"cannot read {path}: not UTF-8 text (byte {e.start}: {e.reason})"
    raise SymcountError(message).at(None, filename="symcount")


def _values(args, parser: argparse.ArgumentParser) -> dict[str, int]:
    values: dict[str, int] = {}
    for name, number in args.values:
        if name in values and values[name] != number:
            parser.error(f"--set {name} is given twice ({values[name]} and {number})")
        values[name] = number
    return values


def _model(args, parser):
    import symcount

    path, text, display = _source(args, parser)
    values = _values(args, parser)
    relations = _relations(args, values, display)
    # a relation that comes out a number is a value like --set (checked while counting)
    values.update({k: v for k, v in relations.items() if isinstance(v, int)})
    kw = {"values": values, "convention": args.convention, "batch": getattr(args, "batch", None)}
    counting = count_options.counting_name(args, parser)
    if counting is not None:
        kw["counting"] = counting
    zipped = path is not None and path.endswith(".keras")  # a .keras archive: load reads it
    if path is not None and not zipped:
        text = _read(path)
    hf = None if zipped else hf_config(args, path, text)  # docs/huggingface.md
    saved = hf is None and path is not None and path.endswith((".json", ".keras"))  # keras_json.md
    piped = hf is None and keras_on_stdin(args, text)  # docs/keras_json.md
    if hf is not None or saved or piped or args.python or (path or "").endswith(".py"):
        if hf is not None:
            model = symcount.parse_hf_config(text, filename=display, **hf, **kw)
        elif piped:  # a Keras model config on standard input, as a .json file is read
            model = symcount.parse_keras_json(text, filename=display, **kw)
        elif saved:
            model = symcount.load(path, **kw)
        else:
            model = symcount.parse_python(
                text, filename=display, input_shape=args.input_shape, **kw
            )
        for note in model.notes:
            print(f"{display}: note: {note}", file=sys.stderr)
    elif args.input_shape is not None:
        parser.error("--input-shape is for Python code (a .py file, or --python)")
    else:
        model = symcount.parse(text, filename=display, **kw)
    if (
        getattr(args, "compute", False)
        or getattr(args, "batch", None) is not None
        or counting is not None
    ):
        model = model.showing("macs", "flops")  # the batch: parse's (--batch, or the input's)
    model = _memory().apply(model, args, parser)
    model = activations.apply(args, parser, model)
    if {"grad_bytes", "training_activation_bytes"} <= set(model.show):  # both halves asked for
        model = model.showing("training_bytes")
    symbolic = {k: v for k, v in relations.items() if not isinstance(v, int)}
    if symbolic:
        from ..analysis.algebra import substitute

        model = substitute(model, symbolic)
    how = getattr(args, "rewrite", None)
    if how:
        from ..analysis.algebra import transform_model

        model = transform_model(model, how)
    return model


def _relations(args, values: dict, display: str) -> dict:
    """--let NAME=EXPR, parsed by symcount.language.userexpr (never evaluated as Python)."""
    lets = getattr(args, "lets", None)
    if not lets:
        return {}
    from ..analysis.algebra import let_texts, relations_from

    try:
        return relations_from(let_texts(lets), values)
    except SymcountError as e:
        raise e.at(None, filename=display) from None


def _width(args) -> int:
    from ..render.table import output_width

    return output_width(args.width)


def _can_draw_unicode() -> bool:
    try:
        "┏━┃│└".encode(getattr(sys.stdout, "encoding", None) or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True


def cmd_summary(args, parser) -> str:
    latex = _latex_wanted(args, parser)
    model = _command_module("columns").apply(args, _model(args, parser))
    if latex:  # cli/latex_summary.py: the table or document, --leading after it
        return _command_module("latex_summary").summary(args, parser, model, _leading)
    if args.leading and args.format != "text":
        parser.error("--leading goes with the text format or --latex")
    if args.format == "text":
        from ..render.table import summary

        text = summary(
            model,
            width=_width(args),
            ascii=args.ascii or not _can_draw_unicode(),
            expand=args.expand,
            depth=args.depth,
        )
        return text + _leading(args, parser, model) if args.leading else text
    from ..render import formats

    render = {"json": formats.to_json, "markdown": formats.to_markdown, "csv": formats.to_csv}
    return render[args.format](model)


def _leading(args, parser, model, render=None) -> str:
    """The total's leading term, found on the model with its symbols left free
    (--set values only give where its error is measured); ``render``: for LaTeX."""
    from ..analysis.algebra import leading_report, leading_text

    values = _values(args, parser)
    relations = _relations(args, values, model.filename)
    values.update({k: v for k, v in relations.items() if isinstance(v, int)})
    free = model
    if values:
        free = _model(argparse.Namespace(**{**vars(args), "values": [], "rewrite": None}), parser)
    try:
        report = leading_report(free, values)
    except SymcountError as e:  # the table is still worth printing
        if render is None:
            return f"\nLeading term: none ({e.message})\n"
        report = e.message  # render: the report, or why there is none
    return render(report, values) if render else "\n" + leading_text(report, values)


def cmd_explain(args, parser) -> str:
    latex = _latex_wanted(args, parser)
    model = _model(args, parser)
    from ..render.explain import explain

    if args.layer is not None:
        names = [r.name for _, r in model.walk(expand=True)]
        if args.layer not in names:
            from ..errors import ArgumentError, did_you_mean

            raise ArgumentError(
                f"--layer: the model has no layer {args.layer!r}; its layers are "
                + ", ".join(names[:20])
                + (", ..." if len(names) > 20 else ""),
                hint=did_you_mean(args.layer, names),
            ).at(None, filename=model.filename)
    if latex:
        from ..render.latex import explain_latex

        return explain_latex(model, layer=args.layer, standalone=args.standalone)
    if args.format == "json":
        from ..render.explain_shapes import explain_json

        return explain_json(model, layer=args.layer)
    return explain(model, layer=args.layer)


def _default_text(v) -> str:
    from .. import printing as P

    if isinstance(v, str):
        return v
    if isinstance(v, tuple) and len(v) >= 1 and len(set(v)) == 1:
        return P.expr(v[0])  # (1, 1) is written 1, as in the frameworks
    if isinstance(v, tuple):
        return "(" + ", ".join(P.expr(x) for x in v) + ")"
    return P.expr(v)


def _signature(rule) -> str:
    from ..ops.spec import REQUIRED

    parts = []
    for arg in rule.args:
        if arg.default is REQUIRED or (arg.kind == "value" and arg.default is None):
            parts.append(arg.name)  # required, or accepted and ignored (activation)
        else:
            parts.append(f"{arg.name}={_default_text(arg.default)}")
    return f"{rule.name}({', '.join(parts)})"


def _layer_detail(rule, aliases: list[str]) -> list[str]:
    from ..ops.spec import REQUIRED

    lines = [_signature(rule)]
    if rule.doc:
        lines.append("  " + " ".join(rule.doc.split()))
    if aliases:
        lines.append("  also called: " + ", ".join(aliases))
    import textwrap

    width = max((len(arg.name) for arg in rule.args), default=0) + 2
    for arg in rule.args:
        kind = arg.kind + (f" ({' | '.join(arg.choices)})" if arg.choices else "")
        default = "required" if arg.default is REQUIRED else f"default {_default_text(arg.default)}"
        if arg.name == rule.infer:  # torch's input size: may be left out
            default = "taken from the input when left out (the rest shift left), checked if given"
        if arg.kind == "value":
            kind, default = "accepted, ignored for counting", ""
        lines.append(f"  {arg.name:<{width}}{kind}" + (f"; {default}" if default else ""))
    extra = sorted(rule.ignored - {arg.name for arg in rule.args})
    if extra:
        text = "also accepted (no effect on counts): " + ", ".join(extra)
        lines += textwrap.wrap(text, 79, initial_indent="  ", subsequent_indent="    ")
    return lines


def cmd_layers(args, parser) -> str:
    from ..conventions import rules_for

    try:
        registry = rules_for(args.convention)
    except SymcountError as e:
        raise e.at(None, filename="symcount layers") from None
    rules = registry.rules
    # each layer once, with its other names (Convolution2D for Conv2D)
    other = {n for names in registry.aliases.values() for n in names}
    aliases = {name: registry.aliases.get(name, []) for name in rules if name not in other}
    if args.names:
        out = []
        for name in args.names:
            rule = rules.get(name)
            if rule is None:
                from ..errors import UnknownLayerError

                message, hint = registry.unknown(name)
                raise UnknownLayerError(message, hint=hint).at(None, filename="symcount layers")
            out += _layer_detail(rule, aliases.get(name, []))
            out.append("")
        return "\n".join(out)
    lines = [f"{len(aliases)} {args.convention} layer types (symcount layers NAME for details):"]
    for name in sorted(aliases, key=str.lower):
        also = f"  (also {', '.join(aliases[name])})" if aliases[name] else ""
        lines.append(f"  {_signature(rules[name])}{also}")
    return "\n".join(lines) + "\n"


COMMANDS = {"summary": cmd_summary, "explain": cmd_explain, "layers": cmd_layers}


# entry point -----------------------------------------------------------------


def run(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, and usage errors (status 2)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USAGE)
    if args.command is None:
        say(parser.format_help().rstrip("\n"))
        return EXIT_USAGE
    try:
        command = getattr(args, "run", None) or COMMANDS[args.command]
        text = command(args, getattr(args, "parser", parser))
    except SystemExit as e:  # parser.error() while reading the options
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except SymcountError as e:
        say(str(e))
        return EXIT_USAGE
    write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``symcount`` and ``python -m symcount``; returns the exit status."""
    return guarded(run, argv)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
