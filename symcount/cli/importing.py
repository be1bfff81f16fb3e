"""``symcount import``: pasted Keras or PyTorch code saved as a model file
(.sc) with the same numbers, to edit, make symbolic and solve
(docs/python.md)."""

from __future__ import annotations

EPILOG = """\
examples:
  symcount import examples/keras_lstm.py
  symcount import examples/torch_bn_cnn.py --input-shape 1,64,64 -o torch_bn_cnn.sc
  symcount import model.keras -o model.sc      # a Keras saved model (docs/keras_json.md)
  symcount import model.json --flat            # one statement a layer, each named

The file it writes gives the same counts and output shape as the code
(symcount checks that before writing it); sizes the code leaves unassigned
stay symbols. What the source repeats is folded: runs of the same layers
become `repeat` (Dense(64) * 3), stretches that recur with other numbers a
block with those numbers as parameters; the layers inside take symcount's
automatic names. --flat writes each layer as the source has it, with its
name and the same rows. Notes on what was mapped or left out go to standard
error and into the file's header."""


def register(sub, add_model_args) -> None:
    import argparse

    p = sub.add_parser(
        "import",
        help="save Keras or PyTorch code as a model file (.sc) with the same numbers",
        description="Read a model from Keras or PyTorch code (never run: docs/python.md) and "
        "write it in symcount's model language.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_args(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write the model here (default: stdout)")
    p.add_argument(
        "--flat",
        action="store_true",
        help="write one statement a layer, each with its own name (default: the layers the "
        "source repeats folded into blocks and repeat, named by symcount)",
    )
    p.set_defaults(run=run, parser=p)


def run(args, parser) -> str:
    import sys

    import symcount

    from ..errors import SymcountError
    from ..importers import read_python
    from ..language import ast as A
    from ..language.printer import UnprintableError, to_text
    from . import _read, _source

    if getattr(args, "lets", None):
        parser.error("import writes the model as the code has it; --let is for summary and explain")
    path, text, display = _source(args, parser)
    if path is not None and path.endswith(".keras"):  # a zip: its config.json (docs/keras_json.md)
        from ..api import keras_saved

        text, display = keras_saved(path)
    elif path is not None:
        text = _read(path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    values = dict(args.values)
    kw = {"input_shape": args.input_shape, "convention": args.convention}
    from .hf import hf_config, keras_on_stdin

    hf = hf_config(args, path, text)
    saved = hf is None and (
        keras_on_stdin(args, text) or (path is not None and path.endswith((".json", ".keras")))
    )
    if hf is not None:  # a Hugging Face config.json (docs/huggingface.md)
        from ..importers.hf_config import read

        original = symcount.parse_hf_config(text, filename=display, values=values, **hf)
        program, conv, notes = read(text, given=set(values), **hf)
    elif saved:  # a Keras model config (docs/keras_json.md)
        from ..importers import read_keras_json
        from ..importers.keras_json import printable

        original = symcount.parse_keras_json(text, filename=display, values=values)
        (program, notes), conv = read_keras_json(text), "keras"
        program, renamed = printable(program)
        notes = [*notes, *renamed]
    else:
        original = symcount.parse_python(text, filename=display, values=values, **kw)
        program, conv, notes = read_python(text, **kw)
    statements = program.statements
    if conv != "keras" and not any(isinstance(s, A.ConventionStmt) for s in statements):
        statements = (A.ConventionStmt(conv, program.span, span=program.span), *statements)
    what = "the config is read as data" if saved or hf else "the code is read, never run"
    header = [f"read from {display} by symcount import ({what})"]
    header += [f"note: {n}" for n in notes]
    flat = A.Program(statements, span=program.span)
    try:
        out = to_text(flat, header)
    except UnprintableError as e:
        raise SymcountError(f"cannot write this model as a model file: {e}").at(
            None, filename=display
        ) from None
    copy = symcount.parse(out, values=values)
    if _numbers(copy) != _numbers(original):  # pragma: no cover - a bug
        raise SymcountError("the model file would not give the code's numbers; please report it")
    if not args.flat and hf is None:  # a config's import is made of blocks already
        out = folded(flat, header, original, values, conv) or out
    for n in notes:
        print(f"{display}: note: {n}", file=sys.stderr)
    if not args.output:
        return out
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(out)
    except OSError as e:
        raise SymcountError(f"cannot write {args.output}: {e.strerror or e}") from None
    return f"wrote {args.output}: {len(original.rows)} layers\n"


FOLDED = [
    "blocks and repeat fold the layers the source repeats; the layers inside them,",
    "and those the framework named itself (dense_3), take symcount's automatic",
    "names (symcount import --flat keeps every layer's own)",
]
UNNAMED = [
    "blocks and repeat fold the layers the source repeats; every layer takes",
    "symcount's automatic names (symcount import --flat keeps every layer's own)",
]


def folded(flat, header, original, values, conv) -> str | None:
    """The model text with its repetitions folded (symcount/language/fold.py),
    or None when nothing folds. The folded file is checked as the flat one is:
    the same totals and output shape. Its layers' names could still clash with
    the automatic names inside the folds: then it is tried with no names at
    all, and if that fails too the flat file is written."""
    import symcount

    from ..errors import SymcountError
    from ..language.fold_tree import folds, unnamed
    from ..language.printer import UnprintableError, to_text

    try:
        program = fold_program(flat, conv)
    except RecursionError:  # a tree nested deeper than Python recurses: written flat
        return None
    if folds(program) == folds(flat):  # nothing repeats (the chains may still be joined)
        attempts = [(program, header)]
    else:
        attempts = [(program, [*header, *FOLDED]), (unnamed(program), [*header, *UNNAMED])]
    for candidate, lines in attempts:
        try:
            text = to_text(candidate, lines)
            if totals(symcount.parse(text, values=values)) == totals(original):
                return text
        except (SymcountError, UnprintableError):
            pass
    return None


def fold_program(flat, conv: str):
    """``flat`` folded, its blocks' parameters named after the convention's
    arguments, and a keyword's default read from its rule."""
    from ..conventions import rules_for
    from ..importers.values import literal
    from ..language.fold import fold
    from ..language.fold_tree import folds, without_automatic_names
    from ..ops.spec import REQUIRED

    rules = rules_for(conv)

    def arg(layer: str, keyword: str | int):
        rule = rules.get(layer) if layer in rules else None
        if rule is None:
            return None
        if isinstance(keyword, int):
            return rule.args[keyword] if keyword < len(rule.args) else None
        return next((a for a in rule.args if a.name == keyword), None)

    def arg_name(layer: str, i: int) -> str | None:
        a = arg(layer, i)
        return a.name if a is not None else None

    def default(layer: str, keyword: str):
        """A keyword's default as a node: numbers, tuples of whole numbers, flags."""
        a = arg(layer, keyword)
        if a is None or a.default is REQUIRED or isinstance(a.default, str):
            return None
        if isinstance(a.default, tuple) and not all(type(x) is int for x in a.default):
            return None
        return literal(a.default, flat.span, item=lambda x: literal(x, flat.span))

    def automatic(layer: str, name: str) -> bool:
        """Whether a name is the framework's own: conv2d, conv2d_26."""
        rule = rules.get(layer) if layer in rules else None
        if rule is None:
            return False
        base = rules.name_base(rule.name)
        return name == base or (name.startswith(base + "_") and name[len(base) + 1 :].isdigit())

    program = fold(flat, arg_name, default)
    if folds(program) == folds(flat):
        return program
    return without_automatic_names(program, automatic)


def totals(model) -> tuple:
    """What a folded file must keep: the totals and the output shape."""
    d = model.to_dict()
    return (
        *(d[k] for k in ("total", "trainable", "non_trainable", "buffers")),
        str(model.output_shape),
    )


def _numbers(model) -> list:
    """Each row's name, type, shape and counts: what the file must reproduce."""

    def strip(r):
        out = {k: v for k, v in r.items() if k != "source"}
        if "layers" in out:
            out["layers"] = [strip(x) for x in out["layers"]]
        return out

    return [strip(r) for r in model.to_dict()["layers"]]
