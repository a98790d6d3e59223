"""The risk-tier pages' blueprint (rules, tier policy, overrides, concentration view)."""

from flask import Blueprint

bp = Blueprint("tiers", __name__, url_prefix="/tiers")
