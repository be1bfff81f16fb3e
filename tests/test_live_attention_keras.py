"""Live differential tests of Keras's GroupQueryAttention, Attention and
AdditiveAttention: random configurations (self- and cross-attention, several
head splits) built in real Keras 3 (torch backend) and run on data, compared
with symcount: the output shape(s), the counts, and every weight's name and
shape in Keras's order; a configuration Keras refuses, or builds but cannot
run, symcount refuses too. Needs the `frameworks` extra; skipped without."""

from __future__ import annotations

import math
import os
import warnings
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip(
    "keras", reason="real Keras is not installed: pip install -e '.[frameworks]' to run this"
)

import symcount  # noqa: E402
from tests.differential import case_source, compare  # noqa: E402
from tests.reference import keras_attention_cases as attention  # noqa: E402
from tests.reference.keras_cases import build_layer, keras_reference, sample_cases  # noqa: E402

pytestmark = pytest.mark.live

SEED = int(os.environ.get("SYMCOUNT_LIVE_SEED", "1"))  # the fixtures use seed 0
PER_LAYER = int(os.environ.get("SYMCOUNT_LIVE_PER_LAYER", "30"))
NAMES = list(attention.SAMPLERS)


# the samplers of the reference table, at another seed -----------------------------


@pytest.fixture(scope="module")
def results():
    cases = [c for c in sample_cases(SEED, PER_LAYER) if c["layer"] in attention.SAMPLERS]
    return [keras_reference(c) for c in cases]


def test_live_cases_cover_each_layer_self_and_cross(results):
    valid = [r for r in results if "error" not in r]
    assert Counter(r["layer"] for r in valid).keys() == set(NAMES)
    forms = Counter((r["layer"], len(r.get("other_inputs", []))) for r in valid)
    assert [(n, k) for n in NAMES for k in (0, 1, 2) if not forms[n, k]] == []


def test_symcount_matches_live_keras(results):
    mismatches = [p for r in results for p in compare(r)]
    shown = "\n".join(mismatches[:20])
    assert not mismatches, f"{len(mismatches)} of {len(results)} configurations differ:\n{shown}"


# hypothesis: any configuration, built and run ----------------------------------------


def run_keras(case: dict):
    """(output shapes, [(weight path, shape)], trainable) of the case built and
    run in Keras on zeros, or None if Keras refuses it or cannot run it."""
    keras.backend.clear_session(free_memory=False)
    shapes = [case["input_shape"], *case.get("other_inputs", [])]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = build_layer(case)
            tensors = [keras.Input(shape=tuple(s)) for s in shapes]
            y = attention.call(layer, case, tensors)
            model = keras.Model(tensors, y)
            model([keras.ops.zeros((2, *s)) for s in shapes])
    except Exception:
        return None
    outs = y if isinstance(y, (list, tuple)) else [y]
    weights = [(w.path.split("/", 1)[1], tuple(w.shape)) for w in layer.weights]
    trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
    return [tuple(t.shape[1:]) for t in outs], weights, trainable


def run_symcount(case: dict):
    try:
        model = symcount.parse(case_source(case))
    except symcount.SymcountError:
        return None
    row = model.rows[0]
    shape = row.output_shape
    shapes = [tuple(s) for s in shape] if isinstance(shape, list) else [tuple(shape)]
    return shapes, [(w.name, tuple(w.shape)) for w in row.weights], row.trainable


@st.composite
def cases(draw):
    name = draw(st.sampled_from(NAMES))
    kwargs, args = {}, []
    if name == "GroupQueryAttention":
        kv = draw(st.integers(1, 4))
        heads = draw(st.one_of(st.integers(1, 4).map(lambda g: g * kv), st.integers(1, 8)))
        args = [draw(st.integers(1, 6)), heads, kv]
        for key, value in (("use_bias", st.booleans()), ("use_gate", st.booleans())):
            if draw(st.booleans()):
                kwargs[key] = draw(value)
        if draw(st.booleans()):
            kwargs["dropout"] = draw(st.sampled_from([0.0, 0.1, 0.5]))
            if draw(st.booleans()):
                kwargs["flash_attention"] = True  # with dropout: Keras refuses it
                kwargs["dropout"] = 0.25
    else:
        if draw(st.booleans()):
            kwargs["use_scale"] = draw(st.booleans())
        if name == "Attention" and draw(st.booleans()):
            kwargs["score_mode"] = draw(st.sampled_from(["dot", "concat"]))
    extra = (
        2 if name == "GroupQueryAttention" else draw(st.integers(2, 3))
    )  # axes without the batch
    lead = [draw(st.integers(1, 3)) for _ in range(extra - 2)]
    small = st.integers(1, 7)
    q = [*lead, draw(small), draw(small)]
    if name == "GroupQueryAttention" and draw(st.integers(0, 9)) == 0:
        q = [draw(small), *q]  # rank 4: Keras builds it but cannot run it
    case = {"layer": name, "args": args, "kwargs": kwargs, "input_shape": q}
    n_other = draw(st.integers(0, 2))
    if n_other:
        near = st.one_of(st.just(q[-1]), small)  # mostly agreeing features
        tv = draw(small)
        v_lead = [draw(st.sampled_from([x, 1, x + 1])) for x in lead]
        others = [[*v_lead, tv, draw(near)]]
        if n_other == 2:
            others.append([*v_lead, draw(st.one_of(st.just(tv), small)), draw(near)])
        case["other_inputs"] = others
    call = {}
    for key in ("return_attention_scores", "use_causal_mask"):
        if draw(st.integers(0, 3)) == 0:
            call[key] = True
    if call:
        case["call_kwargs"] = call
    return case


@settings(
    max_examples=int(os.environ.get("SYMCOUNT_LIVE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cases())
def test_any_configuration_matches_keras_built_and_run(case):
    want, got = run_keras(case), run_symcount(case)
    src = case_source(case)
    if want is None:
        assert got is None, f"Keras refuses it or cannot run it; symcount accepts:\n{src}"
        return
    assert got is not None, f"Keras builds and runs it; symcount refuses:\n{src}"
    assert got == want, src


# symbolic arguments: the formula at several points ---------------------------------

SYMBOLIC = [
    ("input(T, d) -> GroupQueryAttention(h, H, K)", "GroupQueryAttention", ("h", "H", "K"), {}),
    (
        "input(T, d) -> GroupedQueryAttention(h, H, K, use_bias=false, use_gate=true)",
        "GroupQueryAttention",
        ("h", "H", "K"),
        {"use_bias": False, "use_gate": True},
    ),
    ("input(T, d) -> AdditiveAttention()", "AdditiveAttention", (), {}),
]
POINTS = [
    dict(T=5, d=8, h=4, H=4, K=2),
    dict(T=3, d=12, h=2, H=6, K=3),
    dict(T=7, d=5, h=8, H=2, K=1),
    dict(T=2, d=16, h=16, H=8, K=8),
]


@pytest.mark.parametrize(("src", "layer", "arg_names", "kwargs"), SYMBOLIC)
def test_symbolic_counts_equal_keras_at_several_points(src, layer, arg_names, kwargs):
    model = symcount.parse(src)
    for point in POINTS:
        case = {
            "layer": layer,
            "args": [point[a] for a in arg_names],
            "kwargs": kwargs,
            "input_shape": [point["T"], point["d"]],
        }
        shapes, _, trainable = run_keras(case)
        at = model.subs(point)
        assert (at.total, at.rows[0].output_shape) == (trainable, shapes[0]), (src, point)


# symcount diff: the equivalents, in real torch ---------------------------------------

MHA_EQUIVALENTS = [
    "input(5, 32) -> GroupQueryAttention(8, 4, 4)",
    "q = input(5, 32)\nv = input(7, 32)\nk = input(7, 6)\nGroupQueryAttention(8, 4, 4)(q, v, k)",
    "input(5, 12) -> GroupQueryAttention(4, 3, 3, use_bias=false)",
]


@pytest.mark.parametrize("src", MHA_EQUIVALENTS)
def test_gqa_with_as_many_kv_heads_is_torch_multihead_attention(src):
    torch = pytest.importorskip("torch")
    from symcount.cli.diff import equivalent, translate

    keras_row = symcount.parse(src).rows[-1]
    row = translate(src).rows[-1]
    m = equivalent(row).modules[0]
    module = getattr(torch.nn, m.type)(*m.args, **m.kwargs)
    assert m.type == "MultiheadAttention"
    assert sum(p.numel() for p in module.parameters()) == row.params == keras_row.params


@pytest.mark.parametrize(
    "src",
    [
        "input(5, 8) -> GroupQueryAttention(4, 4, 2)",
        "input(5, 8) -> GroupQueryAttention(2, 4, 4, use_gate=true)",
        "input(5, 8) -> AdditiveAttention()",
        "input(5, 8) -> Attention(use_scale=true)",
        'input(5, 8) -> Attention(score_mode="concat")',
    ],
)
def test_no_torch_module_says_why(src):
    from symcount.cli.diff import equivalent, translate

    eq = equivalent(translate(src).rows[-1])
    assert eq.missing and "torch" in eq.why


def test_dot_attention_is_torch_sdpa_with_scale_one():
    """Keras's Attention() computes softmax(q k^T) v, unscaled: what the
    equivalent's text says, F.scaled_dot_product_attention(q, k, v, scale=1.0)."""
    torch = pytest.importorskip("torch")
    from symcount.cli.diff import equivalent, translate

    src = "q = input(5, 8)\nv = input(7, 6)\nk = input(7, 8)\nAttention()(q, v, k)"
    assert "scale=1.0" in equivalent(translate(src).rows[-1]).text
    g = torch.Generator().manual_seed(0)
    q, v, k = (torch.randn(2, *s, generator=g) for s in ((5, 8), (7, 6), (7, 8)))
    ours = keras.layers.Attention()([q, v, k])
    theirs = torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=1.0)
    assert torch.allclose(torch.as_tensor(ours), theirs, atol=1e-5)
