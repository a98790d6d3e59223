"""The ISMAP pages' blueprint (named ``ismap``, as its endpoints are): the app factory imports the views."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ismap", __name__, url_prefix="/admin/ismap")
