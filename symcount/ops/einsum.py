"""Keras's EinsumDense: a kernel (and a bias) whose axes an einsum equation
names, ``"abc,cd->abd"``: input, kernel, output. The equation is parsed
here (letters only, bounded), never evaluated.

Its shapes follow Keras 3's own analysis (``_analyze_einsum_string``), axis
by axis, batch included: the output is ``output_shape`` (the batch first,
the input's axes under ``...``); a kernel axis takes the output's length
where the output names its letter, else the input's; the bias covers the
output from its first bias letter on, 1 on the others. Two habits of that
analysis are Keras's and are kept, since its summary prints them: an output
axis that ``output_shape`` gives as None stays None, even where the input
knows its length; and the output's batch axis is the input's whatever the
letters say. Two others make the shape it reports differ from the tensor it
computes, so they are refused: an input whose rank the equation does not
match (no ``...``), and two or more axes under a leading ``...`` (Keras
reports them in reverse order).
"""

from __future__ import annotations

import re

from .. import dims as D
from .. import printing as P
from . import costs as C
from .base import Args, Entry, op
from .lora import with_lora
from .spec import Out, W, bad_arg, fail

MAX_EQUATION = 200  # characters: 52 letters a spec at most, as repeats are refused
_FORMS = (  # Keras's three forms: no ellipsis, a leading one, a trailing one
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), None),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."), "right"),
)
FORMS_TEXT = "[X],[Y]->[Z], ...[X],[Y]->...[Z] or [X]...,[Y]->[Z]..."


def parse_equation(text) -> tuple[str, str, str, str | None]:
    """(input, kernel, output letters, where the ellipsis is) of an equation."""
    if not isinstance(text, str):
        bad_arg(f"equation must be a string such as 'ab,bc->ac', not {P.expr(text)}")
    if len(text) > MAX_EQUATION:
        bad_arg(f"equation is longer than {MAX_EQUATION} characters")
    for pattern, elided in _FORMS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        for spec in m.groups():
            twice = sorted({c for c in spec if spec.count(c) > 1})
            if twice:
                bad_arg(f"equation {text!r}: the letter {twice[0]!r} appears twice in {spec!r}")
        return (*m.groups(), elided)
    bad_arg(f"invalid einsum equation {text!r}; EinsumDense takes the forms {FORMS_TEXT}")


def _output_shape(value) -> list:
    items = list(value) if isinstance(value, tuple | list) else [value]
    for v in items:
        if v is not None and not D.is_num(v) and not D.is_symbolic(v):
            bad_arg(f"output_shape holds sizes and None, not {P.expr(v)}")
        if v is not None and D.known_nonpositive(v):
            bad_arg(f"output_shape holds positive sizes (or None), not {P.expr(v)}")
    return items


@op("einsum_dense")
def einsum_dense(x, a: Args, e: Entry) -> Out:
    """A kernel over the equation's kernel letters, a bias over bias_axes; the
    output is output_shape (the batch, and the input's axes under ...)."""
    inp, ker, outp, elided_at = parse_equation(a.equation)
    full = [None, *x]  # Keras's analysis counts the batch axis
    elided = len(full) - len(inp)
    if elided_at is None and elided != 0:
        fail(
            f"the equation's input {inp!r} has {len(inp)} axes, but the input has "
            f"{len(full)} (batch included); add '...' for the axes it does not name"
        )
    if elided < 0:
        fail(f"the equation's input {inp!r} has more axes than the input ({len(full)})")
    if elided_at == "left" and elided > 2:
        # Keras inserts each at the front in turn, so its summary lists them reversed
        fail(
            f"a leading '...' over {elided - 1} axes after the batch: Keras 3 reports them "
            "in reverse order, not as it computes them; name them in the equation"
        )
    given = _output_shape(a.output_shape)
    # output_shape names the output's letters after the batch (a leading ... : all of them)
    want = len(outp) if elided_at == "left" else len(outp) - 1
    if len(given) != want:
        fail(
            f"output_shape has {len(given)} axes; the equation's output {outp!r} needs "
            f"{want} (the batch and the axes under '...' are the input's)"
        )
    if elided_at == "left":
        out = [*full[:elided], *given]
    else:
        out = [full[0], *given, *(full[len(full) - elided :] if elided_at else ())]
    shift = elided if elided_at == "left" else 0
    in_at = {c: i + shift for i, c in enumerate(inp)}
    out_at = {c: i + shift for i, c in enumerate(outp)}
    for c in inp:
        if c in out_at and out[out_at[c]] is not None:
            have, got = full[in_at[c]], out[out_at[c]]
            if have is None or D.equal(have, got) is not True:
                fail(
                    f"the input and output_shape differ at the shared axis {c!r}: the input "
                    f"has {P.expr(have)}, output_shape {P.expr(got)}"
                )
    for c in outp:
        if c not in inp and c not in ker:
            bad_arg(f"the output's axis {c!r} is in neither the input {inp!r} nor the kernel")
    kernel = []
    for c in ker:
        if c not in out_at and c not in in_at:
            bad_arg(f"the kernel's axis {c!r} is in neither the input {inp!r} nor the output")
        size = out[out_at[c]] if c in out_at else full[in_at[c]]
        if size is None:
            fail(f"the kernel's axis {c!r} has an unknown length (None): it must be known")
        kernel.append((c, size))
    weights = [W("kernel", *kernel)]
    if a.bias_axes is not None:
        weights.append(W("bias", *_bias(a.bias_axes, outp, out, shift, elided, elided_at)))
    costs = C.macs(_macs(inp, outp, kernel, full, out, in_at, out_at, elided, elided_at))
    weights = with_lora(weights, "kernel", ("lora_kernel_a", "lora_kernel_b"), a)
    return Out(tuple(out[1:]), weights, costs=costs)


def _macs(inp, outp, kernel, full, out, in_at, out_at, elided, elided_at):
    """An einsum's multiply-accumulates: the product of every letter's length
    (each once: the output's, else the input's) and of the axes under '...';
    the batch axis (position 0) is left to the batch."""
    sizes = dict(kernel)
    for c in outp:
        if out_at[c] and c not in sizes:
            known = out[out_at[c]]
            sizes[c] = known if known is not None or c not in in_at else full[in_at[c]]
    for c in inp:
        if in_at[c] and c not in sizes:
            sizes[c] = full[in_at[c]]
    under = full[1:elided] if elided_at == "left" else full[len(full) - elided :] if elided else []
    return C.term(*sizes.values(), *under)


def _bias(axes, outp: str, out: list, shift: int, elided: int, elided_at) -> list:
    if not isinstance(axes, str) or not axes:
        bad_arg(f"bias_axes must be a string of the output's letters, not {P.expr(axes)}")
    for c in axes:
        if c not in outp:
            bad_arg(f"bias_axes: {c!r} is not an axis of the output {outp!r}")
    first = min(outp.index(c) for c in axes)
    dims = []
    for i, c in enumerate(outp[first:], first):
        size = out[i + shift] if c in axes else 1
        if size is None:
            fail(f"the bias axis {c!r} has an unknown length (None): it must be known")
        dims.append((c, size) if c in axes else ("1", 1))
    if elided_at == "right":
        dims += [("1", 1)] * elided
    return dims
