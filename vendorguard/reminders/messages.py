"""Turning an outbox row's facts into words: subject, headline, facts and a link, in the reader's language.

Rows keep facts, not sentences, so a message reads the same in the mail, in the app and in the
webhook, and an English-speaking user gets English once the catalog has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import has_request_context, url_for
from werkzeug.routing import BuildError

from vendorguard.arrangements.kinds import kind_label
from vendorguard.contractors.models import CertificationKind
from vendorguard.core.catalogue import gettext as _
from vendorguard.core.web import absolute_url, base_url_adapter
from vendorguard.evidence.occurrences import occurrence_label
from vendorguard.mail import header_value
from vendorguard.reminders import kinds
from vendorguard.web.i18n import format_day

PREFIX = "【vendorguard】"


@dataclass
class Message:
    """What one reminder says."""

    subject: str  # without the 【vendorguard】 prefix
    headline: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    link: str | None = None
    action: str = ""

    @property
    def mail_subject(self) -> str:
        return header_value(PREFIX + self.subject)


def link_for(links: list, external: bool) -> str | None:
    """The first of ``[[endpoint, values], …]`` that builds: absolute under BASE_URL, or a path."""
    for endpoint, values in links or []:
        try:
            if external:
                return absolute_url(endpoint, **values)
            if not has_request_context():
                return base_url_adapter().build(endpoint, values)
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return None


def _member(enum_cls, value):
    """The enum member with this value, or None (rows keep plain values)."""
    try:
        return enum_cls(value)
    except ValueError:
        return None


def _occurrence(value: str) -> str:
    return occurrence_label(value) or value


def _day(data: dict, key: str = "target_on") -> str:
    value = data.get(key)
    return format_day(date.fromisoformat(value)) if value else ""


def _when(data: dict, overdue: bool = False) -> str:
    """「2026年5月15日（あと7日）」, 「…（本日）」, 「…（12日超過）」."""
    days = int(data.get("days", 0))
    if overdue:
        return _("%(date)s（%(days)d日超過）", date=_day(data), days=days)
    if days == 0:
        return _("%(date)s（本日）", date=_day(data))
    return _("%(date)s（あと%(days)d日）", date=_day(data), days=days)


def _arrangement_facts(data: dict) -> list[tuple[str, str]]:
    facts = []
    if data.get("arrangement"):
        kind = data.get("arrangement_kind")
        label = kind_label(kind) if kind else _("案件")
        facts.append((label, data["arrangement"]))
    if data.get("department"):
        facts.append((_("所管課"), data["department"]))
    return facts


def _cert_label(data: dict) -> str:
    kind = _member(CertificationKind, data.get("cert_kind"))
    if kind == CertificationKind.OTHER and data.get("cert_kind_other"):
        return data["cert_kind_other"]
    return kind.label if kind else data.get("cert_kind", "")


PROBLEMS = {
    "no_officer": lambda: _("責任者が指定されていない"),
    "mfa_off": lambda: _("多要素認証が有効になっていない"),
}


def _evidence(kind: str, data: dict) -> Message:
    days, title, arrangement = (
        int(data.get("days", 0)),
        data.get("title", ""),
        data.get("arrangement", ""),
    )
    occurrence = _occurrence(data.get("occurrence", ""))
    contractor = data.get("audience") == "contractor"
    facts = _arrangement_facts(data) if not contractor else [(_("業務"), arrangement)]
    facts += [(_("証跡"), title), (_("対象"), occurrence)]
    if kind == kinds.EVIDENCE_DUE:
        facts.append((_("提出期限"), _when(data)))
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
    facts.append((_("提出期限"), _when(data, overdue=True)))
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
            date=_day(data),
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
            date=_day(data),
        )
        if contractor
        else _(
            "「%(arrangement)s」の証跡「%(title)s」（%(occurrence)s）が、提出期限（%(date)s）を過ぎても提出されていません。",
            arrangement=arrangement,
            title=title,
            occurrence=occurrence,
            date=_day(data),
        )
    )
    return Message(
        subject, headline, facts, action=_("提出する") if contractor else _("証跡を確認する")
    )


def _expiry(kind: str, data: dict) -> Message:
    days, arrangement, when = int(data.get("days", 0)), data.get("arrangement", ""), _day(data)
    facts = _arrangement_facts(data)
    if kind == kinds.CERTIFICATION_EXPIRY:
        contractor, cert = data.get("contractor", ""), _cert_label(data)
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
            (_("有効期限"), _when(data)),
            (_("契約中の業務委託"), work),
        ]
        return Message(subject, headline, facts, action=_("委託事業者を確認する"))
    facts.append((_("期限"), _when(data)))
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
                occurrence=_occurrence(data.get("occurrence", "")),
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


def _review_overdue(data: dict) -> Message:
    arrangement = data.get("arrangement", "")
    subject = _(
        "定期確認の予定日を%(days)d日過ぎています：%(arrangement)s",
        days=int(data.get("days", 0)),
        arrangement=arrangement,
    )
    headline = _(
        "「%(arrangement)s」の次回確認予定日（%(date)s）を過ぎても、確認が記録されていません。"
        "委託先の対策の状況を確認し、結果を記録してください。",
        arrangement=arrangement,
        date=_day(data),
    )
    return Message(subject, headline, _arrangement_facts(data), action=_("確認の記録へ"))


def _social_flag(data: dict) -> Message:
    problems = _("、").join(PROBLEMS[p]() for p in data.get("problems", []) if p in PROBLEMS)
    arrangement = data.get("arrangement", "")
    subject = _(
        "SNSアカウントの確認事項：%(arrangement)s（%(problems)s）",
        arrangement=arrangement,
        problems=problems,
    )
    headline = _(
        "運用中のSNSアカウント「%(arrangement)s」（%(department)s）は、%(problems)sままです。所管課に対応を求めてください。",
        arrangement=arrangement,
        department=data.get("department", ""),
        problems=problems,
    )
    facts = _arrangement_facts(data) + [
        (_("アカウント"), data.get("handle", "")),
        (_("不備"), problems),
    ]
    return Message(subject, headline, facts, action=_("アカウントを確認する"))


def _nudge(data: dict) -> Message:
    """督促: the officer asks the contractor for a request now, with an optional note."""
    title, arrangement = data.get("title", ""), data.get("arrangement", "")
    occurrence = _occurrence(data.get("occurrence", ""))
    overdue = bool(data.get("overdue"))
    facts = [
        (_("業務"), arrangement),
        (_("証跡"), title),
        (_("対象"), occurrence),
        (_("提出期限"), _when(data, overdue=overdue)),
        (_("依頼者"), f"{data.get('department', '')} {data.get('sender', '')}".strip()),
    ]
    if data.get("note"):
        facts.append((_("担当者からの連絡"), data["note"]))
    subject = _("【督促】証跡のご提出をお願いします：%(title)s", title=title)
    headline = _(
        "「%(arrangement)s」の証跡「%(title)s」（%(occurrence)s）について、%(department)sからご提出のお願いです。",
        arrangement=arrangement,
        title=title,
        occurrence=occurrence,
        department=data.get("department", ""),
    )
    return Message(subject, headline, facts, action=_("提出する"))


def _inspection(kind: str, data: dict) -> Message:
    days, arrangement, when = int(data.get("days", 0)), data.get("arrangement", ""), _day(data)
    if kind == kinds.INSPECTION_OVERDUE:
        subject = _(
            "実地検査の予定日を%(days)d日過ぎています：%(arrangement)s",
            days=days,
            arrangement=arrangement,
        )
        headline = _(
            "業務委託「%(arrangement)s」の実地検査は予定日（%(date)s）を過ぎても記録が確定していません。"
            "検査を実施して記録するか、予定を見直してください。",
            arrangement=arrangement,
            date=when,
        )
    else:
        subject = (
            _("本日は実地検査の予定日です：%(arrangement)s", arrangement=arrangement)
            if days == 0
            else _(
                "実地検査の予定日まであと%(days)d日です：%(arrangement)s",
                days=days,
                arrangement=arrangement,
            )
        )
        headline = _(
            "業務委託「%(arrangement)s」の実地検査の予定日（%(date)s）が近づいています。"
            "委託事業者と日程を調整し、検査の結果を記録してください。",
            arrangement=arrangement,
            date=when,
        )
    facts = _arrangement_facts(data) + [(_("予定日"), when)]
    return Message(subject, headline, facts, action=_("実地検査を開く"))


def _questionnaire(kind: str, data: dict) -> Message:
    days, title, arrangement = (
        int(data.get("days", 0)),
        data.get("title", ""),
        data.get("arrangement", ""),
    )
    contractor = data.get("audience") == "contractor"
    facts = _arrangement_facts(data) if not contractor else [(_("業務"), arrangement)]
    facts.append((_("点検票"), title))
    action = _("回答する") if contractor else _("点検票を確認する")
    if kind == kinds.QUESTIONNAIRE_DUE:
        facts.append((_("回答期限"), _when(data)))
        subject = _("自己点検の回答期限まであと%(days)d日です：%(title)s", days=days, title=title)
        headline = _(
            "「%(arrangement)s」の自己点検「%(title)s」の回答期限が近づいています。",
            arrangement=arrangement,
            title=title,
        )
        return Message(subject, headline, facts, action=action)
    facts.append((_("回答期限"), _when(data, overdue=True)))
    if kind == kinds.QUESTIONNAIRE_ESCALATION:
        subject = _(
            "【要対応】自己点検の未提出が%(days)d日続いています：%(arrangement)s",
            days=days,
            arrangement=arrangement,
        )
    else:
        subject = _("自己点検の回答期限を%(days)d日過ぎています：%(title)s", days=days, title=title)
    headline = _(
        "「%(arrangement)s」の自己点検「%(title)s」が、回答期限（%(date)s）を過ぎても提出されていません。",
        arrangement=arrangement,
        title=title,
        date=_day(data),
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
        message = _nudge(data)
    elif kind in (kinds.EVIDENCE_DUE, kinds.EVIDENCE_OVERDUE, kinds.EVIDENCE_ESCALATION):
        message = _evidence(kind, data)
    elif kind in (
        kinds.QUESTIONNAIRE_DUE,
        kinds.QUESTIONNAIRE_OVERDUE,
        kinds.QUESTIONNAIRE_ESCALATION,
    ):
        message = _questionnaire(kind, data)
    elif kind == kinds.SOCIAL_FLAG:
        message = _social_flag(data)
    elif kind == kinds.REVIEW_OVERDUE:
        message = _review_overdue(data)
    elif kind in (kinds.INSPECTION_DUE, kinds.INSPECTION_OVERDUE):
        message = _inspection(kind, data)
    else:
        message = _expiry(kind, data)
    message.link = link_for(data.get("links", []), external)
    return message
