"""The imports blueprint (pages in views.py)."""

from flask import Blueprint

bp = Blueprint("imports", __name__, url_prefix="/imports")
