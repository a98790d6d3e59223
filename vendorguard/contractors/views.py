"""contractors pages (being built)."""
from __future__ import annotations

from flask import Blueprint, render_template_string

from vendorguard.auth.permissions import require

bp = Blueprint("contractors", __name__, url_prefix="/contractors")


@bp.route("/")
@require("contractor.view")
def index():
    """Placeholder list page, replaced by the feature's real views."""
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>contractors</h1>{% endblock %}")
