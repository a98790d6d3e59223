"""The placeholders a clause body may use: each one's name, meaning, the arrangements that have it,
and a sample value for previewing a clause before any real arrangement exists.

The sandbox (``sandbox.check_body``) refuses any other name; ``placeholders.placeholder_values``
supplies the real values of one arrangement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.models import ArrangementKind

ENGAGEMENT, CLOUD, SOCIAL = (
    ArrangementKind.ENGAGEMENT,
    ArrangementKind.CLOUD_SERVICE,
    ArrangementKind.SOCIAL_ACCOUNT,
)
ALL_KINDS = frozenset(ArrangementKind)


@dataclass(frozen=True)
class Placeholder:
    """A value a clause may insert: its name, meaning, which arrangements have it, and a sample."""

    name: str
    label: Any
    kinds: frozenset[ArrangementKind]
    sample: Any


PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder("city_name", _l("市の名称"), ALL_KINDS, "（市の名称）"),
    Placeholder("department_name", _l("所管課"), ALL_KINDS, "市民課"),
    Placeholder("security_department", _l("情報セキュリティを所管する課"), ALL_KINDS, "情報政策課"),
    Placeholder("responsible_officer", _l("市側の責任者"), ALL_KINDS, "市民課長"),
    Placeholder("arrangement_title", _l("件名"), ALL_KINDS, "住民記録システム運用保守業務"),
    Placeholder(
        "contract_title", _l("契約件名"), frozenset({ENGAGEMENT}), "住民記録システム運用保守業務"
    ),
    Placeholder("contract_number", _l("契約番号"), frozenset({ENGAGEMENT}), "R8-00012"),
    Placeholder(
        "contractor_name",
        _l("受注者（委託事業者）の名称"),
        frozenset({ENGAGEMENT}),
        "但馬システム株式会社",
    ),
    Placeholder(
        "contractor_representative",
        _l("受注者側の責任者"),
        frozenset({ENGAGEMENT}),
        "開発部長 山田太郎",
    ),
    Placeholder("period_start", _l("契約期間の初日"), frozenset({ENGAGEMENT}), "令和8年4月1日"),
    Placeholder("period_end", _l("契約期間の末日"), frozenset({ENGAGEMENT}), "令和9年3月31日"),
    Placeholder(
        "work_locations",
        _l("作業場所（一覧）"),
        frozenset({ENGAGEMENT}),
        ["市役所本庁舎3階 市民課執務室"],
    ),
    Placeholder(
        "information_handled",
        _l("取り扱う情報（一覧）"),
        frozenset({ENGAGEMENT}),
        ["住民基本台帳情報（自治体機密性3B）"],
    ),
    Placeholder(
        "subcontractors",
        _l("承諾済みの再委託先（一覧：name, scope, approved_by, approved_on, tier）"),
        frozenset({ENGAGEMENT}),
        [
            {
                "name": "城崎データサービス株式会社",
                "scope": "帳票印刷",
                "approved_by": "市民課長",
                "approved_on": "令和8年4月1日",
                "tier": "1",
            }
        ],
    ),
    Placeholder(
        "subcontracting_allowed",
        _l("再委託を認めるか（認める契約では「1」、認めない契約では空）"),
        frozenset({ENGAGEMENT}),
        "1",
    ),
    Placeholder("reporting_cycle", _l("定期報告の頻度"), frozenset({ENGAGEMENT}), "毎月"),
    Placeholder(
        "access_scope",
        _l("アクセスを許可する情報の範囲"),
        frozenset({ENGAGEMENT}),
        "住民記録システムの運用に必要な範囲",
    ),
    Placeholder(
        "access_method",
        _l("アクセスの方法"),
        frozenset({ENGAGEMENT}),
        "庁内に設置した専用端末からの操作",
    ),
    Placeholder(
        "work_description",
        _l("委託業務の内容"),
        frozenset({ENGAGEMENT}),
        "住民記録システムの運用及び保守",
    ),
    Placeholder(
        "provider_name", _l("サービス提供事業者"), frozenset({CLOUD}), "出石クラウド株式会社"
    ),
    Placeholder("service_name", _l("サービス名"), frozenset({CLOUD}), "電子申請サービス"),
    Placeholder("service_url", _l("サービスのURL"), frozenset({CLOUD}), "https://example.jp/"),
    Placeholder("purpose", _l("利用目的"), frozenset({CLOUD, SOCIAL}), "市民からの電子申請の受付"),
    Placeholder("terms_type", _l("契約形態"), frozenset({CLOUD}), "個別契約"),
    Placeholder("data_location", _l("データの保存場所"), frozenset({CLOUD}), "日本国内"),
    Placeholder("governing_law", _l("準拠法"), frozenset({CLOUD}), "日本法"),
    Placeholder("jurisdiction", _l("合意管轄裁判所"), frozenset({CLOUD}), "神戸地方裁判所"),
    Placeholder("ismap_registration", _l("ISMAP登録番号"), frozenset({CLOUD}), "C23-0001-1"),
    Placeholder("platform", _l("プラットフォーム"), frozenset({SOCIAL}), "X（旧Twitter）"),
    Placeholder("account_handle", _l("アカウント名"), frozenset({SOCIAL}), "@example_city"),
    Placeholder(
        "account_url", _l("アカウントのURL"), frozenset({SOCIAL}), "https://x.com/example_city"
    ),
    Placeholder(
        "posting_rules",
        _l("発信する情報（投稿ルール）"),
        frozenset({SOCIAL}),
        "イベント、防災、市政の情報",
    ),
    Placeholder(
        "operating_procedure",
        _l("運用手順（登録内容）"),
        frozenset({SOCIAL}),
        "投稿は担当者が起案し、責任者が確認する。",
    ),
    Placeholder(
        "operating_steps",
        _l("運用手順（登録内容を1行ずつの一覧にしたもの）"),
        frozenset({SOCIAL}),
        ["投稿は担当者が起案し、責任者が確認する。"],
    ),
    Placeholder(
        "posting_rule_items",
        _l("発信する情報（登録内容を1行ずつの一覧にしたもの）"),
        frozenset({SOCIAL}),
        ["イベント、防災、市政の情報"],
    ),
    Placeholder(
        "operators", _l("運用担当者（一覧）"), frozenset({SOCIAL}), ["広報係 主任 佐藤花子"]
    ),
    Placeholder(
        "official_list_url",
        _l("市公式サイトの掲載ページ"),
        frozenset({SOCIAL}),
        "https://www.city.example.jp/sns/",
    ),
    Placeholder("credential_custodian", _l("認証情報の管理者"), frozenset({SOCIAL}), "広報係長"),
    Placeholder(
        "recovery_contact", _l("回復用の連絡先"), frozenset({SOCIAL}), "kouhou@city.example.jp"
    ),
)


def placeholders_for(kind: ArrangementKind | str) -> list[Placeholder]:
    """The placeholders a clause for this kind of arrangement may use."""
    return [p for p in PLACEHOLDERS if ArrangementKind(kind) in p.kinds]


def sample_values(kind: ArrangementKind | str) -> dict[str, Any]:
    """Example values, for previewing a clause before any real arrangement exists."""
    values = {p.name: p.sample for p in placeholders_for(kind)}
    from vendorguard.city.services import current

    city = current()
    if city.configured:  # a preview shows this installation's city, not a made-up one
        values["city_name"] = city.name
    return values
