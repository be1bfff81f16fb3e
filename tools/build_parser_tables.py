"""Write grammar/tables.py: the LALR tables of grammar/symcount.lark, as Python literals.

Run after any change to the grammar (tests/test_limits_safety.py fails while the
tables are stale; symcount then builds the tables at every start, correct but
about 100 ms slower). The tables are a module of the package, read by the import
system like any other: no pickle, no cache file in a directory another user
could write (docs/limits.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symcount import syntax  # noqa: E402


def main() -> int:
    target = ROOT / "grammar" / "tables.py"
    target.write_text(syntax.tables_module_text(), "utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
