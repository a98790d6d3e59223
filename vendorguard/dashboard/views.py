"""The home page: what needs the signed-in user's attention."""
from __future__ import annotations

from flask import Blueprint, render_template

from vendorguard.auth.permissions import require

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@require("dashboard.view")
def index():
    """Show the items that need attention."""
    return render_template("dashboard/index.html")
