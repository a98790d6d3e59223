"""The clause library: new clauses, new versions on every text change, approval, preview."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vendorguard.arrangements.kinds import kind_label
from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.audit import capture as audit_capture
from vendorguard.audit import services as audit
from vendorguard.catalog import placeholder_list, sandbox
from vendorguard.catalog.models import Clause, ClauseStatus, ClauseVersion, Requirement
from vendorguard.catalog.placeholders import placeholder_values
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow


@dataclass
class ClauseData:
    """What an admin enters: the clause's place in the library and the text of a new version."""

    title: str
    heading: str
    body: str
    requirement_codes: list[str] = field(default_factory=list)
    sort_order: int = 0
    note: str = ""
    code: str = ""  # new clauses only
    applies_to: str = ""  # new clauses only


def _normalise_body(body: str) -> str:
    # Browsers send CRLF; keep one form so that unchanged text is recognised as unchanged.
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


def _requirements(
    session: Session, codes: list[str], kind: ArrangementKind | str
) -> list[Requirement]:
    wanted = sorted({clean(code).upper() for code in codes if clean(code)})
    if not wanted:
        raise DomainError(
            _("この条項が網羅する要件を1つ以上選んでください。"), field="requirement_codes"
        )
    found = {
        r.code: r for r in session.scalars(select(Requirement).where(Requirement.code.in_(wanted)))
    }
    missing = [code for code in wanted if code not in found]
    if missing:
        raise DomainError(
            _("要件「%(codes)s」は登録されていません。", codes="、".join(missing)),
            field="requirement_codes",
        )
    wrong = [code for code in wanted if found[code].applies_to != kind]
    if wrong:
        raise DomainError(
            _(
                "要件「%(codes)s」は%(kind)sの要件ではないため、この条項には指定できません。",
                codes="、".join(wrong),
                kind=kind_label(kind),
            ),
            field="requirement_codes",
        )
    return sorted(found.values(), key=lambda r: (r.sort_order, r.code))


def _new_version(
    session: Session,
    clause: Clause,
    number: int,
    data: ClauseData,
    requirements: list[Requirement],
    user,
) -> ClauseVersion:
    version = ClauseVersion(
        clause_id=clause.id,
        number=number,
        title=clean(data.heading),
        body=_normalise_body(data.body),
        note=(data.note or "").strip(),
        status=ClauseStatus.DRAFT,
        created_by_id=getattr(user, "id", None),
    )
    version.requirements = requirements
    session.add(version)
    session.flush()
    audit.record(
        session,
        "update",
        "clause_version",
        version.id,
        str(version),
        before={"requirements": []},
        after={"requirements": [r.code for r in requirements]},
    )
    return version


def create_clause(session: Session, data: ClauseData, user) -> Clause:
    """Add a clause to the library with its first version as a draft."""
    code = clean(data.code).upper()
    if not code:
        raise DomainError(_("入力してください。"), field="code")
    if session.scalar(select(func.count(Clause.id)).where(func.upper(Clause.code) == code)):
        raise DomainError(_("この条項コードは既に使われています。"), field="code")
    try:
        kind = ArrangementKind(data.applies_to)
    except ValueError:
        raise DomainError(_("対象を選んでください。"), field="applies_to") from None
    if not clean(data.heading):
        raise DomainError(_("入力してください。"), field="heading")
    sandbox.check_body(_normalise_body(data.body), kind)
    requirements = _requirements(session, data.requirement_codes, kind)
    clause = Clause(
        code=code, title=clean(data.title), applies_to=kind, sort_order=int(data.sort_order or 0)
    )
    session.add(clause)
    session.flush()
    _new_version(session, clause, 1, data, requirements, user)
    return clause


def latest_version(session: Session, clause: Clause) -> ClauseVersion | None:
    """The newest version of a clause (draft or not), with its requirements."""
    from sqlalchemy.orm import selectinload

    return session.scalars(
        select(ClauseVersion)
        .where(ClauseVersion.clause_id == clause.id)
        .options(selectinload(ClauseVersion.requirements))
        .order_by(ClauseVersion.number.desc())
        .limit(1)
    ).first()


def revise_clause(session: Session, clause: Clause, data: ClauseData, user) -> ClauseVersion | None:
    """Save an edit: the clause's title and order change in place; a changed text becomes a new draft.

    Returns the new draft, or None when only the title or order changed.
    """
    if clause.is_archived:
        raise DomainError(
            _("アーカイブ済みの条項は編集できません。元に戻してから編集してください。")
        )
    if not clean(data.heading):
        raise DomainError(_("入力してください。"), field="heading")
    body = _normalise_body(data.body)
    sandbox.check_body(body, clause.applies_to)
    requirements = _requirements(session, data.requirement_codes, clause.applies_to)
    clause.title = clean(data.title)
    clause.sort_order = int(data.sort_order or 0)
    latest = latest_version(session, clause)
    unchanged = (
        latest is not None
        and latest.body == body
        and latest.title == clean(data.heading)
        and [r.id for r in latest.requirements] == [r.id for r in requirements]
    )
    if unchanged:
        session.flush()
        return None
    number = (latest.number if latest is not None else 0) + 1
    return _new_version(session, clause, number, data, requirements, user)


def approve_version(session: Session, version: ClauseVersion, user) -> ClauseVersion:
    """Approve a draft for use in documents; the previously approved version is retired."""
    clause = session.get_one(Clause, version.clause_id)
    if version.status != ClauseStatus.DRAFT:
        raise DomainError(
            _(
                "承認できるのは下書きの版だけです（この版は「%(status)s」です）。",
                status=version.status.label,
            )
        )
    if clause.is_archived:
        raise DomainError(_("アーカイブ済みの条項の版は承認できません。"))
    # Placeholders allowed may have changed since the draft was written; check again.
    sandbox.check_body(version.body, clause.applies_to)
    current = session.scalars(
        select(ClauseVersion).where(
            ClauseVersion.clause_id == clause.id, ClauseVersion.status == ClauseStatus.APPROVED
        )
    ).all()
    for old in current:
        old.status = ClauseStatus.RETIRED
        audit_capture.tag(session, old, "retire")
    session.flush()
    version.status = ClauseStatus.APPROVED
    version.approved_by_id = getattr(user, "id", None)
    version.approved_at = utcnow()
    audit_capture.tag(session, version, "approve")
    try:
        session.flush()
    except IntegrityError:  # another admin approved a version of this clause at the same moment
        raise DomainError(
            _("他の利用者が同時にこの条項の版を承認しました。画面を開き直して確認してください。")
        ) from None
    return version


def archive_clause(session: Session, clause: Clause) -> None:
    """Take a clause out of use; its versions stay on record and in documents already made."""
    if clause.is_archived:
        raise DomainError(_("この条項は既にアーカイブされています。"))
    clause.archived_at = utcnow()
    session.flush()


def restore_clause(session: Session, clause: Clause) -> None:
    """Bring an archived clause back into use."""
    clause.archived_at = None
    session.flush()


def preview(
    session: Session,
    body: str,
    kind: ArrangementKind | str,
    arrangement: Arrangement | None = None,
    date_style: str = "wareki",
) -> list[str]:
    """Check a body and render it against an arrangement (or sample values); paragraphs of text."""
    kind = ArrangementKind(kind)
    body = _normalise_body(body)
    sandbox.check_body(body, kind)
    if arrangement is not None:
        if ArrangementKind(arrangement.kind) != kind:
            raise DomainError(
                _("プレビューには%(kind)sを選んでください。", kind=kind_label(kind)),
                field="preview_arrangement",
            )
        values = placeholder_values(arrangement, date_style)
    else:
        values = placeholder_list.sample_values(kind)
    return sandbox.paragraphs(sandbox.render_body(body, values))
