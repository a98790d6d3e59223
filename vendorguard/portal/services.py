"""Inviting contractor staff, setting their password, and single-request upload links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.audit import services as audit
from vendorguard.audit.context import Actor
from vendorguard.auth.models import User
from vendorguard.auth.passwords import check_new_password
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.timeutil import TOKYO, today_tokyo, utcnow
from vendorguard.evidence.models import (
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
    UploadLink,
)
from vendorguard.portal import tokens
from vendorguard.portal.models import Invitation
from vendorguard.web.i18n import format_day

MAX_LINK_DAYS = 90


class Refused(DomainError):
    """A set-password or upload link that cannot be used; ``status`` is 404 (unknown) or 410 (gone)."""

    def __init__(self, message: str, status: int, reason: str, request_id: int | None = None):
        super().__init__(message)
        self.status = status
        self.reason = reason  # unknown | other_request | revoked | expired | used | closed
        self.request_id = request_id  # set when the link was genuine: its page may name whom to ask


@dataclass
class InvitationData:
    """Who is invited."""

    email: str
    name: str
    name_kana: str = ""


def end_of_day_after(days: int) -> datetime:
    """The end (23:59:59 Japan time) of the day ``days`` days from today, in UTC."""
    day = today_tokyo() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=TOKYO).astimezone(utcnow().tzinfo)


# --- invitations ---------------------------------------------------------------------------


def _new_invitation(
    session: Session, user: User, invited_by: User | None, days: int
) -> tuple[Invitation, str]:
    """Replace any unused invitation of the user with a fresh one; return it with its nonce."""
    now = utcnow()
    for older in session.scalars(
        select(Invitation).where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        older.revoked_at = now  # only the newest e-mail's link works
    nonce = tokens.new_nonce()
    invitation = Invitation(
        user_id=user.id,
        nonce_hash=tokens.hash_nonce(nonce),
        created_by_id=invited_by.id if invited_by else None,
        expires_at=now + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    return invitation, nonce


def invite_contractor_user(
    session: Session,
    contractor: Contractor,
    data: InvitationData,
    *,
    invited_by: User | None,
    days: int,
) -> tuple[User, Invitation, str]:
    """Create the contractor's portal user (inactive, no password) or re-invite an existing one."""
    if contractor.is_archived:
        raise DomainError(_("アーカイブ済みの委託事業者には利用者を招待できません。"))
    email = clean(data.email).lower()
    user = session.scalars(select(User).where(func.lower(User.email) == email)).first()
    if user is not None:
        if user.role != Role.CONTRACTOR:
            raise DomainError(
                _(
                    "このメールアドレスは市の職員の利用者として登録されています。別のアドレスを指定してください。"
                ),
                field="email",
            )
        if user.contractor_id != contractor.id:
            raise DomainError(
                _("このメールアドレスは別の委託事業者の利用者として登録されています。"),
                field="email",
            )
        invitation, nonce = reinvite_contractor_user(
            session, user, invited_by=invited_by, days=days
        )
        return user, invitation, nonce
    user = User(
        email=email,
        name=clean(data.name),
        name_kana=to_katakana(data.name_kana or ""),
        role=Role.CONTRACTOR,
        contractor_id=contractor.id,
        password_hash="",
        active=False,
    )
    session.add(user)
    session.flush()
    invitation, nonce = _new_invitation(session, user, invited_by, days)
    audit_capture.tag(session, invitation, "invite")
    return user, invitation, nonce


def reinvite_contractor_user(
    session: Session, user: User, *, invited_by: User | None, days: int
) -> tuple[Invitation, str]:
    """Send a fresh set-password link (also how a contractor user who forgot the password gets a new one)."""
    if user.role != Role.CONTRACTOR:
        raise DomainError(_("委託事業者の利用者ではありません。"))
    if user.archived_at is not None:
        raise DomainError(_("この利用者は利用停止中です。先に利用を再開してください。"))
    invitation, nonce = _new_invitation(session, user, invited_by, days)
    audit_capture.tag(session, invitation, "invite")
    return invitation, nonce


def find_invitation(session: Session, payload: tokens.TokenPayload | None) -> Invitation:
    """The invitation a token opens; Refused (404 unknown, 410 used/expired/replaced) otherwise."""
    invitation = session.get(Invitation, payload.id) if payload else None
    if (
        payload is None
        or invitation is None
        or not tokens.nonce_matches(payload.nonce, invitation.nonce_hash)
    ):
        raise Refused(
            _("このリンクは無効です。メールに記載されたURLが途中で切れていないかご確認ください。"),
            404,
            "unknown",
        )
    user = session.get(User, invitation.user_id)
    if invitation.used_at is not None:
        raise Refused(
            _(
                "このリンクは既に使用されています。パスワードを設定済みの場合は、ログイン画面からログインしてください。"
            ),
            410,
            "used",
        )
    if invitation.revoked_at is not None or user is None or user.archived_at is not None:
        raise Refused(
            _(
                "このリンクは無効になりました。新しい招待メールが届いている場合は、そちらのリンクをお使いください。"
            ),
            410,
            "revoked",
        )
    if invitation.expires_at <= utcnow():
        raise Refused(
            _(
                "このリンクの有効期限が切れています。市の担当者に招待メールの再送を依頼してください。"
            ),
            410,
            "expired",
        )
    return invitation


def accept_invitation(
    session: Session, invitation: Invitation, password: str, remote_addr: str = ""
) -> User:
    """Set the password, activate and sign in the user; the link works once, even under a race."""
    check_new_password(password, user=session.get(User, invitation.user_id))
    now = utcnow()
    # Conditional update: of two simultaneous submissions only one finds the row unused.
    claimed = cast(
        CursorResult[Any],  # what an UPDATE returns; Session.execute is typed as Result
        session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:
        raise Refused(
            _(
                "このリンクは既に使用されています。パスワードを設定済みの場合は、ログイン画面からログインしてください。"
            ),
            410,
            "used",
        )
    session.refresh(invitation)
    audit.record(session, "use", "portal_invitation", invitation.id, str(invitation.id))
    user = session.get_one(User, invitation.user_id)
    user.set_password(password)
    user.active = True
    user.last_login_at = now
    audit_capture.tag(session, user, "invitation_accept")
    session.flush()
    audit.record(
        session,
        "login",
        "user_account",
        user.id,
        user.email,
        actor=Actor(user.id, user.email, remote_addr or None),
    )
    return user


def archive_contractor_user(session: Session, user: User) -> None:
    """Stop a contractor user's access (someone left the company); open invitations die with it."""
    if user.archived_at is not None:
        raise DomainError(_("この利用者は既に利用停止中です。"))
    now = utcnow()
    user.archived_at = now
    for invitation in session.scalars(
        select(Invitation).where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        invitation.revoked_at = now
    session.flush()


def restore_contractor_user(session: Session, user: User) -> None:
    """Allow a stopped contractor user again (a user who never set a password still needs an invitation)."""
    user.archived_at = None
    session.flush()


def invitation_state(user: User, invitation: Invitation | None) -> str:
    """How a portal user stands: archived, active, invited, expired or not_invited."""
    if user.archived_at is not None:
        return "archived"
    if user.active and user.password_hash:
        return "active"
    if invitation is None or invitation.revoked_at is not None:
        return "not_invited"
    if invitation.used_at is None and invitation.expires_at <= utcnow():
        return "expired"
    return "invited"


# --- single-request upload links -----------------------------------------------------------


def create_upload_link(
    session: Session,
    request: EvidenceRequest,
    *,
    created_by: User | None,
    days: int,
    recipient_email: str = "",
) -> tuple[UploadLink, str]:
    """A link for one contractor-provided request, valid to the end of the day ``days`` days ahead."""
    if (
        session.get_one(EvidenceRequirement, request.evidence_requirement_id).provider
        != EvidenceProvider.CONTRACTOR
    ):
        raise DomainError(_("市（所管課）が提出する証跡には、提出用リンクを発行できません。"))
    if request.status in (RequestStatus.ACCEPTED, RequestStatus.CLOSED):
        raise DomainError(
            _(
                "この提出依頼は「%(status)s」のため、提出用リンクを発行できません。",
                status=request.status.label,
            )
        )
    if not 1 <= days <= MAX_LINK_DAYS:
        raise DomainError(
            _("有効日数は1〜%(max)d日で指定してください。", max=MAX_LINK_DAYS), field="days"
        )
    nonce = tokens.new_nonce()
    link = UploadLink(
        request_id=request.id,
        nonce=tokens.hash_nonce(nonce),
        recipient_email=clean(recipient_email).lower(),
        created_by_id=created_by.id if created_by else None,
        expires_at=end_of_day_after(days),
    )
    session.add(link)
    session.flush()
    return link, nonce


def revoke_upload_link(session: Session, link: UploadLink) -> None:
    """Make a link unusable at once."""
    if link.revoked_at is not None:
        raise DomainError(_("このリンクは既に取り消されています。"))
    link.revoked_at = utcnow()
    audit_capture.tag(session, link, "revoke")
    session.flush()


def link_state(link: UploadLink) -> str:
    """active, revoked or expired."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= utcnow():
        return "expired"
    return "active"


def _until(moment: datetime) -> str:
    return format_day(moment.astimezone(TOKYO).date())


def find_upload_link(
    session: Session, payload: tokens.TokenPayload | None, request_id: int
) -> UploadLink:
    """The link a token opens for ``request_id``; Refused (404 or 410) with the reason otherwise."""
    link = session.get(UploadLink, payload.id) if payload else None
    if payload is None or link is None or not tokens.nonce_matches(payload.nonce, link.nonce):
        raise Refused(
            _("このリンクは無効です。メールに記載されたURLが途中で切れていないかご確認ください。"),
            404,
            "unknown",
        )
    if link.request_id != request_id:
        raise Refused(
            _(
                "このリンクは別の提出依頼のためのものです。この提出依頼には使えません。"
                "受け取ったメールのURLをそのまま開いてください。"
            ),
            404,
            "other_request",
        )
    if link.revoked_at is not None:
        raise Refused(
            _(
                "このリンクは市の担当者により取り消されました。提出が必要な場合は担当課にお問い合わせください。"
            ),
            410,
            "revoked",
            link.request_id,
        )
    if link.expires_at <= utcnow():
        raise Refused(
            _(
                "このリンクの有効期限（%(until)s）が切れています。担当課に新しいリンクの発行を依頼してください。",
                until=_until(link.expires_at),
            ),
            410,
            "expired",
            link.request_id,
        )
    request = session.get(EvidenceRequest, link.request_id)
    if request is None or request.status == RequestStatus.CLOSED:
        raise Refused(
            _("この提出依頼は取り下げられたため、提出は不要です。"), 410, "closed", link.request_id
        )
    return link


def record_link_use(session: Session, link: UploadLink) -> None:
    """Note that the link was just used to submit."""
    link.last_used_at = utcnow()
    session.flush()
