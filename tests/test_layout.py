"""The package's shape, as docs/architecture.md draws it: small modules, and
imports that flow one way (every import counted, also those inside
functions, so a lazy import cannot hide a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "symcount"
MAX_LINES = 600

# Lower layers never import higher ones. A module's layer is the first entry
# naming it or a package holding it ("symcount" names only the package's
# __init__). The renderers sit below the analysis: they print a solve's
# answer without importing the solver, and a SolveResult prints itself
# through them. The CLI is a client of the API (symcount.parse, Model's
# methods), so it sits on top. The playground's server (symcount.serve) is
# another client of the API, which the CLI starts (symcount serve).
LAYERS = [
    ("base", "symcount.errors symcount.dims symcount.printing symcount.timelimit symcount.exact"),
    ("language", "symcount.language"),
    ("ops", "symcount.ops"),
    ("conventions", "symcount.conventions"),
    ("counting", "symcount.counting"),
    ("model", "symcount.model"),
    ("evaluation", "symcount.evaluation"),
    ("importers", "symcount.importers"),
    ("render", "symcount.render"),
    ("analysis", "symcount.analysis"),
    ("api", "symcount symcount.api"),
    ("serve", "symcount.serve"),
    ("cli", "symcount.cli symcount.__main__"),
]


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = modules()


def imports(name: str) -> set[str]:
    """The symcount modules ``name`` imports anywhere in its text."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            targets = [
                f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module
                for a in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def layer_of(name: str) -> int:
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes.split():
            if name == p or (p != "symcount" and name.startswith(p + ".")):
                return i
    raise AssertionError(f"{name} is in no layer of tests/test_layout.py's LAYERS")


def lines(name: str) -> int:
    return MODULES[name].read_text().count("\n")


def upward(name: str) -> list[str]:
    mine = layer_of(name)
    return sorted(t for t in GRAPH[name] if layer_of(t) > mine)


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan's, iteratively)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = set()
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.add(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(comp)
    return found


CYCLES = cycles(GRAPH)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    assert lines(name) <= MAX_LINES, (
        f"{MODULES[name]} has {lines(name)} lines (at most {MAX_LINES})"
    )


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_flow_down(name):
    up = upward(name)
    assert not up, f"{name} ({LAYERS[layer_of(name)][0]}) imports higher layers: {up}"


def test_no_import_cycle():
    assert not CYCLES, f"import cycles: {[sorted(c) for c in CYCLES]}"


def test_ops_and_conventions_never_import_formula():
    """An op describes a formula it does not derive (ops.spec.Copies); the
    model's formula.py writes it out, so formula.py can sit above the ops."""
    below = [n for n in MODULES if n.startswith(("symcount.ops", "symcount.conventions"))]
    assert len(below) > 15  # both packages seen (19 modules today)
    assert [n for n in below if "symcount.model.formula" in GRAPH[n]] == []


def test_each_role_is_a_package():
    """Only the base modules and the API sit at the top; every other module
    lives in its role's package, which is its layer."""
    top = {n for n in MODULES if n.count(".") == 1}
    base = set(LAYERS[0][1].split())
    assert top == base | {"symcount.api", "symcount.__main__"} | {
        f"symcount.{role}" for role, _ in LAYERS[1:] if role != "api"
    }
    for name in MODULES:
        role = LAYERS[layer_of(name)][0]
        if role not in ("base", "api") and name != "symcount.__main__":
            assert name.split(".")[1] == role, name


# the checks themselves, on made-up graphs and names


def test_cycles_finds_each_strongly_connected_component():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert sorted(map(sorted, cycles(graph))) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    ("name", "layer"),
    [
        ("symcount", "api"),
        ("symcount.api", "api"),
        ("symcount.errors", "base"),
        ("symcount.render.latex", "render"),
        ("symcount.analysis.solve.problem", "analysis"),
        ("symcount.ops.conv", "ops"),
        ("symcount.cli.diff", "cli"),
        ("symcount.serve.handlers", "serve"),
        ("symcount.cli.serve", "cli"),
    ],
)
def test_layer_of(name, layer):
    assert LAYERS[layer_of(name)][0] == layer


def test_every_module_has_a_layer_and_is_read():
    assert "symcount.model" in GRAPH["symcount.evaluation.evaluator"]  # a top-level import
    assert "symcount.analysis.algebra" in GRAPH["symcount.api"]  # one inside a function
    for name in MODULES:
        layer_of(name)


@pytest.mark.parametrize(
    ("cls", "names"),
    [
        (
            "Model",
            "simplify expand factor collect leading solve to_latex"
            " _repr_html_ _repr_latex_ _repr_markdown_",
        ),
        ("Row", "_repr_html_ _repr_latex_ _repr_markdown_"),
    ],
)
def test_the_methods_that_reach_higher_layers_are_the_apis(cls, names):
    import symcount

    for name in names.split():
        fn = getattr(getattr(symcount, cls), name)
        assert (fn.__module__, fn.__qualname__) == ("symcount.api", f"{cls}.{name}")
