"""Applicability rules: which requirements apply to which arrangement, validation, wording."""

from __future__ import annotations

import pytest

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog import rule_facts, rules, services
from vendorguard.classification.models import Axis
from vendorguard.cloud.models import TermsType
from vendorguard.engagements.models import InformationItem
from vendorguard.extensions import db

OUT = [f"OUT-{n:02d}" for n in range(1, 14)]
PI = ["PI-01", "PI-02", "PI-03"]
MN = ["MN-01", "MN-02", "MN-03"]
CLOUD_LIGHT = ["CL-01", "CL-04", "CL-05", "CL-09", "CL-10", "CL-11"]
CLOUD_FULL = [
    "CL-01",
    "CL-02",
    "CL-03",
    "CL-04",
    "CL-05",
    "CL-06",
    "CL-07",
    "CL-08",
    "CL-10",
    "CL-12",
]


def _codes(arrangement) -> list[str]:
    return [r.code for r in services.applicable_requirements(db.session, arrangement)]


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, OUT),
        ({"handles_personal_info": True}, OUT + PI),
        ({"handles_personal_info": True, "handles_my_number": True}, OUT + PI + MN),
        # A My Number flag alone still means personal information is handled.
        ({"handles_my_number": True}, OUT + PI + MN),
        # Work inside the マイナンバー利用事務系 touches 特定個人情報 whatever the flags say.
        ({"segment_my_number": True}, OUT + PI + MN),
        ({"segment_lgwan": True, "subcontracting_allowed": True}, OUT),
    ],
    ids=["plain", "personal", "my-number", "my-number-flag-only", "my-number-segment", "lgwan"],
)
def test_engagement_applicability(catalog, make, fields, expected):
    engagement = make.engagement(**fields)
    assert _codes(engagement) == expected


@pytest.mark.parametrize(
    "terms, high, expected",
    [
        (TermsType.STANDARD_TERMS, False, CLOUD_LIGHT),
        (TermsType.CONTRACT, True, CLOUD_FULL),
        (TermsType.STANDARD_TERMS, True, sorted(CLOUD_FULL + ["CL-11"])),
        (TermsType.CONTRACT, False, ["CL-01", "CL-04", "CL-05", "CL-09", "CL-10", "CL-12"]),
    ],
    ids=["standard-terms-light", "contract-high", "standard-terms-high", "contract-light"],
)
def test_cloud_applicability(catalog, make, terms, high, expected):
    service = make.cloud_service(terms_type=terms, handles_high_confidentiality=high)
    assert _codes(service) == expected


def test_social_accounts_get_every_sns_item(catalog, make):
    assert _codes(make.social_account()) == [f"SNS-{n:02d}" for n in range(1, 9)]


def test_inactive_requirement_never_applies(catalog, make):
    from sqlalchemy import select

    from vendorguard.catalog.models import Requirement

    requirement = db.session.scalars(select(Requirement).where(Requirement.code == "OUT-03")).one()
    requirement.active = False
    db.session.commit()
    assert "OUT-03" not in _codes(make.engagement())


def test_high_confidentiality_comes_from_the_items_levels(catalog, make):
    scheme = make.schemes()
    levels = {level.code: level for level in scheme.levels_for(Axis.CONFIDENTIALITY)}
    low = make.engagement()
    db.session.add(
        InformationItem(
            engagement_id=low.id, name="イベント案内", confidentiality_level_id=levels["1"].id
        )
    )
    high = make.engagement()
    db.session.add(
        InformationItem(
            engagement_id=high.id, name="住民基本台帳", confidentiality_level_id=levels["3B"].id
        )
    )
    db.session.commit()
    db.session.expire_all()
    assert (
        rule_facts.facts_for(services.load_arrangement(db.session, low.id))[
            "handles_high_confidentiality"
        ]
        is False
    )
    facts = rule_facts.facts_for(services.load_arrangement(db.session, high.id))
    assert facts["handles_high_confidentiality"] is True


def test_facts_are_plain_values(catalog, make):
    engagement = make.engagement(
        handles_personal_info=True, segment_lgwan=True, subcontracting_allowed=True
    )
    make.subcontractor(engagement)
    facts = rule_facts.facts_for(services.load_arrangement(db.session, engagement.id))
    assert facts == {
        "kind": "engagement",
        "handles_personal_info": True,
        "handles_my_number": False,
        "handles_high_confidentiality": False,
        "subcontracting_allowed": True,
        "has_subcontractors": True,
        "segments": ["lgwan"],
        "reporting_cycle": "monthly",
    }


@pytest.mark.parametrize(
    "rule, facts, expected",
    [
        ({"always": True}, {}, True),
        (
            {"fact": "handles_my_number", "op": "is", "value": True},
            {"handles_my_number": True},
            True,
        ),
        (
            {"fact": "handles_my_number", "op": "is", "value": False},
            {"handles_my_number": True},
            False,
        ),
        (
            {"not": {"fact": "handles_my_number", "op": "is", "value": True}},
            {"handles_my_number": False},
            True,
        ),
        (
            {"fact": "segments", "op": "contains", "value": "my_number"},
            {"segments": ["lgwan", "my_number"]},
            True,
        ),
        ({"fact": "segments", "op": "contains", "value": "my_number"}, {"segments": []}, False),
        (
            {"fact": "reporting_cycle", "op": "in", "value": ["monthly", "quarterly"]},
            {"reporting_cycle": "yearly"},
            False,
        ),
        (
            {"fact": "reporting_cycle", "op": "ne", "value": "monthly"},
            {"reporting_cycle": "yearly"},
            True,
        ),
        (
            {"all": [{"always": True}, {"fact": "has_subcontractors", "op": "is", "value": True}]},
            {"has_subcontractors": False},
            False,
        ),
        (
            {
                "any": [
                    {"fact": "has_subcontractors", "op": "is", "value": True},
                    {"fact": "subcontracting_allowed", "op": "is", "value": True},
                ]
            },
            {"has_subcontractors": False, "subcontracting_allowed": True},
            True,
        ),
    ],
)
def test_evaluator(ja, rule, facts, expected):
    rules.validate_rule(rule, ArrangementKind.ENGAGEMENT)
    assert rules.evaluate(rule, facts) is expected


@pytest.mark.parametrize(
    "rule, kind, message",
    [
        (
            {"fact": "nope", "op": "is", "value": True},
            "engagement",
            "不明な項目「nope」です。使える項目：handles_personal_info",
        ),
        (
            {"fact": "handles_my_number", "op": "eq", "value": True},
            "engagement",
            "演算子「eq」は使えません。使える演算子：is",
        ),
        ({"fact": "handles_my_number", "op": "is", "value": "yes"}, "engagement", "true か false"),
        (
            {"fact": "terms_type", "op": "eq", "value": "lease"},
            "cloud_service",
            "値「lease」は使えません。使える値：contract, standard_terms",
        ),
        (
            {"fact": "terms_type", "op": "eq", "value": "contract"},
            "engagement",
            "項目「terms_type」は業務委託の条件には使えません",
        ),
        ({"fact": "reporting_cycle", "op": "in", "value": []}, "engagement", "候補を並べたリスト"),
        ({"all": []}, "engagement", '"all" には条件を1つ以上'),
        ({"any": {"always": True}}, "engagement", '"any" には条件を1つ以上'),
        ({"always": False}, "engagement", '"always" の値は true だけ'),
        ({"foo": 1}, "engagement", "書かれていたキー：foo"),
        ({"fact": "handles_my_number", "op": "is"}, "engagement", "書かれていたキー：fact, op"),
        (
            {"all": [{"always": True}, {"any": [{"fact": "x", "op": "is", "value": True}]}]},
            "engagement",
            "allの2番目 › anyの1番目：不明な項目「x」",
        ),
        ("always", "engagement", "オブジェクト"),
    ],
)
def test_validation_refuses_with_a_clear_message(ja, rule, kind, message):
    with pytest.raises(rules.RuleError) as caught:
        rules.validate_rule(rule, kind)
    assert message in caught.value.message
    assert caught.value.field == "rule"


def test_nesting_is_limited(ja):
    rule = {"always": True}
    for _ in range(rules.MAX_DEPTH + 2):
        rule = {"not": rule}
    with pytest.raises(rules.RuleError, match="入れ子が深すぎます"):
        rules.validate_rule(rule, "engagement")


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"always": true', "JSONとして読めません（1行目"),
        ("[1, 2]", "オブジェクト"),
    ],
)
def test_parse_rule_refuses_bad_json(ja, text, message):
    with pytest.raises(rules.RuleError, match=message.replace("（", ".")):
        rules.parse_rule(text)


@pytest.mark.parametrize(
    "rule, kind, words",
    [
        ({"always": True}, "engagement", "すべての業務委託に適用"),
        ({"always": True}, "social_account", "すべてのSNSアカウントに適用"),
        (
            {"fact": "handles_my_number", "op": "is", "value": True},
            "engagement",
            "マイナンバー（特定個人情報）を取り扱う場合",
        ),
        (
            {"not": {"fact": "handles_high_confidentiality", "op": "is", "value": True}},
            "cloud_service",
            "機密性2以上の情報を取り扱わない場合",
        ),
        (
            {"fact": "terms_type", "op": "eq", "value": "standard_terms"},
            "cloud_service",
            "契約形態が「約款（利用規約）」である場合",
        ),
        (
            {
                "all": [
                    {"fact": "handles_personal_info", "op": "is", "value": True},
                    {"fact": "segments", "op": "contains", "value": "lgwan"},
                ]
            },
            "engagement",
            "次のすべてに該当する場合：個人情報を取り扱う、作業するネットワークに「LGWAN接続系」を含む",
        ),
        (
            {
                "any": [
                    {"fact": "handles_my_number", "op": "is", "value": True},
                    {
                        "all": [
                            {"fact": "has_subcontractors", "op": "is", "value": True},
                            {
                                "fact": "reporting_cycle",
                                "op": "in",
                                "value": ["monthly", "quarterly"],
                            },
                        ]
                    },
                ]
            },
            "engagement",
            "次のいずれかに該当する場合：マイナンバー（特定個人情報）を取り扱う、"
            "（再委託先がある、かつ、定期報告の頻度が「毎月」「四半期ごと」のいずれかである）",
        ),
    ],
)
def test_rule_in_words(ja, rule, kind, words):
    assert rules.describe(rule, kind) == words


def test_every_shipped_rule_is_valid_and_worded(ja, catalog):
    from sqlalchemy import select

    from vendorguard.catalog.models import Requirement

    for requirement in db.session.scalars(select(Requirement)):
        rules.validate_rule(requirement.rule, requirement.applies_to)
        assert "読み取れません" not in rules.describe(requirement.rule, requirement.applies_to)
