"""A served app does its one-time work before its first request, not during it.

Otherwise a worker's first rendering of each page pays for compiling the page's templates, and
the first request in each language for loading its catalogue and locale data: the slowest
requests under load (engagement detail p95 158 ms over HTTP against a p50 of 24 ms). Done in
``create_app``, before the startup heap is frozen; with ``gunicorn --preload`` the master does it
once and the workers share the result (docs/deploy.md).
"""

from __future__ import annotations

from datetime import date

import flask_babel
from flask import Flask
from jinja2.utils import LRUCache
from sqlalchemy.orm import configure_mappers

from vendorguard.web.i18n import format_day


def warm_up(app: Flask) -> None:
    """Configure the mappers, compile every template and load each language's catalogue."""
    configure_mappers()
    compile_templates(app)
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with flask_babel.force_locale(language):
                flask_babel.get_translations()
                format_day(date(2000, 1, 1))  # Babel's locale data, read on first use


def compile_templates(app: Flask) -> int:
    """Compile every template of the app and its blueprints into Jinja's cache; how many."""
    env = app.jinja_env
    names = env.list_templates()
    # Jinja keeps 400 compiled templates by default: never fewer than the app has, or the
    # warm-up would push its own first ones out again.
    cache = env.cache
    if isinstance(cache, LRUCache) and cache.capacity < len(names):
        raise RuntimeError(f"Jinja's template cache holds {cache.capacity}: {len(names)} exist")
    for name in names:
        env.get_template(name)
    return len(names)
