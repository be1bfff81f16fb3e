"""Analysis: counts rewritten (simplify, factor, --let, leading terms) and solved for sizes."""
