"""A real framework layer symcount lacks is named as one (issue 11, point 5);
a misspelling still gets the closest name; the stored lists are the
installed frameworks' own."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import symcount
from symcount.conventions import rules_for
from symcount.conventions.framework_layers import KERAS, TORCH
from symcount.errors import UnknownLayerError

ROOT = Path(__file__).resolve().parents[1]


def _error(text: str) -> UnknownLayerError:
    with pytest.raises(UnknownLayerError) as info:
        symcount.parse(text)
    return info.value


def _model(convention: str, layer: str) -> str:
    head = "convention torch\n" if convention == "torch" else ""
    return f"{head}input(8) -> {layer}()\n"


def _unsupported(convention: str, names) -> list[str]:
    return sorted(set(names) - set(rules_for(convention).rules))


@pytest.mark.parametrize(
    ("convention", "framework", "names"), [("keras", "Keras", KERAS), ("torch", "torch.nn", TORCH)]
)
def test_every_unsupported_real_layer_says_so_without_a_suggestion(convention, framework, names):
    missing = _unsupported(convention, names)
    assert missing, "every layer supported: the list or this test is stale"
    for name in missing:
        e = _error(_model(convention, name))
        assert e.message == f"`{name}` is a {framework} layer that symcount does not support yet"
        assert e.hint is None


@pytest.mark.parametrize(
    ("convention", "written", "message", "hint"),
    [
        ("keras", "Dnse", "'Dnse' is not a keras layer", "did you mean 'Dense'?"),
        (
            "keras",
            "MelSpectrogam",
            "'MelSpectrogam' is not a keras layer",
            "did you mean 'MelSpectrogram'? (a Keras layer that symcount does not support yet)",
        ),
        (
            "keras",
            "Zzyzx",
            "'Zzyzx' is not a keras layer; `symcount layers` lists the layers it knows",
            None,
        ),
        ("torch", "Lineer", "'Lineer' is not a torch layer", "did you mean 'Linear'?"),
        (
            "torch",
            "MaxUnpool2D",
            "'MaxUnpool2D' is not a torch layer",
            "did you mean 'MaxUnpool2d'? (a torch.nn layer that symcount does not support yet)",
        ),
    ],
)
def test_a_misspelling_gets_the_closest_name(convention, written, message, hint):
    e = _error(_model(convention, written))
    assert (e.message, e.hint) == (message, hint)


def test_a_supported_layer_is_in_its_framework_list():
    # the lists are the frameworks' exports; a row for a name they lack is symcount's own
    # (keras_hub's layers, torch's merges): a check that the lists are not empty or wrong
    assert {"Dense", "Conv2D", "LSTM", "Discretization"} <= KERAS
    assert {"Linear", "Conv2d", "LSTM", "Fold"} <= TORCH


def _tool():
    spec = importlib.util.spec_from_file_location(
        "framework_layers", ROOT / "tools" / "framework_layers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stored_lists_are_the_installed_frameworks():
    for framework in ("keras", "torch"):
        if importlib.util.find_spec(framework) is None:
            pytest.skip(f"{framework} is not installed: the stored lists cannot be checked")
    tool = _tool()
    text = (ROOT / "symcount" / "conventions" / "framework_layers.py").read_text()
    if tool.keras_layers()[0] not in text or tool.torch_layers()[0] not in text:
        pytest.skip("another Keras or torch version is installed than the lists were read from")
    assert tool.render() == text, "run tools/framework_layers.py"
    assert "keras" in sys.modules
