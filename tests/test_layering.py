"""No import cycles inside ``vendorguard`` and every import follows the layering rule.

Every ``import`` is read with ``ast`` — at module level and inside functions alike (a late import
is still a dependency); only imports under ``if TYPE_CHECKING:`` are left out, as they never run.
The rule itself is written down in docs/architecture.md ("Layers"); ``LAYERS`` below is the same
list, lowest first: a package may import packages of lower layers only, never one of its own layer
or a higher one.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vendorguard"

# Lowest first. The top-level modules count as their own units: ``extensions`` (the Flask
# extension objects), ``models`` (imports every model for Alembic) and ``__init__`` (the app factory).
LAYERS: list[set[str]] = [
    {"extensions"},
    {"core"},
    {"storage", "mail", "jobs"},
    {"audit"},
    {"auth"},
    {"mfa"},
    {"web"},
    {"arrangements"},
    {"approvals"},
    {"classification", "contractors"},
    {"org", "city", "apitokens"},
    {"catalog"},
    {"engagements", "ismap"},
    {"cloud"},
    {"ismap_pages"},
    {"documents", "evidence"},
    {"social", "tiers"},
    {"assessments", "portal", "public", "imports"},
    {"inspections", "questionnaires"},
    {"reminders"},
    {"supervision"},
    {"dashboard", "oversight", "auditlog", "install", "demo", "sso", "api"},
    {"models"},
    {"__init__"},
]

# Cycles still to be removed, each with the reason it is still here. Each test below fails when an
# entry no longer occurs, so this list can only shrink; anything not on it fails at once.
PENDING_MODULE_CYCLES: dict[frozenset[str], str] = {}
PENDING_PACKAGE_CYCLES: dict[frozenset[str], str] = {}
# Imports against LAYERS that the pending cycles above still need: (from unit, to unit).
PENDING_LAYER_BREAKS: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def unit_of(module: str) -> str:
    """The layering unit of a module: its top-level package, or the top-level module itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of import nodes under ``if TYPE_CHECKING:``."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for inner in node.body:
                skipped.update(id(child) for child in ast.walk(inner))
    return skipped


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported vendorguard module, line) for every import the module can execute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped = _type_checking_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            # ``import vendorguard.x.y`` binds the top package but depends on the module itself
            if name in MODULES and name != module and (name, node.lineno) not in found:
                found.append((name, node.lineno))
    return found


GRAPH = {module: imports_of(module, path) for module, path in MODULES.items()}


def _where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(ROOT)}:{line}"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def _describe(component: list[str], unit=lambda name: name) -> list[str]:
    members = set(component)
    lines = []
    for module in sorted(MODULES):
        for target, line in GRAPH[module]:
            if unit(module) in members and unit(target) in members and unit(module) != unit(target):
                lines.append(f"  {_where(module, line)} imports {target}")
    return lines


def test_no_cycle_between_modules():
    edges = {module: {target for target, _ in targets} for module, targets in GRAPH.items()}
    found = _cycles(edges)
    cycles = [c for c in found if frozenset(c) not in PENDING_MODULE_CYCLES]
    report = [
        line for component in cycles for line in [" ↔ ".join(component), *_describe(component)]
    ]
    assert not cycles, "import cycles between modules:\n" + "\n".join(report)
    gone = set(PENDING_MODULE_CYCLES) - {frozenset(c) for c in found}
    assert not gone, f"no longer a cycle, remove from PENDING_MODULE_CYCLES: {gone}"


def test_no_cycle_between_packages():
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in GRAPH.items():
        edges[unit_of(module)].update(
            unit_of(target) for target, _ in targets if unit_of(target) != unit_of(module)
        )
    found = _cycles(edges)
    cycles = [c for c in found if frozenset(c) not in PENDING_PACKAGE_CYCLES]
    report = [
        line
        for component in cycles
        for line in [" ↔ ".join(component), *_describe(component, unit_of)]
    ]
    assert not cycles, "import cycles between packages:\n" + "\n".join(report)
    gone = set(PENDING_PACKAGE_CYCLES) - {frozenset(c) for c in found}
    assert not gone, f"no longer a cycle, remove from PENDING_PACKAGE_CYCLES: {gone}"


def test_every_package_has_a_layer():
    placed = [unit for layer in LAYERS for unit in layer]
    assert len(placed) == len(set(placed)), "a package is in two layers"
    units = {unit_of(module) for module in MODULES}
    assert units == set(placed), (
        f"not in LAYERS (add to docs/architecture.md and here): {sorted(units - set(placed))}; "
        f"no longer exist: {sorted(set(placed) - units)}"
    )


def test_imports_follow_the_layers():
    layer = {unit: level for level, units in enumerate(LAYERS) for unit in units}
    broken = []
    pending_seen = set()
    for module in sorted(MODULES):
        for target, line in GRAPH[module]:
            source_unit, target_unit = unit_of(module), unit_of(target)
            if (source_unit, target_unit) in PENDING_LAYER_BREAKS:
                pending_seen.add((source_unit, target_unit))
                continue
            if source_unit != target_unit and layer[target_unit] >= layer[source_unit]:
                broken.append(
                    f"  {_where(module, line)} imports {target} "
                    f"({source_unit}, layer {layer[source_unit]} → {target_unit}, layer {layer[target_unit]})"
                )
    assert not broken, "imports against the layering rule:\n" + "\n".join(broken)
    assert pending_seen == set(PENDING_LAYER_BREAKS), "a pending break is gone: remove it"


def test_the_walk_sees_late_imports(tmp_path):
    """The checks above would miss cycles if imports inside functions were not read."""
    source = "def f():\n    from vendorguard.extensions import db\n    return db\n"
    path = tmp_path / "late.py"
    path.write_text(source)
    assert imports_of("vendorguard.core.late", path) == [("vendorguard.extensions", 2)]
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from vendorguard.extensions import db\n"
    path.write_text(guarded)
    assert imports_of("vendorguard.core.late", path) == []
