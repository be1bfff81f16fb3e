"""The CLI's reading of a Hugging Face config.json (docs/huggingface.md), and
of a Keras model config on standard input (docs/keras_json.md)."""

from __future__ import annotations

from ..errors import SymcountError


def hf_config(args, path, text) -> dict | None:
    """--model-class and --symbolic of a Hugging Face config.json, or None
    when the file is not one (docs/huggingface.md)."""
    from ..importers.hf_config import is_hf_config

    hf = {"model_class": args.model_class, "symbolic": args.symbolic}
    if (path is None or path.endswith(".json")) and is_hf_config(text):  # a file, or stdin
        return hf
    if args.model_class or args.symbolic:
        raise SymcountError("--model-class and --symbolic are for a Hugging Face config.json")
    return None


def keras_on_stdin(args, text) -> bool:
    """Standard input that is a Keras model config (model.to_json()), known by
    its content as a .json file is by its name."""
    from ..importers.keras_json import looks_like_keras_json

    return args.file == "-" and args.expr is None and looks_like_keras_json(text)
