"""The statements behind the home page's sections and strip: built for the signed-in user, kept, and
counted in one query.

The process keeps the statements per user, scope and day (``built``). The to-do counts are a badge,
like the header's unread count: they stop at ``HOME_COUNT_BOUND`` and past it say 「100件以上」; the
list each one links to counts on (to 1,000 on its first page). Counting the city's 1,000 overdue
requests, pending reviews, review dates and unstaffed engagements to the list's bound walked some
4,000 index entries at every making of the page, two thirds of its database time, to tell apart
numbers that ask for the same thing: open the list. ``count_all`` fills every section's total and
strip count in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.dashboard import queries
from vendorguard.dashboard.parts import Built, Section, StripItem, kept_for
from vendorguard.evidence import home_queries as evidence_home
from vendorguard.inspections import queries as inspection_queries
from vendorguard.org.models import Department
from vendorguard.social import queries as social_queries

# The home's to-do counts stop here (「100件以上」), as the unread badge stops at "99+".
HOME_COUNT_BOUND = 100


def built(department_id: int | None, today: date) -> Built:
    """The kept statements of the signed-in user for ``department_id`` and ``today``: the key holds
    everything the statements read (user, role, own department, scope, day)."""
    return kept_for(
        (
            current_user.id,
            current_user.role,
            current_user.department_id,
            department_id,
            today,
        )
    )


def entity_only(stmt: Select) -> Select:
    """``stmt`` without its extra columns: the home counts on its own, so a row query's window
    ``count(*) OVER ()`` would only make the database read every match to show five."""
    return stmt.with_only_columns(stmt.column_descriptions[0]["entity"])


def social(today: date) -> Select:
    """The signed-in user's SNS accounts that need action."""
    # The kind named too, so the 400 accounts are read through the kind index, not found by
    # hashing all 20,000 arrangements.
    return social_queries.needs_attention(current_user, today).where(
        Arrangement.kind == ArrangementKind.SOCIAL_ACCOUNT.value
    )


def inspections(today: date) -> Select:
    """The signed-in user's inspections due soon or overdue, without the row query's count."""
    return entity_only(inspection_queries.due_for(current_user, today))


@dataclass(frozen=True)
class Evidence:
    """The evidence sections' row statements and the key statements that count them."""

    review: Select
    overdue: Select
    review_keys: Select
    overdue_keys: Select
    overdue_picked: Select  # the keys its first rows are picked by (``Section.picked``)


def evidence(department_id: int | None, today: date) -> Evidence:
    """The signed-in user's evidence awaiting review and overdue, narrowed to ``department_id``."""
    review = evidence_home.submissions_awaiting_review(current_user)
    review_keys = evidence_home.submission_keys_awaiting_review(current_user)
    if department_id is not None:
        review = review.where(Arrangement.department_id == department_id)
        review_keys = review_keys.where(Arrangement.department_id == department_id)
    scope = {"user": current_user, "department_id": department_id}
    return Evidence(
        review,
        evidence_home.overdue_requests(today, **scope),
        review_keys,
        evidence_home.overdue_request_keys(today, **scope),
        evidence_home.overdue_request_keys(today, **scope, picking=True),
    )


def _counted(item: Section | StripItem) -> Select:
    return item.stmt if item.counted is None else item.counted


def count_all(
    session: Session,
    sections: list[Section],
    strip: list[StripItem],
    department_id: int | None,
    today: date,
) -> str | None:
    """Fill every section's total and strip count in one query, each stopping at
    ``HOME_COUNT_BOUND``; returns the department's name (read in the same query) when the page is
    narrowed to one."""
    listed = {s.key: s for s in sections}
    own = [item for item in strip if item.section not in listed]
    statements = {s.key: _counted(s) for s in sections} | {
        f"strip_{i.key}": _counted(i) for i in own
    }
    if not statements and department_id is None:
        return None
    bound = HOME_COUNT_BOUND

    def build() -> Select:
        name = select(Department.name).where(Department.id == department_id).scalar_subquery()
        return queries.counts(statements, bound).add_columns(name.label("name"))

    counted = session.execute(built(department_id, today).executed("counts", build)).one()
    for section in sections:
        found = counted._mapping[section.key]
        section.total, section.bounded = min(found, bound), found > bound
    for item in own:
        found = counted._mapping[f"strip_{item.key}"]
        item.count, item.bounded = min(found, bound), found > bound
    for item in strip:
        if item.section in listed:
            item.count, item.bounded = listed[item.section].total, listed[item.section].bounded
    return counted.name if department_id is not None else None
