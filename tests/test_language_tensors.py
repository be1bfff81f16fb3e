"""Issue 11 point 4: the language's tensor features — keywords written as
names, several outputs unpacked, call keywords that take tensors, tensors
given to blocks, a tensor's sizes (x.shape[i]) and indexing (x[:, 0]),
checked against real Keras 3 and torch where they have them."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcount
from symcount.errors import SymcountError
from tests.test_error_positions import cli, positioned

KEYWORDS = ("model", "convention", "symbols", "let", "output", "block", "repeat", "residual")
# (a template with K where the keyword is written as a name, what it cannot do)
PLACES = [
    ("K = input(3) -> Dense(10)", "name a tensor"),
    ("x = input(3)\nK = Dense(10)(x)", "name a tensor"),
    ("let K = Dense(3)", "name a tensor"),
    ("x = input(3) -> LSTM(4, return_state=true)\na, K, c = x", "name a tensor"),
    ("K, h = input(3, 2) -> GRU(4, return_state=true)", "name a tensor"),
    ("block K { Dense(3) }", "name a block"),
    ("block b(K) { Dense(3) }", "be used as a name"),
    ("input(3) -> Dense(K)", "be used as a name"),
    ("x = K", "be used as a name"),
    ("input(3) -> Dense(3, K=4)", "name a keyword argument"),
    ("symbols a, K", "name a symbol"),
]


@pytest.mark.parametrize("keyword", KEYWORDS)
@pytest.mark.parametrize(("template", "what"), PLACES)
def test_a_keyword_written_as_a_name_says_so_at_the_keyword(keyword, template, what):
    text = template.replace("K", keyword)
    code, out, err = cli("summary", "-e", text)
    assert (code, out) == (2, "")
    head = err.split("\n")[0]
    assert (
        f"{keyword!r} is a keyword of the symcount language and cannot {what}; "
        "choose another name (e.g. "
    ) in head, err
    line = template.split("K")[0].count("\n") + 1
    column = len(template.split("K")[0].split("\n")[-1]) + 1
    assert positioned(err) == (line, column, keyword)


def test_the_reported_cases():
    for text, first in [
        (
            "output = Dense(10)(x)",
            "'output' is a keyword of the symcount language and cannot "
            "name a tensor; choose another name (e.g. out)",
        ),
        ("model = input(3)", "'model' is a keyword"),
        (
            "block repeat(n) { Dense(n) }",
            "'repeat' is a keyword of the symcount language and cannot name a block",
        ),
    ]:
        code, _, err = cli("summary", "-e", text)
        assert code == 2 and first in err.split("\n")[0]


@pytest.mark.parametrize("text", ["let input = input(3)", "input = input(3)", "Input = input(3)"])
def test_input_cannot_name_a_tensor(text):
    code, _, err = cli("summary", "-e", text)
    assert code == 2
    assert "names a model's input" in err and "choose another name (e.g. inp)" in err


# positioned errors of the new features: (source, line, column, under the caret)
BAD = [
    (
        "a, b = input(5, 3) -> LSTM(4, return_state=true)",
        1,
        1,
        "a, b = input(5, 3) -> LSTM(4, return_state=true)",
    ),
    ("x = input(5, 3)\na, a = x -> GRU(4, return_state=true)", 2, 4, "a"),
    ("x = input(5, 3)\nLSTM(4)(x, initial_state=[x])", 2, 1, "LSTM(4)"),
    ("x = input(7, 4); x[:, 9]", 1, 18, "x[:, 9]"),
    ("x = input(7, 4); x[0]", 1, 18, "x[0]"),
    ("x = input(7, 4); x[:, 0, 0, 0]", 1, 18, "x[:, 0, 0, 0]"),
    ("x = input(n, 4); x[:, n]", 1, 18, "x[:, n]"),
    ("x = input(4, 6); x -> Reshape(x.shape[::0])", 1, 41, "0"),
    ("x = input(4, 6); x -> Reshape(x.shape[0:])", 1, 31, "x.shape[0:]"),
    ("x = input(n, 4); x[:, a - 3:]", 1, 18, "x[:, a - 3:]"),
    ("x = input(7, 4); x[:, 1.5]", 1, 23, "1.5"),
    ("x = input(7, 4); x -> Dense(x.shape[0])", 1, 29, "x.shape[0]"),
    ("x = input(7, 4); x -> Dense(x.shape[3])", 1, 29, "x.shape[3]"),
    ("x = input(None, 4); x -> Dense(x.shape[1])", 1, 32, "x.shape[1]"),
    ("x = input(7, 4); x -> Dense(x.size)", 1, 29, "x.size"),
    ("x = input(7, 4) -> Dense(x.shape[-1])", 1, 26, "x.shape"),
    ("x = input(7, 4); x -> Dense(x)", 1, 29, "x"),
    ("block b(f) { Dense(f) }\nx = input(3)\nx -> b(x)", 1, 20, "f"),
    ("x = input(3); let y = 3; y[0]", 1, 26, "y[0]"),
    ("x = input(3); Dense(3, foo=x)", 1, 24, "foo=x"),
    ("convention torch\nx = input(7, 4); x[:, ::-1]", 2, 18, "x[:, ::-1]"),
    ("a = input(3); b = input(3); a -> Add(a, b)", 1, 34, "Add(a, b)"),
    ("a = input(3); b = input(3); a -> Add()(a, b)", 1, 34, "Add()(a, b)"),
    (
        "block up(f, skip) { Dense(f) -> Concatenate(input, skip) }\nx = input(4)\nx -> up(4, x)",
        1,
        33,
        "Concatenate(input, skip)",
    ),
    (
        "block up(f, skip) { u = Dense(f); Concatenate(u, skip) }\ninput(3) -> up(4, 3)",
        1,
        50,
        "skip",
    ),
    (
        "block up(f, skip) { u = Dense(f); Concatenate()([u, skip]) }\ninput(3) -> up(4, 3)",
        1,
        53,
        "skip",
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "culprit"), BAD)
def test_mistakes_are_positioned(text, line, column, culprit):
    code, out, err = cli("summary", "-e", text)
    assert (code, out) == (2, "")
    assert positioned(err) == (line, column, culprit)


def test_shape_of_a_name_not_yet_defined_says_so():
    # x is named when its statement ends: inside its own chain it is still a word
    code, _, err = cli("summary", "-e", "x = input(7, 4) -> Dense(x.shape[-1])")
    assert code == 2
    assert "no tensor named 'x' is defined here" in err


# several outputs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "names", "message"),
    [
        (
            "LSTM(4, return_state=true)",
            2,
            "2 names for 3 tensors: lstm (LSTM) returns 3 (the output and the states h and c)",
        ),
        ("GRU(4, return_state=true)", 3, "3 names for 2 tensors: gru (GRU) returns 2"),
        (
            "LSTM(4)",
            2,
            "2 names for 1 tensor: lstm (LSTM) returns 1; an RNN returns its states "
            "with return_state=true",
        ),
        (
            "Bidirectional(LSTM(4), merge_mode=None)",
            3,
            "3 names for 2 tensors: bidirectional "
            "(Bidirectional) returns 2 (the forward and the backward outputs)",
        ),
    ],
)
def test_unpacking_checks_the_count(layer, names, message):
    text = ", ".join(f"t{i}" for i in range(names)) + f" = input(5, 3) -> {layer}"
    with pytest.raises(SymcountError, match=message.replace("(", r"\(").replace(")", r"\)")):
        symcount.parse(text)


def test_unpacked_tensors_are_named_and_used():
    m = symcount.parse(
        "x = input(5, 3)\nout, h, c = x -> LSTM(4, return_state=true)\n"
        "Concatenate(h, c) -> Dense(2)"
    )
    assert [r.type for r in m.rows] == ["LSTM", "Concatenate", "Dense"]
    assert m.rows[1].inputs == ("h", "c")
    assert m.rows[-1].output_shape == (2,)
    bi = symcount.parse("a, b = input(5, 3) -> Bidirectional(LSTM(4), merge_mode=None)\nAdd(a, b)")
    assert bi.rows[-1].output_shape == (4,)


# call keywords that take tensors --------------------------------------------------


@pytest.mark.parametrize(
    ("rnn", "states", "error"),
    [
        ("LSTM(4)", "[h, c]", None),
        ("LSTM(4, return_sequences=true)", "[h, c]", None),
        ("GRU(4)", "[h]", None),
        ("GRU(4)", "h", None),
        ("SimpleRNN(4)", "[c]", None),
        ("LSTM(4)", "[h]", "initial_state takes 2 tensors (h and c), got 1"),
        ("LSTM(4)", "[h, c, h]", "initial_state takes 2 tensors (h and c), got 3"),
        ("GRU(4)", "[h, c]", "initial_state takes 1 tensor (h), got 2"),
        ("LSTM(5)", "[h, c]", "initial_state[0] must have shape (None, 5) (units), got (None, 4)"),
        ("GRU(4)", "[x]", "initial_state[0] must have shape (None, 4) (units), got (None, 5, 3)"),
    ],
)
def test_initial_state_is_checked(rnn, states, error):
    text = (
        "x = input(5, 3)\n_, h, c = x -> LSTM(4, return_state=true)\n"
        f"{rnn}(x, initial_state={states})"
    )
    if error is None:
        m = symcount.parse(text)
        assert m.rows[-1].params == symcount.parse(f"input(5, 3) -> {rnn}").rows[0].params
    else:
        with pytest.raises(SymcountError, match=re.escape(error)):
            symcount.parse(text)


def test_initial_state_only_where_a_layer_takes_it():
    with pytest.raises(SymcountError, match="calling Dense takes no keyword 'initial_state'"):
        symcount.parse("x = input(3)\nDense(4)(x, initial_state=[x])")


@pytest.mark.parametrize(
    ("listed", "positional"),
    [
        ("Concatenate()([a, b])", "Concatenate(a, b)"),
        ("Concatenate(axis=-1)([a, b])", "Concatenate(a, b, axis=-1)"),
        ("Add()([a, a])", "Add(a, a)"),
        ("Multiply()((a, a))", "Multiply(a, a)"),
    ],
)
def test_a_list_of_tensors_is_the_inputs(listed, positional):
    head = "a = input(4, 3)\nb = input(4, 5)\n"
    one, two = symcount.parse(head + listed), symcount.parse(head + positional)
    assert one.rows[0].output_shape == two.rows[0].output_shape
    assert one.rows[0].inputs == two.rows[0].inputs


def test_a_tensor_as_the_value_of_a_call_keyword():
    m = symcount.parse(
        "q = input(5, 8)\nv = input(6, 8)\nmask = input(5, 6)\n"
        "MultiHeadAttention(2, 4)(q, v, attention_mask=mask)"
    )
    assert (
        m.total
        == symcount.parse("q = input(5, 8)\nv = input(6, 8)\nMultiHeadAttention(2, 4)(q, v)").total
    )


# blocks that take tensors --------------------------------------------------------


UP = """
block up(f, skip) {
  u = Conv2DTranspose(f, 2, strides=2)
  Concatenate(u, skip) -> Conv2D(f, 3, padding=same)
}
x = input(32, 32, 3) -> Conv2D(8, 3, padding=same)
p = x -> MaxPooling2D
"""


@pytest.mark.parametrize(
    "call", ["p -> up(16, x)", "p -> up(f=16, skip=x)", "up(p, 16, x)", "p -> up(16, skip=x)"]
)
def test_a_block_takes_a_tensor(call):
    m = symcount.parse(UP + call)
    block = m.rows[-1]
    assert block.output_shape == (32, 32, 16)
    # Conv2DTranspose 8 -> 16 (2x2), then a 3x3 Conv2D on 16 + 8 channels
    assert block.params == (2 * 2 * 8 * 16 + 16) + (3 * 3 * 24 * 16 + 16)
    assert block.notes == ["block up(f=16, skip=x)"]


def test_a_block_formula_with_a_tensor_parameter():
    """explain's general form: the count in f, the skip's 8 channels fixed."""
    import sympy

    m = symcount.parse(UP + "p -> up(16, x)")
    f = sympy.Symbol("f", positive=True, integer=True)
    general = sympy.sympify(m.rows[-1].formula.general, locals={"f": f})  # our own text
    # Conv2DTranspose(f, 2) on 8 channels, Conv2D(f, 3) on f + 8
    assert sympy.expand(general - ((2 * 2 * 8 * f + f) + (9 * (f + 8) * f + f))) == 0


def test_a_number_where_a_tensor_belongs():
    with pytest.raises(SymcountError, match="expected a layer"):
        symcount.parse(UP.replace("Concatenate(u, skip)", "skip") + "p -> up(16, 3)")


# x.shape[i] ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("x.shape[-1]", 6),
        ("x.shape[1]", 4),
        ("x.shape[2]", 5),
        ("x.shape[-2] * 2", 10),
        ("x.shape[-1] // 4", 1),
    ],
)
def test_a_tensors_sizes(expr, value):
    m = symcount.parse(f"x = input(4, 5, 6)\nx -> Dense({expr})")
    assert m.rows[-1].output_shape == (4, 5, value)


def test_input_shape_inside_a_block_squeeze_excite():
    """keras.applications' squeeze-and-excite: filters = inputs.shape[-1]."""
    se = """
block se(r) {
  s = GlobalAveragePooling2D(keepdims=true) -> Dense(input.shape[-1] // r, activation=relu)
  s = s -> Dense(input.shape[-1], activation=sigmoid)
  Multiply(input, s)
}
input(8, 8, c) -> se(4)
"""
    m = symcount.parse(se)
    import sympy

    c = sympy.Symbol("c", positive=True, integer=True)
    total = m.total.subs(c, 32)
    assert total == (32 * 8 + 8) + (8 * 32 + 32)
    assert m.rows[-1].output_shape[-1] == c


def test_shape_under_torch_is_batch_first_too():
    m = symcount.parse(
        "convention torch\nx = input(3, 8, 8)\nx -> Conv2d(x.shape[1], 2 * x.shape[1], 1)"
    )
    assert m.rows[-1].output_shape == (6, 8, 8)


# indexing, against the frameworks ----------------------------------------------------


def _index_text(items) -> str:
    out = []
    for it in items:
        if it is None:
            out.append("None")
        elif it is Ellipsis:
            out.append("...")
        elif isinstance(it, slice):
            parts = ["" if v is None else str(v) for v in (it.start, it.stop, it.step)]
            out.append(":".join(parts if it.step is not None else parts[:2]))
        else:
            out.append(str(it))
    return ", ".join(out)


@st.composite
def indexings(draw, negative_step=True):
    rank = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=rank, max_size=rank)))
    items = [slice(None)]
    left = rank
    ellipsis = False
    for _ in range(draw(st.integers(0, rank + 1))):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        if kind == "none":
            items.append(None)
            continue
        if kind == "ellipsis":
            if not ellipsis:
                ellipsis = True
                items.append(Ellipsis)
            continue
        if left == 0:
            break
        n = shape[rank - left]
        left -= 1
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        else:
            bound = st.none() | st.integers(-8, 8)
            steps = st.none() | st.sampled_from([1, 2, 3] + ([-1, -2] if negative_step else []))
            items.append(slice(draw(bound), draw(bound), draw(steps)))
    return shape, tuple(items)


def _ours(shape, items, convention="keras"):
    text = (
        f"convention {convention}\nx = input({', '.join(map(str, shape))})\nx[{_index_text(items)}]"
    )
    try:
        return symcount.parse(text).rows[-1].output_shape
    except SymcountError as e:
        return ("error", e.message)


@settings(max_examples=150, deadline=None)
@given(indexings(negative_step=False))
def test_indexing_matches_torch(case):
    torch = pytest.importorskip("torch")
    shape, items = case
    got = _ours(shape, items, "torch")
    try:
        want = tuple(torch.zeros((2, *shape))[items].shape)
    except IndexError:  # torch refuses it: so does symcount
        assert got[0] == "error"
        return
    if 0 in want:
        assert got[0] == "error" and "size 0" in got[1]
    elif want[:1] != (2,):  # the batch axis moved (None before it)
        assert got[0] == "error"
    else:
        assert got == want[1:]


@settings(max_examples=150, deadline=None)
@given(indexings())
def test_indexing_matches_keras(case):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    shape, items = case
    got = _ours(shape, items)
    try:
        t = keras.Input(shape)[items]
    except (IndexError, ValueError):  # Keras refuses it: so does symcount
        assert got[0] == "error"
        return
    want = tuple(t.shape)
    if 0 in want[1:] or not want or want[0] is not None:
        assert got[0] == "error"
    else:
        assert got == want[1:]
        assert type(t._keras_history[0]).__name__ == "GetItem"


def test_indexing_is_a_get_item_row_named_as_keras_names_it():
    m = symcount.parse("x = input(7, 5)\na = x[:, 0]\nb = x[:, 1:] -> Dense(3)")
    assert [(r.name, r.type, r.params) for r in m.rows] == [
        ("get_item", "GetItem", 0),
        ("get_item_1", "GetItem", 0),
        ("dense", "Dense", 18),
    ]
    assert m.rows[0].output_shape == (5,)
    assert m.rows[1].output_shape == (6, 5)


@pytest.mark.parametrize(
    ("index", "shape"),
    [
        (":, 1:", ("T - 1", "d")),
        (":, 0", ("d",)),
        ("..., :2", ("T", "Min(2, d)")),
        (":, ::2", ("ceiling(T/2)", "d")),
        (":, :-1", ("T - 1", "d")),
        (":, None", (1, "T", "d")),
        (":, :k", ("Min(T, k)", "d")),
        (":, T - 1:", (1, "d")),
        (":, -k:", ("Max(0, T - Max(0, T - k))", "d")),
    ],
)
def test_indexing_a_symbolic_axis(index, shape):
    """Python's clipping kept where the symbols' signs do not decide it (:k on
    T entries keeps Min(T, k)); a symbol is positive, so 1: keeps T - 1."""
    m = symcount.parse(f"x = input(T, d)\nx[{index}]")
    assert tuple(str(d) for d in m.rows[-1].output_shape) == tuple(str(d) for d in shape)


def test_shape_reads_match_keras_squeeze_excite_and_expansion():
    """keras.applications' squeeze-and-excite (filters = inputs.shape[-1]) and
    MobileNetV2's expansion (Conv2D(6 * inputs.shape[-1], 1)), built in Keras."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    layers = keras.layers
    for c, r in ((32, 4), (24, 8), (96, 16)):
        inputs = keras.Input((8, 8, c))
        filters = inputs.shape[-1]
        s = layers.GlobalAveragePooling2D(keepdims=True)(inputs)
        s = layers.Dense(filters // r, activation="relu")(s)
        s = layers.Dense(filters, activation="sigmoid")(s)
        x = layers.Multiply()([inputs, s])
        x = layers.Conv2D(6 * x.shape[-1], 1)(x)
        real = keras.Model(inputs, x)
        ours = symcount.parse(
            "block se(r) {\n"
            "  s = GlobalAveragePooling2D(keepdims=true) -> Dense(input.shape[-1] // r)\n"
            "  s = s -> Dense(input.shape[-1], activation=sigmoid)\n"
            "  Multiply()([input, s])\n"
            "}\n"
            f"x = input(8, 8, {c}) -> se({r})\n"
            "x -> Conv2D(6 * x.shape[-1], 1)"
        )
        assert ours.total == real.count_params()
        assert ours.rows[-1].output_shape == tuple(real.output.shape[1:])


def test_a_call_keywords_tensors_are_listed_as_inputs():
    """As Keras's summary connects lstm_1 to the input and lstm's two states."""
    m = symcount.load("examples/seq2seq_lstm.sc")
    assert [r.inputs for r in m.rows] == [
        ("encoder_inputs",),
        ("decoder_inputs", "state_h", "state_c"),
        ("decoder_lstm_out",),
    ]


def test_a_shape_sliced_is_a_tuple():
    m = symcount.parse("x = input(4, 6)\ny = x -> Flatten\ny -> Reshape(x.shape[1:])")
    assert m.rows[-1].output_shape == (4, 6)
    with pytest.raises(SymcountError, match="holds None"):
        symcount.parse("x = input(4, 6)\nx -> Reshape(x.shape[0:])")
