"""The graph IR (symcount.model.graph): what the evaluator builds, the builder an
importer uses, the JSON edges and places, a block's bare `input`, the layer
limit for bodies without layers, and one model read from many threads."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount import LimitError
from symcount import dims as D
from symcount.model.builder import GraphBuilder, input_name
from symcount.ops.spec import W
from symcount.render.explain import explain

SHARED = """let enc = LSTM(64)
a = input(10, 8) -> enc
b = input(12, 8) -> enc
Concatenate(a, b) -> Dense(1)
"""


def _edges(layers, depth=0):
    """(depth, name, inputs, line, column) for every layer object, nested ones too."""
    for x in layers:
        src = x["source"]
        yield depth, x["name"], x["inputs"], src["line"], src["column"]
        yield from _edges(x.get("layers", []), depth + 1)


# the graph the evaluator builds ---------------------------------------------------


def test_a_shared_layer_is_one_layer_with_a_call_per_use():
    g = symcount.parse(SHARED).graph
    assert [x.name for x in g.layers] == ["lstm", "concatenate", "dense"]
    lstm = g.layer("lstm")
    calls = g.calls_of(lstm)
    assert [c.inputs[0].shape for c in calls] == [(10, 8), (12, 8)]
    assert all(c.layer is lstm for c in calls)
    assert [c.span.line for c in calls] == [2, 3]
    assert lstm.span.line == 1  # where it was constructed: the let
    assert sum(D.prod(f.value for f in w.factors) for w in lstm.weights) == 18_688
    assert [t.shape for t in g.inputs] == [(10, 8), (12, 8)]
    assert [t.producer for t in g.inputs] == [None, None]
    cat = g.calls_of(g.layer("concatenate"))[0]
    assert [t.name for t in cat.inputs] == ["a", "b"]
    assert [g.producer(t) for t in cat.inputs] == list(calls)
    assert g.consumers(calls[0].outputs[0]) == (cat,)
    assert [t.shape for t in g.outputs] == [(1,)]
    assert g.producer(g.outputs[0]).layer.name == "dense"
    assert symcount.parse(SHARED).row("lstm").calls == 2


def test_layers_record_their_op_arguments_and_frozen_flag():
    g = symcount.parse("input(8, 8, 3) -> Conv2D(4, 3, trainable=false, name=c)").graph
    (conv,) = g.layers
    assert (conv.name, conv.type, conv.op, conv.frozen) == ("c", "Conv2D", "Conv2D", True)
    assert conv.args["filters"] == 4 and conv.args["kernel_size"] == (3, 3)
    assert not any(k.startswith("_") for k in conv.args)
    with pytest.raises(TypeError):
        conv.args["filters"] = 5  # read-only
    with pytest.raises(AttributeError):
        conv.name = "d"  # frozen


def test_wrappers_keep_their_inner_layers():
    g = symcount.parse("input(10, 8) -> Bidirectional(LSTM(4))").graph
    (bi,) = g.layers
    assert [x.name for x in bi.inner] == ["forward_lstm", "backward_lstm"]
    assert [len(x.weights) for x in bi.inner] == [3, 3]


def test_groups_and_multipliers():
    text = "block b(f) { Dense(f) }\ninput(4) -> b(3) -> repeat n { Dense(3) } -> repeat m { Dense(5) }"
    g = symcount.parse(text).graph
    groups = [(x.name, x.type, x.parent, x.multiplier) for x in g.groups]
    n, m = D.symbol("n"), D.symbol("m")
    assert groups == [
        ("b", "b", None, 1),
        ("repeat", "repeat xn", None, 1),
        ("each pass", "repeat pass", 1, n),
        ("repeat_1", "repeat xm", None, 1),
        ("pass 1", "repeat pass", 3, 1),
        ("passes 2..N", "repeat pass", 3, m - 1),
    ]
    assert [(c.layer.name, g.multiplier(c)) for c in g.calls] == [
        ("dense", 1),
        ("dense_1", n),
        ("dense_2", 1),
        ("dense_3", m - 1),
    ]


def test_subs_maps_the_graph_too():
    m = symcount.parse("input(t, f) -> LSTM(u) -> Dense(u)").subs(u=8, f=3)
    g = m.graph
    assert [c.outputs[0].shape for c in g.calls] == [(8,), (8,)]
    assert g.inputs[0].shape == (D.symbol("t"), 3)
    assert [c.inputs[0] is g.producer(c.inputs[0]).outputs[0] for c in g.calls[1:]] == [True]
    assert g.calls_of(g.layers[0])[0].layer is g.layers[0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Dense(3)", "Dense(u)", "Dropout(0.5)", "LayerNormalization"]),
        min_size=1,
        max_size=8,
    )
)
def test_a_chain_is_a_path_in_the_graph(layers):
    m = symcount.parse("input(4) -> " + " -> ".join(layers))
    g = m.graph
    assert len(g.calls) == len(g.layers) == len(m.rows) == len(layers)
    for before, call in zip((None, *g.calls), g.calls, strict=False):
        (t,) = call.inputs
        assert t is (g.inputs[0] if before is None else before.outputs[0])
    rows = m.to_dict()["layers"]
    assert [r["inputs"] for r in rows] == [["input_layer"]] + [[r["name"]] for r in rows[:-1]]
    assert [r["source"]["column"] for r in rows] == [c.span.column for c in g.calls]


# building a graph without text ----------------------------------------------------------


def test_the_builder_makes_the_same_kind_of_graph():
    b = GraphBuilder("torch")
    x = b.input((784,))
    dense = b.layer(
        "fc", "Linear", [W("weight", ("out", 10), ("in", 784)), W("bias", ("out", 10))], op="Linear"
    )
    (y,) = b.call(dense, [x], [(10,)], quantities={"macs": 7840})
    (z,) = b.call(dense, [x], [(10,)])
    b.name(y, "logits")
    b.name(y, "ignored")  # the first name stays
    blk = b.group("head", "head")
    relu = b.layer("relu", "ReLU")
    (r,) = b.call(relu, [y, z], [(10,)], group=blk)
    b.output(r)
    g = b.build()
    assert g.convention == "torch"
    assert [t.name for t in g.tensors] == [None, "logits", None, None]
    fc = g.layer("fc")
    assert len(g.calls_of(fc)) == 2 and g.calls[0].quantities == {"macs": 7840}
    assert g.calls[2].group == 0 and g.groups[0].name == "head"
    assert g.producer(g.outputs[0]) is g.calls[2]
    assert g.calls[2].inputs == (g.calls[0].outputs[0], g.calls[1].outputs[0])
    assert g.inputs[0].index == 0 and input_name(1) == "input_layer_1"


# JSON: inputs and source -----------------------------------------------------------------

JSON_CASES = [
    # a chain, written on one line and on several
    (
        "input(4) -> Dense(3) -> Dense(2)",
        [(0, "dense", ["input_layer"], 1, 13), (0, "dense_1", ["dense"], 1, 25)],
    ),
    ("input(4)\nDense(3)", [(0, "dense", ["input_layer"], 2, 1)]),
    # a merge lists the user's names; a shared layer its first call
    (
        SHARED,
        [
            (0, "lstm", ["input_layer"], 2, 21),
            (0, "concatenate", ["a", "b"], 4, 1),
            (0, "dense", ["concatenate"], 4, 22),
        ],
    ),
    # a named model input; several unnamed inputs are numbered as Keras does
    (
        "x = input(4)\ny = input(4)\nAdd(x, y)\ninput(4) -> Dense(2)",
        [(0, "add", ["x", "y"], 3, 1), (0, "dense", ["input_layer_2"], 4, 13)],
    ),
    # a copy does not rename (y = x); the layer after a named tensor lists the name
    (
        "x = input(4) -> Dense(3)\ny = x\ny -> Dense(2)",
        [(0, "dense", ["input_layer"], 1, 17), (0, "dense_1", ["x"], 3, 6)],
    ),
    # a let-bound layer's call is where it is applied, not where it is made
    ("let d = Dense(3)\ninput(4) -> d", [(0, "dense", ["input_layer"], 2, 13)]),
    # blocks: the group reads the incoming tensor; inside, the block's input is
    # named after what made it; the layer after the block lists the block
    (
        "block b(f) {\n  y = input -> Dense(f)\n  Concatenate(input, y)\n}\n"
        "input(4) -> Dense(4) -> b(3) -> Dense(1)",
        [
            (0, "dense", ["input_layer"], 5, 13),
            (0, "b", ["dense"], 5, 25),
            (1, "dense_1", ["dense"], 2, 16),
            (1, "concatenate", ["dense", "y"], 3, 3),
            (0, "dense_2", ["b"], 5, 33),
        ],
    ),
    # residual: the Add reads the input and the body's last layer
    (
        "input(8) -> residual { Dense(8) }",
        [(0, "dense", ["input_layer"], 1, 24), (0, "add", ["input_layer", "dense"], 1, 13)],
    ),
    # repeats: unrolled passes read the pass before; symbolic passes are groups
    (
        "input(4) -> repeat 2 { Dense(4) } -> repeat n { Dense(4) }",
        [
            (0, "repeat", ["input_layer"], 1, 13),
            (1, "dense", ["input_layer"], 1, 24),
            (1, "dense_1", ["dense"], 1, 24),
            (0, "repeat_1", ["repeat"], 1, 38),
            (1, "each pass", ["repeat"], 1, 38),
            (2, "dense_2", ["repeat"], 1, 49),
        ],
    ),
    # several outputs feeding one layer: one name per output
    (
        "input(10, 8) -> Bidirectional(LSTM(4), merge_mode=None) -> Concatenate",
        [
            (0, "bidirectional", ["input_layer"], 1, 17),
            (0, "concatenate", ["bidirectional", "bidirectional"], 1, 60),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), JSON_CASES, ids=[c[0][:40] for c in JSON_CASES])
def test_json_inputs_and_source(text, expected):
    d = symcount.parse(text).to_dict()
    assert list(_edges(d["layers"])) == expected
    json.dumps(d)  # plain JSON values


def test_json_keys_are_only_added():
    d = symcount.parse(SHARED).to_dict()
    assert list(d["layers"][0]) == [
        "name",
        "type",
        "output_shape",
        "params",
        "trainable",
        "non_trainable",
        "buffers",
        "inputs",
        "source",
        "calls",
    ]


# a bare `input` inside a block (issue 9, point 8); counts from Keras 3 -----------------

BLOCK_INPUT = [
    (
        "block cat() {\n  y = input -> Dense(3)\n  Concatenate(input, y)\n}\ninput(4) -> cat",
        (7,),
        15,
    ),
    ("block add() {\n  y = input -> Dense(4)\n  Add(y, input)\n}\ninput(4) -> add", (4,), 20),
    ("block att() { MultiHeadAttention(2, 4)(input, input) }\ninput(5, 8) -> att", (5, 8), 288),
    ("block att() { MultiHeadAttention(2, 4)(Input, input) }\ninput(5, 8) -> att", (5, 8), 288),
    ("block two() { Concatenate(input, input) }\ninput(3) -> two -> two", (12,), 0),
]


@pytest.mark.parametrize(("text", "shape", "params"), BLOCK_INPUT)
def test_bare_input_in_a_block_is_its_input_tensor(text, shape, params):
    m = symcount.parse(text)
    assert (m.output_shape, m.total) == (shape, params)


def test_bare_input_outside_a_block_still_needs_a_shape():
    with pytest.raises(symcount.ArgumentError, match="needs a shape"):
        symcount.parse("input(4) -> Dense(3)\ninput")


# the layer limit for bodies without layers (issue 9, point 5) ---------------------------

EMPTY_BODIES = [
    "input(4) -> repeat 10000 { repeat 10000 { repeat 10000 { } } }",
    "input(4) -> repeat 10000 { repeat 10000 { let a = 1 } }",
    "block e() { }\ninput(4) -> repeat 10000 { repeat 10000 { e } }",
]


@pytest.mark.parametrize("text", EMPTY_BODIES)
def test_empty_bodies_count_toward_the_layer_limit(text):
    start = time.monotonic()
    with pytest.raises(
        LimitError, match=r"more than 200,000 layers \(a block call or repeat pass"
    ) as e:
        symcount.parse(text)
    assert time.monotonic() - start < 20
    assert e.value.span is not None and e.value.span.line == text.count("\n") + 1


def test_empty_bodies_below_the_limit_give_a_result():
    m = symcount.parse("input(4) -> repeat 100 { repeat 1000 { } } -> Dense(2)")
    assert m.total == 10 and [r.type for r in m.rows] == ["repeat x100", "Dense"]
    assert len(m.rows[0].children) == 100
    # passes that change something are each evaluated: names go on being used up
    m = symcount.parse("input(4) -> repeat 3 { let d = Dense(3) } -> Dense(2)")
    assert m.rows[-1].name == "dense_3"


def test_the_empty_repeat_reproducer_exits_2_quickly():
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "symcount", "summary", "-e", EMPTY_BODIES[0]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    # the outer repeat: 10,000 passes of 10,000 passes of 10,000 (each counts as one)
    assert "1:13: limit exceeded: more than 200,000 layers" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - start < 30


# one model, many threads (issue 9, point 2) -----------------------------------------------

THREADED = """
let enc = Dense(3)
block conv_bn(f, k=3) { Conv2D(f, k, padding=same, use_bias=false) -> BatchNormalization }
block b(f) { enc -> Dense(f * w) -> Dense(4) }
x = input(32, 32, 3) -> conv_bn(16) -> conv_bn(f=8, k=5) -> GlobalAveragePooling2D
let w = 3
y = x -> Dense(4) -> b(2) -> repeat n { Dense(u) }
let w = 5
z = input(4) -> b(5) -> repeat 3 { b(2) }
Concatenate(y, z) -> Dense(u)
"""


def _readings(model) -> tuple:
    rows = [(r.name, str(r.params), str(r.output_shape)) for _, r in model.walk(expand=True)]
    formulas = [r.formula and r.formula.general for _, r in model.walk(expand=True) if r.group]
    return (
        str(model.total),
        str(model.trainable),
        rows,
        formulas,
        explain(model),
        json.dumps(model.subs(u=7, n=2).to_dict()),
        json.dumps(model.to_dict()),
        [(c.layer.name, str(c.outputs[0].shape)) for c in model.graph.calls],
    )


def _reachable(root, limit=200_000):
    """Objects reachable from ``root`` through containers and instances (not
    through modules, classes or functions, which reach everything)."""
    import gc
    import types

    seen, todo = {id(root)}, [root]
    skip = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)
    while todo and len(seen) < limit:
        x = todo.pop()
        yield x
        for y in gc.get_referents(x):
            if id(y) not in seen and not isinstance(y, skip):
                seen.add(id(y))
                todo.append(y)


def test_a_model_keeps_no_evaluator():
    from symcount.evaluation.evaluator import Evaluator

    model = symcount.parse(THREADED)  # block formulas not worked out yet
    assert not any(isinstance(x, Evaluator) for x in _reachable(model))
    explain(model)  # works them out, each on a fresh evaluator
    assert not any(isinstance(x, Evaluator) for x in _reachable(model))


def test_one_model_read_from_many_threads():
    expected = _readings(symcount.parse(THREADED))
    # b's formula sees w and the unapplied enc as its call did
    assert [f for f in expected[3] if f and "f + " in f] == ["24*f + 19"] + ["40*f + 4"] * 4
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, to make races show
    try:
        for _ in range(3):
            model = symcount.parse(THREADED)  # fresh: nothing worked out yet
            start = threading.Barrier(8)
            got, errors = [], []

            def read(model=model, start=start, got=got, errors=errors):
                start.wait()
                try:
                    got.append(_readings(model))
                except Exception as e:
                    errors.append(e)

            threads = [threading.Thread(target=read) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            assert errors == []
            assert got == [expected] * 8
    finally:
        sys.setswitchinterval(interval)
