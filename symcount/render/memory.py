"""The totals lines of a model that lists its memory (docs/memory.md).

Under the Keras convention the parameter lines carry their size as Keras 3's
``model.summary()`` prints it (``Total params: 2,663,678 (10.16 MB)``,
``keras.src.utils.summary_utils.readable_memory_size``: 1024-based, two
decimals), and an optimizer adds Keras's ``Optimizer params`` line, whose
count Keras adds to the total. Under PyTorch's a line gives torchinfo's
``Params size (MB)`` (parameters only, 10^6 bytes). Then every memory
quantity's own line, a note of the dtype and optimizer, and the estimates
asked for (ZeRO, accelerate).
"""

from __future__ import annotations

from .. import dims as D
from .. import printing as P

KERAS_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")
ACCELERATE_UNITS = ("bytes", "KB", "MB", "GB", "TB")


def keras_size(nbytes) -> str:
    """``10.16 MB``: Keras 3.15's ``readable_memory_size``, for a number of
    bytes; a formula is printed as it is, ``(16*d + 12 B)``'s inside."""
    if not D.is_num(nbytes):
        return f"{P.expr(nbytes)} B"
    size = float(nbytes)
    for unit in KERAS_UNITS:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {KERAS_UNITS[-1]}"


def accelerate_size(nbytes) -> str:
    """``474.7 MB``: accelerate 1.15's ``convert_bytes`` (``round(size, 2)``); an
    int under 1 KB prints as one (``512 bytes``), a float as one (``512.0 bytes``)."""
    if nbytes is None:
        return "N/A"
    if not (isinstance(nbytes, float) or D.is_num(nbytes)):
        return f"{P.expr(nbytes)} bytes"
    size = nbytes if isinstance(nbytes, (int, float)) else float(nbytes)
    for unit in ACCELERATE_UNITS:
        if size < 1024.0:
            return f"{round(size, 2)} {unit}"
        size /= 1024.0
    return f"{round(size, 2)} PB"


def _bytes_text(v) -> str:
    return f"{P.number(v)} bytes"


def _tidy(v):
    return D.expand_small(v) if D.is_symbolic(v) and D.expands_small(v) else v


def keras_weight_bytes(model) -> tuple:
    """The bytes of the trainable and of the non-trainable weights, as Keras's
    summary sizes them: every weight of a layer in its dtype, no integer buffers."""
    from ..counting.dtypes import nbytes

    nb = nbytes(model.dtype)
    return D.mul(nb, model.sum("trainable")), D.mul(nb, model.sum("non_trainable"))


def _keras_lines(model, items) -> tuple[list[str], set]:
    from ..model.memory import optimizer_params, optimizer_state_bytes

    trainable, non_trainable = model.sum("trainable"), model.sum("non_trainable")
    t_bytes, n_bytes = keras_weight_bytes(model)
    opt = model.optimizer != "none"
    o_count, o_bytes = optimizer_params(model), optimizer_state_bytes(model)
    total = _tidy(D.add(model.sum("params"), o_count)) if opt else model.sum("params")
    total_bytes = _tidy(D.total([t_bytes, n_bytes, o_bytes] if opt else [t_bytes, n_bytes]))
    lines = [
        f"Total params: {P.number(total)} ({keras_size(total_bytes)})",
        f"Trainable params: {P.number(trainable)} ({keras_size(t_bytes)})",
        f"Non-trainable params: {P.number(non_trainable)} ({keras_size(n_bytes)})",
    ]
    if opt:
        lines.append(f"Optimizer params: {P.number(o_count)} ({keras_size(o_bytes)})")
    return lines, {"params", "trainable", "non_trainable"}


def _torchinfo_line(model) -> str:
    from ..counting.dtypes import nbytes

    v = D.mul(nbytes(model.dtype), model.sum("params"))
    if D.is_num(v):
        return f"Params size (MB): {float(v) / 1e6:0.2f}"
    return f"Params size (MB): ({P.expr(v)})/10**6"


def totals_lines(model, items) -> list[str]:
    """The totals of :func:`symcount.render.total_items` ``items``, with the
    memory lines; plain text (escaped by the caller's ``P.text``)."""
    lines, done = ([], set())
    if model.convention == "keras":
        lines, done = _keras_lines(model, items)
    for q, v in items:
        if q.name in done:
            continue
        if q.unit == "bytes":
            lines.append(f"{q.title}: {_bytes_text(v)}")
        else:
            lines.append(f"{q.title}: {P.number(v)}")
    if model.convention == "torch":
        lines.append(_torchinfo_line(model))
    lines.append(memory_note(model))
    lines += estimate_lines(model)
    return lines


def memory_note(model) -> str:
    """``Memory: float32 weights, optimizer adam (2 moments per trainable parameter)``."""
    from ..model.memory import MIXED, OPTIMIZERS

    if model.dtype == MIXED:
        dtype = "mixed precision (half weights and gradients, fp32 master copy in the optimizer)"
    else:
        dtype = f"{model.dtype} weights"
    if model.optimizer == "none":
        return f"Memory: {dtype}, no optimizer"
    moments = OPTIMIZERS[model.optimizer]
    what = {0: "no moments", 1: "1 moment"}.get(moments, f"{moments} moments")
    return f"Memory: {dtype}, optimizer {model.optimizer} ({what} per trainable parameter)"


def estimate_lines(model) -> list[str]:
    from ..model.estimates import Accelerate, Zero, accelerate, describe, zero

    lines = []
    for e in model.estimates:
        if isinstance(e, Zero):
            gpu, cpu = zero(model, e)
            lines.append(f"{describe(e)} (DeepSpeed's estimate of the model states):")
            lines.append(f"  per GPU: {_bytes_text(gpu)}")
            lines.append(f"  per CPU: {_bytes_text(cpu)}")
        elif isinstance(e, Accelerate):
            lines.append(
                "accelerate estimate-memory (largest layer, total size, training using Adam):"
            )
            for dtype, (a, b, c) in accelerate(model).items():
                if dtype != "float32":  # accelerate divides these (a float, as there)
                    a, b = (float(v) if D.is_num(v) else v for v in (a, b))
                lines.append(
                    f"  {dtype}: {accelerate_size(a)}, {accelerate_size(b)}, {accelerate_size(c)}"
                )
    return lines


def bytes_lines(row, model, indent: str) -> list[str]:
    """explain's memory lines for a layer: ``bytes = 4*240 = 960``, and with
    an optimizer its gradients' and state's; nothing when not listed."""
    if not model.memory_shown or not (row.group or row.weights):
        return []
    if row.group:
        return [f"{indent}bytes = {P.number(row.count('param_bytes'))}"]
    from ..counting.dtypes import nbytes
    from ..model.formula import count
    from ..model.memory import INT64_BUFFERS, optimizer_entry_bytes

    nb = nbytes(row.dtype)
    wide = [w for w in row.weights if row.state_as_buffers and w.name in INT64_BUFFERS]
    rest = [w for w in row.weights if w not in wide]
    terms = [f"{P.expr(nb)}*{_factor(count(rest))}"] if rest else []
    terms += [f"8*{_factor(count(wide))}"] if wide else []
    lines = [_chain(f"{indent}bytes = ", " + ".join(terms), row.count("param_bytes"))]
    if model.optimizer != "none":
        t = _factor(row.count("trainable"))
        per = optimizer_entry_bytes(row.dtype, row.optimizer)
        lines.append(_chain(f"{indent}gradients = ", f"{P.expr(nb)}*{t}", row.count("grad_bytes")))
        lines.append(
            _chain(f"{indent}optimizer = ", f"{P.expr(per)}*{t}", row.count("optimizer_bytes"))
        )
    return lines


def _factor(v) -> str:
    text = P.expr(v)
    return f"({text})" if getattr(v, "is_Add", False) else text


def _chain(head: str, terms: str, value) -> str:
    text = P.number(value)
    if not terms or terms == text:
        return head + text
    return f"{head}{terms} = {text}"
