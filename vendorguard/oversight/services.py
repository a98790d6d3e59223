"""The yearly oversight report (委託先等の監督状況報告): figures by department and risk tier.

``build`` runs a fixed number of queries (``queries``) whatever the number of records, and adds
the (department, tier) rows up to departments, tiers and the city total. Requirement coverage
evaluates the catalog's rules in Python (they are data, not SQL), over engagements, requirements,
clause versions and waivers each read in one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog import queries as catalog_queries
from vendorguard.catalog import rule_facts, rules
from vendorguard.catalog.models import Waiver
from vendorguard.cloud.queries import ISMAP_VALID
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import fiscal_year as fiscal_year_of
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.ismap.matching import IsmapStatus
from vendorguard.org.models import Department
from vendorguard.oversight import queries
from vendorguard.oversight.queries import Year
from vendorguard.tiers.factors import PolicyValues
from vendorguard.tiers.policy import policies

ENGAGEMENT_FIELDS = (
    "engagements",
    "covered",
    "with_gaps",
    "gaps",
    "assessments_done",
    "assessments_required",
    "self_checks_sent",
    "self_checks_done",
    "self_checks_required",
    "inspections_done",
    "inspections_required",
)
EVIDENCE_FIELDS = ("requests", "received", "accepted", "overdue")
ACTION_FIELDS = ("actions_raised", "actions_closed", "actions_open", "actions_overdue")
CERTIFICATE_FIELDS = ("certificates_expiring", "certificates_expired")
FIELDS = ENGAGEMENT_FIELDS + EVIDENCE_FIELDS + ACTION_FIELDS + CERTIFICATE_FIELDS
SOCIAL_FIELDS = ("accounts", "attested", "attestation_overdue")
# In the order people read them: valid first, then what needs action.
ISMAP_STATUSES = (
    IsmapStatus.REGISTERED,
    IsmapStatus.EXPIRING,
    IsmapStatus.RENEWAL_PENDING,
    IsmapStatus.EXPIRED,
    IsmapStatus.LEFT_LIST,
    IsmapStatus.NOT_REGISTERED,
)
VALID_ISMAP = {s.value for s in ISMAP_VALID}
UNTIERED = "-"  # engagements the tiers feature has not placed yet, and cloud / SNS records
EARLIEST_YEAR = 2000


class YearOutOfRange(DomainError):
    """A fiscal year the report cannot be made for."""


@dataclass
class Row:
    """One line of a table: what it is about and its figures."""

    key: str
    label: str
    values: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.values.get(name, 0)

    def add(self, values: dict[str, int]) -> None:
        for name, value in values.items():
            self.values[name] = self.values.get(name, 0) + int(value or 0)

    def percent(self, done: str, required: str) -> int | None:
        """``done`` as a percentage of ``required`` (None when nothing was required)."""
        return round(100 * self[done] / self[required]) if self[required] else None


@dataclass
class OversightReport:
    """Everything the page, the Word report and the workbook show for one fiscal year."""

    year: Year
    departments: list[Row]
    tiers: list[Row]
    total: Row
    ismap: list[Row]
    ismap_total: Row
    social: list[Row]
    social_total: Row
    policy: dict[RiskTier, PolicyValues]

    @property
    def fiscal_year(self) -> int:
        return self.year.fiscal_year


def per_year(months: int) -> int:
    """How many times a thing due every ``months`` months falls due in one fiscal year (0 for a
    cycle longer than a year: whether this year is the one is not decided here)."""
    return 12 // months if 0 < months <= 12 else 0


def _required(policy: dict[RiskTier, PolicyValues]):
    """The CASEs giving each engagement its required assessments, self-checks and inspections."""
    assessments = queries.per_tier(
        {t.value: per_year(p.review_interval_months) for t, p in policy.items()}, 1
    )
    self_checks = queries.per_tier(
        {t.value: per_year(p.self_check_interval_months) for t, p in policy.items()}, 1
    )
    # Work with personal information or My Number is inspected at least once a year (FACTS §8),
    # as ``inspections.planning.inspections_per_year`` decides.
    personal = or_(Engagement.handles_personal_info, Engagement.handles_my_number)
    inspections = case(
        *[
            (and_(Engagement.tier == t.value, personal), max(1, p.inspections_per_year))
            for t, p in policy.items()
        ],
        *[(Engagement.tier == t.value, p.inspections_per_year) for t, p in policy.items()],
        (personal, 1),
        else_=0,
    )
    return assessments, self_checks, inspections


def _coverage(session: Session, year: Year) -> dict[tuple[int, str], dict[str, int]]:
    """Per (department, tier): engagements whose applicable requirements are all covered (by an
    approved clause or a waiver), engagements with gaps, and the number of gaps."""
    kind = ArrangementKind.ENGAGEMENT
    candidates = session.scalars(catalog_queries.active_requirements(kind)).all()
    covered_ids = {
        requirement.id
        for version in session.scalars(catalog_queries.approved_versions(kind)).unique()
        for requirement in version.requirements
    }
    engagements = session.scalars(queries.engagements_for_coverage(year)).unique().all()
    waived: set[tuple[int, int]] = set(
        session.execute(
            select(Waiver.arrangement_id, Waiver.requirement_id).where(
                Waiver.archived_at.is_(None),
                Waiver.arrangement_id.in_(
                    select(Engagement.id).where(queries.engagements_in_year(year))
                ),
            )
        ).tuples()
    )
    result: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: {"covered": 0, "with_gaps": 0, "gaps": 0}
    )
    for engagement in engagements:
        facts = rule_facts.facts_for(engagement)
        gaps = sum(
            1
            for requirement in candidates
            if rules.evaluate(requirement.rule, facts)
            and requirement.id not in covered_ids
            and (engagement.id, requirement.id) not in waived
        )
        figures = result[(engagement.department_id, engagement.tier or UNTIERED)]
        figures["covered" if gaps == 0 else "with_gaps"] += 1
        figures["gaps"] += gaps
    return result


def tier_label(key: str) -> str:
    """区分A … or 区分なし (not yet placed, or not an engagement)."""
    return RiskTier(key).label if key != UNTIERED else _("区分なし")


def check_year(fiscal_year: int, today: date) -> None:
    """Refuse a year before 2000 or after the current one."""
    if not EARLIEST_YEAR <= fiscal_year <= fiscal_year_of(today):
        raise YearOutOfRange(
            _(
                "年度は%(first)d年度から%(last)d年度までを指定してください。",
                first=EARLIEST_YEAR,
                last=fiscal_year_of(today),
            )
        )


def build(session: Session, fiscal_year: int, today: date) -> OversightReport:
    """The report for one fiscal year; open items are judged on ``today`` (or the year's last day
    for a past year)."""
    check_year(fiscal_year, today)
    year = Year(fiscal_year, min(today, date(fiscal_year + 1, 3, 31)))
    policy = policies(session)
    cells: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)

    def collect(stmt, names) -> None:
        for row in session.execute(stmt).mappings():
            cell = cells[(row["department_id"], row["tier"] or UNTIERED)]
            for name in names:
                cell[name] = cell.get(name, 0) + int(row[name] or 0)

    collect(
        queries.engagement_figures(year, *_required(policy)),
        [n for n in ENGAGEMENT_FIELDS if n not in ("covered", "with_gaps", "gaps")],
    )
    for key, values in _coverage(session, year).items():
        cells[key].update(values)
    collect(queries.evidence_figures(year), EVIDENCE_FIELDS)
    collect(queries.action_figures(year), ACTION_FIELDS)

    departments_by_id = {d.id: d for d in session.scalars(select(Department))}
    social_rows = session.execute(queries.social_figures(year)).mappings().all()
    ismap_rows = session.execute(queries.ismap_figures(year)).mappings().all()
    shown = {key[0] for key in cells} | {r["department_id"] for r in social_rows}
    shown |= {r["department_id"] for r in ismap_rows}
    ordered = sorted(shown, key=lambda i: (departments_by_id[i].code, i))
    departments = {i: Row(str(i), departments_by_id[i].name) for i in ordered}
    tiers = {key: Row(key, tier_label(key)) for key in [*queries.TIERS, UNTIERED]}
    total = Row("total", _("合計"))
    for (department_id, tier), values in cells.items():
        departments[department_id].add(values)
        tiers[tier].add(values)
        total.add(values)
    _certificates(session, year, departments, tiers, total)

    social = {i: Row(str(i), departments_by_id[i].name) for i in ordered}
    social_total = Row("total", _("合計"))
    for row in social_rows:
        values = {name: row[name] for name in SOCIAL_FIELDS}
        social[row["department_id"]].add(values)
        social_total.add(values)
    ismap = {i: Row(str(i), departments_by_id[i].name) for i in ordered}
    ismap_total = Row("total", _("合計"))
    for row in ismap_rows:
        values = {row["status"]: row["services"], "services": row["services"]}
        if row["handles_high_confidentiality"]:
            values["high"] = row["services"]
            if row["status"] not in VALID_ISMAP:
                values["high_without_ismap"] = row["services"]
        ismap[row["department_id"]].add(values)
        ismap_total.add(values)
    return OversightReport(
        year,
        list(departments.values()),
        list(tiers.values()),
        total,
        [row for row in ismap.values() if row["services"]],
        ismap_total,
        [row for row in social.values() if row["accounts"]],
        social_total,
        policy,
    )


def _certificates(session: Session, year: Year, departments, tiers, total: Row) -> None:
    """Certificate figures are counted per grouping (not additive): three queries."""
    for by in ("department", "tier", None):
        for row in session.execute(queries.certificate_figures(year, by)).mappings():
            values = {name: row[name] for name in CERTIFICATE_FIELDS}
            if by is None:
                total.add(values)
            elif by == "tier":
                tiers[row["key"] or UNTIERED].add(values)
            else:
                departments[row["key"]].add(values)
