"""An imported model made readable (``symcount import``, docs/python.md):
the layers the source repeats become ``repeat`` and blocks, with the same
numbers.

The importers build a flat tree: a Python ``for`` loop unrolled, a function
written out at each call, a Keras JSON model one statement a layer. This
pass folds it back, on the tree alone (nothing is evaluated; the command
checks the folded file's totals and output shape against the flat one):

1. a functional program (one ``x = Layer(...)(y)`` a tensor, as Keras JSON
   and the functional API give) is cut where one tensor is all that later
   statements read; a stretch between two cuts has one input and one
   output. A stretch of one layer is a step of a chain; longer stretches
   that are the same up to their tensors' names and their numbers become
   one block (fold_blocks.py), called where each was;
2. in every chain, k >= 2 copies in a row of the same steps (1 to
   MAX_PERIOD of them, ``name=`` aside) become ``repeat k { ... }``, the
   fold saving the most steps first;
3. stretches of steps in the chains that recur with other numbers
   (a function called with other arguments) become a block with those
   numbers as parameters, when that makes the file shorter; 2 and 3 run
   again until nothing changes.

A folded copy cannot keep one ``name=`` per copy: the layers inside a
block or ``repeat`` lose theirs and take symcount's automatic names; every
other layer keeps its own.
"""

from __future__ import annotations

from . import ast as A
from .fold_blocks import Namer, parameterize
from .fold_segments import chains_of, segment
from .fold_tree import (
    STARTS,
    call,
    children,
    foldable,
    folds,
    holes,
    names,
    rebuild,
    renamed,
    unnamed,
    walk,
)

MAX_PERIOD = 16  # the longest run of steps folded into a repeat
# the search for such stretches looks at every place and length: over this
# many steps in the chains it is left out (the runs and blocks of 1. and 2.
# still fold); a keras.applications model has a few dozen after those
MAX_STEPS = 1000
MAX_BLOCKS = 64  # blocks made so, at most
PREAMBLE = (A.ModelStmt, A.ConventionStmt, A.SymbolsStmt, A.LetStmt, A.BlockStmt)


def fold(program: A.Program, arg_name=None, default=None) -> A.Program:
    """``program`` with its repetitions folded (see the module's text);
    ``arg_name(layer, i)`` names a layer's i-th positional argument, for
    the parameters of a block; ``default(layer, keyword)`` is the keyword's
    default as a node (or None), so that a copy that leaves out a keyword
    others give (ResNet's first block, at the default stride) joins them.

    PyTorch code binds each module with ``let`` (``let conv1 = ...``) and
    every copy of a block names other ones: the program is also folded with
    each layer bound once and used once written where it is used, and that
    is kept when more folds (a program with nothing to fold keeps its lets)."""
    plain = _fold(program, arg_name, default)
    inlined = inline_lets(program)
    if inlined == program:
        return plain
    other = _fold(inlined, arg_name, default)
    return other if folds(other) > folds(plain) else plain


def inline_lets(program: A.Program) -> A.Program:
    """``let fc1 = Linear(...)`` then ``x -> fc1`` written ``x -> Linear(...)``
    when fc1 is used that once, outside any body (``fc1(x)``:
    ``Linear(...)(x)``): the same layer, made where it is applied."""
    uses: dict[str, int] = {}
    for n in walk(program):
        if isinstance(n, A.Name):
            uses[n.id] = uses.get(n.id, 0) + 1
    bound = _tensor_names(program)  # a let of a let or of a tensor stays
    in_bodies = set()  # a layer made in a body would be made at each of its calls
    for n in walk(program):
        if isinstance(n, A.BlockStmt | A.Repeat | A.Residual):
            in_bodies |= names(A.Program(n.body, span=n.span))
    layers = {}
    for s in program.statements:
        if not isinstance(s, A.LetStmt) or len(s.value.stages) != 1:
            continue
        own = sum(isinstance(n, A.Name) and n.id == s.name for n in walk(s.value))  # name=fc1
        if uses.get(s.name, 0) - own == 1 and s.name not in in_bodies:
            layer = s.value.stages[0]
            head = layer.func if isinstance(layer, A.Call) else layer
            if isinstance(head, A.Name) and head.id not in STARTS and head.id not in bound:
                layers[s.name] = layer
    if not layers:
        return program

    def put(node):
        if isinstance(node, A.Name) and node.id in layers:
            return layers[node.id]
        if isinstance(node, A.Kwarg) and node.name == "name":  # name=fc1 is a word, not a use
            return node
        return rebuild(node, put)

    kept = [s for s in program.statements if not (isinstance(s, A.LetStmt) and s.name in layers)]
    return A.Program(tuple(put(s) for s in kept), span=program.span)


def _fold(program: A.Program, arg_name, default) -> A.Program:
    taken = set()
    for n in walk(program):
        if isinstance(n, A.Name):
            taken.add(n.id)
        elif isinstance(n, A.AssignStmt | A.LetStmt | A.BlockStmt):
            taken.add(n.name)
        elif isinstance(n, A.UnpackStmt):
            taken.update(n.names)
        elif isinstance(n, A.Param):
            taken.add(n.name)
    namer = Namer(taken)
    lets = {s.name for s in program.statements if isinstance(s, A.LetStmt)}
    blocks: list[A.BlockStmt] = []
    stmts = _functional(list(program.statements), namer, lets, blocks, arg_name, default)
    tensors = _tensor_names(program)
    stmts = [_runs_in(s, tensors) for s in stmts]
    steps = sum(len(c.stages) for _, _, c in chains_of(stmts))
    for _ in range(MAX_BLOCKS if steps <= MAX_STEPS else 0):
        changed = segment(stmts, namer, tensors, blocks, arg_name)
        if not changed:
            break
        stmts = [_runs_in(s, tensors) if i in changed else s for i, s in enumerate(stmts)]
    made = A.Program(tuple(blocks), span=program.span)
    blocks = [_runs_in(b, tensors | _tensor_names(made)) for b in blocks]
    return A.Program(tuple(_place(stmts, blocks)), span=program.span)


# 1. functional programs ------------------------------------------------------


def _functional(stmts, namer, lets, blocks, arg_name, default):
    """The statements with each stretch between two cuts a chain step or a
    block's call; unchanged unless the program is a functional one."""
    head = 0
    while head < len(stmts) and isinstance(stmts[head], PREAMBLE):
        head += 1
    assigns = []
    for s in stmts[head:]:
        if not isinstance(s, A.AssignStmt):
            break
        assigns.append(s)
    tail = stmts[head + len(assigns) :]
    if len(assigns) < 2 or not all(isinstance(s, A.OutputStmt) for s in tail):
        return stmts
    index = {}
    for i, s in enumerate(assigns):
        if s.name in index or s.name in lets:
            return stmts
        index[s.name] = i
    uses = []
    for i, s in enumerate(assigns):
        used = [index[n.id] for n in walk(s.value) if isinstance(n, A.Name) and n.id in index]
        if any(u >= i for u in used) or not _explicit(s.value.stages[0], index):
            return stmts
        uses.append(used)
    final = [index[n.id] for t in tail for n in walk(t) if isinstance(n, A.Name) and n.id in index]
    m = len(assigns)
    low = [m] * (m + 1)  # low[j]: the earliest tensor read by statement j or later
    low[m] = min(final, default=m)
    for j in range(m - 1, -1, -1):
        low[j] = min([low[j + 1], *uses[j]])
    cuts = [p for p in range(m) if low[p + 1] >= p]
    regions = [(cuts[a - 1], cuts[a]) for a in range(1, len(cuts))]
    kinds = [_kind(assigns, uses, p, q, lets) for p, q in regions]
    local = next(
        x for x in ("x", "t", "h", "v", "z") if not any(_numbered(n, x) for n in namer.taken)
    )
    if default is not None:
        _join_by_defaults(assigns, regions, kinds, lets, local, default)
    _grow(assigns, regions, kinds, lets, local)
    calls = _blocks_for(assigns, regions, kinds, lets, local, namer, blocks, arg_name)
    out, chain = list(stmts[:head]), None  # chain: (its tensor's name, its steps)
    start = assigns[0]
    chain = (start.name, list(_normal(start.value, lets).stages), start.span)
    if _is_start(start):  # kept: an input's tensor name is how rows show it
        out.append(start)
        chain = (start.name, [A.Name(start.name, span=start.span)], start.span)
    for (p, q), kind in zip(regions, kinds, strict=True):
        steps = calls.get((p, q))
        if steps is None and kind == "step":
            steps = list(_normal(assigns[q].value, lets).stages[1:])
        if steps is not None:
            if chain is None:
                chain = (None, [A.Name(assigns[p].name, span=assigns[q].span)], assigns[q].span)
            chain = (assigns[q].name, chain[1] + steps, chain[2])
            continue
        out.append(_close(chain))
        out += _chained([_assign(s, lets) for s in assigns[p + 1 : q + 1]], {assigns[q].name})
        chain = None
    last = cuts[-1]
    if last < m - 1:
        if chain is not None:
            out.append(_close(chain))
        used = {n.id for t in tail for n in walk(t) if isinstance(n, A.Name)}
        out += _chained([_assign(s, lets) for s in assigns[last + 1 :]], used)
    elif chain is not None:
        out.append(_close(chain))
    return [s for s in out if s is not None] + tail


def _is_start(s) -> bool:
    """``x = input(...)`` alone: its name is the input's, kept as written."""
    if not isinstance(s, A.AssignStmt) or len(s.value.stages) != 1:
        return False
    first = s.value.stages[0]
    return isinstance(first, A.Call) and isinstance(first.func, A.Name) and first.func.id in STARTS


def _explicit(first, index) -> bool:
    """Whether a statement's chain says what it starts from (not the tensor
    of the line before, which a reordering would change)."""
    if isinstance(first, A.Call) and isinstance(first.func, A.Name) and first.func.id in STARTS:
        return True
    return any(isinstance(n, A.Name) and n.id in index for n in walk(first))


def _applied(first, lets):
    """(the layer, its one tensor) of ``Layer(...)(x)`` or ``shared(x)``, else None."""
    if not (isinstance(first, A.Call) and len(first.args) == 1 and not first.kwargs):
        return None
    if not isinstance(first.args[0], A.Name):
        return None
    f = first.func
    if isinstance(f, A.Call) and isinstance(f.func, A.Name) and f.func.id not in STARTS:
        return f, first.args[0]
    if isinstance(f, A.Name) and f.id in lets:
        return f, first.args[0]
    return None


def _normal(p: A.Pipeline, lets) -> A.Pipeline:
    """``Layer(...)(x) -> ...`` written ``x -> Layer(...) -> ...``."""
    got = _applied(p.stages[0], lets)
    if got is None:
        return p
    layer, tensor = got
    return A.Pipeline((tensor, layer, *p.stages[1:]), span=p.span)


def _assign(s: A.AssignStmt, lets) -> A.AssignStmt:
    return A.AssignStmt(s.name, _normal(s.value, lets), span=s.span)


def _kind(assigns, uses, p, q, lets) -> str:
    """'step' (one layer on the tensor before), 'block' (a stretch that can
    be one) or 'inline' (kept as it is: it starts a new input)."""
    inside = range(p + 1, q + 1)
    if any(not uses[j] for j in inside) or p not in {u for j in inside for u in uses[j]}:
        return "inline"
    if q == p + 1 and uses[q] == [p]:
        stages = _normal(assigns[q].value, lets).stages
        if len(stages) > 1 and stages[0] == A.Name(assigns[p].name, span=stages[0].span):
            return "step"
    return "block"


def _canonical(assigns, p, q, lets, local):
    """The stretch's statements with its input named ``input`` and its other
    tensors x1, x2, ..., chained, and the last one the body's result."""
    mapping = {assigns[p].name: "input"}
    for k, j in enumerate(range(p + 1, q + 1)):
        mapping[assigns[j].name] = f"{local}{k + 1}"
    body = [renamed(_assign(assigns[j], lets), mapping) for j in range(p + 1, q + 1)]
    body = _chained(body, set())
    numbering = {s.name: f"{local}{k + 1}" for k, s in enumerate(body[:-1])}
    body = [renamed(s, numbering) for s in body]
    last = body[-1]
    body[-1] = last.value  # the block's result is its body's last tensor
    return [unnamed(s) for s in body]


def _groups(assigns, regions, kinds, lets, local):
    """{the stretch's body, its numbers holes: [its copies' indexes]}, and
    each copy's body."""
    groups: dict = {}
    bodies = {}
    for r, ((p, q), kind) in enumerate(zip(regions, kinds, strict=True)):
        if kind == "block":
            bodies[r] = _canonical(assigns, p, q, lets, local)
            groups.setdefault(tuple(holes(s)[0] for s in bodies[r]), []).append(r)
    return groups, bodies


def _grow(assigns, regions, kinds, lets, local) -> None:
    """Each recurring stretch made to take in the step after it when every
    copy has the same one there (ResNet's block ends with the ReLU after its
    Add, which is a stretch of its own)."""
    while True:
        groups, _ = _groups(assigns, regions, kinds, lets, local)
        for members in groups.values():
            after = [m + 1 for m in members]
            if len(members) < 2 or any(a >= len(regions) or kinds[a] != "step" for a in after):
                continue
            steps = {_step_key(assigns[regions[a][1]], lets) for a in after}
            if len(steps) != 1:
                continue
            for m in sorted(members, reverse=True):
                regions[m : m + 2] = [(regions[m][0], regions[m + 1][1])]
                kinds[m : m + 2] = ["block"]
            break
        else:
            return


def _join_by_defaults(assigns, regions, kinds, lets, local, default) -> None:
    """A stretch seen once joins a recurring one that differs from it only in
    keywords it leaves at their defaults (ResNet's first block, at the
    default stride): those keywords are written out in its statements."""
    groups, _ = _groups(assigns, regions, kinds, lets, local)
    big = [(k, v) for k, v in groups.items() if len(v) >= 2]
    for where in groups.values():
        if len(where) != 1:
            continue
        p, q = regions[where[0]]
        for key, other in big:
            p2, q2 = regions[other[0]]
            if q - p != q2 - p2:
                continue
            try:
                filled = [
                    _fill_like(assigns[p + k], assigns[p2 + k], default)
                    for k in range(1, q - p + 1)
                ]
            except LookupError:
                continue
            trial = [*assigns[: p + 1], *filled, *assigns[q + 1 :]]
            if tuple(holes(s)[0] for s in _canonical(trial, p, q, lets, local)) == key:
                assigns[p + 1 : q + 1] = filled
                break


def _fill_like(a, b, default):
    """``a`` with the keywords ``b``'s layer calls give and ``a``'s leave out
    written at their defaults (LookupError: one has no default to write)."""
    if type(a) is not type(b):
        return a
    if isinstance(a, A.Call) and isinstance(a.func, A.Name) and a.func == b.func:
        have = {k.name: k for k in a.kwargs}
        for k in b.kwargs:
            if k.name not in have:
                value = default(a.func.id, k.name)
                if value is None:
                    raise LookupError(k.name)
                have[k.name] = A.Kwarg(k.name, value, span=a.span)
        theirs = [k.name for k in b.kwargs]
        order = theirs + [n for n in have if n not in theirs]
        a = A.Call(a.func, a.args, tuple(have[n] for n in order), span=a.span)
    mine, theirs = list(children(a)), list(children(b))
    if len(mine) != len(theirs):
        return a
    pairs = iter(theirs)
    return rebuild(a, lambda c: _fill_like(c, next(pairs), default))


def _step_key(stmt, lets):
    """A step's layers, their numbers holes (not the tensor it reads)."""
    return holes(unnamed(A.Pipeline(_normal(stmt.value, lets).stages[1:], span=stmt.span)))[0]


def _blocks_for(assigns, regions, kinds, lets, local, namer, blocks, arg_name) -> dict:
    """Each stretch that recurs (twice or more, up to its numbers) as one
    block: {(p, q): [the call]} for each copy."""
    groups, by_index = _groups(assigns, regions, kinds, lets, local)
    bodies = {regions[r]: b for r, b in by_index.items()}
    groups = {k: [regions[r] for r in v] for k, v in groups.items()}
    calls = {}
    for where in groups.values():
        if len(where) < 2:
            continue
        made = parameterize([bodies[w] for w in where], namer, arg_name)
        if made is None:
            continue
        body, params, args = made
        name = namer.block()
        namer.params[name] = [p.name for p in params]
        blocks.append(A.BlockStmt(name, params, body, span=body[0].span))
        for w, a in zip(where, args, strict=True):
            calls[w] = [call(name, a, assigns[w[1]].span)]
    return calls


def _numbered(name: str, prefix: str) -> bool:
    return name.startswith(prefix) and name[len(prefix) :].isdigit()


def _close(chain):
    if chain is None:
        return None
    name, steps, span = chain
    return A.AssignStmt(name, A.Pipeline(tuple(steps), span=span), span=span)


def _chained(stmts, keep: set[str]) -> list:
    """``a = ...`` and later ``b = a -> Layer`` written ``b = ... -> Layer``
    where ``a`` was, when ``a`` is read there only (``keep``: names read
    after these statements) and the layers read no tensor made in between."""
    count: dict[str, int] = {}
    for s in stmts:
        for n in walk(s):
            if isinstance(n, A.Name):
                count[n.id] = count.get(n.id, 0) + 1
    out: list = []
    where: dict[str, int] = {}  # a statement's name: its place in out
    for s in stmts:
        first = s.value.stages[0] if isinstance(s, A.AssignStmt) else None
        d = where.get(first.id) if isinstance(first, A.Name) else None
        if d is not None and count.get(first.id) == 1 and first.id not in keep:
            rest = s.value.stages[1:]
            later = {x.name for x in out[d + 1 :] if isinstance(x, A.AssignStmt)}
            if rest and not _is_start(out[d]) and not any(names(x) & later for x in rest):
                prev = out[d]
                chain = A.Pipeline(prev.value.stages + rest, span=prev.span)
                out[d] = A.AssignStmt(s.name, chain, span=prev.span)
                del where[first.id]
                where[s.name] = d
                continue
        if isinstance(s, A.AssignStmt):
            where[s.name] = len(out)
        out.append(s)
    return out


# 2. runs ---------------------------------------------------------------------


def _runs_in(s: A.Node, tensors: set[str], inner: bool = False) -> A.Node:
    """Runs folded in every chain of a statement, and in the bodies in it
    (``inner``: a statement of a body, whose first step may fold too: it
    continues from the body's tensor, where a program's first has none)."""

    def body(stmts):
        return tuple(_runs_in(b, tensors, True) for b in stmts)

    if isinstance(s, A.Pipeline):
        stages = [_runs_in(x, tensors) for x in s.stages]
        ok = [(i > 0 or inner) and foldable(x, tensors) for i, x in enumerate(stages)]
        keys = [unnamed(x) for x in stages]
        ids = _intern(keys)
        out = _runs(stages, keys, ids, ok, 0, len(stages), tensors)
        return A.Pipeline(tuple(out), span=s.span)
    if isinstance(s, A.AssignStmt | A.LetStmt):
        return type(s)(s.name, _runs_in(s.value, tensors, inner), span=s.span)
    if isinstance(s, A.UnpackStmt) and s.value is not None:
        return A.UnpackStmt(s.names, s.name_spans, _runs_in(s.value, tensors), span=s.span)
    if isinstance(s, A.OutputStmt):
        return A.OutputStmt(tuple(_runs_in(v, tensors) for v in s.values), span=s.span)
    if isinstance(s, A.BlockStmt):
        return A.BlockStmt(s.name, s.params, body(s.body), span=s.span)
    if isinstance(s, A.Repeat):
        return A.Repeat(s.count, body(s.body), span=s.span)
    if isinstance(s, A.Residual):
        return A.Residual(body(s.body), span=s.span)
    return s


def _intern(keys) -> list[int]:
    table: dict = {}
    return [table.setdefault(k, len(table)) for k in keys]


def _runs(stages, keys, ids, ok, lo, hi, tensors) -> list:
    """stages[lo:hi] with the fold saving the most steps made a repeat (ties:
    the latest, so that a period ends where the layers it repeats end,
    VGG's convolutions then their pooling; then the shortest period), then
    the same left and right.
    same[i]: how many steps from i on equal the step p later, so that k
    copies of p steps start at i when (k - 1) * p <= same[i]: each period's
    runs are found in one pass from the right."""
    best = None
    for p in range(1, min(MAX_PERIOD, (hi - lo) // 2) + 1):
        same = [0] * (hi - lo + 1)
        for i in range(hi - p - 1, lo - 1, -1):
            same[i - lo] = same[i - lo + 1] + 1 if ids[i] == ids[i + p] else 0
        bad = 0  # steps not foldable in ok[i : i + p]
        for i in range(hi - 1, lo - 1, -1):
            bad += not ok[i]
            if i + p < hi:
                bad -= not ok[i + p]
            k = 1 + same[i - lo] // p
            if k >= 2 and not bad and i + p <= hi:
                key = ((k - 1) * p, i, -p)
                if best is None or key > best[0]:
                    best = (key, i, p, k)
    if best is None:
        return list(stages[lo:hi])
    _, i, p, k = best
    span = stages[i].span
    if p == 1 and isinstance(keys[i], A.Name | A.Call):  # Dense(64) * 2: one step's repeat
        rep = A.BinOp("*", keys[i], A.Num(k, span=span), span=span)
    else:
        body = _runs_in(A.Pipeline(tuple(keys[i : i + p]), span=span), tensors, True)
        rep = A.Repeat(A.Num(k, span=span), (body,), span=span)
    left = _runs(stages, keys, ids, ok, lo, i, tensors)
    return [*left, rep, *_runs(stages, keys, ids, ok, i + k * p, hi, tensors)]


# 3. recurring stretches of steps (fold_segments.py) -------------------------


def _tensor_names(program) -> set[str]:
    """The names that can hold a tensor, anywhere in the program."""
    out = {"input"}
    for s in walk(program):
        if isinstance(s, A.AssignStmt | A.LetStmt):
            out.add(s.name)
        elif isinstance(s, A.UnpackStmt):
            out.update(s.names)
        elif isinstance(s, A.Param):
            out.add(s.name)
    return out


def _place(stmts, blocks) -> list:
    """The new blocks, each just before the first statement that uses it
    (itself or through another block), so it sees the names it reads."""
    by_name = {b.name: b for b in blocks}
    uses = {b.name: names(A.Program(b.body, span=b.span)) & set(by_name) for b in blocks}
    first: dict[str, int] = {}
    for i, s in enumerate(stmts):
        todo = list(names(s) & set(by_name))
        while todo:
            n = todo.pop()
            if n not in first:
                first[n] = i
                todo += list(uses[n])
    out = []
    for i, s in enumerate(stmts):
        out += [b for b in blocks if first.get(b.name) == i]
        out.append(s)
    return out
