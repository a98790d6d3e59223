"""Assurance state of an arrangement: 確認済 when all current evidence is accepted and in date.

Otherwise it says exactly what is wrong, item by item:

- blocking (the arrangement is not confirmed): a request past its due date with nothing submitted
  (``overdue``) or due today (``due_today``), a rejected request due by today (``rejected``), a
  submission due by today still waiting for review (``submitted``), and the latest accepted
  evidence of a requirement past its valid-until date (``expired``);
- warnings (shown, but the state can still be 確認済): accepted evidence expiring within 30 days
  (``expiring``) and a rejection whose due date has not come yet (``rejected_upcoming``).

Only requirements in use count (archived ones and withdrawn requests do not). An arrangement with
no requirement in use shows "証跡項目なし"; one whose requirements have nothing due and nothing
accepted yet shows "提出期限前".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.evidence.models import (
    UNSETTLED,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.web.i18n import format_day

EXPIRING_DAYS = 30
BLOCKING = ("overdue", "due_today", "rejected", "submitted", "expired")
WARNING = ("expiring", "rejected_upcoming")
_ORDER = {kind: n for n, kind in enumerate(BLOCKING + WARNING)}


@dataclass(frozen=True)
class AssuranceItem:
    """One thing that keeps an arrangement from being confirmed, or will soon."""

    kind: str
    title: str
    on: date | None
    request_id: int | None
    occurrence: str = ""

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING

    @property
    def occurrence_label(self) -> str:
        """Which instance of the requirement, in words (「2026年4月分」)."""
        from vendorguard.evidence.occurrences import occurrence_label

        return occurrence_label(self.occurrence) if self.occurrence else ""

    @property
    def badge(self) -> str:
        return "badge-danger" if self.kind in ("overdue", "rejected", "expired") else "badge-warn"

    @property
    def label(self) -> str:
        """A short name of the problem."""
        return {
            "overdue": _("期限超過"),
            "due_today": _("本日期限"),
            "rejected": _("差戻し中"),
            "submitted": _("確認待ち"),
            "expired": _("有効期限切れ"),
            "expiring": _("まもなく期限切れ"),
            "rejected_upcoming": _("差戻し中"),
        }[self.kind]

    @property
    def reason(self) -> str:
        """What exactly is missing or wrong, in a sentence."""
        day = format_day(self.on)
        return {
            "overdue": _("提出期限（%(day)s）を過ぎても提出されていません。", day=day),
            "due_today": _("本日（%(day)s）が提出期限で、まだ提出されていません。", day=day),
            "rejected": _("差し戻した証跡の再提出がありません（期限 %(day)s）。", day=day),
            "submitted": _(
                "提出済みの証跡が確認（受理・差戻し）されていません（期限 %(day)s）。", day=day
            ),
            "expired": _("受理した証跡の有効期限（%(day)s）が過ぎています。", day=day),
            "expiring": _("受理した証跡の有効期限（%(day)s）が近づいています。", day=day),
            "rejected_upcoming": _(
                "差し戻した証跡の再提出を待っています（期限 %(day)s）。", day=day
            ),
        }[self.kind]


@dataclass
class AssuranceState:
    """An arrangement's assurance: ``status`` is confirmed | attention | pending | none."""

    arrangement_id: int
    status: str = "none"
    items: list[AssuranceItem] = field(default_factory=list)
    # A page's panel reads only the first items it shows: these count all of them (None: ``items``
    # holds every item).
    total: int | None = None
    problem_total: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"

    @property
    def item_count(self) -> int:
        """How many items there are, shown or not."""
        return len(self.items) if self.total is None else self.total

    @property
    def problem_count(self) -> int:
        """How many of them block confirmation."""
        return len(self.problems) if self.problem_total is None else self.problem_total

    @property
    def problems(self) -> list[AssuranceItem]:
        return [item for item in self.items if item.blocking]

    @property
    def warnings(self) -> list[AssuranceItem]:
        return [item for item in self.items if not item.blocking]

    @property
    def label(self) -> str:
        """The compact badge text for lists."""
        if self.status == "attention":
            return _("要対応 %(count)d件", count=self.problem_count)
        return {"confirmed": _("確認済"), "pending": _("提出期限前"), "none": _("証跡項目なし")}[
            self.status
        ]

    @property
    def badge(self) -> str:
        """The CSS class of the badge."""
        if self.status == "confirmed":
            return "badge-warn" if self.item_count > self.problem_count else "badge-ok"
        return {"attention": "badge-danger", "pending": "badge-info", "none": "badge-muted"}[
            self.status
        ]


def _with_requirements(ids: list[int]) -> Select:
    """Which of the arrangements have a requirement in use (one row each)."""
    return (
        select(EvidenceRequirement.arrangement_id)
        .where(
            EvidenceRequirement.arrangement_id.in_(ids), EvidenceRequirement.archived_at.is_(None)
        )
        .group_by(EvidenceRequirement.arrangement_id)
    )


def _open_requests(ids: list[int], today: date) -> Select:
    """Unsettled requests due by ``today`` and rejected ones: (id, arrangement, status, due, …)."""
    return (
        select(
            EvidenceRequest.id,
            EvidenceRequest.arrangement_id,
            EvidenceRequest.status,
            EvidenceRequest.due_on,
            EvidenceRequest.occurrence,
            EvidenceRequirement.title,
        )
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .where(
            EvidenceRequest.arrangement_id.in_(ids),
            EvidenceRequirement.archived_at.is_(None),
            EvidenceRequest.status.in_(list(UNSETTLED)),
            or_(EvidenceRequest.due_on <= today, EvidenceRequest.status == RequestStatus.REJECTED),
        )
    )


def _latest_accepted(ids: list[int]) -> Select:
    """The latest accepted evidence of each requirement in use: (valid until, request, …)."""
    ranked = (
        select(
            EvidenceSubmission.valid_until,
            EvidenceSubmission.request_id,
            EvidenceRequest.arrangement_id,
            EvidenceRequest.occurrence,
            EvidenceRequirement.title,
            func.row_number()
            .over(
                partition_by=EvidenceRequest.evidence_requirement_id,
                order_by=(EvidenceSubmission.reviewed_at.desc(), EvidenceSubmission.id.desc()),
            )
            .label("rank"),
        )
        .join(EvidenceRequest, EvidenceRequest.id == EvidenceSubmission.request_id)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .where(
            EvidenceRequest.arrangement_id.in_(ids),
            EvidenceRequirement.archived_at.is_(None),
            EvidenceSubmission.decision == ReviewDecision.ACCEPTED,
        )
        .subquery()
    )
    return select(
        ranked.c.valid_until,
        ranked.c.request_id,
        ranked.c.arrangement_id,
        ranked.c.occurrence,
        ranked.c.title,
    ).where(ranked.c.rank == 1)


def assurance_for(session: Session, arrangement: Arrangement, today: date) -> AssuranceState:
    """The assurance state of one arrangement on ``today``, in one statement (its page's panel).

    The three reads of ``assurance_for_many`` as one UNION ALL, each row tagged with its part."""
    ids = [arrangement.id]
    opened = _open_requests(ids, today).subquery()
    accepted = _latest_accepted(ids).subquery()
    required = _with_requirements(ids).subquery()
    rows = session.execute(
        union_all(
            select(
                literal("open").label("part"),
                opened.c.id.label("request_id"),
                opened.c.status,
                opened.c.due_on.label("on"),
                opened.c.occurrence,
                opened.c.title,
            ),
            select(
                literal("accepted"),
                accepted.c.request_id,
                null(),
                accepted.c.valid_until,
                accepted.c.occurrence,
                accepted.c.title,
            ),
            select(literal("required"), null(), null(), null(), null(), null()).select_from(
                required
            ),
        )
    ).all()
    parts: dict[str, list[Any]] = {"open": [], "accepted": [], "required": []}
    for part, request_id, status, on, occurrence, title in rows:
        parts[part].append((request_id, arrangement.id, status, on, occurrence, title))
    return _states(
        ids,
        {arrangement.id} if parts["required"] else set(),
        parts["open"],
        [
            (on, request_id, arrangement_id, occurrence, title)
            for request_id, arrangement_id, _s, on, occurrence, title in parts["accepted"]
        ],
        today,
    )[arrangement.id]


def assurance_for_many(
    session: Session, arrangement_ids: Iterable[int], today: date
) -> dict[int, AssuranceState]:
    """The assurance state of many arrangements in three queries, whatever their number."""
    ids = sorted(set(arrangement_ids))
    if not ids:
        return {}
    return _states(
        ids,
        set(session.scalars(_with_requirements(ids))),
        session.execute(_open_requests(ids, today)).tuples().all(),
        session.execute(_latest_accepted(ids)).tuples().all(),
        today,
    )


def _states(
    ids: list[int],
    with_requirements: set[int],
    open_rows: Iterable[tuple[Any, ...]],
    accepted: Iterable[tuple[Any, ...]],
    today: date,
) -> dict[int, AssuranceState]:
    """The states from what the reads returned (the rule itself, the same for one and many)."""
    states = {arrangement_id: AssuranceState(arrangement_id) for arrangement_id in ids}
    for request_id, arrangement_id, status, due_on, occurrence, title in open_rows:
        if status == RequestStatus.REJECTED:
            kind = "rejected" if due_on <= today else "rejected_upcoming"
        elif status == RequestStatus.SUBMITTED:
            kind = "submitted"
        else:
            kind = "overdue" if due_on < today else "due_today"
        states[arrangement_id].items.append(
            AssuranceItem(kind, title, due_on, request_id, occurrence)
        )

    # The latest accepted evidence of each requirement in use decides whether it is in date.
    has_accepted = set()
    soon = today + timedelta(days=EXPIRING_DAYS)
    for valid_until, request_id, arrangement_id, occurrence, title in accepted:
        has_accepted.add(arrangement_id)
        if valid_until is None or valid_until > soon:
            continue
        kind = "expired" if valid_until < today else "expiring"
        states[arrangement_id].items.append(
            AssuranceItem(kind, title, valid_until, request_id, occurrence)
        )

    for arrangement_id, state in states.items():
        state.items.sort(key=lambda item: (_ORDER[item.kind], item.on or today, item.title))
        if arrangement_id not in with_requirements:
            state.status = "none"
        elif state.problems:
            state.status = "attention"
        elif arrangement_id in has_accepted:
            state.status = "confirmed"
        else:
            state.status = "pending"
    return states
