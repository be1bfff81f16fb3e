"""The library's front: ``parse`` and ``load``, and the methods of
``Model`` and ``Row`` that reach the analysis and the renderers.

Those methods are attached here, so the data types import nothing above
them (docs/architecture.md): ``symcount.model`` knows rows and totals, not
algebra, solving, LaTeX or Jupyter. Every import of symcount runs this
module first (``symcount/__init__.py`` imports it), so the methods are
always there. Their imports are made on first call: a numeric summary
loads neither SymPy's printers nor the solver.
"""

from __future__ import annotations

import io
from pathlib import Path

from . import dims as D
from .errors import LimitError, SymcountError
from .model import Model, Row
from .model import quantities as Q


def parse(
    text: str,
    *,
    values: dict | None = None,
    convention: str | None = None,
    filename: str | None = None,
    counting: str | None = None,
    batch=None,
) -> Model:
    """Evaluate a model written in the symcount language.

    ``values`` binds free symbols before evaluation (``{"u": 64}``), as
    ``--set`` does; ``convention`` overrides the file's ``convention`` line;
    ``counting`` names how compute is counted (``"fvcore"``, ...; see
    ``symcount.counting.names()`` and docs/compute.md; default: each op's own
    MACs). ``batch`` (an int or a symbol's name) is the batch the compute is
    counted for; default: the batch the model's input states
    (``input(..., batch_size=32)``), else 1. Raises a ``SymcountError``
    (with line, column and caret) for any mistake in the input.
    """

    how = check_counting(counting)
    return run_program(
        text,
        _evaluator(values, convention, how),
        filename,
        batch=batch,
    )


def _evaluator(values, convention, counting):
    """What run_program calls for a fresh Evaluator of these settings."""
    from .evaluation.evaluator import Evaluator

    return lambda: Evaluator(values=check_values(values), convention=convention, counting=counting)


def check_counting(name: str | None):
    """``counting=`` of :func:`parse` (and ``--count-as``): the Counting, or None."""
    if name is None:
        return None
    from . import counting as C

    try:
        return C.lookup(name)
    except KeyError:
        from .errors import did_you_mean

        choices = C.names()
        raise SymcountError(
            f"unknown counting {name!r}; choose one of {', '.join(choices)} (docs/compute.md)",
            hint=did_you_mean(name, choices),
        ) from None


def parse_python(
    text: str,
    *,
    input_shape=None,
    values: dict | None = None,
    convention: str | None = None,
    filename: str | None = None,
    counting: str | None = None,
    batch=None,
) -> Model:
    """Read pasted Keras or PyTorch code (never run: docs/python.md) and
    evaluate the model it builds. ``input_shape`` (without the batch axis:
    ``(3, 32, 32)``, names allowed) is the input of code that does not state
    one, as PyTorch code never does. The convention is the code's (torch
    when it imports torch), unless ``convention`` says otherwise. The notes
    on what was left out are the model's ``notes``."""
    from .importers import read_python

    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    how = check_counting(counting)
    try:
        program, conv, notes = read_python(text, convention=convention, input_shape=input_shape)
    except SymcountError as e:
        raise e.at(None, text, filename) from None
    evaluator = _evaluator(values, conv, how)
    try:
        model = run_program(text, evaluator, filename, program=program, batch=batch)
    except SymcountError as e:
        if e.hint_rewrites_text:  # advice on symcount's own syntax, not the pasted code's
            e.hint = None
        raise
    model.notes = notes
    return model


def parse_hf_config(
    text: str,
    *,
    model_class: str | None = None,
    symbolic: bool = False,
    values: dict | None = None,
    filename: str | None = None,
    counting: str | None = None,
    convention: str | None = None,
    batch=None,
) -> Model:
    """A Hugging Face config.json's model (docs/huggingface.md): the class from
    its ``architectures`` or ``model_class``; ``symbolic`` keeps its sizes as
    symbols. The notes on what was read are the model's ``notes``."""
    from .importers.hf_config import read_with_source

    how = check_counting(counting)
    try:
        program, conv, notes, source = read_with_source(
            text, model_class=model_class, symbolic=symbolic, given=set(values or ())
        )
    except SymcountError as e:
        raise e.at(None, text, filename) from None
    if convention is not None and convention != conv:
        raise SymcountError(
            f"a Hugging Face config is counted as transformers builds it, under convention "
            f"{conv}; --convention {convention} does not apply"
        ).at(None, text, filename)
    evaluator = _evaluator(values, conv, how)
    # a size the config makes impossible is shown at the line of the model it breaks
    where = f"{filename or '<input>'} (as symcount models it)"
    model = run_program(source, evaluator, where, program=program, batch=batch)
    model.source, model.filename = text, filename
    model.notes = notes
    return model


def parse_keras_json(
    text: str,
    *,
    values: dict | None = None,
    filename: str | None = None,
    counting: str | None = None,
    convention: str | None = None,
    batch=None,
) -> Model:
    """Read a Keras 3 model config, ``model.to_json()`` or a ``.keras``
    archive's ``config.json`` (docs/keras_json.md), and evaluate the model
    it describes. Nothing in it is run or unpickled."""
    from .importers import read_keras_json

    if convention not in (None, "keras"):
        raise SymcountError("a Keras model config is counted under convention keras")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    how = check_counting(counting)
    try:
        program, notes = read_keras_json(text)
    except SymcountError as e:
        raise e.at(None, text, filename) from None
    evaluator = _evaluator(values, "keras", how)
    model = run_program(text, evaluator, filename, program=program, batch=batch)
    model.notes = notes
    return model


def run_program(
    text: str, evaluator, filename: str | None = None, program=None, *, batch=None
) -> Model:
    """Parse ``text`` and run it on ``evaluator()`` (a fresh Evaluator, or a
    subclass such as diff's); a mistake is raised with the text's line,
    column and caret."""
    from .language.syntax import parse_program

    # No change to process-wide state (the recursion limit): parsing and
    # evaluation are iterative where input can be long, and depth is bounded
    # where it can nest (brackets, expressions, blocks, computed dims).
    # A byte order mark starts many an editor's UTF-8; \r\n and a lone \r end
    # a line as \n does (as a file is read), so the lines counted match those shown.
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    try:
        if program is None:
            program = parse_program(text)
        ev = evaluator()
        model = ev.run(program)
    except SymcountError as e:
        raise e.at(None, text, filename) from None
    except RecursionError:
        raise LimitError(
            "the input is nested too deeply (an expression or bracket nesting too long)"
        ).at(None, text, filename) from None
    model.source = text
    model.filename = filename
    stated = getattr(ev, "stated_batch", None)  # input(..., batch_size=32)
    if stated is not None:
        model.stated_batch = stated
    chosen = stated if batch is None else batch
    return model if chosen is None else model.batched(chosen)


def from_torch(
    module, input_shape, *, values: dict | None = None, counting: str | None = None
) -> Model:
    """Count a live ``torch.nn.Module`` (traced with torch.fx, or its children
    in order where it does not trace; never run on data) on inputs of ``input_shape``
    (without the batch axis; a list of shapes for several inputs), under the
    torch convention (docs/python.md, "A live module")."""
    from .importers.torch_module import read_module

    how = check_counting(counting)
    evaluator = _evaluator(values, "torch", how)
    notes: list[str] = []
    try:
        program, notes = read_module(module, input_shape)
        model = run_program("", evaluator, "from_torch", program=program)
    except SymcountError as e:
        # no text to point into: the message names the layer (named_modules' name)
        e.span, e.source, e.filename = None, None, "from_torch"
        if e.hint_rewrites_text:  # advice on symcount's own syntax
            e.hint = None
        e.hint = e.hint or next((n for n in notes if "does not trace" in n), None)
        raise
    model.notes = notes
    return model


def load(path: str | Path, **kw) -> Model:
    """Read and evaluate a model file."""
    p = Path(path)
    if p.suffix == ".keras":  # a zip: only its config.json is read (docs/keras_json.md)
        text, name = keras_saved(p)
        return parse_keras_json(text, filename=name, **_json_kw(kw))
    try:
        text = read_source(p)
    except LimitError as e:
        raise e.at(None, None, str(p)) from None
    except OSError as e:
        raise SymcountError(f"cannot read {p}: {e.strerror or e}").at(None, None, str(p)) from None
    except UnicodeDecodeError as e:
        raise SymcountError(f"cannot read {p}: not UTF-8 text (byte {e.start})").at(
            None, None, str(p)
        ) from None
    if p.suffix == ".py":
        return parse_python(text, filename=str(path), **kw)
    if p.suffix == ".json" and _hf_config(text):
        return parse_hf_config(text, filename=str(path), **_json_kw(kw))
    if p.suffix == ".json":
        return parse_keras_json(text, filename=str(path), **_json_kw(kw))
    kw.pop("input_shape", None)
    return parse(text, filename=str(path), **kw)


def _hf_config(text: str) -> bool:
    from .importers.hf_config import is_hf_config

    return is_hf_config(text)


def read_source(path: str | Path) -> str:
    """A model file's text, read to at most syntax.MAX_SOURCE_BYTES + 1 bytes
    (OSError, UnicodeDecodeError and LimitError are the caller's to word)."""
    with open(path, "rb") as f:
        return read_limited(f, "the file")


def read_limited(f, what: str) -> str:
    """The text of the file ``f``, read to at most the limit + 1: a binary
    file (or a text file's buffer) to syntax.MAX_SOURCE_BYTES of UTF-8, a
    text stream without one (a StringIO) to syntax.MAX_SOURCE_CHARS. Past the
    limit a LimitError (UnicodeDecodeError for text that is not UTF-8). A
    byte order mark is run_program's to drop."""
    from .language import syntax as S

    if f is None:  # sys.stdin of a process started with it closed
        raise OSError("it is closed")
    binary = getattr(f, "buffer", f)
    if isinstance(binary, io.TextIOBase):
        text = binary.read(S.MAX_SOURCE_CHARS + 1)
        if len(text) > S.MAX_SOURCE_CHARS:
            raise LimitError(f"{what} is longer than {S.MAX_SOURCE_CHARS:,} characters (the limit)")
        return text
    data = binary.read(S.MAX_SOURCE_BYTES + 1)
    if len(data) > S.MAX_SOURCE_BYTES:
        raise LimitError(f"{what} is larger than {S.MAX_SOURCE_BYTES:,} bytes (the limit)")
    # newlines as text mode reads them (\r\n and \r are \n), as before the limit
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def check_values(values) -> dict:
    """``values=`` of :func:`parse` (and ``--set``): positive integers by name."""
    if not values:
        return {}
    return {k: D.given_value(k, v, expressions=False) for k, v in values.items()}


class _ModelMethods:
    """Model's algebra (symcount.analysis.algebra), solving (symcount.analysis.solve), LaTeX and
    Jupyter display: attached to :class:`~symcount.model.Model` below."""

    def simplify(self) -> Model:
        """Every count, total and output-shape entry simplified (floors stay exact)."""
        from .analysis.algebra import transform_model

        return transform_model(self, "simplify")

    def expand(self) -> Model:
        """Every count multiplied out into a sum of terms."""
        from .analysis.algebra import transform_model

        return transform_model(self, "expand")

    def factor(self) -> Model:
        """Every count factored (``4*u*(f + u + 1)``)."""
        from .analysis.algebra import transform_model

        return transform_model(self, "factor")

    def collect(self) -> Model:
        """Counts expanded and collected in powers of their symbols."""
        from .analysis.algebra import transform_model

        return transform_model(self, "collect")

    def leading(self, of: str = "total"):
        """The dominant term(s) of a count as the symbols grow (``12*L*d**2``)."""
        from .analysis.algebra import leading

        return leading(self.sum(Q.lookup(of).name))

    def solve(self, unknowns=None, **kw):
        """Sizes that give a count: ``m.solve("u", params=59910)``; see
        ``symcount.analysis.solve.solve`` for budgets and constraints."""
        from .analysis.solve import solve

        return solve(self, unknowns, **kw)

    def to_latex(
        self,
        *,
        formulas: bool = True,
        standalone: bool = False,
        expand: bool = False,
        depth: int | None = None,
    ) -> str:
        """The total as an equation and a booktabs table of the layers, for a
        paper (``standalone``: a whole document); see docs/latex.md."""
        from .render.latex import model_latex

        return model_latex(
            self, formulas=formulas, standalone=standalone, expand=expand, depth=depth
        )

    def __str__(self) -> str:
        """``print(model)``: the summary table, as ``symcount summary`` prints it."""
        from .render.table import summary

        return summary(self)

    def summary(
        self,
        *,
        width: int = 100,
        ascii: bool = False,
        expand: bool = False,
        depth: int | None = None,
    ) -> str:
        """The summary table as text: ``expand`` opens every block and repeat,
        ``depth=N`` N levels of them (docs/summary.md)."""
        from .render.table import summary

        return summary(self, width=width, ascii=ascii, expand=expand, depth=depth)

    def _repr_html_(self) -> str:
        from .render.notebook import model_html

        return model_html(self)

    def _repr_latex_(self) -> str:
        from .render.notebook import model_latex

        return model_latex(self)

    def _repr_markdown_(self) -> str:
        from .render.formats import to_markdown

        return to_markdown(self)


class _RowMethods:
    """Row's rich display in Jupyter (symcount.render.notebook)."""

    def _repr_html_(self) -> str:
        from .render.notebook import row_html

        return row_html(self)

    def _repr_latex_(self) -> str:
        from .render.notebook import row_latex

        return row_latex(self)

    def _repr_markdown_(self) -> str:
        from .render.notebook import row_markdown

        return row_markdown(self)


def _attach(cls, methods) -> None:
    """Every function of ``methods`` becomes a method of ``cls``, named as one."""
    for name, fn in vars(methods).items():
        if callable(fn):
            fn.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, fn)


_attach(Model, _ModelMethods)
_attach(Row, _RowMethods)


def _json_kw(kw: dict) -> dict:
    return {k: v for k, v in kw.items() if k != "input_shape"}


def keras_saved(path) -> tuple[str, str]:
    """(the config's text, the name errors show) of a Keras saved model:
    model.json, or model.keras (a zip, of which only config.json is read)."""
    if str(path).endswith(".keras"):
        return keras_config(path), f"{path}:config.json"
    try:
        return read_source(path), str(path)
    except LimitError as e:
        raise e.at(None, None, str(path)) from None
    except OSError as e:
        raise SymcountError(f"cannot read {path}: {e.strerror or e}").at(
            None, None, str(path)
        ) from None
    except UnicodeDecodeError as e:
        raise SymcountError(f"cannot read {path}: not UTF-8 text (byte {e.start})").at(
            None, None, str(path)
        ) from None


def keras_config(path) -> str:
    """A .keras archive's config.json text (a user error when it cannot be read)."""
    from .importers.keras_json import read_keras_file

    try:
        return read_keras_file(path)
    except SymcountError as e:
        raise e.at(None, None, str(path)) from None
    except OSError as e:
        raise SymcountError(f"cannot read {path}: {e.strerror or e}").at(
            None, None, str(path)
        ) from None
