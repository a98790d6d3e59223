"""User administration pages (being built)."""
from __future__ import annotations

from flask import render_template_string

from vendorguard.auth.permissions import require
from vendorguard.org.views import bp


@bp.route("/admin/users/")
@require("user.manage")
def users():
    """Placeholder."""
    return render_template_string("{% extends 'base.html' %}{% block content %}<h1>users</h1>{% endblock %}")
