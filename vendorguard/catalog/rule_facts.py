"""The facts applicability rules may test: which exist, for which kinds of arrangement, how each is
said in words, and their plain values for one arrangement (``facts_for``).

``rules`` validates, evaluates and describes rules over these facts; the kinds' packages register
the choices of choice and list facts (``set_choices``) and, as their registration's
``rule_facts``, how their arrangements' facts are read (``engagement_facts``, ``cloud_facts``,
``social_facts``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import kind_of
from vendorguard.arrangements.models import Arrangement, ArrangementKind

ENGAGEMENT, CLOUD, SOCIAL = (
    ArrangementKind.ENGAGEMENT,
    ArrangementKind.CLOUD_SERVICE,
    ArrangementKind.SOCIAL_ACCOUNT,
)


@dataclass(frozen=True)
class Fact:
    """A fact rules may test: its type, which arrangements have it, and how to say it."""

    name: str
    type: str  # "bool" | "choice" | "list"
    kinds: frozenset[ArrangementKind]
    label: Any
    when_true: Any = None  # bool facts: the condition in words, e.g. 「個人情報を取り扱う」
    when_false: Any = None
    choices: Callable[[], dict[str, str]] | None = None


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact(
            "handles_personal_info",
            "bool",
            frozenset({ENGAGEMENT}),
            _l("個人情報の取扱い"),
            _l("個人情報を取り扱う"),
            _l("個人情報を取り扱わない"),
        ),
        Fact(
            "handles_my_number",
            "bool",
            frozenset({ENGAGEMENT}),
            _l("マイナンバー（特定個人情報）の取扱い"),
            _l("マイナンバー（特定個人情報）を取り扱う"),
            _l("マイナンバー（特定個人情報）を取り扱わない"),
        ),
        Fact(
            "handles_high_confidentiality",
            "bool",
            frozenset({ENGAGEMENT, CLOUD}),
            _l("機密性2以上の情報の取扱い"),
            _l("機密性2以上の情報を取り扱う"),
            _l("機密性2以上の情報を取り扱わない"),
        ),
        Fact(
            "subcontracting_allowed",
            "bool",
            frozenset({ENGAGEMENT}),
            _l("再委託の可否"),
            _l("再委託を認める"),
            _l("再委託を認めない"),
        ),
        Fact(
            "has_subcontractors",
            "bool",
            frozenset({ENGAGEMENT}),
            _l("再委託先の有無"),
            _l("再委託先がある"),
            _l("再委託先がない"),
        ),
        Fact(
            "segments",
            "list",
            frozenset({ENGAGEMENT}),
            _l("作業するネットワーク"),
            # choices: registered by the engagements package (set_choices)
        ),
        Fact(
            "reporting_cycle",
            "choice",
            frozenset({ENGAGEMENT}),
            _l("定期報告の頻度"),
            # choices: registered by the engagements package (set_choices)
        ),
        Fact("terms_type", "choice", frozenset({CLOUD}), _l("契約形態")),
        Fact(
            "has_ismap_registration",
            "bool",
            frozenset({CLOUD}),
            _l("ISMAP登録"),
            _l("ISMAP（ISMAP-LIUを含む）に登録されている"),
            _l("ISMAPに登録されていない"),
        ),
        Fact("platform", "choice", frozenset({SOCIAL}), _l("プラットフォーム")),
        Fact(
            "mfa_enabled",
            "bool",
            frozenset({SOCIAL}),
            _l("多要素認証"),
            _l("多要素認証が有効である"),
            _l("多要素認証が有効でない"),
        ),
        Fact(
            "verified_badge",
            "bool",
            frozenset({SOCIAL}),
            _l("認証バッジ"),
            _l("認証バッジを取得している"),
            _l("認証バッジを取得していない"),
        ),
        Fact(
            "listed_on_city_site",
            "bool",
            frozenset({SOCIAL}),
            _l("市公式サイトへの掲載"),
            _l("市公式サイトのアカウント一覧に掲載されている"),
            _l("市公式サイトのアカウント一覧に掲載されていない"),
        ),
    )
}


def set_choices(name: str, choices: Callable[[], dict[str, str]]) -> None:
    """Give a choice or list fact its values (value -> label); the kind's package knows them."""
    FACTS[name] = replace(FACTS[name], choices=choices)


def facts_available(kind: ArrangementKind | str) -> list[Fact]:
    """The facts a rule for this kind of arrangement may use."""
    return [fact for fact in FACTS.values() if str(kind) in fact.kinds]


def facts_for(arrangement: Arrangement) -> dict[str, Any]:
    """The plain facts rules read (the kind's registration says which: ``rule_facts``).

    Needs the relationships that ``queries.arrangement_for_catalog`` loads."""
    spec = kind_of(arrangement.kind)
    facts = spec.rule_facts(arrangement) if spec.rule_facts is not None else {}
    return {"kind": str(arrangement.kind), **facts}


def engagement_facts(arrangement) -> dict[str, Any]:
    """An engagement's facts (its registration's ``rule_facts``)."""
    return {
        "handles_personal_info": bool(arrangement.handles_personal_info),
        "handles_my_number": bool(arrangement.handles_my_number),
        "handles_high_confidentiality": arrangement.handles_high_confidentiality,
        "subcontracting_allowed": bool(arrangement.subcontracting_allowed),
        "has_subcontractors": any(s.archived_at is None for s in arrangement.subcontractors),
        "segments": [segment.value for segment in arrangement.segments],
        "reporting_cycle": arrangement.reporting_cycle.value
        if arrangement.reporting_cycle
        else None,
    }


def cloud_facts(arrangement) -> dict[str, Any]:
    """A cloud service's facts (its registration's ``rule_facts``)."""
    return {
        "handles_high_confidentiality": bool(arrangement.handles_high_confidentiality),
        "terms_type": arrangement.terms_type.value if arrangement.terms_type else None,
        "has_ismap_registration": bool(arrangement.ismap_registration_number),
    }


def social_facts(arrangement) -> dict[str, Any]:
    """An SNS account's facts (its registration's ``rule_facts``)."""
    return {
        "platform": arrangement.platform.value if arrangement.platform else None,
        "mfa_enabled": bool(arrangement.mfa_enabled),
        "verified_badge": bool(arrangement.verified_badge),
        "listed_on_city_site": bool((arrangement.official_list_url or "").strip()),
    }
