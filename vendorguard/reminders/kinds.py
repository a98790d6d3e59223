"""The kinds of reminder, their defaults, and the admin's settings on top of them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.reminders.models import ReminderSetting

EVIDENCE_DUE = "evidence_due"
EVIDENCE_OVERDUE = "evidence_overdue"
EVIDENCE_ESCALATION = "evidence_escalation"  # produced by the overdue rule; no setting of its own
EVIDENCE_NUDGE = "evidence_nudge"  # 督促: sent on demand by the officer, no setting of its own
CERTIFICATION_EXPIRY = "certification_expiry"
ISMAP_EXPIRY = "ismap_expiry"
EVIDENCE_EXPIRY = "evidence_expiry"
REVIEW_DUE = "review_due"
REVIEW_OVERDUE = "review_overdue"  # offsets are days *after* the review date
APPROVAL_EXPIRY = "approval_expiry"
CONTRACT_END = "contract_end"
SOCIAL_REVIEW = "social_review"
SOCIAL_FLAG = "social_flag"
INSPECTION_DUE = "inspection_due"
INSPECTION_OVERDUE = "inspection_overdue"
QUESTIONNAIRE_DUE = "questionnaire_due"
QUESTIONNAIRE_OVERDUE = "questionnaire_overdue"
QUESTIONNAIRE_ESCALATION = "questionnaire_escalation"  # from the overdue rule; no setting


@dataclass(frozen=True)
class KindInfo:
    """A kind's label, help text and defaults; which settings it has follows from the defaults."""

    key: str
    label: object
    help: object
    offsets: tuple[int, ...] = ()
    repeat_days: int | None = None
    escalate_after_days: int | None = None

    @property
    def has_offsets(self) -> bool:
        return bool(self.offsets)

    @property
    def has_repeat(self) -> bool:
        return self.repeat_days is not None

    @property
    def offsets_after(self) -> bool:
        """The offsets count days after the date, not before it."""
        return self.key == REVIEW_OVERDUE

    @property
    def has_escalation(self) -> bool:
        return self.key in (EVIDENCE_OVERDUE, QUESTIONNAIRE_OVERDUE)


KINDS: dict[str, KindInfo] = {
    info.key: info
    for info in (
        KindInfo(
            EVIDENCE_DUE,
            _l("証跡の提出期限"),
            _l("提出期限の何日前に知らせるか。0 は期限当日です。"),
            offsets=(14, 7, 1, 0),
        ),
        KindInfo(
            EVIDENCE_OVERDUE,
            _l("証跡の提出期限超過"),
            _l(
                "期限の翌日に知らせ、その後は指定した日数ごとに繰り返します。超過が続くと所属の情報セキュリティ管理者と情報セキュリティ統括へ知らせます。"
            ),
            repeat_days=7,
            escalate_after_days=14,
        ),
        KindInfo(
            CERTIFICATION_EXPIRY,
            _l("委託事業者の認証の有効期限"),
            _l("契約中の業務委託がある委託事業者の ISMS・プライバシーマーク等。"),
            offsets=(90, 30, 7),
        ),
        KindInfo(
            ISMAP_EXPIRY,
            _l("ISMAP登録の有効期限"),
            _l("外部サービスが登録されている ISMAP 一覧の有効期限（更新申請中を除く）。"),
            offsets=(90, 30, 7),
        ),
        KindInfo(
            EVIDENCE_EXPIRY,
            _l("受理した証跡の有効期限"),
            _l("受理した証跡に設定された有効期限。"),
            offsets=(90, 30, 7),
        ),
        KindInfo(
            REVIEW_DUE,
            _l("定期確認（アセスメント）の時期"),
            _l("業務委託・外部サービスの次回確認日。"),
            offsets=(90, 30, 7),
        ),
        KindInfo(
            REVIEW_OVERDUE,
            _l("定期確認（アセスメント）の予定日超過"),
            _l("次回確認日を過ぎても確認が記録されていないとき、何日後に知らせるか。"),
            offsets=(30, 7, 1),
        ),
        KindInfo(
            APPROVAL_EXPIRY,
            _l("外部サービスの利用承認の期限"),
            _l("利用承認の有効期限。"),
            offsets=(90, 30, 7),
        ),
        KindInfo(
            CONTRACT_END,
            _l("契約期間の終了"),
            _l("終了日の何日前に、情報資産の返還・廃棄の証跡の回収を所管課へ知らせるか。"),
            offsets=(30,),
        ),
        KindInfo(
            SOCIAL_REVIEW,
            _l("SNSアカウントの定期確認"),
            _l("SNSアカウントの次回確認日。0 は当日です。"),
            offsets=(30, 7, 0),
        ),
        KindInfo(
            SOCIAL_FLAG,
            _l("SNSアカウントの不備（責任者なし・多要素認証なし）"),
            _l("運用中のアカウントの不備を、指定した日数ごとに情報セキュリティ統括へ知らせます。"),
            repeat_days=7,
        ),
        KindInfo(
            INSPECTION_DUE,
            _l("実地検査の予定日"),
            _l("予定されている実地検査の何日前に所管課へ知らせるか。0 は予定日当日です。"),
            offsets=(30, 7, 0),
        ),
        KindInfo(
            INSPECTION_OVERDUE,
            _l("実地検査の予定日超過"),
            _l(
                "予定日を過ぎても記録が確定していない実地検査を、指定した日数ごとに所管課へ知らせます。"
            ),
            repeat_days=7,
        ),
        KindInfo(
            QUESTIONNAIRE_DUE,
            _l("自己点検の回答期限"),
            _l("回答期限の何日前に知らせるか。0 は期限当日です。提出されると止まります。"),
            offsets=(14, 7, 1, 0),
        ),
        KindInfo(
            QUESTIONNAIRE_OVERDUE,
            _l("自己点検の回答期限超過"),
            _l(
                "期限の翌日に知らせ、その後は指定した日数ごとに繰り返します。超過が続くと所属の情報セキュリティ管理者と情報セキュリティ統括へ知らせます。"
            ),
            repeat_days=7,
            escalate_after_days=14,
        ),
    )
}

# Labels of the kinds rows carry (escalation rows come from the overdue rule).
KIND_LABELS = {
    **{key: info.label for key, info in KINDS.items()},
    EVIDENCE_ESCALATION: _l("証跡未提出のエスカレーション"),
    EVIDENCE_NUDGE: _l("証跡の督促"),
    QUESTIONNAIRE_ESCALATION: _l("自己点検未提出のエスカレーション"),
}


@dataclass(frozen=True)
class RuleSetting:
    """The effective setting of one kind."""

    kind: str
    enabled: bool
    offsets: tuple[int, ...]
    repeat_days: int | None
    escalate_after_days: int | None

    @property
    def window(self) -> int:
        """How many days ahead the rule looks."""
        return max(self.offsets, default=0)


def parse_offsets(text: str) -> tuple[int, ...]:
    """'90, 30，7' → (90, 30, 7); raises ValueError on anything that is not a day count."""
    parts = [
        part.strip()
        for part in text.replace("，", ",").replace("、", ",").split(",")
        if part.strip()
    ]
    values = sorted({int(part) for part in parts}, reverse=True)
    if any(value < 0 or value > 366 for value in values):
        raise ValueError(text)
    return tuple(values)


def format_offsets(offsets: tuple[int, ...]) -> str:
    """(90, 30, 7) → '90,30,7'."""
    return ",".join(str(value) for value in offsets)


def defaults(kind: str) -> RuleSetting:
    """The setting a kind has when the admin has not changed it."""
    info = KINDS[kind]
    return RuleSetting(kind, True, info.offsets, info.repeat_days, info.escalate_after_days)


def load_settings(session: Session) -> dict[str, RuleSetting]:
    """Every kind's effective setting (one query)."""
    result = {kind: defaults(kind) for kind in KINDS}
    for row in session.scalars(select(ReminderSetting)):
        if row.kind not in KINDS:
            continue
        base = result[row.kind]
        try:
            offsets = parse_offsets(row.offsets) if KINDS[row.kind].has_offsets else ()
        except ValueError:
            offsets = base.offsets
        result[row.kind] = RuleSetting(
            row.kind,
            row.enabled,
            offsets,
            row.repeat_days if KINDS[row.kind].has_repeat else None,
            row.escalate_after_days if KINDS[row.kind].has_escalation else None,
        )
    return result
