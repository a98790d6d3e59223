"""The catalog's API: requirements, which apply to an arrangement, coverage, waivers, articles.

``applicable_requirements``, ``coverage``, ``render_articles`` and ``record_waiver`` are what the
document generator calls; clause editing lives in ``clause_services``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.catalog import queries, rule_facts, rules, sandbox, snapshot
from vendorguard.catalog.models import ClauseVersion, Requirement, RequirementKind, Waiver
from vendorguard.catalog.placeholders import placeholder_values
from vendorguard.catalog.seed import ensure_catalog  # noqa: F401  (part of this module's API)
from vendorguard.catalog.snapshot import CachedRequirement, CachedVersion
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError, Forbidden
from vendorguard.core.text import clean
from vendorguard.core.timeutil import utcnow

MAX_REASON = 2000


# -- requirements ---------------------------------------------------------------------------------


@dataclass
class RequirementData:
    """What an admin enters about a requirement; ``rule_text`` is the rule as JSON."""

    title_ja: str
    rule_text: str
    title_en: str = ""
    explanation: str = ""
    source: str = ""
    active: bool = True
    sort_order: int = 0
    code: str = ""  # new requirements only
    kind: str = ""  # new requirements only
    applies_to: str = ""  # new requirements only


def _apply(session: Session, requirement: Requirement, data: RequirementData) -> Requirement:
    rule = rules.parse_rule(data.rule_text)
    rules.validate_rule(rule, requirement.applies_to)
    requirement.title_ja = clean(data.title_ja)
    requirement.title_en = clean(data.title_en)
    requirement.explanation = (data.explanation or "").strip()
    requirement.source = clean(data.source)
    requirement.rule = rule
    requirement.active = bool(data.active)
    requirement.sort_order = int(data.sort_order or 0)
    session.add(requirement)
    session.flush()
    return requirement


def create_requirement(session: Session, data: RequirementData) -> Requirement:
    """Add a requirement to the catalog (code, kind and arrangement kind are fixed from then on)."""
    code = clean(data.code).upper()
    if session.scalar(
        select(func.count(Requirement.id)).where(func.upper(Requirement.code) == code)
    ):
        raise DomainError(_("この要件コードは既に使われています。"), field="code")
    try:
        kind, applies_to = RequirementKind(data.kind), ArrangementKind(data.applies_to)
    except ValueError:
        raise DomainError(_("区分と対象を選んでください。"), field="kind") from None
    return _apply(session, Requirement(code=code, kind=kind, applies_to=applies_to), data)


def update_requirement(
    session: Session, requirement: Requirement, data: RequirementData
) -> Requirement:
    """Change a requirement's texts, rule, order or whether it is in use."""
    return _apply(session, requirement, data)


# -- what applies ---------------------------------------------------------------------------------


def load_arrangement(session: Session, arrangement_id: int) -> Arrangement | None:
    """An arrangement of any kind with what facts and placeholders need, or None."""
    kind = session.scalar(queries.arrangement_kind(arrangement_id))
    if kind is None:
        return None
    return session.scalars(queries.arrangement_for_catalog(kind, arrangement_id)).unique().one()


def _loaded(session: Session, arrangement: Arrangement) -> Arrangement:
    # Loading by identity fills in relationships the caller did not load, on the same object.
    return (
        session.scalars(queries.arrangement_for_catalog(arrangement.kind, arrangement.id))
        .unique()
        .one()
    )


def _applicable(
    session: Session, arrangement: Arrangement
) -> tuple[Arrangement, list[Requirement]]:
    arrangement = _loaded(session, arrangement)
    facts = rule_facts.facts_for(arrangement)
    candidates = session.scalars(
        queries.active_requirements(arrangement.kind)
        .order_by(None)
        .order_by(Requirement.sort_order, Requirement.code)
    ).all()
    return arrangement, [r for r in candidates if rules.evaluate(r.rule, facts)]


def applicable_requirements(session: Session, arrangement: Arrangement) -> list[Requirement]:
    """The active requirements whose rule holds for this arrangement, in catalog order."""
    return _applicable(session, arrangement)[1]


@dataclass(frozen=True)
class CoverageRow:
    """One applicable requirement, the approved clause version covering it, and any waiver."""

    requirement: Requirement | CachedRequirement
    clause_version: ClauseVersion | CachedVersion | None
    waiver: Waiver | None

    @property
    def is_gap(self) -> bool:
        return self.clause_version is None and self.waiver is None

    @property
    def status(self) -> str:
        """``covered``, ``waived`` or ``gap``."""
        return (
            "covered"
            if self.clause_version is not None
            else "waived"
            if self.waiver is not None
            else "gap"
        )


@dataclass(frozen=True)
class Coverage:
    """Which applicable requirements an arrangement's terms cover, and which not."""

    arrangement: Arrangement
    rows: list[CoverageRow]
    versions: list[ClauseVersion | CachedVersion] = field(
        default_factory=list
    )  # approved, in order
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def gaps(self) -> list[Requirement | CachedRequirement]:
        """Requirements with neither a clause nor a waiver."""
        return [row.requirement for row in self.rows if row.is_gap]

    @property
    def is_complete(self) -> bool:
        return not self.gaps

    @property
    def waivers(self) -> list[Waiver]:
        """Waivers in force that concern an applicable requirement (to keep with a document)."""
        return [row.waiver for row in self.rows if row.waiver is not None]


@functools.cache
def _generation_load(kind: str) -> Select:
    # Built once per kind (the id bound as ``arrangement_id``): building it costs more than
    # SQLAlchemy's lookup of its compiled form, at every generation.
    arrangement_id = bindparam("arrangement_id", type_=Integer)
    return queries.arrangement_for_catalog(kind, arrangement_id).add_columns(
        snapshot.marker_value(), queries.waiver_in_force(arrangement_id)
    )


def coverage(session: Session, arrangement: Arrangement, *, cached: bool = False) -> Coverage:
    """Each applicable requirement with the first approved clause version (by clause order) covering it.

    ``cached``: read requirements and versions from the process's checked copy of the catalog
    (``snapshot``; while it holds, no statement of its own instead of three) — rows then hold ``snapshot.Cached*`` records
    with the same attribute names instead of mapped objects (what the document generator wants).
    """
    applicable: Sequence[Requirement | CachedRequirement]
    if not cached:
        arrangement, applicable = _applicable(session, arrangement)
        versions: Sequence[ClauseVersion | CachedVersion] = (
            session.scalars(queries.approved_versions(arrangement.kind)).unique().all()
        )
        waived = True
    else:
        # The catalog's marker comes with the arrangement (one round trip less), and so does
        # whether a waiver is in force: most arrangements have none, and then none are read.
        arrangement, marker, waived = (
            session.execute(
                _generation_load(str(arrangement.kind)), {"arrangement_id": arrangement.id}
            )
            .unique()
            .one()
        )
        catalog = snapshot.current(session, marker)
        facts = rule_facts.facts_for(arrangement)  # the rules read these: computed once here
        kind = str(arrangement.kind)
        applicable = [
            r for r in catalog.requirements.get(kind, ()) if rules.evaluate(r.rule, facts)
        ]
        versions = catalog.versions.get(kind, ())
    waivers = (
        {
            w.requirement_id: w
            for w in session.scalars(queries.active_waivers(arrangement.id)).unique()
        }
        if waived
        else {}
    )
    covering: dict[int, ClauseVersion | CachedVersion] = {}
    for version in versions:
        for requirement in version.requirements:
            covering.setdefault(requirement.id, version)
    rows = [CoverageRow(r, covering.get(r.id), waivers.get(r.id)) for r in applicable]
    return Coverage(
        arrangement, rows, list(versions), facts if cached else rule_facts.facts_for(arrangement)
    )


def coverage_gaps(session: Session, arrangement: Arrangement) -> list[Requirement]:
    """The applicable requirements with neither a covering clause nor a waiver, in one statement.

    The same answer as ``coverage(...).gaps`` for an arrangement already loaded with what its facts
    read (``queries.arrangement_for_catalog``), as its own detail page loads it."""
    facts = rule_facts.facts_for(arrangement)
    rows = session.execute(queries.requirements_with_cover(arrangement.kind, arrangement.id))
    return [
        requirement
        for requirement, covered, waived in rows.tuples()
        if not covered and not waived and rules.evaluate(requirement.rule, facts)
    ]


class CoverageIncomplete(DomainError):
    """The terms cannot be generated: some applicable requirements have no clause and no waiver."""

    def __init__(self, codes: list[str]):
        super().__init__(
            _(
                "次の要件を網羅する承認済みの条項がなく、適用除外も記録されていません：%(codes)s",
                codes="、".join(codes),
            )
        )
        self.codes = codes


@dataclass(frozen=True)
class Article:
    """One article of the generated terms: heading, paragraphs, and where it came from."""

    heading: str
    paragraphs: list[str]
    clause_version_id: int
    requirement_codes: list[str]


def render_articles(
    session: Session,
    arrangement: Arrangement,
    *,
    date_style: str = "wareki",
    internal: bool | None = None,
    computed: Coverage | None = None,
) -> list[Article]:
    """The articles for an arrangement, in clause order; refused while coverage has gaps.

    One article per approved clause version that covers at least one applicable requirement;
    ``requirement_codes`` lists the applicable ones it covers. ``date_style``: wareki | western.
    ``internal``: only the city's own clauses (True), only the counterparty's (False), or all.
    ``computed``: the arrangement's coverage when the caller already has it (it costs queries).
    """
    result = computed or coverage(session, arrangement)
    if not result.is_complete:
        raise CoverageIncomplete([r.code for r in result.gaps])
    applicable = {row.requirement.id for row in result.rows}
    values = placeholder_values(result.arrangement, date_style)
    articles = []
    for version in result.versions:
        codes = [r.code for r in version.requirements if r.id in applicable]
        if not codes or (internal is not None and version.clause.internal != internal):
            continue
        try:
            text = sandbox.render_body(version.body, values)
        except sandbox.ClauseBodyError as error:
            raise DomainError(
                _(
                    "条項「%(code)s」（第%(number)d版）を差し込みできませんでした：%(error)s",
                    code=version.clause.code,
                    number=version.number,
                    error=error.message,
                )
            ) from None
        body = sandbox.paragraphs(text)
        if body:
            articles.append(Article(version.title, body, version.id, codes))
    return articles


# -- waivers --------------------------------------------------------------------------------------


def record_waiver(
    session: Session, arrangement: Arrangement, requirement: Requirement, reason: str, user
) -> Waiver:
    """The security office records why an arrangement need not cover a requirement (admin only)."""
    if user is None or not user.can("catalog.manage"):
        raise Forbidden(_("適用除外を記録できるのは情報セキュリティ統括（管理者）だけです。"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("適用除外の理由を入力してください。"), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("理由は%(max)d文字以内で入力してください。", max=MAX_REASON), field="reason"
        )
    result = coverage(session, arrangement)
    row = next((row for row in result.rows if row.requirement.id == requirement.id), None)
    if row is None:
        raise DomainError(
            _(
                "要件「%(code)s」はこの案件には適用されないため、適用除外は不要です。",
                code=requirement.code,
            ),
            field="requirement_id",
        )
    if row.waiver is not None:
        raise DomainError(
            _("要件「%(code)s」の適用除外は既に記録されています。", code=requirement.code),
            field="requirement_id",
        )
    if row.clause_version is not None:
        raise DomainError(
            _(
                "要件「%(code)s」は承認済みの条項「%(title)s」で網羅されているため、適用除外は不要です。",
                code=requirement.code,
                title=row.clause_version.title,
            ),
            field="requirement_id",
        )
    waiver = Waiver(
        arrangement_id=arrangement.id,
        requirement_id=requirement.id,
        reason=reason,
        created_by_id=user.id,
    )
    session.add(waiver)
    try:
        session.flush()
    except IntegrityError:  # another admin recorded the same waiver a moment ago
        raise DomainError(
            _("要件「%(code)s」の適用除外は既に記録されています。", code=requirement.code),
            field="requirement_id",
        ) from None
    return waiver


def withdraw_waiver(session: Session, waiver: Waiver, version: int | None = None) -> None:
    """Withdraw a waiver: it stays on record (and with documents made while it stood)."""
    concurrency.check_version(waiver, version)
    if waiver.archived_at is not None:
        raise DomainError(_("この適用除外は既に取り消されています。"))
    waiver.archived_at = utcnow()
    concurrency.flush(session)
