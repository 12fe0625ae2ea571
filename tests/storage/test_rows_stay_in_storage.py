"""Table rows never leave ``matchgate.storage``: repositories take and hand back domain values.

Two checks, both over the installed package, so a new repository or caller is covered without
being listed here: no public function of a storage module hands back a mapped class (a table
row), and no module outside storage names one (imported by name, or read as an attribute of an
imported storage module), so none can build a row to hand in either.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import matchgate
from matchgate.storage.models import Base

STORAGE = "matchgate.storage"


def _modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(matchgate.__path__, prefix="matchgate."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def _is_row(value: object) -> bool:
    return inspect.isclass(value) and issubclass(value, Base) and value is not Base


def _rows_in(hint: object) -> set[str]:
    """Mapped classes named anywhere in a type hint (inside unions, lists, tuples, ...)."""
    if _is_row(hint):
        return {typing.cast(type, hint).__name__}
    found: set[str] = set()
    for arg in typing.get_args(hint):
        found |= _rows_in(arg)
    return found


def test_storage_functions_return_domain_values() -> None:
    offenders = []
    checked = 0
    for module in _modules():
        if not module.__name__.startswith(STORAGE):
            continue
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            checked += 1
            rows = _rows_in(typing.get_type_hints(function).get("return"))
            if rows:
                offenders.append(f"{module.__name__}.{name}: {sorted(rows)}")
    assert checked > 50, checked  # the walk found the repositories
    assert offenders == []


def _storage_imports(tree: ast.Module) -> tuple[dict[str, str], dict[str, str]]:
    """Names bound to storage modules (alias -> module) and to names imported from storage
    modules (alias -> 'module.name')."""
    modules: dict[str, str] = {}
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(STORAGE):
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                try:
                    importlib.import_module(target)
                    modules[alias.asname or alias.name] = target
                except ImportError:
                    names[alias.asname or alias.name] = target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(STORAGE) and alias.asname:
                    modules[alias.asname] = alias.name
    return modules, names


def test_no_module_outside_storage_names_a_table_row() -> None:
    offenders = []
    callers = 0
    for module in _modules():
        if module.__name__.startswith(STORAGE) or module.__file__ is None:
            continue
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        modules, names = _storage_imports(tree)
        callers += bool(modules or names)
        for target in names.values():
            owner, _, name = target.rpartition(".")
            if _is_row(getattr(importlib.import_module(owner), name, None)):
                offenders.append(f"{module.__name__} imports {target}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                owner = modules[node.value.id]
                if _is_row(getattr(importlib.import_module(owner), node.attr, None)):
                    offenders.append(f"{module.__name__} reads {owner}.{node.attr}")
    assert callers > 10, callers  # the walk found the use cases that call storage
    assert sorted(set(offenders)) == []
