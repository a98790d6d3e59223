"""Template helpers that take Python and Jinja work off every page: layout pieces rendered once,
URLs of a list's rows built from one ``url_for``."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from vendorguard.web.i18n import current_locale

# Fragments and URLs kept per application: their keys are bounded by the routes, roles and
# languages, but a process never keeps more than this many of either.
FRAGMENT_LIMIT = 4096
# What ``url_pattern`` builds in place of the varying id: an id column's largest value (the
# ``int`` converter accepts it), replaced in the built URL by each row's own id.
_SLOT = 2**31 - 1


def layout_fragment(name: str, by_page: bool = True) -> Markup:
    """``templates/_layout/<name>.html`` rendered once per role, language, page and script root
    (``by_page`` False: once per script root).

    The fragment may depend on nothing else: the menu shows what the role may do (roles'
    permissions are fixed in code) and marks the current page; ``url_for`` answers the same for
    the same endpoint and script root. One is kept per page, internal role and language (about
    1,600 of the menu at most). Rendered afresh every time while templates reload (debug).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key: Hashable = (name, request.script_root)
    if by_page:
        role = current_user.role if current_user.is_authenticated else None
        key = (name, request.script_root, role, current_locale(), request.endpoint)
    cache: dict[Hashable, Markup] = app.extensions["vg_layout"]
    found = cache.get(key)
    if found is None:
        found = Markup(render_template(f"_layout/{name}.html"))
        if app.jinja_env.auto_reload:
            return found
        if len(cache) >= FRAGMENT_LIMIT:
            cache.clear()
        cache[key] = found
    return found


def fixed_url(endpoint: str) -> str:
    """``url_for(endpoint)`` for an endpoint without arguments, built once per script root (the
    header's links are on every page)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = (endpoint, request.script_root)
    cache: dict[Hashable, str] = app.extensions["vg_fixed_urls"]
    found = cache.get(key)
    if found is None:
        found = url_for(endpoint)
        if len(cache) >= FRAGMENT_LIMIT:
            cache.clear()
        cache[key] = found
    return found


@dataclass(frozen=True, slots=True)
class UrlPattern:
    """A URL around one integer path value: ``prefix`` + the value + ``suffix``."""

    prefix: str
    suffix: str

    def fill(self, value: int) -> str:
        """The URL with ``value`` in place."""
        return f"{self.prefix}{int(value)}{self.suffix}"


def url_pattern(endpoint: str, name: str, **values: Any) -> UrlPattern:
    """What ``url_for(endpoint, name=…, **values)`` builds, for any integer ``name``: one
    ``url_for`` for a list page's rows instead of one a row (script root, defaults included)."""
    values[name] = _SLOT
    built = url_for(endpoint, **values)
    prefix, found, suffix = built.partition(str(_SLOT))
    if not found or str(_SLOT) in suffix:
        raise ValueError(f"{endpoint}: {name} is not a single integer in {built!r}")
    return UrlPattern(prefix, suffix)


def fill_url(pattern: UrlPattern, value: int) -> str:
    """Filter: ``pattern`` (from ``url_pattern``) with ``value`` in place."""
    return pattern.fill(value)


def page_pattern() -> UrlPattern:
    """The current page's URL with its query (the page number's ``page`` argument a slot): the
    pagination's links, built with one ``url_for``."""
    args: dict[str, Any] = dict(request.args)
    args["page"] = _SLOT
    if request.endpoint is None:
        raise ValueError("no endpoint: the request was not routed")
    built = url_for(request.endpoint, **dict(request.view_args or {}, **args))
    for marker in (f"?page={_SLOT}", f"&page={_SLOT}"):
        prefix, found, suffix = built.partition(marker)
        if found:
            return UrlPattern(prefix + marker[:6], suffix)
    raise ValueError(f"no page argument in {built!r}")


def init_app(app: Flask) -> None:
    """Register the helpers as template globals and filters."""
    app.extensions["vg_layout"] = {}
    app.extensions["vg_fixed_urls"] = {}
    app.add_template_global(layout_fragment)
    app.add_template_global(fixed_url)
    app.add_template_global(url_pattern)
    app.add_template_global(page_pattern)
    app.add_template_filter(fill_url)
