"""``summary --latex``: the table (and ``--standalone``'s document), with
``--leading``'s dominant term after it, as the text summary has it."""

from __future__ import annotations


def summary(args, parser, model, leading) -> str:
    """``leading``: cli's --leading, given the LaTeX renderer of its report."""
    from ..render.latex import model_latex
    from ..render.latex_leading import leading_latex

    lead = leading(args, parser, model, leading_latex) if args.leading else None
    return model_latex(
        model, standalone=args.standalone, expand=args.expand, depth=args.depth, leading=lead
    )
