"""The answer of a solve: :class:`SolveResult` and its rows, :class:`Solution`."""

from __future__ import annotations

from dataclasses import dataclass, field

from ... import printing as P
from ...model.quantities import lookup


@dataclass(frozen=True, slots=True)
class Solution:
    """One feasible assignment: ``values`` of the unknowns (and of symbols
    given by relations), the ``count`` there, ``distance = count - target``."""

    values: dict
    count: int
    distance: int
    kind: str  # "exact", "below" or "above"


@dataclass(slots=True)
class SolveResult:
    """What :func:`solve` returns; ``solutions`` are sorted closest first."""

    expression: object  # the count solved, after values and relations (SymPy or int)
    of: str  # the quantity's label (symcount.model.quantities): "total", "trainable", ...
    unknowns: tuple
    target: int
    mode: str  # "exact", "at_most" or "at_least"
    solutions: list
    found: int = 0  # feasible rows found before keeping the closest ``limit``
    complete: bool = True  # False when the exact solutions were too many to list
    constraints: list = field(default_factory=list)  # text of each constraint
    # the constraints the model's sizes add on their own, each with where it is from:
    # {"constraint": "d % 16 == 0", "size": "d/16", "layer": "multi_head_attention", "what": "key_dim"}
    implied: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    count_text: str = ""  # how the count is printed ("total params"); default: its quantity's
    # a per-call count's convention and batch: {"convention": "default", "batch": 1}
    compute: dict | None = None
    # a memory count's dtype, optimizer and batch: {"dtype": "float32", "optimizer": "adam", ...}
    memory: dict | None = None

    @property
    def what(self) -> str:
        """``total params``: the count solved, as the text and the JSON name it."""
        return self.count_text or lookup(self.of).spoken

    @property
    def exact(self) -> bool:
        """Whether some solution hits the target exactly."""
        return any(s.distance == 0 for s in self.solutions)

    @property
    def best(self) -> Solution | None:
        return self.solutions[0] if self.solutions else None

    def to_dict(self) -> dict:
        return {
            "count": self.what,
            "expression": P.json_value(self.expression),
            "unknowns": list(self.unknowns),
            "target": self.target,
            "mode": self.mode,
            "constraints": list(self.constraints),
            "implied": [dict(c) for c in self.implied],
            "exact": self.exact,
            "complete": self.complete,
            "solutions": [
                {"values": dict(s.values), "count": s.count, "distance": s.distance, "kind": s.kind}
                for s in self.solutions
            ],
            "notes": list(self.notes),
            **(
                {
                    "compute": {
                        "convention": self.compute["convention"],
                        "batch": P.json_value(self.compute["batch"]),
                    }
                }
                if self.compute
                else {}
            ),
            **(
                {"memory": {**self.memory, "batch": P.json_value(self.memory["batch"])}}
                if self.memory
                else {}
            ),
        }

    def text(self) -> str:
        from ...render.solve import solve_text

        return solve_text(self)

    def __str__(self) -> str:
        return self.text()

    # rich display in Jupyter (symcount.render.notebook)
    def _repr_html_(self) -> str:
        from ...render.notebook import solve_html

        return solve_html(self)

    def _repr_latex_(self) -> str:
        from ...render.notebook import solve_latex

        return solve_latex(self)

    def _repr_markdown_(self) -> str:
        from ...render.notebook import solve_markdown

        return solve_markdown(self)
