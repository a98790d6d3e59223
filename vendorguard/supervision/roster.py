"""The staff roster (従事者名簿): who works on an engagement for the contractor or a stage of the
chain, with role, affiliation, access rights, period, pledge (誓約書) and training.

The contractor keeps it in the portal: the contractor's users for every stage, a subcontractor's
users for their own stage and the stages below it (``maintainable_stages``). Each change is
notified to the engagement's officer (``notify``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.auth.models import User
from vendorguard.contractors.models import Contractor
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements import subcontracting
from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.evidence import filecheck
from vendorguard.storage.base import Storage, StorageError, new_key
from vendorguard.supervision import notify
from vendorguard.supervision.models import StaffMember, TrainingRecord

PLEDGE_EXTENSIONS = ("pdf", "docx", "jpg", "jpeg", "png")
OWN_STAGE = 0  # the form's value for "the contractor's own staff"


@dataclass
class StaffData:
    """What the contractor enters about one person."""

    name: str
    starts_on: date | None
    stage_id: int | None = None  # None: the contractor's own staff
    role: str = ""
    affiliation: str = ""
    access_rights: str = ""
    ends_on: date | None = None
    access_revoked_on: date | None = None
    version: int | None = None


@dataclass
class PledgeUpload:
    """A pledge file as received, and where it goes."""

    filename: str
    stream: BinaryIO
    storage: Storage
    max_bytes: int


def _tell_officers(
    session: Session, engagement: Engagement, user: User, change: str, detail: str, endpoint: str
) -> None:
    company = session.get(Contractor, user.contractor_id) if user.contractor_id else None
    notify.notify_officers(
        session, engagement, change, detail, company.name if company else "", endpoint
    )


def maintainable_stages(
    session: Session, engagement: Engagement, user: User
) -> tuple[bool, list[Subcontractor]]:
    """(whether the user keeps the contractor's own staff, the stages whose staff they keep)."""
    if user.contractor_id is None:
        return False, []
    stages = subcontracting.stages_below(session, engagement, user.contractor_id)
    return engagement.contractor_id == user.contractor_id, stages


def can_use_portal(session: Session, engagement: Engagement, user: User) -> bool:
    """Whether the user's company takes part in the engagement (as contractor or permitted stage)."""
    own, stages = maintainable_stages(session, engagement, user)
    return own or bool(stages)


def _stage(
    session: Session, engagement: Engagement, user: User, stage_id: int | None
) -> Subcontractor | None:
    own, stages = maintainable_stages(session, engagement, user)
    if stage_id is None:
        if not own:
            raise DomainError(_("自社の段階の従事者だけを登録できます。"), field="stage_id")
        return None
    stage = next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        raise DomainError(_("所属する段階を選び直してください。"), field="stage_id")
    if engagement.handles_my_number and not stage.is_approved:
        raise DomainError(subcontracting.my_number_parent_message(), field="stage_id")
    return stage


def _apply(staff: StaffMember, data: StaffData, user: User) -> None:
    name = clean(data.name)
    if not name:
        raise DomainError(_("氏名を入力してください。"), field="name")
    if data.starts_on is None:
        raise DomainError(_("従事開始日を入力してください。"), field="starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise DomainError(_("従事終了日は開始日以降にしてください。"), field="ends_on")
    if data.access_revoked_on is not None and data.access_revoked_on < data.starts_on:
        raise DomainError(
            _("アクセス削除日は開始日以降にしてください。"), field="access_revoked_on"
        )
    staff.name = name
    staff.role = clean(data.role)
    staff.affiliation = clean(data.affiliation)
    staff.access_rights = (data.access_rights or "").strip()
    staff.starts_on, staff.ends_on = data.starts_on, data.ends_on
    staff.access_revoked_on = data.access_revoked_on
    staff.updated_by_id = user.id


def add_staff(
    session: Session,
    engagement: Engagement,
    data: StaffData,
    user: User,
    pledge: PledgeUpload | None = None,
) -> StaffMember:
    """Add a person (and their pledge) to the roster of the contractor or of one stage; the
    engagement's officers are notified."""
    if engagement.archived_at is not None:
        raise DomainError(_("アーカイブ済みの業務委託の名簿は変更できません。"))
    stage = _stage(session, engagement, user, data.stage_id)
    staff = StaffMember(engagement_id=engagement.id, subcontractor_id=stage.id if stage else None)
    _apply(staff, data, user)
    session.add(staff)
    session.flush()
    if pledge is not None:
        attach_pledge(session, staff, pledge, user)
    _tell_officers(session, engagement, user, "staff_added", staff.name, "supervision.roster")
    return staff


def update_staff(
    session: Session,
    engagement: Engagement,
    staff: StaffMember,
    data: StaffData,
    user: User,
    pledge: PledgeUpload | None = None,
) -> StaffMember:
    """Change a person's entry or pledge (the page's version must still be the stored one)."""
    concurrency.check_version(staff, data.version)
    _stage(session, engagement, user, staff.subcontractor_id)  # still one of the user's stages
    _apply(staff, data, user)
    concurrency.flush(session)
    if pledge is not None:
        attach_pledge(session, staff, pledge, user)
    _tell_officers(session, engagement, user, "staff_changed", staff.name, "supervision.roster")
    return staff


def pledge_filename(filename: str) -> str:
    """The uploaded name without folders, refused unless it is one of the accepted types."""
    name = clean((filename or "").replace("\\", "/").rsplit("/", 1)[-1])[:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PLEDGE_EXTENSIONS:
        raise DomainError(
            _(
                "誓約書のファイルは %(types)s のいずれかにしてください。",
                types="、".join(PLEDGE_EXTENSIONS),
            ),
            field="pledge",
        )
    return name


def attach_pledge(
    session: Session, staff: StaffMember, pledge: PledgeUpload, user: User
) -> StaffMember:
    """Check the pledge's content (not just its name) and store it; the previous file stays in
    storage for the audit trail. The object is stored first and removed again if the row fails."""
    name, stream, storage = pledge_filename(pledge.filename), pledge.stream, pledge.storage
    head = stream.read(filecheck.HEAD_SIZE)
    stream.seek(0)
    filecheck.check(head, name, reader=stream, limits=filecheck.Limits.from_config())
    stream.seek(0)
    stored = storage.put(new_key("pledge"), stream, max_bytes=pledge.max_bytes)
    try:
        staff.pledge_filename, staff.pledge_storage_key = name, stored.key
        staff.pledge_sha256, staff.pledge_size = stored.sha256, stored.size
        staff.pledge_uploaded_at, staff.updated_by_id = utcnow(), user.id
        concurrency.flush(session)
    except BaseException:
        try:
            storage.delete(stored.key)
        except StorageError:
            pass  # ``vg storage-check`` reports what is left behind
        raise
    return staff


def add_training(
    session: Session,
    engagement: Engagement,
    staff: StaffMember,
    held_on: date | None,
    content: str,
    user: User,
) -> TrainingRecord:
    """Record security training a person received; the officers are notified."""
    if held_on is None:
        raise DomainError(_("研修の実施日を入力してください。"), field="held_on")
    content = (content or "").strip()
    if not content:
        raise DomainError(_("研修の内容を入力してください。"), field="content")
    record = TrainingRecord(staff_id=staff.id, held_on=held_on, content=content)
    session.add(record)
    session.flush()
    detail = f"{staff.name}：{content}"
    _tell_officers(session, engagement, user, "training", detail, "supervision.roster")
    return record


def propose_subcontractor(
    session: Session, engagement: Engagement, data: subcontracting.SubcontractorData, user: User
) -> Subcontractor:
    """A company proposes a stage (``engagements.subcontracting``); the officers are notified."""
    sub = subcontracting.propose_subcontractor(session, engagement, data, user)
    _tell_officers(session, engagement, user, "proposal", sub.name, "engagements.detail")
    return sub
