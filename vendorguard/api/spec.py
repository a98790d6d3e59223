"""The API's flask-smorest ``Api``: OpenAPI 3.1 document, the local Swagger UI, JSON errors.

``init_api(app, bp)`` is called by the app factory after the page blueprints: flask-smorest must
register the API blueprint itself to put its views into the document.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_smorest import Api
from sqlalchemy.engine import make_url
from werkzeug.exceptions import HTTPException, InternalServerError

from vendorguard.api import auth
from vendorguard.api.base_views import json_error
from vendorguard.api.errors import ApiError, ErrorSchema, from_http
from vendorguard.api.ratelimit import DatabaseWindow, FixedWindow
from vendorguard.extensions import csrf

PREFIX = "/api/v1"
API_CONFIG = {
    "API_TITLE": "vendorguard API",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
    "API_SPEC_OPTIONS": {
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "個人用APIトークン（/account/api-tokens で作成）",
                }
            }
        },
        "info": {
            "description": "vendorguard の REST API。説明は docs/api.md を参照してください。",
        },
    },
}


class VendorGuardApi(Api):
    """flask-smorest's Api with our error body, our error handling and a CSP-clean docs page."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # The pages keep their HTML error pages; the API's handlers are installed by init_api.
        pass

    def _openapi_swagger_ui(self) -> str:
        # flask-smorest's own page initialises Swagger UI in an inline script, which the
        # Content-Security-Policy (script-src 'self') forbids; ours loads static/api-docs.js.
        return render_template("api/docs.html", spec_url=f"{PREFIX}/openapi.json")


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _wrap_app_handler(app: Flask, code: int | None, exc_class: type[Exception]) -> None:
    """Answer API paths with JSON for errors the app handles as pages (an unknown /api/v1/… URL
    matches no blueprint, so a blueprint handler never sees it)."""
    page_handler = app.error_handler_spec[None][code][exc_class]

    def handler(error):
        if is_api_request():
            if isinstance(error, HTTPException) and (error.code or 500) < 500:
                return json_error(from_http(error))
            return json_error(ApiError("server_error"))
        return page_handler(error)

    app.register_error_handler(code or exc_class, handler)


def _refuse_nul() -> None:
    if is_api_request() and (
        "\x00" in request.path
        or any(
            "\x00" in k or any("\x00" in v for v in request.args.getlist(k)) for k in request.args
        )
    ):
        raise ApiError("bad_request")


def init_api(app: Flask, bp) -> VendorGuardApi:
    """Configure flask-smorest, register the API blueprint and its error handling."""
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    # PostgreSQL (any number of app processes and machines): one count in the database. SQLite is
    # the one-machine embedded setup, where a second connection writing would wait on the
    # request's own: the count stays in each process there.
    shared = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"
    app.extensions[auth.WINDOWS_KEY] = DatabaseWindow() if shared else FixedWindow()
    api = VendorGuardApi(app)
    csrf.exempt(bp)  # bearer tokens only: a browser's cookie never authenticates an API call
    api.register_blueprint(bp)
    # Before the app's own NUL check, which answers with an HTML page.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_nul)
    _wrap_app_handler(app, None, HTTPException)
    _wrap_app_handler(app, 500, InternalServerError)
    return api
