"""The counting mechanism (symcount.counting): a preset is a table of rules by
layer type, applied by the evaluator to every call, so shared layers, repeats,
the batch and the outputs work as for the default convention."""

from __future__ import annotations

import json

import pytest

import symcount
from symcount import counting as C
from symcount.errors import SymcountError


def _entries(call):  # a toy tool: one MAC per output entry of a Dense, FLOPs apart
    n = C.numel(call.output)
    return C.costs(macs=n, flops=3 * n)


@pytest.fixture
def toy():
    c = C.register(C.Counting("toy", "toy counting", rules={"Dense": _entries}))
    yield c
    del C.REGISTRY["toy"]


def _counts(model, name):
    return [(r.name, r.count(name)) for r in model.rows]


def test_default_is_each_ops_own_macs():
    a = symcount.load("examples/mnist_cnn.sc").showing("macs")
    b = symcount.load("examples/mnist_cnn.sc", counting="default").showing("macs")
    assert _counts(a, "macs") == _counts(b, "macs")
    assert b.sum("macs") == 7_280_480
    assert b.to_dict()["compute"] == {"convention": "default", "batch": 1}


def test_rules_replace_the_ops_costs_by_type_and_the_rest_falls_back(toy):
    m = symcount.load("examples/mnist_cnn.sc", counting="toy").showing("macs", "flops")
    assert _counts(m, "macs") == [
        ("conv2d", 146_016),  # no rule: the op's own
        ("conv2d_1", 4_478_976),
        ("flatten", 0),
        ("dense", 128),
        ("dense_1", 10),
    ]
    # a rule that writes FLOPs has them as written; the others are 2 x MACs
    assert _counts(m, "flops")[1:] == [
        ("conv2d_1", 8_957_952),
        ("flatten", 0),
        ("dense", 384),
        ("dense_1", 30),
    ]
    assert m.to_dict()["compute"]["convention"] == "toy"


def test_shared_layers_count_each_call_on_its_own_shapes(toy):
    text = "let d = Dense(8); a = input(5, 4) -> d; b = input(3, 4) -> d; output a, b"
    m = symcount.parse(text, counting="toy").showing("macs")
    assert m.sum("macs") == 5 * 8 + 3 * 8
    assert m.sum("params") == 40


def test_symbolic_repeat_and_batch_multiply(toy):
    m = symcount.parse("input(T, 4) -> repeat L { Dense(8) }", counting="toy").showing("flops")
    m = m.batched("B")
    assert str(m.sum("flops")) == "24*B*L*T"


def test_a_counting_refuses_a_convention_it_does_not_count():
    c = C.register(C.Counting("torchonly", "t", conventions=("torch",)))
    try:
        with pytest.raises(SymcountError) as e:
            symcount.parse("input(4) -> Dense(2)", counting="torchonly")
        assert "--convention torch" in str(e.value)
        assert symcount.parse("convention torch\ninput(4) -> Linear(4, 2)", counting="torchonly")
    finally:
        del C.REGISTRY[c.name]


def test_unknown_counting_is_a_clear_error_with_a_hint():
    with pytest.raises(SymcountError) as e:
        symcount.parse("input(4) -> Dense(2)", counting="defualt")
    text = str(e.value)
    assert "unknown counting 'defualt'" in text and "hint" in text and "default" in text


def test_cli_count_as_names_the_counting(toy, capsys):
    from symcount.cli import main

    assert (
        main(["summary", "-e", "input(4) -> Dense(2)", "--count-as", "toy", "--format", "json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["macs"] == 2 and out["flops"] == 6 and out["compute"]["convention"] == "toy"
    assert main(["summary", "-e", "input(4) -> Dense(2)", "--count-as", "toy"]) == 0
    assert "Compute: toy counting, batch 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("dtype", "size"), [("float32", 4), ("bfloat16", 2), ("float16", 2), ("int8", 1)]
)
def test_a_model_carries_its_dtype_to_every_row(dtype, size):
    from symcount.counting.dtypes import nbytes

    m = symcount.parse("input(4) -> Dense(2)").in_dtype(dtype)
    assert m.dtype == dtype and all(r.dtype == dtype for r in m.rows)
    assert nbytes(m.dtype) == size
    assert m.subs().dtype == dtype


def test_an_unknown_dtype_is_refused():
    with pytest.raises(KeyError):
        symcount.parse("input(4) -> Dense(2)").in_dtype("float8")
