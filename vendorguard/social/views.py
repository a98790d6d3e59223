"""social pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template_string

from vendorguard.auth.permissions import require

bp = Blueprint("social", __name__, url_prefix="/social-accounts")


@bp.route("/")
@require("social.view")
def index():
    """Placeholder list page, replaced by the feature's real views."""
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>social</h1>{% endblock %}")
