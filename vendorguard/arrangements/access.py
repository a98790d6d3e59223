"""Loading an arrangement of any kind, and who may read or change it."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.auth.permissions import can_change
from vendorguard.extensions import db

VIEW_PERMISSION = {
    ArrangementKind.ENGAGEMENT: "engagement.view",
    ArrangementKind.CLOUD_SERVICE: "cloud.view",
    ArrangementKind.SOCIAL_ACCOUNT: "social.view",
}
MANAGE_PERMISSION = {
    ArrangementKind.ENGAGEMENT: "engagement.manage",
    ArrangementKind.CLOUD_SERVICE: "cloud.manage",
    ArrangementKind.SOCIAL_ACCOUNT: "social.manage",
}


def arrangement_or_404(arrangement_id: int) -> Arrangement:
    """The arrangement (of its own kind) with its department, or 404; who may read it is not checked."""
    arrangement = db.session.scalars(
        select(Arrangement)
        .where(Arrangement.id == arrangement_id)
        .options(joinedload(Arrangement.department))
    ).one_or_none()
    if arrangement is None:
        abort(404)
    return arrangement


def can_view(user, arrangement: Arrangement) -> bool:
    """Whether ``user`` may read this arrangement (another department's SNS draft: no)."""
    kind = ArrangementKind(arrangement.kind)
    if not user.is_authenticated or not user.can(VIEW_PERMISSION[kind]):
        return False
    if kind == ArrangementKind.SOCIAL_ACCOUNT:
        from vendorguard.social.queries import is_visible

        return is_visible(arrangement, user)
    return True


def ensure_can_view(arrangement: Arrangement) -> None:
    """403 unless the current user may read it; 404 for a draft they must not know exists."""
    kind = ArrangementKind(arrangement.kind)
    if not current_user.can(VIEW_PERMISSION[kind]):
        abort(403)
    if not can_view(current_user, arrangement):
        abort(404)


def can_manage(user, arrangement: Arrangement) -> bool:
    """Whether ``user`` may change this arrangement (role and own-department rule)."""
    return can_change(
        user, MANAGE_PERMISSION[ArrangementKind(arrangement.kind)], arrangement.department_id
    )


def ensure_can_manage(arrangement: Arrangement) -> None:
    """403 unless the current user may change it."""
    ensure_can_view(arrangement)
    if not can_manage(current_user, arrangement):
        abort(403)


# Each register's own page for an arrangement: (endpoint, name of its id argument).
DETAIL_PAGES = {
    ArrangementKind.ENGAGEMENT: ("engagements.detail", "engagement_id"),
    ArrangementKind.CLOUD_SERVICE: ("cloud.detail", "service_id"),
    ArrangementKind.SOCIAL_ACCOUNT: ("social.detail", "account_id"),
}


def arrangement_url(arrangement: Arrangement) -> str | None:
    """The arrangement's own page in its register (None if that register has no such page)."""
    endpoint, arg = DETAIL_PAGES[ArrangementKind(arrangement.kind)]
    try:
        return url_for(endpoint, **{arg: arrangement.id})
    except BuildError:
        return None
