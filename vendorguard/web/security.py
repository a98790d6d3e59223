"""Security headers, the contractor fence, the user loader and the error pages."""

from __future__ import annotations

from flask import Flask, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from vendorguard.auth import sessions
from vendorguard.auth.permissions import can_change
from vendorguard.auth.roles import Role
from vendorguard.extensions import csrf, db, login_manager
from vendorguard.web.i18n import current_locale

# Blueprints a contractor user may reach; every other page is internal. The API checks every
# permission per bearer token (a contractor's token reaches only its company's evidence requests);
# "apitokens" is where a contractor makes that token.
CONTRACTOR_BLUEPRINTS = frozenset(
    {
        "auth",
        "mfa",
        "portal",
        "public",
        "questionnaires.portal",
        "supervision.portal",
        "reminders.calendar",
        "sso",
        "api",
        "api-docs",
        "apitokens",
    }
)

# Primary keys are INTEGER columns (32 bits on PostgreSQL): a larger number can name no row.
ID_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only numbers an id column can hold: a larger one (2**31, 2**63 …)
    is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

# Every response's headers, in this order (a view's own value wins).
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", CSP),
)

ERROR_MESSAGES = {
    400: _l("リクエストの内容が正しくありません。"),
    403: _l("このページを表示する権限がありません。"),
    404: _l(
        "お探しのページは見つかりませんでした。URLが正しいか、削除・移動されていないかご確認ください。"
    ),
    405: _l("この操作はこのページでは受け付けられません。"),
    413: _l("送信されたデータが大きすぎます。"),
    500: _l(
        "システムエラーが発生しました。入力済みの内容は保存されていない可能性があります。時間をおいて再度お試しください。"
    ),
}


@login_manager.user_loader
def _load_user(user_id: str):
    return sessions.load_user(db.session, user_id)


def _render_error(code: int, message: str | None = None):
    text = message or str(ERROR_MESSAGES.get(code, ERROR_MESSAGES[500]))
    return render_template("errors/error.html", code=code, message=text), code


def init_app(app: Flask) -> None:
    """Wire the fence, headers, error handlers and template globals into the app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("ログインしてください。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    # Before any blueprint is registered: rules bind their converters when they are added.
    app.url_map.converters["int"] = BoundedIntConverter

    @app.before_request
    def _refuse_nul():
        # PostgreSQL cannot store NUL in text; no form, search or login has a use for it.
        found = "\x00" in request.path or _has_nul(request.args)
        if not found and request.method in ("POST", "PUT", "PATCH"):
            # CSRF-exempt views (the streaming uploads) read their body themselves, and
            # evidence/uploads.py refuses NUL in their text fields: reading request.form here
            # would spool every file first.
            if not csrf._is_exempt():
                found = _has_nul(request.form)
        if found:
            return _render_error(
                400,
                _(
                    "入力に使えない文字（NUL）が含まれています。"
                    "入力内容を確認して、もう一度送信してください。"
                ),
            )
        return None

    @app.before_request
    def _fence_contractors():
        if (
            current_user.is_authenticated
            and current_user.role == Role.CONTRACTOR
            and request.blueprint not in CONTRACTOR_BLUEPRINTS
            and request.endpoint != "static"
        ):
            abort(403)

    @app.after_request
    def _headers(response):
        # What a view set itself stays. One pass over the response's headers: Werkzeug's
        # setdefault raises and catches an HTTP exception for each header not there yet.
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if request.endpoint != "static" and "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error):
        db.session.rollback()
        return _render_error(
            400,
            _(
                "フォームの有効期限が切れたか、不正な送信です。"
                "お手数ですが、ページを開き直してもう一度送信してください。"
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        db.session.rollback()
        return _render_error(error.code or 500)

    @app.errorhandler(500)
    def _unexpected(error):
        # Flask has already logged the exception; only in production does it reach here.
        db.session.rollback()
        return _render_error(500)

    @app.context_processor
    def _globals():
        return {
            "can_change": lambda permission, department_id: can_change(
                current_user, permission, department_id
            ),
            "Role": Role,
            "current_locale": current_locale,
        }
