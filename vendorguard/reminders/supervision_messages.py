"""The wording of supervision reminders: reviews past due, SNS accounts with problems, the officer's
督促 of a contractor, inspections and self-checks (``messages.build`` chooses)."""

from __future__ import annotations

from vendorguard.core.catalogue import gettext as _
from vendorguard.reminders import kinds
from vendorguard.reminders.wording import Message, arrangement_facts, day_of, occurrence_of, when_of

PROBLEMS = {
    "no_officer": lambda: _("責任者が指定されていない"),
    "mfa_off": lambda: _("多要素認証が有効になっていない"),
}


def review_overdue(data: dict) -> Message:
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
        date=day_of(data),
    )
    return Message(subject, headline, arrangement_facts(data), action=_("確認の記録へ"))


def social_flag(data: dict) -> Message:
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
    facts = arrangement_facts(data) + [
        (_("アカウント"), data.get("handle", "")),
        (_("不備"), problems),
    ]
    return Message(subject, headline, facts, action=_("アカウントを確認する"))


def nudge(data: dict) -> Message:
    """督促: the officer asks the contractor for a request now, with an optional note."""
    title, arrangement = data.get("title", ""), data.get("arrangement", "")
    occurrence = occurrence_of(data.get("occurrence", ""))
    overdue = bool(data.get("overdue"))
    facts = [
        (_("業務"), arrangement),
        (_("証跡"), title),
        (_("対象"), occurrence),
        (_("提出期限"), when_of(data, overdue=overdue)),
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


def inspection(kind: str, data: dict) -> Message:
    days, arrangement, when = int(data.get("days", 0)), data.get("arrangement", ""), day_of(data)
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
    facts = arrangement_facts(data) + [(_("予定日"), when)]
    return Message(subject, headline, facts, action=_("実地検査を開く"))


def questionnaire(kind: str, data: dict) -> Message:
    days, title, arrangement = (
        int(data.get("days", 0)),
        data.get("title", ""),
        data.get("arrangement", ""),
    )
    contractor = data.get("audience") == "contractor"
    facts = arrangement_facts(data) if not contractor else [(_("業務"), arrangement)]
    facts.append((_("点検票"), title))
    action = _("回答する") if contractor else _("点検票を確認する")
    if kind == kinds.QUESTIONNAIRE_DUE:
        facts.append((_("回答期限"), when_of(data)))
        subject = _("自己点検の回答期限まであと%(days)d日です：%(title)s", days=days, title=title)
        headline = _(
            "「%(arrangement)s」の自己点検「%(title)s」の回答期限が近づいています。",
            arrangement=arrangement,
            title=title,
        )
        return Message(subject, headline, facts, action=action)
    facts.append((_("回答期限"), when_of(data, overdue=True)))
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
        date=day_of(data),
    )
    return Message(subject, headline, facts, action=action)
