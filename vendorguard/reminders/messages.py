"""Turning an outbox row's facts into words: subject, headline, facts and a link, in the reader's language.

Rows keep facts, not sentences, so a message reads the same in the mail, in the app and in the
webhook, and an English-speaking user gets English once the catalog has it.
"""

from __future__ import annotations

from collections.abc import Callable

from vendorguard.core.catalogue import gettext as _
from vendorguard.reminders import kinds
from vendorguard.reminders import supervision_messages as supervision
from vendorguard.reminders.wording import (
    Message,
    arrangement_facts,
    cert_label,
    day_of,
    link_for,
    occurrence_of,
    when_of,
)


def _evidence(kind: str, data: dict) -> Message:
    days, title, arrangement = (
        int(data.get("days", 0)),
        data.get("title", ""),
        data.get("arrangement", ""),
    )
    occurrence = occurrence_of(data.get("occurrence", ""))
    contractor = data.get("audience") == "contractor"
    facts = arrangement_facts(data) if not contractor else [(_("業務"), arrangement)]
    facts += [(_("証跡"), title), (_("対象"), occurrence)]
    if kind == kinds.EVIDENCE_DUE:
        facts.append((_("提出期限"), when_of(data)))
        subject = (
            _("本日が証跡の提出期限です：%(title)s", title=title)
            if days == 0
            else _("証跡の提出期限まであと%(days)d日です：%(title)s", days=days, title=title)
        )
        headline = (
            _(
                "「%(arrangement)s」について、証跡「%(title)s」（%(occurrence)s）のご提出をお願いします。",
                arrangement=arrangement,
                title=title,
                occurrence=occurrence,
            )
            if contractor
            else _(
                "「%(arrangement)s」の証跡「%(title)s」（%(occurrence)s）の提出期限が近づいています。",
                arrangement=arrangement,
                title=title,
                occurrence=occurrence,
            )
        )
        action = _("提出する") if contractor else _("証跡を確認する")
        return Message(subject, headline, facts, action=action)
    facts.append((_("提出期限"), when_of(data, overdue=True)))
    if kind == kinds.EVIDENCE_ESCALATION:
        subject = _(
            "【要対応】証跡の未提出が%(days)d日続いています：%(arrangement)s",
            days=days,
            arrangement=arrangement,
        )
        headline = _(
            "%(department)sの「%(arrangement)s」で、証跡「%(title)s」（%(occurrence)s）が提出期限（%(date)s）から"
            "%(days)d日を過ぎても提出されていません。担当者と委託事業者への確認をお願いします。",
            department=data.get("department", ""),
            arrangement=arrangement,
            title=title,
            occurrence=occurrence,
            date=day_of(data),
            days=days,
        )
        return Message(subject, headline, facts, action=_("状況を確認する"))
    subject = _("証跡の提出期限を%(days)d日過ぎています：%(title)s", days=days, title=title)
    headline = (
        _(
            "「%(arrangement)s」の証跡「%(title)s」（%(occurrence)s）の提出期限（%(date)s）を過ぎています。"
            "至急ご提出ください。",
            arrangement=arrangement,
            title=title,
            occurrence=occurrence,
            date=day_of(data),
        )
        if contractor
        else _(
            "「%(arrangement)s」の証跡「%(title)s」（%(occurrence)s）が、提出期限（%(date)s）を過ぎても提出されていません。",
            arrangement=arrangement,
            title=title,
            occurrence=occurrence,
            date=day_of(data),
        )
    )
    return Message(
        subject, headline, facts, action=_("提出する") if contractor else _("証跡を確認する")
    )


def _expiry(kind: str, data: dict) -> Message:
    days, arrangement, when = int(data.get("days", 0)), data.get("arrangement", ""), day_of(data)
    facts = arrangement_facts(data)
    if kind == kinds.CERTIFICATION_EXPIRY:
        contractor, cert = data.get("contractor", ""), cert_label(data)
        subject = (
            _(
                "本日が委託事業者の認証の有効期限です：%(contractor)s（%(cert)s）",
                contractor=contractor,
                cert=cert,
            )
            if days == 0
            else _(
                "委託事業者の認証の有効期限まであと%(days)d日です：%(contractor)s（%(cert)s）",
                days=days,
                contractor=contractor,
                cert=cert,
            )
        )
        headline = _(
            "委託事業者「%(contractor)s」の%(cert)sの有効期限（%(date)s）が近づいています。"
            "更新後の認証書の写しを受け取り、登録内容を更新してください。",
            contractor=contractor,
            cert=cert,
            date=when,
        )
        work = _("、").join(data.get("engagements", []))
        if data.get("more_engagements"):
            work += _("ほか%(count)d件", count=data["more_engagements"])
        facts = [
            (_("委託事業者"), contractor),
            (_("認証"), " ".join(x for x in (cert, data.get("cert_number", "")) if x)),
            (_("有効期限"), when_of(data)),
            (_("契約中の業務委託"), work),
        ]
        return Message(subject, headline, facts, action=_("委託事業者を確認する"))
    facts.append((_("期限"), when_of(data)))
    title = data.get("title", "")
    texts = {  # (subject, subject on the day itself, headline)
        kinds.ISMAP_EXPIRY: (
            _(
                "ISMAP登録の有効期限まであと%(days)d日です：%(arrangement)s",
                days=days,
                arrangement=arrangement,
            ),
            _("本日がISMAP登録の有効期限です：%(arrangement)s", arrangement=arrangement),
            _(
                "外部サービス「%(arrangement)s」のISMAP登録（%(number)s）の有効期限（%(date)s）が近づいています。"
                "更新申請の状況を事業者に確認してください。",
                arrangement=arrangement,
                number=data.get("registration_number", ""),
                date=when,
            ),
        ),
        kinds.EVIDENCE_EXPIRY: (
            _("受理した証跡の有効期限まであと%(days)d日です：%(title)s", days=days, title=title),
            _("本日が受理した証跡の有効期限です：%(title)s", title=title),
            _(
                "「%(arrangement)s」で受理した証跡「%(title)s」（%(occurrence)s）の有効期限（%(date)s）が近づいています。"
                "新しい証跡の提出を依頼してください。",
                arrangement=arrangement,
                title=title,
                occurrence=occurrence_of(data.get("occurrence", "")),
                date=when,
            ),
        ),
        kinds.REVIEW_DUE: (
            _(
                "定期確認の予定日まであと%(days)d日です：%(arrangement)s",
                days=days,
                arrangement=arrangement,
            ),
            _("本日が定期確認の予定日です：%(arrangement)s", arrangement=arrangement),
            _(
                "「%(arrangement)s」の次回確認予定日（%(date)s）が近づいています。委託先の対策の状況を確認し、"
                "結果を記録してください。",
                arrangement=arrangement,
                date=when,
            ),
        ),
        kinds.APPROVAL_EXPIRY: (
            _(
                "外部サービスの利用承認の期限まであと%(days)d日です：%(arrangement)s",
                days=days,
                arrangement=arrangement,
            ),
            _("本日が外部サービスの利用承認の期限です：%(arrangement)s", arrangement=arrangement),
            _(
                "外部サービス「%(arrangement)s」の利用承認の有効期限（%(date)s）が近づいています。"
                "引き続き利用する場合は、利用申請をしてください。",
                arrangement=arrangement,
                date=when,
            ),
        ),
        kinds.CONTRACT_END: (
            _(
                "契約期間の終了まであと%(days)d日です：%(arrangement)s",
                days=days,
                arrangement=arrangement,
            ),
            _("本日で契約期間が終了します：%(arrangement)s", arrangement=arrangement),
            _(
                "業務委託「%(arrangement)s」の契約期間は%(date)sに終了します。委託事業者から、市が提供した"
                "情報資産の返還・廃棄（消去）を証明する書類を受け取ってください。",
                arrangement=arrangement,
                date=when,
            ),
        ),
        kinds.SOCIAL_REVIEW: (
            _(
                "SNSアカウントの定期確認の予定日まであと%(days)d日です：%(arrangement)s",
                days=days,
                arrangement=arrangement,
            ),
            _(
                "本日がSNSアカウントの定期確認の予定日です：%(arrangement)s",
                arrangement=arrangement,
            ),
            _(
                "SNSアカウント「%(arrangement)s」の定期確認（運用者・多要素認証・認証情報の管理）の"
                "予定日（%(date)s）が近づいています。",
                arrangement=arrangement,
                date=when,
            ),
        ),
    }
    subject, subject_today, headline = texts[kind]
    if days == 0:
        subject = subject_today
    if kind == kinds.ISMAP_EXPIRY:
        facts.append((_("ISMAP登録番号"), data.get("registration_number", "")))
    action = {kinds.REVIEW_DUE: _("確認の記録へ"), kinds.CONTRACT_END: _("業務委託を確認する")}.get(
        kind, _("内容を確認する")
    )
    return Message(subject, headline, facts, action=action)


# Outbox rows other features write for events rather than dates (a contractor changed its staff
# roster …): kind -> the function that words them. Registered by the feature (above reminders).
EVENT_MESSAGES: dict[str, Callable[[dict], Message]] = {}


def register_event_message(kind: str, label: object, builder: Callable[[dict], Message]) -> None:
    """Let a feature send its own kind of event through the outbox; ``label`` names the kind."""
    EVENT_MESSAGES[kind] = builder
    kinds.KIND_LABELS[kind] = label


def build(kind: str, data: dict, *, external: bool = False) -> Message:
    """The message of one outbox row (call inside the reader's ``force_locale``)."""
    if kind in EVENT_MESSAGES:
        message = EVENT_MESSAGES[kind](data)
    elif kind == kinds.EVIDENCE_NUDGE:
        message = supervision.nudge(data)
    elif kind in (kinds.EVIDENCE_DUE, kinds.EVIDENCE_OVERDUE, kinds.EVIDENCE_ESCALATION):
        message = _evidence(kind, data)
    elif kind in (
        kinds.QUESTIONNAIRE_DUE,
        kinds.QUESTIONNAIRE_OVERDUE,
        kinds.QUESTIONNAIRE_ESCALATION,
    ):
        message = supervision.questionnaire(kind, data)
    elif kind == kinds.SOCIAL_FLAG:
        message = supervision.social_flag(data)
    elif kind == kinds.REVIEW_OVERDUE:
        message = supervision.review_overdue(data)
    elif kind in (kinds.INSPECTION_DUE, kinds.INSPECTION_OVERDUE):
        message = supervision.inspection(kind, data)
    else:
        message = _expiry(kind, data)
    message.link = link_for(data.get("links", []), external)
    return message
