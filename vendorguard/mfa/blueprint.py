"""The mfa blueprint: view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mfa", __name__, url_prefix="/mfa")
