"""The API blueprint (flask-smorest): resource modules register on ``bp``; ``spec.init_api`` adds it."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="vendorguard REST API",
)
# ETags of lists cover the page's place in the whole list as well as its rows.
bp.ETAG_INCLUDE_HEADERS = ["X-Total-Count", "Link"]
