"""training_bytes: the weights, their gradients, the optimizer's state and
the activations kept for the backward pass, as one count to size a batch by
("the batch that fits 80 GB for training")."""

from __future__ import annotations

import json

import pytest

import symcount
from symcount.cli import main

GPT2 = ["--set", "V=50257", "--set", "T=1024", "--set", "d=768", "--set", "h=12", "--set", "L=12"]


def test_the_parts_add_up_on_the_mnist_cnn(capsys):
    argv = ["summary", "examples/mnist_cnn.sc", "--memory", "--optimizer", "adam"]
    assert main([*argv, "--activations", "torchinfo", "--format", "json"]) == 0
    mem = json.loads(capsys.readouterr().out)["memory"]
    params = 2_663_678
    assert mem["param_bytes"] == mem["grad_bytes"] == 4 * params
    assert mem["optimizer_bytes"] == 8 * params
    assert mem["training_activation_bytes"] == 296_784  # torchinfo's forward/backward pass
    assert mem["training_bytes"] == 16 * params + 296_784 == 42_915_632
    assert main([*argv, "--activations", "torchinfo"]) == 0
    assert " Training memory: 42,915,632 bytes" in capsys.readouterr().out


def test_training_bytes_is_only_listed_with_both_halves(capsys):
    assert (
        main(
            [
                "summary",
                "examples/mnist_cnn.sc",
                "--memory",
                "--optimizer",
                "adam",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert "training_bytes" not in json.loads(capsys.readouterr().out)["memory"]


@pytest.mark.parametrize(
    ("dtype", "per_sample", "fixed", "batch"),
    [
        ("float32", 1_034_559_488, 16 * 124_439_808, 75),
        ("mixed", 517_279_744, 16 * 124_439_808, 150),  # half activations, 2+2+12 bytes a weight
    ],
)
def test_the_batch_that_fits_80_gb_for_training(dtype, per_sample, fixed, batch, capsys):
    argv = [
        "solve",
        "examples/gpt2.sc",
        "--count",
        "training_bytes",
        "--budget",
        "80e9",
        "--for",
        "B",
    ]
    argv += ["--batch", "B", "--optimizer", "adam", "--dtype", dtype, *GPT2, "--format", "json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["expression"] == f"{per_sample}*B + {fixed}"
    assert out["solutions"][0]["values"] == {"B": batch}
    assert fixed + batch * per_sample <= 80e9 < fixed + (batch + 1) * per_sample
    assert out["memory"] == {"dtype": dtype, "optimizer": "adam", "batch": "B"}


def test_symbolic_training_bytes_substitute():
    m = symcount.parse("input(T, 8) -> LSTM(u)").with_memory(optimizer="adam")
    m = m.showing("training_activation_bytes", "training_bytes")
    at = m.subs(T=10, u=4)
    assert at.sum("training_bytes") == at.sum("param_bytes") + at.sum("grad_bytes") + at.sum(
        "optimizer_bytes"
    ) + at.sum("training_activation_bytes")
    assert at.sum("training_bytes") == 16 * 4 * 4 * (8 + 4 + 1) + 2 * 4 * 4


def test_diff_shows_each_sides_bytes(capsys):
    """Keras's moving statistics are parameters, torch's running ones buffers
    (with an int64 batch count): the same bytes but 8."""
    assert (
        main(
            [
                "diff",
                "examples/torch_vs_keras_bn.sc",
                "--memory",
                "--optimizer",
                "adam",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    bn = next(r for r in out["rows"] if r["name"] == "batch_normalization")
    assert (bn["keras_param_bytes"], bn["torch_param_bytes"]) == (4 * 128, 4 * 129 + 4)
    assert bn["keras_grad_bytes"] == bn["torch_grad_bytes"] == 4 * 64  # gamma/beta, weight/bias
    assert bn["keras_optimizer_bytes"] == bn["torch_optimizer_bytes"] == 8 * 64
    assert main(["diff", "examples/torch_vs_keras_bn.sc", "--memory"]) == 0
    text = capsys.readouterr().out
    assert "parameter bytes: 52,435,032" in text and "parameter bytes: 52,435,040" in text
