"""The SSO blueprint: view modules register their pages on ``bp``; the app factory imports them.

The settings pages are the nested blueprint ``sso.admin``, so the contractor fence (which lets
contractors reach ``sso`` — the way to a provider and back) still keeps them out."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sso", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/settings/sso")

bp.register_blueprint(admin_bp)
