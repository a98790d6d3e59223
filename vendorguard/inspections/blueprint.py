"""The inspections blueprint: view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
