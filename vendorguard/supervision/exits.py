"""The exit of an engagement (契約終了時の措置): a checklist derived from what the work handled.

Opening it (from 30 days before the end, or once the engagement is ended or suspended) lists:
return and erasure of the data (method, witness), an erasure certificate from the contractor and
from every stage of the chain that held data (each an evidence request, uploaded in the portal
and reviewed like any evidence), removal of accounts, VPN and keys, the roster closed, and for
SNS work the hand-over of the account credentials. The engagement closes only when every item is
done or waived with a reason (both audited).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    PermissionStatus,
    Subcontractor,
)
from vendorguard.evidence import services as evidence_services
from vendorguard.supervision.models import (
    CERTIFICATES,
    ErasureMethod,
    ExitChecklist,
    ExitItem,
    ExitItemKind,
    StaffMember,
)

OPENS_DAYS_BEFORE_END = 30
CERTIFICATE_DUE_DAYS = 14  # after the end (or after opening, when that is later)
REMOTE_WORDS = ("vpn", "リモート", "遠隔", "remote")


def can_open(engagement: Engagement, today: date) -> bool:
    """Whether the exit may start: near or past the end, or the engagement ended or suspended."""
    return engagement.state in (
        ArrangementState.ENDED,
        ArrangementState.SUSPENDED,
    ) or engagement.ends_on <= today + timedelta(days=OPENS_DAYS_BEFORE_END)


def held_data(engagement: Engagement, has_items: bool) -> bool:
    """Whether the work handled the city's information at all."""
    return has_items or engagement.handles_personal_info or engagement.handles_my_number


def derive(
    engagement: Engagement, subs: list[Subcontractor], has_items: bool, sns_work: bool
) -> list[tuple[ExitItemKind, Subcontractor | None]]:
    """The items the exit needs, from what the engagement handled."""
    items: list[tuple[ExitItemKind, Subcontractor | None]] = []
    if held_data(engagement, has_items):
        items += [
            (ExitItemKind.DATA_RETURN, None),
            (ExitItemKind.DATA_ERASURE, None),
            (ExitItemKind.ERASURE_CERTIFICATE, None),
        ]
        for sub in subs:
            # Every stage that ever held the data (the 2019 drives were resold two stages down).
            used = sub.permission_status != PermissionStatus.REJECTED
            if used and (sub.information_handled.strip() or engagement.handles_personal_info):
                items.append((ExitItemKind.SUB_ERASURE_CERTIFICATE, sub))
    items.append((ExitItemKind.ACCOUNTS, None))
    access = f"{engagement.access_method} {engagement.access_scope}".lower()
    if any(word in access for word in REMOTE_WORDS):
        items.append((ExitItemKind.VPN, None))
    items += [(ExitItemKind.KEYS, None), (ExitItemKind.ROSTER, None)]
    if sns_work:
        items.append((ExitItemKind.SNS_CREDENTIALS, None))
    return items


def item_label(item: ExitItem) -> str:
    """The item's name, with the stage for a subcontractor's certificate."""
    if item.kind == ExitItemKind.SUB_ERASURE_CERTIFICATE and item.subcontractor is not None:
        return _("消去証明書（再委託先：%(name)s）", name=item.subcontractor.name)
    return str(item.kind.label)


def open_exit(
    session: Session, engagement: Engagement, user: User, today: date, sns_work: bool
) -> ExitChecklist:
    """Open the engagement's exit checklist (once) and ask for the erasure certificates."""
    if engagement.archived_at is not None:
        raise DomainError(_("アーカイブ済みの業務委託です。"))
    existing = session.scalar(
        select(ExitChecklist).where(ExitChecklist.engagement_id == engagement.id)
    )
    if existing is not None:
        raise DomainError(_("終了時の措置は既に開始されています。"))
    if not can_open(engagement, today):
        raise DomainError(
            _(
                "終了時の措置は、契約終了日の%(days)d日前から、または業務委託を終了・停止にしてから開始できます。",
                days=OPENS_DAYS_BEFORE_END,
            )
        )
    has_items = session.scalar(
        select(InformationItem.id).where(InformationItem.engagement_id == engagement.id).limit(1)
    )
    subs = list(
        session.scalars(
            select(Subcontractor)
            .where(Subcontractor.engagement_id == engagement.id)
            .order_by(Subcontractor.tier, Subcontractor.id)
        )
    )
    checklist = ExitChecklist(engagement_id=engagement.id, opened_by_id=user.id)
    session.add(checklist)
    session.flush()
    due = max(today, engagement.ends_on) + timedelta(days=CERTIFICATE_DUE_DAYS)
    for position, (kind, sub) in enumerate(derive(engagement, subs, bool(has_items), sns_work)):
        item = ExitItem(
            checklist_id=checklist.id,
            kind=kind,
            position=position,
            subcontractor_id=sub.id if sub else None,
        )
        if kind in CERTIFICATES:
            title = (
                _("データ消去証明書（再委託先：%(name)s）", name=sub.name)
                if sub
                else _("データ消去証明書（受託者）")
            )
            request = evidence_services.create_adhoc_request(
                session,
                engagement,
                evidence_services.AdhocData(
                    due_on=due,
                    title=title,
                    description=_(
                        "契約終了に伴い、市が提供した情報の消去・廃棄を証明する書類（方法・実施日・実施者・立会者）を提出してください。"
                    ),
                ),
                today,
            )
            item.evidence_request_id = request.id
        session.add(item)
    session.flush()
    return checklist


def _open_item(checklist: ExitChecklist, item: ExitItem) -> None:
    if item.checklist_id != checklist.id:
        raise DomainError(_("項目が見つかりません。"))
    if checklist.closed_at is not None:
        raise DomainError(_("終了時の措置は既に完了しています。"))
    if item.is_waived:
        raise DomainError(_("この項目は対応不要として記録済みです。"))


def record_done(
    session: Session,
    checklist: ExitChecklist,
    item: ExitItem,
    user: User,
    done_on: date | None,
    method: ErasureMethod | None,
    witness: str,
    notes: str,
) -> ExitItem:
    """Record an item as done; erasure needs its method and witness (立会い)."""
    _open_item(checklist, item)
    if item.kind in CERTIFICATES:
        raise DomainError(_("消去証明書は、委託事業者が提出した証跡を受理すると完了になります。"))
    if done_on is None:
        raise DomainError(_("実施日を入力してください。"), field="done_on")
    witness = " ".join((witness or "").split())
    if item.kind == ExitItemKind.DATA_ERASURE:
        if method is None:
            raise DomainError(_("消去の方法を選んでください。"), field="method")
        if not witness:
            raise DomainError(_("立会者を入力してください。"), field="witness")
    if item.kind == ExitItemKind.ROSTER:
        engagement_id = checklist.engagement_id
        open_people = list(
            session.scalars(
                select(StaffMember.name)
                .where(
                    StaffMember.engagement_id == engagement_id,
                    (StaffMember.ends_on.is_(None)) | (StaffMember.access_revoked_on.is_(None)),
                )
                .order_by(StaffMember.id)
                .limit(10)
            )
        )
        if open_people:
            raise DomainError(
                _(
                    "従事終了日またはアクセス削除日が記録されていない従事者がいます：%(names)s",
                    names="、".join(open_people),
                )
            )
    item.done_on, item.method, item.witness = done_on, method, witness
    item.notes = (notes or "").strip()
    item.done_by_id = user.id
    session.flush()
    return item


def waive(
    session: Session, checklist: ExitChecklist, item: ExitItem, user: User, reason: str
) -> ExitItem:
    """Leave an item undone on purpose; the reason and who decided are audited."""
    _open_item(checklist, item)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("対応不要とする理由を入力してください。"), field="reason")
    item.waiver_reason, item.waived_at, item.waived_by_id = reason, utcnow(), user.id
    audit_capture.tag(session, item, "waive")
    session.flush()
    return item


def close(
    session: Session,
    engagement: Engagement,
    checklist: ExitChecklist,
    user: User,
    version: int | None,
) -> ExitChecklist:
    """Close the exit and end the engagement, only when every item is done or waived."""
    concurrency.check_version(checklist, version)
    if checklist.closed_at is not None:
        raise DomainError(_("終了時の措置は既に完了しています。"))
    missing = [item for item in checklist.items if not item.is_done]
    if missing:
        certificates = [item for item in missing if item.kind in CERTIFICATES]
        lead = (
            _("消去証明書が受理されていないため、業務委託を終了できません。")
            if certificates
            else _("未了の項目があるため、業務委託を終了できません。")
        )
        raise DomainError(
            lead
            + _(
                "未了：%(items)s。各項目を完了するか、理由を記録して対応不要としてください。",
                items="、".join(item_label(item) for item in missing),
            )
        )
    checklist.closed_at, checklist.closed_by_id = utcnow(), user.id
    engagement.state = ArrangementState.ENDED
    audit_capture.tag(session, checklist, "close")
    concurrency.flush(session)
    return checklist
