"""The code's shape, as the developers' brief asks it (read from the sources, nothing run):

- no module in pipeline/ over 450 lines, no function over 60;
- dbt, dbt-duckdb and dagster-dbt's internals are used by the one dbt adapter (pipeline/transform.py)
  only: elsewhere nothing imports dbt or dbt-duckdb, and from dagster-dbt only its public names.

Each test lists every offender it finds (file, name, size), so one run says what is left to do.
"""
from __future__ import annotations

import ast
from pathlib import Path

import dagster_dbt

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"
ADAPTER = PIPELINE / "transform.py"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
DBT_PACKAGES = ("dbt", "dbt_common", "dbt_adapters")   # dbt-core, its libraries; dbt.adapters.duckdb is dbt-duckdb
PRIVATE_ATTRIBUTES = {"_cli_version", "_LOCK", "_ENV"}   # dagster-dbt's and dbt-duckdb's, used by the adapter


def _sources() -> list[Path]:
    return sorted(PIPELINE.rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(PIPELINE.parent))


def test_no_module_over_450_lines():
    long = {_name(p): n for p in _sources() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_no_function_over_60_lines():
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{_name(path)}:{node.lineno} {node.name}"] = length
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def _uses_of_dbt_internals(tree: ast.AST) -> list[str]:
    """Imports of dbt / dbt-duckdb, imports from dagster-dbt other than its public top-level names,
    module paths of theirs in strings (sys.modules lookups), and their private attributes."""
    public = {name for name in dir(dagster_dbt) if not name.startswith("_")}
    found = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            if node.module == "dagster_dbt":
                found += [f"dagster_dbt.{a.name}" for a in node.names if a.name not in public]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(("dagster_dbt.", "dbt.", "dbt_common.", "dbt_adapters.")):
                found.append(node.value)
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
            found.append(f".{node.attr}")
        for module in modules:
            if module.split(".")[0] in DBT_PACKAGES or module.startswith("dagster_dbt."):
                found.append(module)
    return found


def test_dbt_internals_are_used_by_the_adapter_only():
    outside = {_name(p): uses for p in _sources() if p != ADAPTER
               if (uses := _uses_of_dbt_internals(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not outside, f"dbt, dbt-duckdb or dagster-dbt internals outside {_name(ADAPTER)}: {outside}"


def test_the_check_sees_what_it_forbids():
    """The scan itself: each kind of use it must catch, and the public imports it must let through."""
    caught = _uses_of_dbt_internals(ast.parse(
        "from dagster_dbt.asset_utils import get_subset_selection_for_context\n"
        "from dagster_dbt import DbtCliResource, _private\n"
        "import dbt.adapters.duckdb.connections\n"
        "from dbt.cli.main import dbtRunner\n"
        "sys.modules.get('dbt.adapters.duckdb.connections')\n"
        "manager._LOCK\n"))
    assert sorted(caught) == ["._LOCK", "dagster_dbt._private", "dagster_dbt.asset_utils",
                              "dbt.adapters.duckdb.connections", "dbt.adapters.duckdb.connections", "dbt.cli.main"]
    assert _uses_of_dbt_internals(ast.parse(
        "from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets\nimport dagster\n")) == []
    assert _uses_of_dbt_internals(ast.parse(ADAPTER.read_text(encoding="utf-8")))   # the adapter has some
