"""The shape of the package, checked: no import cycle between modules or between packages,
no module over 300 lines, no import of our own modules by name (importlib).

Every `import` counts, wherever it stands: at the top, inside a function, or under
`TYPE_CHECKING` (a local import is how a cycle hides). Packages are the first level under
`mailbot/` (`mime`, `decide`, `pipeline`, ...; a top-level module is its own package).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mailbot"
MAX_LINES = 300
EXEMPT = ("migrations",)  # Alembic's generated revisions


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        if len(parts) > 1 and parts[1] in EXEMPT:
            continue
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """The modules of ours that `name` imports (an imported name that is a module counts as it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                yield target


GRAPH = {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _group(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    assert "mailbot.job" in GRAPH["mailbot.handlers.command"]  # from-import of a module
    assert "mailbot.decide.guards" in GRAPH["mailbot.decide.classify"]
    assert len(MODULES) > 100


def test_no_module_import_cycle() -> None:
    assert _cycles(GRAPH) == []


def test_no_package_import_cycle() -> None:
    packages: dict[str, set[str]] = {}
    for name, deps in GRAPH.items():
        packages.setdefault(_group(name), set()).update(
            _group(dep) for dep in deps if _group(dep) != _group(name))
    packages.pop("mailbot", None)  # mailbot/__init__.py: the version, nothing else
    for deps in packages.values():
        deps.discard("mailbot")
    assert _cycles(packages) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_no_import_by_name_of_our_modules() -> None:
    offenders = [name for name, path in MODULES.items()
                 if "import_module(" in path.read_text(encoding="utf-8")]
    assert offenders == []
