"""What every API request goes through: the bearer token, the rate limit, JSON errors."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from vendorguard.api import auth
from vendorguard.api.blueprint import bp
from vendorguard.api.errors import ApiError, error_response, from_http
from vendorguard.core.concurrency import StaleWrite
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db

bp.before_request(auth.authenticate)


def json_error(error: ApiError):
    """The error as JSON, after rolling back whatever the request had begun."""
    db.session.rollback()
    response = error_response(error)
    for name, value in (g.get("rate_headers") or {}).items():
        response.headers.setdefault(name, value)
    return response


@bp.after_request
def _rate_headers(response):
    for name, value in (g.get("rate_headers") or {}).items():
        response.headers.setdefault(name, value)
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return json_error(error)


@bp.errorhandler(StaleWrite)
def _stale(error: StaleWrite):
    return json_error(ApiError("precondition_failed", error.message))


@bp.errorhandler(DomainError)
def _domain(error: DomainError):
    errors = {error.field: [error.message]} if error.field else None
    return json_error(ApiError("conflict", error.message, errors=errors))


def _not_modified():
    response = current_app.response_class(status=304)
    for tag in request.if_none_match.as_set():
        response.set_etag(tag)
        break
    return response


@bp.errorhandler(HTTPException)
def _http(error: HTTPException):
    if (error.code or 500) >= 500:
        return json_error(ApiError("server_error"))
    if error.code == 304:
        return _not_modified()
    return json_error(from_http(error))
