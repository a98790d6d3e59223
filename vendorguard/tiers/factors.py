"""What tier rules read: an engagement's facts, the factors a rule is built from, and the defaults.

A factor is one test in catalog-rule form (``catalog.rules``) with a short name that doubles as the
reason shown (「マイナンバー利用事務系」「再委託あり」「自治体機密性3A」). The rule editor offers the
factors as check boxes; a rule is ``{"all": [factor tests]}`` or ``{"any": [factor tests]}``, so
``catalog.rules.evaluate`` decides it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from vendorguard.catalog import rule_facts
from vendorguard.engagements.models import Engagement, PersonalInfoVolume, RiskTier
from vendorguard.evidence.models import Cadence

LEVEL_PREFIX = "level:"  # level:<scheme code>:<level code>
VOLUMES = list(PersonalInfoVolume)


def _is(fact: str) -> dict[str, Any]:
    return {"fact": fact, "op": "is", "value": True}


def _at_least(volume: PersonalInfoVolume) -> dict[str, Any]:
    return {
        "fact": "personal_info_volume",
        "op": "in",
        "value": [v.value for v in VOLUMES[VOLUMES.index(volume) :]],
    }


@dataclass(frozen=True)
class Factor:
    """One test a tier rule may combine, and its name as a reason."""

    key: str
    label: Any
    test: dict[str, Any]


FACTORS: dict[str, Factor] = {
    factor.key: factor
    for factor in (
        Factor("my_number", _l("マイナンバー（特定個人情報）"), _is("handles_my_number")),
        Factor("personal_info", _l("個人情報"), _is("handles_personal_info")),
        Factor("volume_1k", _l("個人情報1,000件以上"), _at_least(PersonalInfoVolume.FROM_1K)),
        Factor("volume_10k", _l("個人情報1万件以上"), _at_least(PersonalInfoVolume.FROM_10K)),
        Factor("volume_100k", _l("個人情報10万件以上"), _at_least(PersonalInfoVolume.FROM_100K)),
        Factor(
            "segment_my_number",
            _l("マイナンバー利用事務系"),
            {"fact": "segments", "op": "contains", "value": "my_number"},
        ),
        Factor(
            "segment_lgwan",
            _l("LGWAN接続系"),
            {"fact": "segments", "op": "contains", "value": "lgwan"},
        ),
        Factor(
            "segment_internet",
            _l("インターネット接続系"),
            {"fact": "segments", "op": "contains", "value": "internet"},
        ),
        Factor("remote_access", _l("リモートアクセスあり"), _is("remote_access")),
        Factor("subcontracting", _l("再委託あり"), _is("subcontracting")),
        Factor("cloud", _l("クラウド利用あり"), _is("uses_cloud")),
    )
}


def level_key(scheme_code: str, level_code: str) -> str:
    """The factor key of a confidentiality level (scheme-aware: 3A of R6.10 is not 3 of R5)."""
    return f"{LEVEL_PREFIX}{scheme_code}:{level_code}"


def test_for(key: str) -> dict[str, Any]:
    """The catalog-rule test of a factor key; ``KeyError`` for an unknown one."""
    if key.startswith(LEVEL_PREFIX):
        return {
            "fact": "confidentiality_levels",
            "op": "contains",
            "value": key[len(LEVEL_PREFIX) :],
        }
    return FACTORS[key].test


def key_for(test: dict[str, Any]) -> str | None:
    """The factor key a stored test came from (None: not one the editor makes)."""
    if test.get("fact") == "confidentiality_levels" and test.get("op") == "contains":
        return f"{LEVEL_PREFIX}{test.get('value')}"
    for factor in FACTORS.values():
        if factor.test == test:
            return factor.key
    return None


def condition(keys: Iterable[str], match: str) -> dict[str, Any]:
    """A rule's condition from the chosen factors: ``match`` is "all" or "any"."""
    return {match: [test_for(key) for key in keys]}


def parts(rule_condition: dict[str, Any]) -> tuple[str, list[str]]:
    """("all" | "any", factor keys) of a stored condition."""
    match = "any" if "any" in rule_condition else "all"
    keys = [key_for(test) for test in rule_condition.get(match, [])]
    return match, [key for key in keys if key is not None]


def facts_of(engagement: Engagement, uses_cloud: bool) -> dict[str, Any]:
    """The facts tier rules read: the catalog's engagement facts and the tier inputs.

    Needs ``information_items`` (with levels and their schemes) and ``subcontractors`` loaded.
    """
    facts = rule_facts.engagement_facts(engagement)
    levels = [
        item.confidentiality_level
        for item in engagement.information_items
        if item.confidentiality_level is not None
    ]
    facts.update(
        confidentiality_levels=[f"{level.scheme.code}:{level.code}" for level in levels],
        personal_info_volume=(
            engagement.personal_info_volume.value if engagement.personal_info_volume else None
        ),
        remote_access=bool(engagement.remote_access),
        subcontracting=bool(facts["subcontracting_allowed"] or facts["has_subcontractors"]),
        uses_cloud=uses_cloud,
    )
    return facts


# -- shipped defaults (used until the security office saves its own) ------------------------------


@dataclass(frozen=True)
class DefaultRule:
    tier: RiskTier
    label: str
    match: str
    keys: tuple[str, ...]


DEFAULT_RULES = (
    DefaultRule(
        RiskTier.A,
        "マイナンバー、マイナンバー利用事務系、最も高い機密性の情報",
        "any",
        (
            "my_number",
            "segment_my_number",
            level_key("r6_10", "3A"),
            level_key("r6_10", "3B"),
            level_key("r5", "3"),
        ),
    ),
    DefaultRule(
        RiskTier.B,
        "機密性3C又は個人情報1万件以上",
        "any",
        (level_key("r6_10", "3C"), "volume_10k"),
    ),
    DefaultRule(
        RiskTier.B, "個人情報を扱う業務の再委託", "all", ("personal_info", "subcontracting")
    ),
    DefaultRule(
        RiskTier.B,
        "個人情報を扱う業務のリモートアクセス",
        "all",
        ("personal_info", "remote_access"),
    ),
    DefaultRule(
        RiskTier.C,
        "個人情報、機密性2、LGWAN接続系、リモートアクセス又はクラウド利用",
        "any",
        (
            "personal_info",
            level_key("r6_10", "2"),
            level_key("r5", "2"),
            "segment_lgwan",
            "remote_access",
            "cloud",
        ),
    ),
)
LOWEST = RiskTier.D  # the tier when no rule holds


@dataclass(frozen=True)
class PolicyValues:
    """What one tier sets (the same fields as ``TierPolicy``)."""

    tier: RiskTier
    evidence_cadence: Cadence
    review_interval_months: int
    self_check_interval_months: int
    inspections_per_year: int


DEFAULT_POLICIES = {
    RiskTier.A: PolicyValues(RiskTier.A, Cadence.QUARTERLY, 6, 6, 2),
    RiskTier.B: PolicyValues(RiskTier.B, Cadence.HALF_YEARLY, 12, 12, 1),
    RiskTier.C: PolicyValues(RiskTier.C, Cadence.YEARLY, 12, 12, 1),
    RiskTier.D: PolicyValues(RiskTier.D, Cadence.YEARLY, 12, 24, 0),
}
