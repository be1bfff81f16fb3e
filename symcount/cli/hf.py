"""The CLI's reading of a Hugging Face config.json (docs/huggingface.md)."""

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
