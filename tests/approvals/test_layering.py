"""``approvals`` sits below the features it serves: it imports only the base packages."""

from __future__ import annotations

import ast
from pathlib import Path

import vendorguard

ALLOWED = ("approvals", "arrangements", "audit", "auth", "core", "extensions", "org")


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "vendorguard" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_approvals_imports_only_base_packages():
    package = Path(vendorguard.__file__).parent / "approvals"
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 6  # models, services, queries, forms, panel, web
    for module in modules:
        outside = _imported_packages(module) - set(ALLOWED)
        assert not outside, f"{module.name} imports {sorted(outside)}"


def test_the_features_it_serves_import_it():
    root = Path(vendorguard.__file__).parent
    for feature in ("cloud", "social"):
        users = [p for p in (root / feature).glob("*.py") if "approvals" in _imported_packages(p)]
        assert users, f"{feature} does not use the shared approval model"
