"""The standard evidence requirements, as data, and which of them an arrangement needs.

Each template names the catalog requirements (FACTS §1–3) it proves. It applies to an arrangement
when at least one of those requirements applies to it (the catalog's own rule, so the security
office's edits and deactivations count) and is not waived, and its own extra condition holds
(e.g. "the contractor holds ISMS"). A code missing from the catalog table (catalog not installed,
or a row removed) falls back to the shipped rule of that code, so a fresh installation still gets
sensible evidence requirements.

Titles and descriptions are data copied into each arrangement's requirement (the department may
edit them there), not interface text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.catalog import queries as catalog_queries
from vendorguard.catalog import rule_facts, rules
from vendorguard.catalog.models import Requirement
from vendorguard.catalog.seed import REQUIREMENTS as SHIPPED_REQUIREMENTS
from vendorguard.contractors.models import Certification, CertificationKind
from vendorguard.evidence.models import Cadence, EvidenceProvider

E, C, S = ArrangementKind.ENGAGEMENT, ArrangementKind.CLOUD_SERVICE, ArrangementKind.SOCIAL_ACCOUNT
CONTRACTOR, INTERNAL = EvidenceProvider.CONTRACTOR, EvidenceProvider.INTERNAL
ALWAYS: dict[str, Any] = {"always": True}
YEAR_AND_A_MONTH = 395  # a yearly item stays valid until the next one is due, with a month's grace
HALF_YEAR_AND_A_MONTH = 214


@dataclass(frozen=True)
class Template:
    """One standard evidence requirement."""

    code: str
    applies_to: ArrangementKind
    title: str
    description: str
    cadence: Cadence
    due_offset_days: int
    provider: EvidenceProvider
    validity_days: int | None
    catalog_codes: tuple[str, ...] = ()
    condition: dict[str, Any] = field(default_factory=lambda: ALWAYS)
    # Risk-scaled: how often it is due follows the arrangement's risk (the cadence policy below).
    risk_scaled: bool = False


def _is(fact: str) -> dict[str, Any]:
    return {"fact": fact, "op": "is", "value": True}


TEMPLATES: tuple[Template, ...] = (
    # -- engagements (業務委託) --
    Template(
        "ENG-STAFF",
        E,
        "責任者・作業従事者・作業場所の届出",
        "委託事業者の責任者、作業に従事する者（再委託先の者を含む）の氏名・所属、作業場所の一覧。"
        "変更があったときは改めて提出を求める。",
        Cadence.ONCE_AT_START,
        14,
        CONTRACTOR,
        None,
        ("OUT-02", "OUT-08"),
    ),
    Template(
        "ENG-EDUCATION",
        E,
        "従事者への情報セキュリティ教育の実施記録",
        "作業に従事する者に行った情報セキュリティ教育の日付、内容、受講者の記録。",
        Cadence.YEARLY,
        30,
        CONTRACTOR,
        YEAR_AND_A_MONTH,
        ("OUT-05",),
    ),
    Template(
        "ENG-SECURITY-REPORT",
        E,
        "情報セキュリティ対策の実施状況報告書（年次）",
        "特記事項に定めた対策の実施状況（アクセス管理、持出し、事故の有無など）の年次報告。"
        "市による確認・監査の資料とする。",
        Cadence.YEARLY,
        30,
        CONTRACTOR,
        YEAR_AND_A_MONTH,
        ("OUT-10", "OUT-11"),
        risk_scaled=True,
    ),
    Template(
        "ENG-ISMS",
        E,
        "ISMS認証登録証の写し",
        "委託事業者が取得しているISMS（ISO/IEC 27001）認証の登録証と適用範囲の写し（有効期間が分かるもの）。",
        Cadence.YEARLY,
        30,
        CONTRACTOR,
        365,
        (),
        _is("holds_isms"),
    ),
    Template(
        "ENG-PRIVACY-MARK",
        E,
        "プライバシーマーク登録証の写し",
        "委託事業者が取得しているプライバシーマークの登録証の写し（有効期間が分かるもの）。",
        Cadence.YEARLY,
        30,
        CONTRACTOR,
        365,
        (),
        _is("holds_privacy_mark"),
    ),
    Template(
        "ENG-MN-MONTHLY",
        E,
        "特定個人情報の取扱状況報告（月次作業報告）",
        "マイナンバー（特定個人情報）を扱う作業の月次報告：作業日、作業者、取り扱った件数、持出しの有無、事故の有無。",
        Cadence.MONTHLY,
        10,
        CONTRACTOR,
        None,
        ("MN-03",),
    ),
    Template(
        "ENG-MN-SUBCONTRACTORS",
        E,
        "再委託先（全段階）と市の許諾の一覧",
        "特定個人情報を扱う業務の再委託先をすべての段階について、市の許諾（日付・許諾した者）とあわせて示す一覧。",
        Cadence.YEARLY,
        30,
        CONTRACTOR,
        YEAR_AND_A_MONTH,
        ("MN-01",),
        _is("has_subcontractors"),
    ),
    Template(
        "ENG-RETURN",
        E,
        "情報資産の返還・廃棄（消去）証明書",
        "業務終了時に、市から預かった情報を返還し、又は復元できない方法で消去・廃棄したことの証明書。",
        Cadence.AT_END,
        14,
        CONTRACTOR,
        None,
        ("OUT-09",),
    ),
    # -- cloud services (外部サービス) --
    Template(
        "CLOUD-ISMAP",
        C,
        "ISMAP登録状況・第三者認証の確認記録（年次）",
        "ISMAP（ISMAP-LIU）クラウドサービスリストへの登録状況と、事業者の第三者認証（ISMS、SOC 2 など）の"
        "有効性を確かめた記録。",
        Cadence.YEARLY,
        30,
        INTERNAL,
        YEAR_AND_A_MONTH,
        ("CL-02",),
    ),
    Template(
        "CLOUD-TERMS",
        C,
        "約款（利用規約）の確認記録（年次）",
        "約款の改定の有無、事業者の責任範囲、データの取扱い、サービス変更・終了の条件を確かめた記録。",
        Cadence.YEARLY,
        30,
        INTERNAL,
        YEAR_AND_A_MONTH,
        ("CL-11",),
    ),
    Template(
        "CLOUD-USAGE",
        C,
        "利用状況の記録（年次）",
        "利用者、利用期間、扱っている情報の記録。機密性2以上の情報を扱っていないことの確認を含む。",
        Cadence.YEARLY,
        30,
        INTERNAL,
        YEAR_AND_A_MONTH,
        ("CL-09",),
    ),
    Template(
        "CLOUD-EXIT",
        C,
        "終了時のデータ返却・移行・消去の計画（出口計画）",
        "利用をやめるとき又は乗り換えるときの、データの取出し方法、移行先、事業者側での消去の確認方法。",
        Cadence.ONCE_AT_START,
        30,
        INTERNAL,
        None,
        ("CL-12", "CL-08"),
    ),
    # -- social-media accounts (SNSアカウント) --
    Template(
        "SNS-REVIEW",
        S,
        "運用者・多要素認証の点検記録（半期）",
        "運用者の一覧が現状と合っていること、退職・異動者の権限削除、多要素認証が有効であること、"
        "認証情報の管理者と回復用連絡先を確かめた記録。",
        Cadence.HALF_YEARLY,
        14,
        INTERNAL,
        HALF_YEAR_AND_A_MONTH,
        ("SNS-04", "SNS-06"),
    ),
)
BY_CODE = {template.code: template for template in TEMPLATES}
_SHIPPED_RULES = {row[0]: row[7] for row in SHIPPED_REQUIREMENTS}


# Accepted evidence stays valid for its period and a month's grace.
VALIDITY_DAYS = {
    Cadence.MONTHLY: 61,
    Cadence.QUARTERLY: 122,
    Cadence.HALF_YEARLY: HALF_YEAR_AND_A_MONTH,
    Cadence.YEARLY: YEAR_AND_A_MONTH,
}
CadencePolicy = Callable[[Session, Arrangement], Cadence | None]
_cadence_policy: list[CadencePolicy] = []


def set_cadence_policy(policy: CadencePolicy) -> None:
    """Let a higher feature (risk tiers) say how often risk-scaled evidence is due (None: as shipped)."""
    _cadence_policy[:] = [policy]


def cadence_for(session: Session, arrangement: Arrangement, template: Template) -> Cadence:
    """How often this template's evidence is due for this arrangement."""
    if template.risk_scaled and _cadence_policy:
        wanted = _cadence_policy[0](session, arrangement)
        if wanted is not None:
            return wanted
    return template.cadence


def validity_for(template: Template, cadence: Cadence) -> int | None:
    """How long accepted evidence stays valid: a risk-scaled item's follows its cadence."""
    if template.risk_scaled and cadence in VALIDITY_DAYS:
        return VALIDITY_DAYS[cadence]
    return template.validity_days


@dataclass(frozen=True)
class Applicable:
    """A template that applies, and the catalog requirement it is filed under (if installed)."""

    template: Template
    requirement_id: int | None


def _facts(session: Session, arrangement: Arrangement) -> dict[str, Any]:
    facts = rule_facts.facts_for(arrangement)
    contractor_id = getattr(arrangement, "contractor_id", None) or getattr(
        arrangement, "provider_contractor_id", None
    )
    held: set[str] = set()
    if contractor_id is not None:
        held = set(
            session.scalars(
                select(Certification.kind).where(
                    Certification.contractor_id == contractor_id,
                    Certification.archived_at.is_(None),
                )
            )
        )
    facts["holds_isms"] = CertificationKind.ISMS in held
    facts["holds_privacy_mark"] = CertificationKind.PRIVACY_MARK in held
    return facts


def applicable_templates(session: Session, arrangement: Arrangement) -> list[Applicable]:
    """The standard evidence requirements this arrangement needs now, in table order."""
    from vendorguard.catalog.services import applicable_requirements, load_arrangement

    templates = [t for t in TEMPLATES if t.applies_to == arrangement.kind]
    if not templates:
        return []
    loaded = load_arrangement(session, arrangement.id)
    assert loaded is not None  # the arrangement we were given exists
    arrangement = loaded
    facts = _facts(session, arrangement)
    codes = {code for t in templates for code in t.catalog_codes}
    installed = dict(
        session.execute(select(Requirement.code, Requirement.id).where(Requirement.code.in_(codes)))
        .tuples()
        .all()
    )
    waived = {
        waiver.requirement_id
        for waiver in session.scalars(catalog_queries.active_waivers(arrangement.id)).unique()
    }
    applying = {
        r.code: r.id for r in applicable_requirements(session, arrangement) if r.id not in waived
    }

    def holds(code: str) -> bool:
        if code in installed:
            return code in applying
        rule = _SHIPPED_RULES.get(code)
        return rule is not None and rules.evaluate(rule, facts)

    result = []
    for template in templates:
        if not rules.evaluate(template.condition, facts):
            continue
        held = [code for code in template.catalog_codes if holds(code)]
        if template.catalog_codes and not held:
            continue
        requirement_id = next((applying[code] for code in held if code in applying), None)
        result.append(Applicable(template, requirement_id))
    return result
