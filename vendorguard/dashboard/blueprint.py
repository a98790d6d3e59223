"""The dashboard blueprint: view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
