"""The house points one way: ``crawler`` → ``pipelines`` → ``archive``. Every import of the
three packages (module level and inside functions alike) is read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS = ("crawler", "pipelines", "archive")
COMPOSITION_ROOT = "archive.cli"
"""``python -m archive`` (its command-line package) wires crawls, scheduling, re-extraction and
imports together: it may import upward."""
SCHEDULING = "crawler.scheduling"


def is_composition_root(name: str) -> bool:
    return name == "archive.__main__" or name == COMPOSITION_ROOT or name.startswith(COMPOSITION_ROOT + ".")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for layer in LAYERS for p in (ROOT / layer).rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports (``from a.b import c`` is ``a.b.c`` when that is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names
            }
    return {name for name in found if name.split(".")[0] in LAYERS}


def upward_imports() -> list[str]:
    modules = project_modules()
    wrong = []
    for name, path in sorted(modules.items()):
        if is_composition_root(name):
            continue
        rank = LAYERS.index(name.split(".")[0])
        for imported in sorted(imports_of(path, modules)):
            if LAYERS.index(imported.split(".")[0]) < rank:
                wrong.append(f"{name} imports {imported}")
    return wrong


def test_no_layer_imports_a_layer_above_it():
    assert upward_imports() == []


def test_migrations_use_only_the_frozen_keys_of_the_archive():
    modules = project_modules()
    used = {
        imported
        for name, path in modules.items()
        if name.startswith("archive.migrations.versions.")
        for imported in imports_of(path, modules)
    }
    assert used <= {"archive.keys"}


def test_the_frozen_keys_import_nothing_of_the_project():
    modules = project_modules()
    assert imports_of(modules["archive.keys"], modules) == set()


def test_no_two_modules_import_each_other_in_a_circle():
    modules = project_modules()
    graph = {name: imports_of(path, modules) & modules.keys() for name, path in modules.items()}
    circles = []

    def visit(name: str, path: list[str]) -> None:
        for imported in graph[name]:
            if imported in path:
                circles.append([*path[path.index(imported) :], imported])
            elif imported not in done:
                visit(imported, [*path, imported])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [name])
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}  # re-exports
    assert [" → ".join(c) for c in circles if not set(c) & packages] == []


def test_nothing_in_the_archive_but_its_command_line_imports_the_scheduling_code():
    modules = project_modules()
    wrong = [
        f"{name} imports {imported}"
        for name, path in sorted(modules.items())
        if name.startswith("archive.") and not is_composition_root(name)
        for imported in sorted(imports_of(path, modules))
        if imported == SCHEDULING or imported.startswith(SCHEDULING + ".")
    ]
    assert wrong == []


def test_no_two_modules_of_the_product_share_a_file_name():
    by_name: dict[str, list[str]] = {}
    for name, path in project_modules().items():
        if path.name not in ("__init__.py", "__main__.py") and ".migrations.versions." not in name:
            by_name.setdefault(path.name, []).append(name)
    assert {file: names for file, names in by_name.items() if len(names) > 1} == {}


def test_nothing_outside_the_archive_writes_sql():
    """Only ``archive/`` builds statements; the steps above it may know the database's errors."""
    wrong = []
    for name, path in sorted(project_modules().items()):
        if name.startswith("archive"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            wrong += [f"{name} imports {n}" for n in names if n.startswith("sqlalchemy") and n != "sqlalchemy.exc"]
    assert wrong == []
