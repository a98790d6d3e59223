"""The typed settings of the running app: ``current().page_size`` instead of config lookups."""

from __future__ import annotations

import dataclasses

from flask import Flask, current_app

from config import Settings

EXTENSION_KEY = "vendorguard.settings"


def for_app(app: Flask) -> Settings:
    """``app``'s settings, built from its config once, and again only if the config changed
    since (tests change ``app.config`` after ``create_app``)."""
    snapshot = tuple(app.config.get(name) for name in _keys())
    cached = app.extensions.get(EXTENSION_KEY)
    if cached is None or cached[0] != snapshot:
        cached = (snapshot, Settings.from_config(app.config))
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
