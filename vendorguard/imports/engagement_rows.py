"""The engagement register: engagements keyed on 契約番号, their information items and subcontractors."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorguard.arrangements.models import ArrangementState
from vendorguard.contractors.models import Contractor
from vendorguard.core.text import clean
from vendorguard.engagements import services
from vendorguard.engagements.models import (
    Engagement,
    NetworkSegment,
    PersonalInfoVolume,
    ReportingCycle,
)
from vendorguard.imports import cells
from vendorguard.imports import saving as s
from vendorguard.imports.cells import key_text
from vendorguard.imports.columns import Column, Table
from vendorguard.imports.engine import Outcome, RowRefused, create, write
from vendorguard.imports.lookups import Lookups

SEGMENT_FIELDS = {
    NetworkSegment.MY_NUMBER: "segment_my_number",
    NetworkSegment.LGWAN: "segment_lgwan",
    NetworkSegment.INTERNET: "segment_internet",
}


def _segments(raw: Any, lookups: Lookups) -> dict[str, bool]:
    chosen = {cells.choice(part, NetworkSegment) for part in cells.split_list(raw)}
    return {name: segment in chosen for segment, name in SEGMENT_FIELDS.items()}


def contract_number(raw: Any, lookups: Lookups) -> str:
    """A 契約番号 cell as the service stores it."""
    # Stored NFKC-normalised by the service (Ｒ８－００１ is R8-001), so matched that way too.
    return clean(cells.one_line(raw))


def _officer(raw: Any, lookups: Lookups) -> int | None:
    user = lookups.staff(raw)
    return None if user is None else user.id


ENGAGEMENT_COLUMNS = (
    Column(
        "contract_number",
        _l("契約番号"),
        contract_number,
        ("契約No", "契約NO.", "契約番号等", "契約管理番号"),
        required=True,
        note=_l("照合に使います。同じ契約番号の業務委託があれば更新、なければ登録します。"),
    ),
    Column(
        "title",
        _l("件名"),
        s.line,
        ("業務名", "委託業務名", "契約件名", "業務委託名"),
        required=True,
        width=30,
    ),
    Column(
        "department",
        _l("所管課"),
        s.department,
        ("担当課", "所属", "課名", "所管部署", "担当部署"),
        required=True,
        choices=s.department_choices,
    ),
    Column(
        "contractor",
        _l("委託事業者"),
        s.line,
        ("受託者", "委託先", "事業者名", "契約相手方"),
        width=24,
    ),
    Column(
        "contractor_number",
        _l("委託事業者の法人番号"),
        s.corporate_number,
        ("受託者の法人番号", "法人番号"),
        note=_l(
            "委託事業者を照合します（空欄のときは名称で照合）。委託事業者は先に台帳に登録してください。"
        ),
    ),
    Column(
        "state",
        _l("状態"),
        s.enum_of(ArrangementState),
        ("ステータス",),
        choices=s.enum_labels(ArrangementState),
    ),
    Column(
        "starts_on",
        _l("契約開始日"),
        s.day,
        ("開始日", "契約期間（自）", "履行期間（自）", "契約期間開始"),
        required=True,
    ),
    Column(
        "ends_on",
        _l("契約終了日"),
        s.day,
        ("終了日", "契約期間（至）", "履行期間（至）", "契約期間終了"),
        required=True,
    ),
    Column(
        "handles_personal_info",
        _l("個人情報の取扱い"),
        s.flag,
        ("個人情報",),
        choices=s.yes_no_choices,
    ),
    Column(
        "handles_my_number",
        _l("マイナンバーの取扱い"),
        s.flag,
        ("マイナンバー", "特定個人情報"),
        choices=s.yes_no_choices,
    ),
    Column(
        "personal_info_volume",
        _l("個人情報の件数"),
        s.enum_of(PersonalInfoVolume),
        ("取扱件数", "件数", "個人情報の件数区分"),
        choices=s.enum_labels(PersonalInfoVolume),
    ),
    Column("high_confidentiality", _l("機密性2以上"), s.text, export_only=True),
    Column(
        "segments",
        _l("ネットワーク区分"),
        _segments,
        ("ネットワーク", "接続系"),
        note=_l(
            "マイナンバー利用事務系・LGWAN接続系・インターネット接続系を「、」で区切って入力します。"
        ),
    ),
    Column(
        "remote_access",
        _l("リモートアクセス"),
        s.flag,
        ("リモート保守", "遠隔アクセス"),
        choices=s.yes_no_choices,
    ),
    Column(
        "subcontracting_allowed",
        _l("再委託の可否"),
        s.flag,
        ("再委託", "再委託を認める"),
        choices=s.yes_no_choices,
    ),
    Column(
        "reporting_cycle",
        _l("報告の頻度"),
        s.enum_of(ReportingCycle, {"月次": ReportingCycle.MONTHLY, "年次": ReportingCycle.YEARLY}),
        ("定期報告", "報告頻度"),
        choices=s.enum_labels(ReportingCycle),
    ),
    Column("tier", _l("リスク区分"), s.text, export_only=True),  # computed from the data (tiers)
    Column("next_review_on", _l("次回見直し日"), s.day, ("見直し日",)),
    Column(
        "responsible_officer_id",
        _l("市の責任者"),
        _officer,
        ("責任者", "担当職員"),
        note=_l("利用者の氏名かメールアドレス。"),
    ),
    Column("contractor_representative", _l("受託者側の責任者"), s.line, ("受託者責任者",)),
    Column("work_locations", _l("作業場所"), s.text, ("作業場所（1行に1か所）",)),
    Column("description", _l("業務内容"), s.text, ("業務の概要", "概要")),
    Column("access_scope", _l("アクセスできる範囲"), s.text, ("アクセス範囲",)),
    Column("access_method", _l("アクセスの方法"), s.text, ("アクセス方法",)),
    Column("updated", _l("更新日"), s.text, export_only=True),
    Column("archived", _l("アーカイブ日"), s.text, export_only=True),
)
_ENGAGEMENT_ATTRS = {
    **{c.key: c.key for c in ENGAGEMENT_COLUMNS},
    "department_id": "department",
    "contractor_id": "contractor",
    **dict.fromkeys(SEGMENT_FIELDS.values(), "segments"),
}


def _data(engagement: Engagement) -> services.EngagementData:
    return services.EngagementData(
        **{
            name: getattr(engagement, name)
            for name in services.ENGAGEMENT_FIELDS
            if name != "contract_number"
        },
        contract_number=engagement.contract_number or "",
    )


def _contractor(lookups: Lookups, values: dict[str, Any], current: int | None) -> int | None:
    """The contractor the row names: by 法人番号, else by name; None when the row names none."""
    number, name = values.get("contractor_number"), values.get("contractor")
    if number:
        contractor = lookups.contractor_by_number(number)
        if contractor is None:
            raise RowRefused(
                _(
                    "法人番号 %(number)s の委託事業者が台帳にありません。先に委託事業者を登録してください。",
                    number=number,
                ),
                column="contractor_number",
            )
        return contractor.id
    if not name:
        return None
    found: list[Contractor] = lookups.contractor_by_name(name)
    if current is not None and any(c.id == current for c in found):
        return current
    if len(found) != 1:
        raise RowRefused(
            _(
                "委託事業者「%(name)s」が台帳にありません。先に委託事業者を登録してください。",
                name=name,
            )
            if not found
            else _("同じ名称の委託事業者が複数あります。法人番号の列で指定してください。"),
            column="contractor",
        )
    return found[0].id


def _overlay(
    base: services.EngagementData, values: dict[str, Any], lookups: Lookups, current: int | None
) -> services.EngagementData:
    data = s.overlay(base, values)
    if "department" in values and values["department"] is not None:
        data.department_id = values["department"].id
    contractor_id = _contractor(lookups, values, current)
    if contractor_id is not None:
        data.contractor_id = contractor_id
    for name, on in (values.get("segments") or {}).items():
        setattr(data, name, on)
    if "contract_number" in values:
        data.contract_number = values["contract_number"]
    return data


def find_engagement(session, number: str, lookups: Lookups | None = None) -> Engagement | None:
    """The engagement with this 契約番号 (a number the run knows to be new costs no query)."""
    if lookups is not None:
        known = lookups.memo.get("contract_numbers")
        if known is None:
            # Read once per run: a 10,000-row register is mostly new or mostly known numbers.
            known = lookups.memo["contract_numbers"] = set(
                session.scalars(
                    select(Engagement.contract_number).where(
                        Engagement.contract_number.is_not(None)
                    )
                )
            )
        if number not in known:
            known.add(number)  # created by this row (or refused: then looked up next time)
            return None
    return session.scalars(select(Engagement).where(Engagement.contract_number == number)).first()


class EngagementHandler:
    """Creates or updates an engagement, matched on 契約番号, through ``engagements.services``."""

    permission = "engagement.manage"
    field_columns = {
        "title": "title",
        "ends_on": "ends_on",
        "contract_number": "contract_number",
        "department_id": "department",
        "contractor_id": "contractor",
        "responsible_officer_id": "responsible_officer_id",
        "handles_my_number": "handles_my_number",
        "subcontracting_allowed": "subcontracting_allowed",
    }

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        number = values.get("contract_number")
        return (key_text(number),) if number else None

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        number = values.get("contract_number") or ""
        if not number:
            raise RowRefused(
                _("契約番号を入力してください（契約番号で照合します）。"), column="contract_number"
            )
        existing = find_engagement(session, number, lookups)
        if existing is None:
            s.require(
                values,
                ("title", _l("件名を入力してください。")),
                ("department", _l("所管課を入力してください。")),
                ("starts_on", _l("契約開始日を入力してください。")),
                ("ends_on", _l("契約終了日を入力してください。")),
            )
            base = services.EngagementData(
                title="",
                department_id=0,
                contractor_id=0,
                starts_on=values["starts_on"],
                ends_on=values["ends_on"],
            )
            data = _overlay(base, values, lookups, None)
            if not data.contractor_id:
                raise RowRefused(_("委託事業者を入力してください。"), column="contractor")
            s.ensure_department(lookups, self.permission, data.department_id)
            create(session, services.create_engagement, data)
            return s.saved(None, None, number, {})
        base = _data(existing)
        data = _overlay(base, values, lookups, existing.contractor_id)
        if data == base:
            return s.unchanged(number)
        s.ensure_department(lookups, self.permission, existing.department_id, data.department_id)
        before = s.snapshot(existing)
        write(session, services.update_engagement, existing, data)
        return s.saved(existing, before, number, _ENGAGEMENT_ATTRS)


ENGAGEMENTS = Table(
    "engagements",
    _l("業務委託"),
    ENGAGEMENT_COLUMNS,
    EngagementHandler(),
    ("委託業務", "業務委託台帳", "委託台帳"),
)
