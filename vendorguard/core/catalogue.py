"""The request's message catalogue, found once per locale (enum labels, web.i18n's gettext)."""

from __future__ import annotations

from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel import Domain
from flask_babel.speaklater import LazyString


def babel_state() -> Any | None:
    """Flask-Babel's per-context state (``g._flask_babel``: locale, domain), if the context has
    one: the one place that reads it (Flask-Babel is pinned to 4.0.x for it)."""
    app_ctx = _cv_app.get(None)
    return None if app_ctx is None else app_ctx.g.__dict__.get("_flask_babel")


def translations() -> NullTranslations:
    """The catalogue ``flask_babel.get_translations()`` would return, looked up once per locale.

    Flask-Babel resolves its context, domain and locale through ``g`` on every call (a dozen
    context-local lookups; a list page translates 300+ strings). Its own per-context state
    (``g._flask_babel``) is the key: the catalogue is kept next to the locale object it was
    found for and reused while that very object is the context's locale. ``force_locale``,
    ``refresh()`` and a new request each set or drop that object, so they miss and look up again
    — whatever Flask-Babel would answer, this answers.
    """
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return NullTranslations()  # as Flask-Babel outside any application context
    state = app_ctx.g.__dict__.get("_flask_babel")
    if state is not None:
        found = state.__dict__.get("vg_translations")
        if (
            found is not None
            and found[0] is state.__dict__.get("babel_locale")
            and found[1] is state.__dict__.get("babel_domain")
        ):
            kept: NullTranslations = found[2]
            return kept
    domain = flask_babel.get_domain()
    catalogue: NullTranslations = Domain.get_translations(
        domain
    )  # Flask-Babel's own lookup, never an override
    state = app_ctx.g._flask_babel
    state.vg_translations = (state.babel_locale, domain, catalogue)
    return catalogue


def gettext(string: str, /, **variables: Any) -> str:
    """``flask_babel.gettext`` (translated, ``%``-formatted only when given variables) through the
    kept catalogue: for Python code that translates on every row of a page."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def message_id(value: Any) -> str | None:
    """The message of a plain ``lazy_gettext("…")`` (no variables), else None."""
    if (
        isinstance(value, LazyString)
        and value._func is flask_babel.gettext
        and len(value._args) == 1
        and not value._kwargs
    ):
        return str(value._args[0])
    return None


def text(value: Any) -> str:
    """``str(value)``: a lazy string in the request's language, a plain ``lazy_gettext("…")``
    looked up in the kept catalogue."""
    msgid = message_id(value)
    return str(value) if msgid is None else translations().ugettext(msgid)
