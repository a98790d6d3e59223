"""Names of the jobs an engine may run: registered tasks, or ``module:function`` of vendorguard."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Job = Callable[..., Any]
_TASKS: dict[str, Job] = {}


def register(name: str, func: Job) -> Job:
    """Make ``func`` runnable under ``name`` (idempotent: a module imported twice registers once)."""
    _TASKS[name] = func
    return func


def name_of(target: str | Job) -> str:
    """The name a job is queued under: a registered name, or the function's ``module:qualname``."""
    if isinstance(target, str):
        return target
    for name, func in _TASKS.items():
        if func is target:
            return name
    path = f"{target.__module__}:{target.__qualname__}"
    resolve(path)  # refuse at once what a worker could not run
    return path


def resolve(name: str) -> Job:
    """The function behind a queued name. Only vendorguard's own module-level functions are run:
    a row in the queue never names arbitrary code."""
    if name in _TASKS:
        return _TASKS[name]
    module_name, _, attribute = name.partition(":")
    if not attribute or "." in attribute or module_name.split(".")[0] != "vendorguard":
        raise LookupError(f"no job named {name!r}")
    func = getattr(importlib.import_module(module_name), attribute, None)
    if not callable(func):
        raise LookupError(f"no job named {name!r}")
    return func
