"""The catalog blueprint: view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
