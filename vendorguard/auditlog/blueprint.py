"""The audit log blueprint (endpoints ``audit.*``): view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
