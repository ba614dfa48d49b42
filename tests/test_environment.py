"""pip and conda alike: every package the library imports is declared, and environment.yml lists the same."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"playwright": "playwright-python", "dask": "dask-core"}


def requirement(text: str) -> tuple[str, str]:
    """``"pandas>=2.2"`` -> ``("pandas", ">=2.2")``; extras dropped: ``"dask[dataframe]>=1"`` -> ``("dask", ">=1")``."""
    name, spec = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[[^]]*\])?\s*(.*?)\s*$", text).groups()
    return name.lower(), spec.replace(" ", "")


def declared() -> dict[str, str]:
    project = PYPROJECT["project"]
    return dict(requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]])


def conda_packages() -> dict[str, str]:
    """The conda packages of environment.yml (its pip section and python itself left out)."""
    packages = {}
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for line in text.split("\ndependencies:\n", 1)[1].splitlines():
        found = re.match(r"^  - ([A-Za-z0-9_.-]+[^#]*?)\s*(?:#.*)?$", line)
        if found:
            name, spec = requirement(found.group(1))
            if name not in ("pip", "python"):
                packages[name] = spec
    return packages


def test_every_package_the_library_imports_is_a_declared_dependency():
    imported = set()
    for path in (ROOT / "aliexp_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"aliexp_lib", "__future__"}
    distributions = packages_distributions()
    undeclared = {m: distributions.get(m) for m in third_party if not set(distributions.get(m, [m])) & set(declared())}
    assert undeclared == {}


def test_environment_yml_lists_every_dependency_of_pyproject_with_the_same_versions():
    wanted = {CONDA_NAMES.get(name, name): spec for name, spec in declared().items()}
    assert conda_packages() == wanted
