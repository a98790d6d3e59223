"""vendorguard: the register of what a municipality entrusts to outside parties."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config

ROOT = Path(__file__).resolve().parent.parent

# Feature packages with a ``blueprint.bp`` and view modules (``views``, ``*_views``) registering on it,
# in the order their menus appear.
FEATURES = (
    "auth",
    "dashboard",
    "contractors",
    "engagements",
    "cloud",
    "social",
    "org",
    "classification",
    "auditlog",
    "documents",
    "ismap_pages",
    "catalog",
    "assessments",
    "inspections",
    "questionnaires",
    "public",
    "evidence",
    "portal",
    "supervision",
    "reminders",
    "city",
    "sso",
    "mfa",
    "apitokens",
    "tiers",
    "imports",
    "oversight",
)
# Feature packages with a ``cli.register(group)`` function.
CLI_FEATURES = (
    "install",
    "audit",
    "demo",
    "storage",
    "documents",
    "ismap",
    "catalog",
    "evidence",
    "inspections",
    "reminders",
    "questionnaires",
    "tiers",
    "imports",
    "jobs",
)


def register_kinds() -> None:
    """Import every feature's ``kind`` module: arrangement kinds and detail panels register there."""
    for feature in pkgutil.iter_modules(__path__):
        name = f"{__name__}.{feature.name}.kind"
        if feature.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def feature_blueprint(name: str):
    """A feature's blueprint with every page of the feature: all its view modules imported."""
    package = importlib.import_module(f"{__name__}.{name}")
    blueprint = importlib.import_module(f"{__name__}.{name}.blueprint")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name == "views" or module.name.endswith("_views"):
            importlib.import_module(f"{__name__}.{name}.{module.name}")
    return blueprint.bp


def create_app(
    overrides: Mapping[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands, error pages."""
    instance = (
        instance_path or os.environ.get("VENDORGUARD_INSTANCE_PATH") or str(ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance,
        instance_relative_config=False,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Jinja's default template cache is an LRU whose every hit moves the name along a deque
    # (a linear search over ~180 templates, several times a page); the app's templates are a
    # fixed set (warm_up compiles them all), so a plain mapping holds them.
    app.jinja_options = {**app.jinja_options, "cache_size": -1}
    from vendorguard.core.settings import track_changes

    track_changes(app)
    app.config.from_mapping(load_config(app.instance_path))
    if overrides:
        app.config.update(overrides)
    if app.config["PROXY_COUNT"]:
        # Behind nginx every request would otherwise come from the proxy's address, and the
        # per-address login throttle would lock everybody out at once.
        hops = app.config["PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware; its stubs declare wsgi_app a plain method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )

    from vendorguard import models  # noqa: F401  (every model registered before mappers configure)

    register_kinds()
    from vendorguard.core.changes import track_record_changes
    from vendorguard.core.connections import replace_dead_connections
    from vendorguard.core.prepared import keep_prepared_statements
    from vendorguard.core.sqlvalues import write_constants_in_sql
    from vendorguard.extensions import babel, csrf, db, login_manager, migrate
    from vendorguard.web import cookies, heap, i18n, layout, rows, security

    cookies.init_app(app)
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            keep_prepared_statements(engine)
            track_record_changes(engine)
            replace_dead_connections(engine)
            write_constants_in_sql(engine)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    layout.init_app(app)
    rows.init_app(app)
    security.init_app(app)

    for name in FEATURES:
        app.register_blueprint(feature_blueprint(name))
    # The REST API is registered through flask-smorest, which documents its views (OpenAPI).
    from vendorguard.api.spec import init_api

    init_api(app, feature_blueprint("api"))

    group = AppGroup("vg", help="vendorguard commands.")
    for name in CLI_FEATURES:
        importlib.import_module(f"vendorguard.{name}.cli").register(group)
    app.cli.add_command(group)
    if not app.testing:
        # Test apps (many per process) and command-line runs (flask …, inside a click command)
        # render a handful of pages at most: left cold. A served app renders every page, warm.
        if click.get_current_context(silent=True) is None:
            from vendorguard.web.warmup import warm_up

            warm_up(app)
        # What importing, building and warming the app made lives as long as the process
        # (~280,000 objects before the warm-up compiled every template). Frozen, the cyclic
        # collector stops walking it on every full collection: the request that set one off
        # paused 140 ms (the home page's p95 at city scale), now about 5 ms; what serving adds
        # is frozen after the first requests (``web.heap``). Test apps are left alone: many are
        # built in one process, and frozen objects are never collected.
        heap.freeze()
        heap.init_app(app)
    return app
