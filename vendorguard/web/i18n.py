"""Locale choice and the date formats people in a Japanese city expect."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, get_locale
from flask_login import current_user
from markupsafe import Markup

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


def _is_ja() -> bool:
    return str(get_locale() or "ja").startswith("ja")


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


def init_app(app: Flask) -> None:
    """Register the date and punctuation filters."""
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(wareki, "wareki")
    app.add_template_filter(day_with_era, "day_with_era")
    app.add_template_filter(parenthesised, "paren")
    app.add_template_global(punctuation, "mark")
