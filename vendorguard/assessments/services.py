"""Recording assessments, keeping the next review date in step, and working actions to closure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.access import manage_permission
from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentMethod,
    AssessmentResult,
)
from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.auth.roles import PERMISSIONS
from vendorguard.core import concurrency
from vendorguard.core.dates import add_months
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.tiers.policy import review_interval_months

MAX_FINDINGS = 50
MAX_TEXT = 5000
# Bullets people paste from Word or e-mail ("・", "1.", "(2)", "①") are not part of the finding.
_BULLET = re.compile(r"^(?:[・･●○◆◇■□※\-*•]+|\(?\d{1,3}[.)）．]|（\d{1,3}）|[①-⑳])\s*")


@dataclass
class AssessmentData:
    """What a person enters when recording an assessment."""

    assessed_on: date
    result: AssessmentResult
    method: AssessmentMethod
    summary: str
    findings: str = ""
    valid_until: date | None = None
    owner_id: int | None = None  # person in charge of every action the findings create
    due_on: date | None = None  # their due date; each action can be changed afterwards


@dataclass
class ActionData:
    """What a person enters about one action."""

    finding: str
    owner_id: int | None
    due_on: date | None
    contractor_response: str = ""


def split_findings(text: str) -> list[str]:
    """One finding per non-empty line, bullets and numbering removed."""
    findings = []
    for line in (text or "").splitlines():
        # before and after NFKC: "①" and "・" are bullets as typed, "１．" only once normalised
        line = _BULLET.sub("", clean(_BULLET.sub("", line.strip()))).strip()
        if line:
            findings.append(line)
    return findings


def default_valid_until(assessed_on: date, months: int | None = None) -> date:
    """One year after the assessment (29 February → 28 February), or ``months`` after it (the
    review interval of the arrangement's risk tier)."""
    if months is not None:
        return add_months(assessed_on, months)
    try:
        return assessed_on.replace(year=assessed_on.year + 1)
    except ValueError:
        return assessed_on.replace(year=assessed_on.year + 1, day=28)


def _check_owner(
    session: Session, arrangement: Arrangement, owner_id: int | None, keep_id: int | None = None
) -> int:
    if owner_id is None:
        raise DomainError(_("措置の担当者を選択してください。"), field="owner_id")
    owner = session.get(User, owner_id)
    roles = PERMISSIONS[manage_permission(arrangement)]
    usable = owner is not None and owner.is_active and owner.role in roles
    if not usable and owner_id != keep_id:
        raise DomainError(_("この利用者は措置の担当者に指定できません。"), field="owner_id")
    return owner_id


def _check_text(text: str, field: str, required_message: str | None = None) -> str:
    text = (text or "").strip()
    if required_message and not text:
        raise DomainError(required_message, field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(_("%(max)d文字以内で入力してください。", max=MAX_TEXT), field=field)
    return text


def record_assessment(
    session: Session,
    arrangement: Arrangement,
    data: AssessmentData,
    user: User | None,
    today: date | None = None,
) -> Assessment:
    """Record an assessment; each finding becomes an open action; the next review date follows."""
    today = today or today_tokyo()
    if arrangement.is_archived:
        raise DomainError(_("アーカイブ済みの案件には確認を記録できません。"))
    if data.assessed_on > today:
        raise DomainError(_("確認日に未来の日付は指定できません。"), field="assessed_on")
    valid_until = data.valid_until or default_valid_until(
        data.assessed_on, review_interval_months(session, arrangement)
    )
    if valid_until <= data.assessed_on:
        raise DomainError(_("有効期限は確認日より後の日付にしてください。"), field="valid_until")
    summary = _check_text(data.summary, "summary", _("確認の概要を入力してください。"))
    findings = split_findings(data.findings)
    if data.result != AssessmentResult.CONFORMING and not findings:
        raise DomainError(
            _(
                "「%(result)s」の場合は、指摘事項を1件以上入力してください（1行に1件）。",
                result=AssessmentResult(data.result).label,
            ),
            field="findings",
        )
    if len(findings) > MAX_FINDINGS:
        raise DomainError(
            _("指摘事項は1回に%(max)d件までです。", max=MAX_FINDINGS), field="findings"
        )
    if any(len(finding) > MAX_TEXT for finding in findings):
        raise DomainError(
            _("指摘事項は1件%(max)d文字以内で入力してください。", max=MAX_TEXT), field="findings"
        )
    if findings:
        _check_owner(session, arrangement, data.owner_id)
        if data.due_on is None:
            raise DomainError(
                _("指摘事項がある場合は、措置の期限を入力してください。"), field="due_on"
            )
        if data.due_on < data.assessed_on:
            raise DomainError(_("措置の期限は確認日以降の日付にしてください。"), field="due_on")
    assessment = Assessment(
        arrangement_id=arrangement.id,
        assessed_on=data.assessed_on,
        result=data.result,
        method=data.method,
        summary=summary,
        findings="\n".join(findings),
        valid_until=valid_until,
        previous_review_on=arrangement.next_review_on,
        assessed_by_id=user.id if user else None,
    )
    session.add(assessment)
    session.flush()
    for finding in findings:
        session.add(
            Action(
                assessment_id=assessment.id,
                arrangement_id=arrangement.id,
                finding=finding,
                owner_id=data.owner_id,
                due_on=data.due_on,
                status=ActionStatus.OPEN,
            )
        )
    sync_next_review(session, arrangement)
    session.flush()
    return assessment


def sync_next_review(session: Session, arrangement: Arrangement) -> None:
    """Set the arrangement's next review date from its latest non-archived assessment.

    With none left, the date it had before its first assessment comes back.
    """
    latest = session.scalars(
        select(Assessment)
        .where(Assessment.arrangement_id == arrangement.id, Assessment.archived_at.is_(None))
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
        .limit(1)
    ).first()
    wanted: date | None
    if latest is not None:
        wanted = latest.valid_until
    else:
        first = session.scalars(
            select(Assessment)
            .where(Assessment.arrangement_id == arrangement.id)
            .order_by(Assessment.id)
            .limit(1)
        ).first()
        if first is None:
            return
        wanted = first.previous_review_on
    if arrangement.next_review_on != wanted:
        arrangement.next_review_on = wanted
    session.flush()


def archive_assessment(
    session: Session, assessment: Assessment, arrangement: Arrangement, version: int | None = None
) -> None:
    """Archive an assessment recorded in error; its actions drop out of the lists."""
    concurrency.check_version(assessment, version)
    if assessment.is_archived:
        raise DomainError(_("この確認は既にアーカイブされています。"))
    assessment.archived_at = utcnow()
    concurrency.flush(session)
    sync_next_review(session, arrangement)


def restore_assessment(
    session: Session, assessment: Assessment, arrangement: Arrangement, version: int | None = None
) -> None:
    """Bring an archived assessment (and its actions) back."""
    concurrency.check_version(assessment, version)
    if not assessment.is_archived:
        raise DomainError(_("この確認はアーカイブされていません。"))
    if arrangement.is_archived:
        raise DomainError(
            _("アーカイブ済みの案件の確認は元に戻せません。先に案件を元に戻してください。")
        )
    assessment.archived_at = None
    concurrency.flush(session)
    sync_next_review(session, arrangement)


def _ensure_changeable(assessment: Assessment) -> None:
    if assessment.is_archived:
        raise DomainError(_("アーカイブされた確認の措置は変更できません。"))


def add_action(
    session: Session, assessment: Assessment, arrangement: Arrangement, data: ActionData
) -> Action:
    """Add an action to an existing assessment (a finding noticed later)."""
    if assessment.is_archived:
        raise DomainError(_("アーカイブされた確認には措置を追加できません。"))
    action = Action(
        assessment_id=assessment.id,
        arrangement_id=assessment.arrangement_id,
        status=ActionStatus.OPEN,
    )
    _apply(session, action, assessment, arrangement, data)
    session.add(action)
    session.flush()
    return action


def _apply(
    session: Session,
    action: Action,
    assessment: Assessment,
    arrangement: Arrangement,
    data: ActionData,
) -> None:
    finding = clean(data.finding)
    if not finding:
        raise DomainError(_("指摘事項を入力してください。"), field="finding")
    if len(finding) > MAX_TEXT:
        raise DomainError(_("%(max)d文字以内で入力してください。", max=MAX_TEXT), field="finding")
    if data.due_on is None:
        raise DomainError(_("期限を入力してください。"), field="due_on")
    if data.due_on < assessment.assessed_on:
        raise DomainError(
            _(
                "期限は確認日（%(day)s）以降の日付にしてください。",
                day=assessment.assessed_on.isoformat(),
            ),
            field="due_on",
        )
    action.finding = finding
    action.owner_id = _check_owner(session, arrangement, data.owner_id, keep_id=action.owner_id)
    action.due_on = data.due_on
    action.contractor_response = _check_text(data.contractor_response, "contractor_response")


def update_action(
    session: Session,
    action: Action,
    assessment: Assessment,
    arrangement: Arrangement,
    data: ActionData,
    version: int | None = None,
) -> Action:
    """Change an open action: finding, person in charge, due date, the contractor's response."""
    concurrency.check_version(action, version)
    _ensure_changeable(assessment)
    if not action.is_open:
        raise DomainError(
            _("完了した措置は編集できません。内容を変えるには、先に再開してください。")
        )
    _apply(session, action, assessment, arrangement, data)
    concurrency.flush(session)
    return action


def close_action(
    session: Session,
    action: Action,
    assessment: Assessment,
    resolution: str,
    closed_on: date | None,
    user: User | None,
    today: date | None = None,
    version: int | None = None,
) -> Action:
    """Close an action with what was done about it."""
    concurrency.check_version(action, version)
    today = today or today_tokyo()
    _ensure_changeable(assessment)
    if not action.is_open:
        raise DomainError(_("この措置は既に完了しています。"))
    resolution = _check_text(
        resolution, "resolution", _("対応の結果（措置の内容）を入力してください。")
    )
    closed_on = closed_on or today
    if closed_on > today:
        raise DomainError(_("完了日に未来の日付は指定できません。"), field="closed_on")
    if closed_on < assessment.assessed_on:
        raise DomainError(
            _(
                "完了日は確認日（%(day)s）以降の日付にしてください。",
                day=assessment.assessed_on.isoformat(),
            ),
            field="closed_on",
        )
    action.status = ActionStatus.CLOSED
    action.closed_on = closed_on
    action.closed_by_id = user.id if user else None
    action.resolution = resolution
    audit_capture.tag(session, action, "close")
    concurrency.flush(session)
    return action


def reopen_action(
    session: Session, action: Action, assessment: Assessment, version: int | None = None
) -> Action:
    """Reopen a closed action (the resolution stays, for the record, until it is closed again)."""
    concurrency.check_version(action, version)
    _ensure_changeable(assessment)
    if action.is_open:
        raise DomainError(_("この措置は完了していません。"))
    action.status = ActionStatus.OPEN
    action.closed_on = None
    action.closed_by_id = None
    audit_capture.tag(session, action, "reopen")
    concurrency.flush(session)
    return action
