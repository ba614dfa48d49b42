"""The library's structure: imports flow one way, the orders-in layers keep to their floors, modules stay small."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aliexp_lib"
#: Modules (dotted names) still over the size limit, to be split; none today.
OVERSIZED: frozenset[str] = frozenset()
MAX_LINES = 400
#: What the importers and the case log may import of ours: the ground floor of "orders in".
GROUND_FLOOR = {
    "aliexp_lib.schema",
    "aliexp_lib.cells",
    "aliexp_lib.distinct",
    "aliexp_lib.values",
    "aliexp_lib.errors",
    "aliexp_lib.memory_guard",
    "aliexp_lib.money",
    "aliexp_lib.logfile",
    "aliexp_lib.safe_write",
    "aliexp_lib.own_marks",
    "aliexp_lib.sheet_scan",
    "aliexp_lib.workbook",
    "aliexp_lib.zip_parts",
}


def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (a package is its ``__init__``)."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that ``name`` imports anywhere in its file (inside functions too)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, one level up per extra dot
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # ``from package import module`` imports the module; ``from module import name`` the module.
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # ``import aliexp_lib.x.y`` names a module or a package
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


@cache
def _graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports; the package parsed once for every test here (read only)."""
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as a list of modules (the first one repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_walker_sees_imports_inside_functions_and_finds_a_cycle():
    graph = _graph()
    assert "aliexp_lib.caselog" in graph["aliexp_lib.views.widgets"]  # imported inside a function there
    assert "aliexp_lib.importers._common" in graph["aliexp_lib.importers.orders_csv"]  # ``from package import module``
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_no_import_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize(
    "name",
    [
        "aliexp_lib.caselog",
        "aliexp_lib.importers",
        "aliexp_lib.importers._common",
        "aliexp_lib.importers._parse",
        "aliexp_lib.importers._words",
        *[f"aliexp_lib.importers.{p.stem}" for p in (PACKAGE / "importers").glob("*.py") if not p.stem.startswith("_")],
    ],
)
def test_importers_and_the_case_log_build_on_the_ground_floor_only(name):
    imports = _graph()[name]
    beyond = {m for m in imports if m not in GROUND_FLOOR and not m.startswith("aliexp_lib.importers")}
    assert not beyond, f"{name} imports {sorted(beyond)}; allowed: {sorted(GROUND_FLOOR)} (and its own package)"


def test_the_ground_floor_imports_nothing_above_it():
    graph = _graph()
    for name in GROUND_FLOOR:
        assert graph[name] <= GROUND_FLOOR, f"{name} imports {sorted(graph[name] - GROUND_FLOOR)}"
    assert graph["aliexp_lib.schema"] == set()


def test_the_loader_imports_nothing_inside_a_function():
    tree = ast.parse((PACKAGE / "orders.py").read_text(encoding="utf-8"))
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        assert not any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(function)), function.name


def test_no_module_is_over_the_size_limit():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    over = {name: lines for name, lines in sizes.items() if lines > MAX_LINES and name not in OVERSIZED}
    assert not over, f"modules over {MAX_LINES} lines: {over}"
    assert all(sizes[name] > MAX_LINES for name in OVERSIZED), "split already: take it off OVERSIZED"
