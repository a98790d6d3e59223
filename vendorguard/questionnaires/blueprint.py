"""The questionnaire blueprint: city pages on ``bp``, the contractor's pages on the nested
``portal_bp`` (the contractor fence lets ``questionnaires.portal`` through, nothing else)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("questionnaires", __name__, url_prefix="/questionnaires")
portal_bp = Blueprint("portal", __name__, url_prefix="/portal")

bp.register_blueprint(portal_bp)
