"""The subcontracting chain (再委託先, any depth) of an engagement and the city's permission (許諾).

Each stage names the stage that entrusts it (``parent_id``; None: the contractor itself). My
Number work needs the city's permission at every stage (My Number Act §10: 「その段階を問わず」), so
such work never holds a stage in use without a recorded approval, and no stage may be proposed
below a stage the city has not permitted. Contractors propose stages in the portal
(``propose_subcontractor``); the city approves (``approve_subcontractor``, with conditions) or
refuses (``reject_subcontractor``, with the reason). The chain's graph: ``engagements.chain``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.contractors import corporate_number as corporate
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements.models import MAX_TIER, Engagement, PermissionStatus, Subcontractor
from vendorguard.engagements.services import ensure_not_archived, tidy

# The contract's security items a stage may be bound to as well (FACTS §1 codes; the labels are
# the guideline's item names, shortened).
FLOW_DOWN_ITEMS: dict[str, object] = {
    "OUT-01": _l("情報セキュリティポリシー等の遵守"),
    "OUT-02": _l("責任者・作業者・作業場所の特定"),
    "OUT-04": _l("アクセスできる情報と方法の限定"),
    "OUT-05": _l("従業員への教育"),
    "OUT-06": _l("目的外利用・第三者提供の禁止"),
    "OUT-07": _l("守秘義務"),
    "OUT-08": _l("再委託の制限"),
    "OUT-09": _l("終了時の返還・廃棄"),
    "OUT-10": _l("定期報告・緊急時報告"),
    "OUT-11": _l("市による監査・検査"),
    "OUT-13": _l("違反時の損害賠償等"),
}


@dataclass
class SubcontractorData:
    """What a person enters about a subcontractor; approval fields may stay empty."""

    name: str = ""
    contractor_id: int | None = None
    corporate_number: str = ""
    work_scope: str = ""
    parent_id: int | None = None  # the stage entrusting this one; None: the contractor itself
    information_handled: str = ""
    flow_down: list[str] = field(default_factory=list)
    approved_by: str = ""
    approved_on: date | None = None
    approval_conditions: str = ""


def my_number_unapproved_message() -> str:
    """The refusal shown whenever My Number work would get a subcontractor without permission.

    My Number Act §10(1): re-entrustment only with the entrusting party's permission (許諾);
    §10(2): a re-entrusted party counts as entrusted, so every further tier needs it too.
    """
    return _(
        "マイナンバー（特定個人情報）を取り扱う業務では、市の許諾のない再委託はできません（番号法第10条第1項。再委託先が更に委託するときも同じです（同条第2項））。"
    )


def my_number_parent_message() -> str:
    """The refusal when a stage would be added below a stage the city has not permitted."""
    return _(
        "マイナンバー（特定個人情報）を取り扱う業務では、市の許諾を得ていない再委託先からの再委託はできません。"
        "先に上位の再委託先について市の許諾を得てください（番号法第10条：再委託はその段階を問わず委託者の許諾が必要です）。"
    )


def descendants(subs: list[Subcontractor], sub_id: int) -> set[int]:
    """Ids of the stages below ``sub_id`` (its children, their children …) among ``subs``."""
    children: dict[int | None, list[int]] = {}
    for s in subs:
        children.setdefault(s.parent_id, []).append(s.id)
    found: set[int] = set()
    todo = list(children.get(sub_id, []))
    while todo and len(found) <= len(subs):  # bounded even if stored data had a loop
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def _parent(
    session: Session, engagement: Engagement, sub: Subcontractor, parent_id: int | None
) -> Subcontractor | None:
    if parent_id is None:
        return None
    parent = session.get(Subcontractor, parent_id)
    if parent is None or parent.engagement_id != engagement.id or parent.archived_at is not None:
        raise DomainError(_("上位の委託先を選び直してください。"), field="parent_id")
    if sub.id is not None:
        subs = _chain(session, engagement)
        if parent.id == sub.id or parent.id in descendants(subs, sub.id):
            raise DomainError(
                _("自分自身やその下位の再委託先を上位の委託先にはできません。"), field="parent_id"
            )
    if parent.tier + 1 > MAX_TIER:
        raise DomainError(
            _("再委託の階層は%(max)d次までしか登録できません。", max=MAX_TIER), field="parent_id"
        )
    if engagement.handles_my_number and not parent.is_approved:
        raise DomainError(my_number_parent_message(), field="parent_id")
    return parent


def _flow_down(codes: list[str]) -> list[str]:
    unknown = [code for code in codes if code not in FLOW_DOWN_ITEMS]
    if unknown:
        raise DomainError(_("再委託先に求める事項を選び直してください。"), field="flow_down")
    return [code for code in FLOW_DOWN_ITEMS if code in codes]


def _ensure_subcontracting_allowed(engagement: Engagement) -> None:
    if not engagement.subcontracting_allowed:
        raise DomainError(
            _(
                "この業務委託は再委託を認めていないため、再委託先を登録できません。"
                "再委託を認める場合は、先に業務委託の「再委託を認める」を設定してください。"
            )
        )


def _approval(data: SubcontractorData) -> tuple[str | None, date | None]:
    approved_by = tidy(data.approved_by) or None
    if approved_by and data.approved_on is None:
        raise DomainError(_("許諾日を入力してください。"), field="approved_on")
    if data.approved_on is not None and not approved_by:
        raise DomainError(_("許諾した者を入力してください。"), field="approved_by")
    return approved_by, data.approved_on


def _apply(
    session: Session,
    engagement: Engagement,
    sub: Subcontractor,
    data: SubcontractorData,
    recorded_by_id: int | None,
    proposal: bool = False,
) -> Subcontractor:
    name, number = tidy(data.name), corporate.normalise(data.corporate_number)
    if data.contractor_id is not None:
        contractor = session.get(Contractor, data.contractor_id)
        if contractor is None or (
            contractor.is_archived and data.contractor_id != sub.contractor_id
        ):
            raise DomainError(_("登録済みの事業者が見つかりません。"), field="contractor_id")
        # A registered company's name and number are authoritative; typed values would drift.
        name, number = contractor.name, contractor.corporate_number or number
    if not name:
        raise DomainError(
            _("再委託先の名称を入力するか、登録済みの事業者を選んでください。"), field="name"
        )
    if number and not corporate.is_valid(number):
        raise DomainError(
            _("法人番号が正しくありません。13桁の数字を確認してください。"),
            field="corporate_number",
        )
    parent = _parent(session, engagement, sub, data.parent_id)
    flow_down = _flow_down(data.flow_down)
    approved_by, approved_on = _approval(data)
    was_approved = sub.id is not None and sub.is_approved
    if engagement.handles_my_number and approved_by is None and not proposal:
        if was_approved:
            raise DomainError(
                _("マイナンバー（特定個人情報）を取り扱う業務では、再委託の許諾を取り消せません。"),
                field="approved_by",
            )
        raise DomainError(my_number_unapproved_message(), field="approved_by")

    if (approved_by, approved_on) != (sub.approved_by, sub.approved_on):
        sub.approval_recorded_by_id = recorded_by_id if approved_by else None
        if approved_by and sub.id is not None and not was_approved:
            audit_capture.tag(session, sub, "approve")
    sub.contractor_id = data.contractor_id
    sub.name, sub.corporate_number = name, number or None
    sub.work_scope = (data.work_scope or "").strip()
    sub.information_handled = (data.information_handled or "").strip()
    sub.flow_down = flow_down
    sub.approval_conditions = (data.approval_conditions or "").strip()
    _place(session, engagement, sub, parent)
    sub.approved_by, sub.approved_on = approved_by, approved_on
    session.add(sub)
    session.flush()
    return sub


def _place(
    session: Session, engagement: Engagement, sub: Subcontractor, parent: Subcontractor | None
) -> None:
    """Hang ``sub`` under ``parent`` and renumber the tiers of the stages below it."""
    sub.parent_id = parent.id if parent else None
    sub.tier = parent.tier + 1 if parent else 1
    if sub.id is None:
        return
    subs = _chain(session, engagement)
    by_id = {s.id: s for s in subs}
    below = descendants(subs, sub.id)
    for _round in range(MAX_TIER + 1):  # parents settle before children within MAX_TIER rounds
        for s_id in below:
            child = by_id[s_id]
            parent_of = by_id.get(child.parent_id) if child.parent_id else None
            if parent_of is not None:
                child.tier = parent_of.tier + 1
    if any(by_id[s_id].tier > MAX_TIER for s_id in below):
        raise DomainError(
            _("再委託の階層は%(max)d次までしか登録できません。", max=MAX_TIER), field="parent_id"
        )


def add_subcontractor(
    session: Session, engagement: Engagement, data: SubcontractorData, recorded_by_id: int | None
) -> Subcontractor:
    """Register a subcontractor; ``recorded_by_id`` is the user recording any approval given."""
    ensure_not_archived(engagement)
    _ensure_subcontracting_allowed(engagement)
    return _apply(
        session, engagement, Subcontractor(engagement_id=engagement.id), data, recorded_by_id
    )


def update_subcontractor(
    session: Session,
    engagement: Engagement,
    sub: Subcontractor,
    data: SubcontractorData,
    recorded_by_id: int | None,
) -> Subcontractor:
    """Change a subcontractor; an approval may not be withdrawn on My Number work."""
    ensure_not_archived(engagement)
    if sub.archived_at is not None:
        raise DomainError(_("アーカイブ済みの再委託先は編集できません。"))
    return _apply(session, engagement, sub, data, recorded_by_id)


def approve_subcontractor(
    session: Session,
    engagement: Engagement,
    sub: Subcontractor,
    approved_by: str,
    approved_on: date | None,
    recorded_by_id: int | None,
    conditions: str = "",
) -> Subcontractor:
    """Record the city's permission (who gave it, when, on what conditions) and who recorded it."""
    ensure_not_archived(engagement)
    if sub.archived_at is not None:
        raise DomainError(_("アーカイブ済みの再委託先には許諾を記録できません。"))
    approved_by = tidy(approved_by)
    if not approved_by:
        raise DomainError(_("許諾した者を入力してください。"), field="approved_by")
    if approved_on is None:
        raise DomainError(_("許諾日を入力してください。"), field="approved_on")
    if sub.parent_id is not None and engagement.handles_my_number:
        parent = session.get(Subcontractor, sub.parent_id)
        if parent is None or not parent.is_approved:
            raise DomainError(my_number_parent_message())
    sub.approved_by, sub.approved_on = approved_by, approved_on
    sub.approval_conditions = (conditions or "").strip()
    sub.approval_recorded_by_id = recorded_by_id
    sub.rejected_at, sub.decision_comment = None, ""
    audit_capture.tag(session, sub, "approve")
    session.flush()
    return sub


def reject_subcontractor(
    session: Session, engagement: Engagement, sub: Subcontractor, reason: str, user_id: int
) -> Subcontractor:
    """Refuse a proposed stage, saying why; it is archived, so it is never in use."""
    ensure_not_archived(engagement)
    if sub.permission_status != PermissionStatus.PROPOSED or sub.archived_at is not None:
        raise DomainError(_("許諾申請中の再委託先だけを不許諾にできます。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("不許諾の理由を入力してください。"), field="reason")
    if descendants(_chain(session, engagement), sub.id):
        raise DomainError(
            _("この再委託先の下位に再委託先があるため、先にそちらを処理してください。")
        )
    sub.rejected_at = sub.archived_at = utcnow()
    sub.decision_comment = reason
    sub.approval_recorded_by_id = user_id
    audit_capture.tag(session, sub, "reject")
    session.flush()
    return sub


def _chain(session: Session, engagement: Engagement) -> list[Subcontractor]:
    # No autoflush: a half-applied change must reach the audit trail in one flush, not two.
    with session.no_autoflush:
        return list(
            session.scalars(
                select(Subcontractor).where(Subcontractor.engagement_id == engagement.id)
            )
        )


def stages_below(
    session: Session, engagement: Engagement, contractor_id: int
) -> list[Subcontractor]:
    """The stages a company may propose a subcontractor under: every stage when it is the
    contractor, else its own permitted stages in use and the stages below them."""
    subs = [s for s in _chain(session, engagement) if s.archived_at is None]
    if engagement.contractor_id == contractor_id:
        return subs
    own = [s.id for s in subs if s.contractor_id == contractor_id and s.is_approved]
    allowed: set[int] = set(own)
    for sub_id in own:
        allowed |= descendants(subs, sub_id)
    return [s for s in subs if s.id in allowed]


def propose_subcontractor(
    session: Session,
    engagement: Engagement,
    data: SubcontractorData,
    proposer: User,
) -> Subcontractor:
    """A contractor (or a subcontractor, below its own stage) asks the city to permit a stage."""
    ensure_not_archived(engagement)
    _ensure_subcontracting_allowed(engagement)
    contractor_id = proposer.contractor_id
    if contractor_id is None:
        raise DomainError(_("事業者に所属する利用者だけが申請できます。"))
    allowed = {s.id for s in stages_below(session, engagement, contractor_id)}
    if engagement.contractor_id != contractor_id and data.parent_id not in allowed:
        # A subcontractor proposes only below its own stage (never beside or above it).
        raise DomainError(_("自社より下位の段階にだけ再委託先を申請できます。"), field="parent_id")
    if data.parent_id is not None and data.parent_id not in allowed:
        raise DomainError(_("上位の委託先を選び直してください。"), field="parent_id")
    proposal = replace(data, approved_by="", approved_on=None, approval_conditions="")
    sub = Subcontractor(
        engagement_id=engagement.id, proposed_by_id=proposer.id, proposed_at=utcnow()
    )
    # A proposal is not yet in use: it waits for the city, so it is checked without the rule
    # that in-use stages of My Number work carry permission (the parent rule still applies).
    return _apply(session, engagement, sub, proposal, None, proposal=True)


def archive_subcontractor(session: Session, engagement: Engagement, sub: Subcontractor) -> None:
    """Stop using a subcontractor; its record and approval stay in the history."""
    ensure_not_archived(engagement)
    if sub.archived_at is not None:
        raise DomainError(_("この再委託先は既にアーカイブされています。"))
    subs = _chain(session, engagement)
    by_id = {s.id: s for s in subs}
    if any(by_id[i].archived_at is None for i in descendants(subs, sub.id)):
        raise DomainError(_("下位の再委託先が残っているため、先にそちらをアーカイブしてください。"))
    sub.archived_at = utcnow()
    session.flush()


def restore_subcontractor(session: Session, engagement: Engagement, sub: Subcontractor) -> None:
    """Use an archived subcontractor again, under the same rules as adding one."""
    ensure_not_archived(engagement)
    if sub.archived_at is None:
        raise DomainError(_("この再委託先はアーカイブされていません。"))
    _ensure_subcontracting_allowed(engagement)
    if engagement.handles_my_number and not sub.is_approved:
        raise DomainError(my_number_unapproved_message())
    if sub.rejected_at is not None:
        raise DomainError(_("市が許諾しなかった再委託先は元に戻せません。"))
    if sub.parent_id is not None:
        parent = session.get(Subcontractor, sub.parent_id)
        if parent is None or parent.archived_at is not None:
            raise DomainError(_("上位の委託先がアーカイブされているため、元に戻せません。"))
    sub.archived_at = None
    session.flush()
