"""The supervision blueprints: the city's pages (``supervision``) and the contractor's pages in the
portal (``supervision.portal``, under /portal/engagements, reachable by contractor users)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__)
portal_bp = Blueprint("portal", __name__, url_prefix="/portal/engagements")

bp.register_blueprint(portal_bp)
