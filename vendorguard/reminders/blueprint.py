"""The reminders blueprint: view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reminders", __name__)
calendar = Blueprint("calendar", __name__)

bp.register_blueprint(calendar)
