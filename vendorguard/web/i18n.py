"""Locale choice and the date formats people in a Japanese city expect."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, session
from flask_babel import Domain, format_date, get_locale
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from vendorguard.core.catalogue import babel_state, translations
from vendorguard.core.timeutil import TOKYO, wareki


def select_locale() -> str:
    """The request's own choice (the API's Accept-Language), else the signed-in user's language,
    else the session's, else the default (Japanese)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and services outside a request speak Japanese
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if g.get("request_locale") in languages:
        return str(g.request_locale)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Everyone sees Japan time."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _locale() -> Any:
    # Flask-Babel's get_locale() walks ``g`` several times per call; once chosen, the locale sits
    # in its per-context state (force_locale and refresh() replace it there).
    state = babel_state()
    locale = None if state is None else state.__dict__.get("babel_locale")
    return get_locale() if locale is None else locale


def current_locale() -> str:
    """The request's locale as text ("ja", "en"); "ja" outside any application context."""
    return str(_locale() or "ja")


def _is_ja() -> bool:
    locale = _locale()
    return locale is None or locale.language == "ja"


def format_day(value: date | None) -> str:
    """2026年11月28日 in Japanese, 28 Nov 2026 in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(TOKYO).date()
    if _is_ja():
        return f"{value.year}年{value.month}月{value.day}日"
    return format_date(value, "d MMM y")


def format_moment(value: datetime | None) -> str:
    """A timestamp in Japan time: 2026年11月28日 14:05."""
    if value is None:
        return ""
    local = value.astimezone(TOKYO)
    return f"{format_day(local.date())} {local:%H:%M}"


def day_with_era(value: date | None) -> str:
    """2026年12月5日（令和8年12月5日） in Japanese, 5 Dec 2026 in English (no era outside Japanese)."""
    if value is None:
        return ""
    return f"{format_day(value)}（{wareki(value)}）" if _is_ja() else format_day(value)


def parenthesised(value: object) -> Markup:
    """「（value）」 in Japanese, " (value)" in English; ``value`` escaped unless it is markup."""
    return Markup("（{}）" if _is_ja() else " ({})").format(value)


def punctuation(mark: str) -> str:
    """A Japanese mark between words, as English writes it: ：→ ": ", ・→ " · ", 〜→ " – "."""
    if _is_ja():
        return mark
    return {"：": ": ", "・": " · ", "〜": " – ", "、": ", "}.get(mark.strip(), mark)


class RequestDomain(Domain):
    """Flask-Babel's message domain, finding its catalogue through ``translations()``: Python
    code's ``gettext`` and lazy strings (enum labels …) skip the same repeated lookups."""

    def get_translations(self) -> NullTranslations:
        """The context's catalogue (Flask-Babel's lookup when this is not the context's domain)."""
        state = babel_state()
        if state is not None and state.__dict__.get("babel_domain") is self:
            return translations()
        return super().get_translations()


# Jinja's "newstyle" gettext (what Flask-Babel installs) reaches the catalogue through three nested
# ``Context.call``s per string (``_`` → ``gettext`` → Flask-Babel's lambda); these do the same
# work — translate, mark safe when autoescaping, always ``%``-format — in one.
@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    if variables or not eval_ctx.autoescape:
        text = translations().ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables
    return constant(string)


def message(string: str, /, **variables: Any) -> Markup:
    """A message as a template's ``_()`` prints it (translated, marked safe, ``%``-formatted with
    ``variables`` escaped), for Python code building markup (web/rows.py)."""
    if variables:
        return Markup(translations().ugettext(string)) % variables
    return constant(string)


def constant(string: str) -> Markup:
    """A message without variables as a template prints it: translated, marked safe, ``%%``
    undone."""
    catalogue = translations()
    # Most of a page's strings are constants (column labels repeated on every row): each is
    # translated, marked safe and formatted once per catalogue, kept on the catalogue itself
    # (catalogues live as long as the process; a NullTranslations takes its copies with it).
    finished: dict[str, Markup] | None = vars(catalogue).get("vg_finished")
    if finished is None:
        finished = {}
        setattr(catalogue, "vg_finished", finished)  # noqa: B010  (not an attribute of its class)
    result = finished.get(string)
    if result is None:
        result = finished[string] = Markup(catalogue.ugettext(string)) % {}
    return result


@pass_eval_context
def _ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _pgettext(eval_ctx: EvalContext, context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", context)
    text = translations().upgettext(context, string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _npgettext(
    eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = translations().unpgettext(context, singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


def init_app(app: Flask) -> None:
    """Register the template gettext functions, the date and punctuation filters."""
    # The domain every request uses (Flask-Babel's ``Babel.domain_instance``, computed once).
    config = app.extensions["babel"]
    config.instance.domain_instance = RequestDomain(domain=config.default_domain)
    # Replaces what Babel(app) installed (same names, same output; ``_`` is the i18n extension's
    # alias of ``gettext``, called directly here).
    app.jinja_env.globals.update(
        _=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(wareki, "wareki")
    app.add_template_filter(day_with_era, "day_with_era")
    app.add_template_filter(parenthesised, "paren")
    app.add_template_global(punctuation, "mark")
