"""The package's shape: every module imports, no import cycle, no import hidden in a function to dodge one,
and domain code never imports a task module (work is queued by name through ``dispatch``)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "saypro_invoicing"
# hosts/saleor imports Saleor, importable only inside a Saleor installation (tests/saleor covers it).
EXCLUDED = ("saypro_invoicing.hosts.saleor",)
# Imports that stay inside a function, each for a reason that is not a cycle.
DEFERRED_ALLOWED = {
    # Django's documented place for start-up imports: the app registry is ready only now.
    ("saypro_invoicing.apps", "ready"),
    ("saypro_invoicing.hosts.sandbox.apps", "ready"),
    # The pure renderer is importable before the app registry is ready; its file store needs the models.
    ("saypro_invoicing.rendering", "__getattr__"),
    # The demo configures Django (settings, database) before anything that needs it is imported.
    ("saypro_invoicing.hosts.sandbox.demo", "main"),
    ("saypro_invoicing.hosts.sandbox.demo", "run_flow"),
    ("saypro_invoicing.hosts.sandbox.demo", "report"),
}
# Modules that may import the Celery task modules: the task registry itself and Saleor's discovery hook.
TASK_IMPORTERS = {"saypro_invoicing.tasks", "saypro_invoicing.hosts.saleor.tasks"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        if not name.startswith(EXCLUDED):
            found[name] = path
    return found


MODULES = _modules()


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = _package_of(name, path).split(".")
        prefix = ".".join(package[:len(package) - node.level + 1])
        base = f"{prefix}.{base}" if base else prefix
    # ``from . import x`` imports the module x; ``from .m import f`` imports m.
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path) -> tuple[set[str], list[tuple[str, str]]]:
    """Module-level imports of package modules (the import graph), and function-level ones."""
    tree = ast.parse(path.read_text(), filename=str(path))
    graph: set[str] = set()
    deferred: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue  # annotations only: never executed
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, function or child.name)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                internal = [t for t in _targets(name, path, child) if t in MODULES and t != name]
                if function is None:
                    graph.update(internal)
                elif internal:
                    deferred.append((function, ast.unparse(child)))
            visit(child, function)

    visit(tree, None)
    return graph, deferred


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports(module):
    importlib.import_module(module)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), plus self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_package_modules():
    edges = {name: graph for name, (graph, _) in GRAPH.items()}
    assert _cycles(edges) == []


def test_no_function_level_import_of_the_package_dodges_a_cycle():
    hidden = [(name, function, statement) for name, (_, deferred) in GRAPH.items()
              for function, statement in deferred if (name, function) not in DEFERRED_ALLOWED]
    assert hidden == []


def test_domain_code_never_imports_a_task_module():
    task_modules = {name for name in MODULES if name.endswith(".tasks") or name == "saypro_invoicing.tasks"}
    offenders = {name: sorted(graph & task_modules) for name, (graph, _) in GRAPH.items()
                 if graph & task_modules and name not in TASK_IMPORTERS and name not in task_modules}
    assert offenders == {}
