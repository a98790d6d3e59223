"""The API token pages' blueprint: view modules register on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("apitokens", __name__, url_prefix="/account/api-tokens")
