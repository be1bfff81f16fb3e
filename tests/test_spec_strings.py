"""The argument spec strings of the convention tables (ops.spec.parse_args):
what each word means, and a typo failing at import with the row named."""

from __future__ import annotations

from typing import ClassVar

import pytest

from symcount.conventions.base import Convention, layer, weight_table
from symcount.ops.spec import REQUIRED, Arg, a, parse_args


@pytest.mark.parametrize(
    ("word", "arg"),
    [
        ("activation", Arg("activation")),
        ("units:dim!", Arg("units", "dim", REQUIRED)),
        ("use_bias:bool=true", Arg("use_bias", "bool", True)),
        ("center:bool=false", Arg("center", "bool", False)),
        ("strides:dims(2)=1", Arg("strides", "dims", (1, 1), rank=2)),
        ("strides:dims(3)", Arg("strides", "dims", None, rank=3)),
        ("kernel_size:dims(1)!", Arg("kernel_size", "dims", REQUIRED, rank=1)),
        ("p:number=0.5", Arg("p", "number", 0.5)),
        ("eps:number=1e-5", Arg("eps", "number", 1e-5)),
        ("l1:number=0", Arg("l1", "number", 0)),
        ("axis:axis=-1", Arg("axis", "axis", -1)),
        ("padding:valid|same=valid", Arg("padding", "enum", "valid", ("valid", "same"))),
        ("approximate:none|tanh=none", Arg("approximate", "enum", "none", ("none", "tanh"))),
        ("mode:a|b?", Arg("mode", "enum", None, ("a", "b"), allow_none=True)),
        ("norm:layer?", Arg("norm", "layer", None, allow_none=True)),
        ("momentum:number?=0.1", Arg("momentum", "number", 0.1, allow_none=True)),
        ("cropping:pads(2)=0", Arg("cropping", "pads", ((0, 0), (0, 0)), rank=2)),
        ("proj_size:dims0(1)=0", Arg("proj_size", "dims0", (0,), rank=1)),
    ],
)
def test_a_word_reads_as_one_argument(word, arg):
    assert parse_args(word) == (arg,)


def test_words_and_args_keep_their_order():
    got = parse_args("x:dim! y", a("z", "pads", ((1, 1),)), "w:bool=true")
    assert [x.name for x in got] == ["x", "y", "z", "w"]
    assert got[2].default == ((1, 1),)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("units:dimm!", "no argument kind 'dimm'"),
        ("padding:valid|same=vaild", "'vaild' is not one of its choices"),
        ("units:dim! units:dim", "argument 'units' given twice"),
        ("units:dim!=3", "cannot read the argument"),
        ("kernel:dims(x)", "cannot read the argument"),
    ],
)
def test_a_typo_is_refused(text, why):
    with pytest.raises(ValueError, match=why.replace("(", r"\(").replace("|", r"\|")):
        parse_args(text)


def test_a_typo_in_a_table_fails_when_it_compiles_naming_the_row():
    class Broken(Convention):
        LAYERS: ClassVar[dict] = {
            "Fine": layer("dense", "units:dim!"),
            "Dense": layer("dense", "units:dimm!"),
        }

    with pytest.raises(ValueError, match=r"Broken.LAYERS\['Dense'\]: 'units:dimm!': no argument"):
        Broken.entries()


def test_op_names_and_weights_read_off_strings():
    row = layer(
        "dense",
        "in_features>c_in:dim! out_features>units:dim!",
        weights="kernel=weight(units, c_in) bias(units)",
    )
    assert row.names == {"in_features": "c_in", "out_features": "units"}
    assert row.weights == {"kernel": "weight(units, c_in)", "bias": "bias(units)"}
    assert row.doc.startswith("A kernel (c_in, units)")  # the op's docstring by default
    assert weight_table("q=query/kernel(d_q, heads, kd) bias_k(1, 1, inner)") == {
        "q": "query/kernel(d_q, heads, kd)",
        "bias_k": "bias_k(1, 1, inner)",
    }
    bad = layer("dense", "units:dim!", weights="kernel(c_in, units) bias units)")
    assert bad.problem.startswith("cannot read the weights")
