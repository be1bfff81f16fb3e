"""Stretches of steps that recur in the chains with other numbers, made one
block with those numbers as parameters (fold.py's third fold): a function
called with other arguments, VGG's convolution blocks."""

from __future__ import annotations

from . import ast as A
from .fold_blocks import parameterize
from .fold_tree import call, foldable, holes, names, unnamed

MAX_SEGMENT = 40  # the longest stretch of steps made a block


def chains_of(stmts):
    """(statement index, the chain) of each chain a top-level statement holds."""
    for i, s in enumerate(stmts):
        if isinstance(s, A.Pipeline):
            yield i, None, s
        elif isinstance(s, A.AssignStmt):
            yield i, None, s.value
        elif isinstance(s, A.OutputStmt):
            for j, v in enumerate(s.values):
                yield i, j, v


def _free(stage, tensors) -> bool:
    """A step a block defined before its first use can hold: it reads no tensor."""
    if not foldable(stage):
        return False
    inner = stage.args + stage.kwargs if isinstance(stage, A.Call) else (stage,)
    if isinstance(stage, A.Name):
        return True
    return not any(names(x) & tensors for x in inner)


def segment(stmts, namer, tensors, blocks, arg_name) -> bool:
    """Makes the stretch of steps whose block saves the most lines one
    block, in place: the statements changed (none when there is none)."""
    chains = list(chains_of(stmts))
    table: dict = {}
    ids = [_intern_into(table, [_shape(x, namer.memo) for x in c.stages]) for _, _, c in chains]
    oks = [[k > 0 and _free(x, tensors) for k, x in enumerate(c.stages)] for _, _, c in chains]
    found: dict = {}
    # stretches one step longer each time, from those of the last length seen
    # twice (a stretch recurs only if its start does): the places in order
    live = [(c, i) for c, ok in enumerate(oks) for i in range(1, len(ok)) if ok[i]]
    for length in range(2, MAX_SEGMENT + 1):
        level: dict = {}
        for c, i in live:
            if i + length <= len(ids[c]) and oks[c][i + length - 1]:
                level.setdefault(tuple(ids[c][i : i + length]), []).append((c, i))
        level = {k: v for k, v in level.items() if len(v) >= 2}
        if not level:
            break
        found.update(((length, k), v) for k, v in level.items())
        live = [w for where in level.values() for w in where]
    cands = []
    for (length, _), where in found.items():
        chosen, end = [], {}
        for c, i in where:
            if i >= end.get(c, 0):
                chosen.append((c, i))
                end[c] = i + length
        saving = (len(chosen) - 1) * (length - 1) - 3
        if saving > 0:
            cands.append((-saving, -length, chosen[0], chosen))
    for _, neg_len, _, chosen in sorted(cands):
        length = -neg_len
        copies = [list(chains[c][2].stages[i : i + length]) for c, i in chosen]
        made = parameterize(copies, namer, arg_name)
        if made is None:
            continue
        body, params, args = made
        name = namer.block()
        namer.params[name] = [p.name for p in params]
        chain = A.Pipeline(body, span=body[0].span)
        blocks.append(A.BlockStmt(name, params, (chain,), span=chain.span))
        new = {c: list(chains[c][2].stages) for c, _ in chosen}
        for (c, i), a in sorted(zip(chosen, args, strict=True), reverse=True):
            new[c][i : i + length] = [call(name, a, new[c][i].span)]
        for c, stages in new.items():
            _put(stmts, chains[c], A.Pipeline(tuple(stages), span=chains[c][2].span))
        return {chains[c][0] for c in new}
    return set()


def _shape(stage, memo: dict):
    """A step with its numbers as holes and no name (computed once a step)."""
    got = memo.get(id(stage))
    if got is None or got[0] is not stage:
        got = memo[id(stage)] = (stage, holes(unnamed(stage))[0])
    return got[1]


def _intern_into(table, keys) -> list[int]:
    return [table.setdefault(k, len(table)) for k in keys]


def _put(stmts, where, chain) -> None:
    i, j, _ = where
    s = stmts[i]
    if isinstance(s, A.Pipeline):
        stmts[i] = chain
    elif isinstance(s, A.AssignStmt):
        stmts[i] = A.AssignStmt(s.name, chain, span=s.span)
    else:
        values = list(s.values)
        values[j] = chain
        stmts[i] = A.OutputStmt(tuple(values), span=s.span)
