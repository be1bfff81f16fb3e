"""A griffe extension (mkdocs.yml): the methods symcount.api attaches to Model and Row.

``symcount/api.py`` defines Model's algebra, solving, LaTeX and summary
methods on ``_ModelMethods`` and attaches them to ``Model`` at import (the
data types import nothing above their layer, docs/architecture.md). griffe
reads the source without running it, so the API reference would not show
them on Model: this extension makes the same attachment in griffe's tree.
"""

from __future__ import annotations

import griffe

ATTACHED = {"_ModelMethods": "symcount.model.Model", "_RowMethods": "symcount.model.Row"}


class AttachedMethods(griffe.Extension):
    def on_package(self, *, pkg, **kwargs) -> None:
        if pkg.name != "symcount":
            return
        api = pkg["api"]
        for holder, target in ATTACHED.items():
            cls = pkg.modules_collection[target]
            for name, member in api[holder].members.items():
                if member.is_function and name not in cls.members:
                    cls.set_member(name, member)
