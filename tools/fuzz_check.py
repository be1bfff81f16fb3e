"""One fuzz input run and judged (in a worker process of tools/fuzz.py).

``check(family, payload)`` returns ``(outcome, cls, detail)``: outcome
"result" (the input evaluated and rendered in every format), "error" (a
symcount error with a position) or "other" (anything else: a foreign
exception, an error without a position, a render that raises, JSON that
does not parse back, unsafe text in an output, a command-line exit status
other than 0 and 2, a traceback on stderr); ``cls`` names the class of an
"other" (what and where, without the input's particulars) and ``detail``
says the rest (the message, the traceback's last lines).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import traceback

RESULT, ERROR, OTHER = "result", "error", "other"

# Control characters must never reach an output raw (a terminal obeys them);
# newline and tab are layout.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")
# The tags our HTML and Markdown renderers write; any other is injected text.
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)")
HTML_TAGS = {"table", "thead", "tbody", "tr", "td", "th", "code", "div", "p", "pre", "strong"}
HTML_TAGS |= {"ul", "li"}


# Told the number of rows of a model once it is parsed (the worker of
# tools/fuzz.py sets it): a legitimate model of thousands of layers takes
# linear time to render in every format, which the pool allows beyond the
# time limit, so that a timeout still means a hang or super-linear work.
on_size = None


class Other(Exception):
    """A finding: ``cls`` is its class, ``detail`` the particulars."""

    def __init__(self, cls: str, detail: str = ""):
        super().__init__(cls)
        self.cls, self.detail = cls, detail


def _where(exc: BaseException) -> str:
    """The innermost symcount frame of a traceback: file:function."""
    frames = traceback.extract_tb(exc.__traceback__)
    inner = [f for f in frames if f"{os.sep}symcount{os.sep}" in f.filename] or frames
    if not inner:
        return "?"
    f = inner[-1]
    path = f.filename.split(f"{os.sep}symcount{os.sep}")[-1]
    return f"{path}:{f.name}"


def _foreign(step: str, exc: BaseException) -> Other:
    tb = "".join(traceback.format_exception(exc)[-6:])
    return Other(f"{step}: {type(exc).__name__} in {_where(exc)}", tb)


# quoted text, numbers, generated layer names (dense_1) and layer types (Conv2D)
_PARTICULAR = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d[\d_,.e+]*|\b[a-z]+_\d+\b|\b\w*[A-Z]\w*\b")


def _shape_of(message: str) -> str:
    """A message without its particulars (names, numbers): one class per wording."""
    return _PARTICULAR.sub("_", message.split("\n")[0])[:90]


def _visible(s: str) -> str:
    return "".join(ch for ch in s if ch.isprintable() and not ch.isspace())


def _check_error(step: str, e, text: str, *, positioned: bool = True) -> None:
    """A symcount error must carry a position and show the line it names
    (however it shows the line's control characters: every visible
    character of the line, in order)."""
    if e.span is None and positioned:
        raise Other(f"{step}: no position: {e.kind}: {_shape_of(e.message)}", str(e))
    try:
        shown = str(e)
    except Exception as exc:
        raise _foreign(f"{step}: error text", exc) from None
    _safe(f"{step}: error text", shown)
    if e.span is None:
        return
    lines = re.split(r"\r\n|\r|\n", text)  # the product's lines (symcount.errors)
    if not 1 <= e.span.line <= len(lines):
        raise Other(f"{step}: error line out of the input", shown)
    real = _visible(lines[e.span.line - 1])
    if len(real) <= 150 and "\n    " in shown:
        excerpt = iter(shown.split("\n")[1])
        if not all(ch in excerpt for ch in real):  # a subsequence
            raise Other(f"{step}: the excerpt shows another line than the error's", shown)


_FENCED = re.compile(r"^(`{3,})[^\n`]*\n.*?^\1[ \t]*$", re.M | re.S)  # CommonMark fences
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def _safe(what: str, text: str, *, html: bool = False, markdown: bool = False) -> None:
    m = _CONTROL.search(text)
    if m:
        raise Other(f"{what}: raw control character in the output", repr(text[:300]))
    if html or markdown:
        if markdown:  # code is shown as written: a tag there is text, not HTML
            text = _CODE_SPAN.sub("", _FENCED.sub("", text))
        for tag in _TAG.findall(text):
            if markdown or tag.lower() not in HTML_TAGS:
                raise Other(f"{what}: raw HTML tag <{tag.lower()}> in the output", text[:300])


def _balanced(what: str, latex: str) -> None:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", latex, re.S):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        raise Other(f"{what}: unbalanced braces in the LaTeX", latex[:300])


def _csv_names(what: str, text: str) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        if row and row[0][:1] in ("=", "+", "-", "@"):
            raise Other(
                f"{what}: a CSV cell starts with {row[0][:1]!r} (formula injection)", text[:300]
            )


def render_all(model, text: str) -> None:
    """Every output the command and the notebook give, each judged."""
    from symcount.render import formats
    from symcount.render.explain import explain
    from symcount.render.latex import explain_latex, model_latex
    from symcount.render.table import summary

    def step(name, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except Other:
            raise
        except Exception as exc:
            raise _foreign(f"render {name}", exc) from None

    _safe("summary", step("summary", summary, model, width=100))
    _safe("summary --ascii", step("summary --ascii", summary, model, width=100, ascii=True))
    _safe("summary --expand", step("summary --expand", summary, model, width=40, expand=True))
    js = step("json", formats.to_json, model)
    try:
        parsed = json.loads(js)
    except ValueError as exc:
        raise Other("render json: does not parse back", f"{exc}\n{js[:300]}") from None
    if not isinstance(parsed, dict) or "layers" not in parsed:
        raise Other("render json: not an object with layers", js[:300])
    _safe("markdown", step("markdown", formats.to_markdown, model), markdown=True)
    csv_text = step("csv", formats.to_csv, model)
    _safe("csv", csv_text)
    _csv_names("csv", csv_text)
    _safe("explain", step("explain", explain, model))
    rows = [r for _, r in model.walk(expand=True)]
    if rows:
        _safe("explain --layer", step("explain --layer", explain, model, layer=rows[-1].name))
    for name, kw in (("latex", {}), ("latex --standalone", {"standalone": True})):
        out = step(name, model_latex, model, **kw)
        _safe(name, out)
        _balanced(name, out)
    out = step("explain --latex", explain_latex, model)
    _safe("explain --latex", out)
    _balanced("explain --latex", out)
    _safe("_repr_html_", step("_repr_html_", model._repr_html_), html=True)
    out = step("_repr_latex_", model._repr_latex_)
    _safe("_repr_latex_", out)
    _balanced("_repr_latex_", out)
    _safe("_repr_markdown_", step("_repr_markdown_", model._repr_markdown_), markdown=True)
    for row in rows[:3]:
        _safe("Row._repr_html_", step("Row._repr_html_", row._repr_html_), html=True)
        step("Row._repr_latex_", row._repr_latex_)
        _safe(
            "Row._repr_markdown_", step("Row._repr_markdown_", row._repr_markdown_), markdown=True
        )


def run_diff(text: str) -> None:
    from symcount import SymcountError
    from symcount.cli import diff

    try:
        keras_model, torch_model = diff.evaluate(text)
    except SymcountError as e:
        _check_error("diff", e, text)
        return
    except Exception as exc:
        raise _foreign("diff", exc) from None
    if keras_model.convention != "keras":
        return  # the command refuses it (checked through the CLI sample)
    try:
        table = diff.render(keras_model, torch_model, width=160)
        js = json.dumps(diff.to_dict(keras_model, torch_model))
    except Exception as exc:
        raise _foreign("render diff", exc) from None
    _safe("diff", table)
    json.loads(js)


def check_program(text: str, values=None, subs=None) -> str:
    import symcount

    try:
        model = symcount.parse(text, values=values)
        if subs is not None:
            model = model.subs(subs)
    except symcount.SymcountError as e:
        # a value given to the API has no place in the text
        _check_error("parse", e, text, positioned=values is None and subs is None)
        return ERROR
    except Exception as exc:
        raise _foreign("parse" if subs is None else "subs", exc) from None
    if values is not None or subs is not None:
        given = next(iter((values or subs).values()))
        if isinstance(given, bool) or not isinstance(given, int):
            raise Other(
                f"{'values' if values is not None else 'subs'}: a {type(given).__name__} accepted",
                repr(given),
            )
    if on_size is not None:
        on_size(sum(1 for _ in model.walk(expand=True)))
    render_all(model, text)
    if subs is None and values is None:
        run_diff(text)
    return RESULT


def check_cli(payload: dict, time_limit: float) -> str:
    argv, how, text = payload["argv"], payload["how"], payload["text"]
    stdin = None
    cmd = [sys.executable, "-m", "symcount", *argv]
    path = None
    if how == "-e" and "\x00" not in text:
        cmd += ["-e", text] if not text.startswith("-") else [f"--expr={text}"]
    elif how == "file":
        fd, path = tempfile.mkstemp(suffix=".sc")
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        cmd.append(path)
    else:
        cmd.append("-")
        stdin = text.encode("utf-8", "surrogatepass")
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=time_limit)
    except subprocess.TimeoutExpired:
        raise Other("cli: timeout", " ".join(argv)) from None
    finally:
        if path:
            os.unlink(path)
    err = p.stderr.decode("utf-8", "replace")
    out = p.stdout.decode("utf-8", "replace")
    if "Traceback (most recent call last)" in err:
        last = err.strip().split("\n")[-1]
        raise Other(f"cli {argv[0]}: traceback: {last.split(':')[0]}", err[-800:])
    if p.returncode not in (0, 2):
        raise Other(f"cli {argv[0]}: exit status {p.returncode}", err[-800:])
    if p.returncode == 2 and not err.strip():
        raise Other(f"cli {argv[0]}: exit 2 with nothing on stderr", out[-300:])
    _safe(f"cli {argv[0]} stderr", err)
    if p.returncode == 0:
        _safe(f"cli {' '.join(argv[:3])} stdout", out)
        if "json" in argv:
            try:
                json.loads(out)
            except ValueError:
                raise Other(
                    f"cli {argv[0]} --format json: does not parse back", out[:300]
                ) from None
        return RESULT
    return ERROR


def check(family: str, payload: dict, time_limit: float) -> tuple[str, str, str]:
    try:
        if family == "cli":
            return check_cli(payload, time_limit), "", ""
        return check_program(payload["text"], payload.get("values"), payload.get("subs")), "", ""
    except Other as o:
        return OTHER, o.cls, o.detail
    except MemoryError:
        return OTHER, "MemoryError (the memory limit)", ""
    except RecursionError as exc:
        return OTHER, f"RecursionError in {_where(exc)}", ""
    except Exception as exc:  # a bug of this campaign's own checks: reported as such
        o = _foreign("campaign check", exc)
        return OTHER, o.cls, o.detail
