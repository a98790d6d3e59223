"""The portal blueprint: view modules register their pages on ``bp``; the app factory imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

bp.register_blueprint(admin_bp)
