"""JSON errors with stable codes: the code never changes, the message follows the request's language.

Every error body is ``{"code": "...", "status": 404, "message": "...", "errors": {...}}``;
``errors`` (field → messages) only where input was refused.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

# code → (HTTP status, message). Codes are part of the API: clients may branch on them.
ERRORS: dict[str, tuple[int, Any]] = {
    "bad_request": (400, _l("リクエストの内容が正しくありません。")),
    "unauthorized": (
        401,
        _l(
            "APIトークンが必要です。Authorization ヘッダーに「Bearer トークン」を指定してください。"
        ),
    ),
    "token_invalid": (401, _l("APIトークンが正しくありません。")),
    "token_expired": (
        401,
        _l("APIトークンの有効期限が切れています。新しいトークンを作成してください。"),
    ),
    "token_revoked": (401, _l("このAPIトークンは無効にされています。")),
    "user_inactive": (401, _l("このAPIトークンの利用者は利用停止またはアーカイブされています。")),
    "scope_insufficient": (
        403,
        _l(
            "このトークンは読み取り専用です。書き込みには「読み取りと書き込み」のトークンが必要です。"
        ),
    ),
    "forbidden": (403, _l("この操作を行う権限がありません。")),
    "not_found": (404, _l("指定されたものは見つかりませんでした。")),
    "method_not_allowed": (405, _l("この操作はこのURLでは受け付けられません。")),
    "not_acceptable": (406, _l("指定された形式では応答できません。")),
    "conflict": (409, _l("現在の状態ではこの操作はできません。")),
    "precondition_failed": (
        412,
        _l(
            "他の利用者が先に更新しました。最新の内容を取得し、その ETag を If-Match に指定してやり直してください。"
        ),
    ),
    "payload_too_large": (413, _l("送信されたデータが大きすぎます。")),
    "unsupported_media_type": (415, _l("この形式のデータは受け付けられません。")),
    "validation_error": (422, _l("入力内容に誤りがあります。errors の各項目を確認してください。")),
    "precondition_required": (
        428,
        _l("変更には If-Match ヘッダー（取得したときの ETag）が必要です。"),
    ),
    "rate_limited": (429, _l("リクエストが多すぎます。しばらく待ってからもう一度お試しください。")),
    "server_error": (
        500,
        _l("システムエラーが発生しました。時間をおいて再度お試しください。"),
    ),
    "unavailable": (503, _l("一時的に処理できません。時間をおいて再度お試しください。")),
}
STATUS_CODES = {status: code for code, (status, _message) in reversed(ERRORS.items())}


class ApiError(Exception):
    """An error answered as JSON; ``message`` replaces the code's standard text when given."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.status = ERRORS[code][0]
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class ErrorSchema(Schema):
    """The body of every error response."""

    code = fields.String(required=True, metadata={"description": "stable error code"})
    status = fields.Integer(required=True, metadata={"description": "HTTP status"})
    message = fields.String(
        required=True, metadata={"description": "Japanese, or English with Accept-Language: en"}
    )
    errors = fields.Dict(metadata={"description": "field → messages, for refused input"})


def error_response(error: ApiError):
    """The JSON response for an ``ApiError``."""
    body: dict[str, Any] = {
        "code": error.code,
        "status": error.status,
        "message": error.message or str(ERRORS[error.code][1]),
    }
    if error.errors:
        body["errors"] = error.errors
    response = jsonify(body)
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def from_http(error: HTTPException) -> ApiError:
    """An ``ApiError`` for a Werkzeug/webargs HTTP exception (webargs puts field errors in ``data``)."""
    status = error.code or 500
    code = STATUS_CODES.get(status, "server_error" if status >= 500 else "bad_request")
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "headers", "form", "files"}:
        # webargs groups messages by location; one level is what a client wants to read
        flat: dict[str, Any] = {}
        for part in errors.values():
            flat.update(part if isinstance(part, dict) else {"_": part})
        errors = flat
    headers = dict(data.get("headers") or {})
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    return ApiError(code, errors=errors if isinstance(errors, dict) else None, headers=headers)


def domain_message(message: str) -> str:
    """A service's message (already translated) or, when it gave none, the conflict text."""
    return message or _("現在の状態ではこの操作はできません。")
