"""classification pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template_string

from vendorguard.auth.permissions import require

bp = Blueprint("classification", __name__, url_prefix="/admin/classification")


@bp.route("/")
@require("classification.manage")
def index():
    """Placeholder list page, replaced by the feature's real views."""
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>classification</h1>{% endblock %}")
