"""The typed settings of the running app: ``current().page_size`` instead of config lookups."""

from __future__ import annotations

import dataclasses
from typing import Any, Self

from flask import Config, Flask, current_app

from config import Settings

EXTENSION_KEY = "vendorguard.settings"


class TrackedConfig(Config):
    """Flask's config, counting its changes: the settings are rebuilt after one, and otherwise
    taken as they are (comparing every setting's value on each use cost ~70 lookups a call)."""

    changes = 0

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changes += 1

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changes += 1

    def __ior__(self, other: Any) -> Self:  # type: ignore[misc]  # as dict.__ior__, counted
        self.update(other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        """``dict.update``, counted."""
        super().update(*args, **kwargs)
        self.changes += 1

    def setdefault(self, key: str, default: Any = None) -> Any:
        """``dict.setdefault``, counted."""
        self.changes += 1
        return super().setdefault(key, default)

    def pop(self, *args: Any) -> Any:
        """``dict.pop``, counted."""
        self.changes += 1
        return super().pop(*args)

    def popitem(self) -> tuple[str, Any]:
        """``dict.popitem``, counted."""
        self.changes += 1
        return super().popitem()

    def clear(self) -> None:
        """``dict.clear``, counted."""
        self.changes += 1
        super().clear()


def track_changes(app: Flask) -> None:
    """Give ``app`` a config that counts its changes (before anything else reads it)."""
    app.config = TrackedConfig(app.config.root_path, app.config)


def for_app(app: Flask) -> Settings:
    """``app``'s settings, built from its config once, and again only if the config changed
    since (tests change ``app.config`` after ``create_app``)."""
    config = app.config
    marker: Any = (
        config.changes
        if isinstance(config, TrackedConfig)
        else tuple(config.get(name) for name in _keys())
    )
    cached = app.extensions.get(EXTENSION_KEY)
    if cached is None or cached[0] != marker:
        cached = (marker, Settings.from_config(config))
        app.extensions[EXTENSION_KEY] = cached
    return cached[1]


def current() -> Settings:
    """The current app's settings."""
    return for_app(current_app._get_current_object())  # type: ignore[attr-defined]


_KEYS: tuple[str, ...] = ()


def _keys() -> tuple[str, ...]:
    global _KEYS
    if not _KEYS:
        _KEYS = tuple(spec.name.upper() for spec in dataclasses.fields(Settings))
    return _KEYS
