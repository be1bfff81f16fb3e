"""What a layer's call costs, beside its shapes: the op's own MACs, or the
counting in force's (symcount.counting), and the call's output sizes for the
activation-memory figures (counting/activations.py)."""

from __future__ import annotations

from ..counting.activations import with_outputs
from ..errors import ArgumentError


class CostsMixin:
    """The Evaluator's costs of a call."""

    def call_costs(self, spec, shape, out, keywords=None) -> dict:
        """The costs a call's row records: none for a block formula's dry run,
        which reads the weights only (explain works out formulas by dry runs)."""
        if self.dry:
            return out.costs
        costs = out.costs if self.counting is None else self.counted(spec, shape, out, keywords)
        return with_outputs(costs, out, spec.type_name, spec.ns, shape)

    def counted(self, spec, shape, out, keywords=None) -> dict:
        """The call's costs under the counting in force."""
        if why := self.counting.refusal(self.convention):
            raise ArgumentError(why, spec.span)
        # reads a tensor no gradient is computed for (a model input): training-exact
        first = any(t.node is not None and self.graph.needs_no_grad(t.node) for t in self.reading)
        return self.counting.of(
            spec.type_name, spec.rule.name, spec.ns, shape, out, self.convention, first, keywords
        )
