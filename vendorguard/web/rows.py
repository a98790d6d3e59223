"""What the list pages print on every row (badges, periods), as template filters.

A macro call costs Jinja a new context, frame and joined output, and each ``_()`` inside it a
``Context.call``: a row's four badge macros, its link and its period made over half of the
engagement list's 455 calls per request. A filter is one plain call. These print the very markup the macros in ``templates/**/_badges.html``
printed (whitespace included: pages stay byte-identical; tests/test_layout_helpers.py compares
them with the old macros), and those macros now call them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from vendorguard.web.i18n import format_day
from vendorguard.web.i18n import message as _

# The engagement states' badge colours (EngagementState values).
STATE_BADGES = {
    "active": "badge-ok",
    "draft": "badge-muted",
    "suspended": "badge-warn",
    "ended": "badge-muted",
}
# The approval states' badge colours (ApprovalState values).
APPROVAL_BADGES = {
    "approved": "badge-ok",
    "applied": "badge-info",
    "rejected": "badge-danger",
    "expired": "badge-warn",
}
_NOTHING = Markup("")


# Built with f-strings and ``escape`` (what Jinja's ``{{ }}`` does): ``Markup.format`` costs
# several times more. ``_`` gives the message as a template's ``_()`` prints it (already safe).
def archived_badge(obj: Any) -> Markup:
    """「アーカイブ済」 when ``obj`` is archived, else nothing."""
    if not obj.archived_at:
        return _NOTHING
    return Markup(f'<span class="badge badge-muted">{_("アーカイブ済")}</span>')


def tier_badge(value: Any) -> Markup:
    """A risk tier (区分A〜D) as a badge; nothing when the tier is not set."""
    if not value:
        return _NOTHING
    return Markup(
        f'<span class="badge {escape(value.badge)}" title="{_("リスク区分")}">'
        f"{escape(value.label)}</span>"
    )


def engagement_state_badge(value: Any) -> Markup:
    """An engagement's state as a badge."""
    badge = STATE_BADGES.get(value.value, "badge-muted")
    return Markup(f'\n  <span class="badge {badge}">{escape(value.label)}</span>')


def engagement_flags(engagement: Any, high_confidentiality: bool = False) -> Markup:
    """The information an engagement handles: マイナンバー, 個人情報, 機密性2以上."""
    my_number = personal = high = ""
    if engagement.handles_my_number:
        my_number = f'<span class="badge badge-danger">{_("マイナンバー")}</span>'
    if engagement.handles_personal_info:
        personal = f'<span class="badge badge-warn">{_("個人情報")}</span>'
    if high_confidentiality:
        high = f'<span class="badge badge-info">{_("機密性2以上")}</span>'
    return Markup(f"{my_number}\n  {personal}\n  {high}")


def approval_state_badge(state: Any) -> Markup:
    """An approval state (申請中, 承認済 …) as a badge."""
    badge = APPROVAL_BADGES.get(state.value, "badge-muted")
    return Markup(f'<span class="badge {badge}">{escape(state.label)}</span>')


def evidence_status_badge(evidence_request: Any, today: Any) -> Markup:
    """An evidence request's status, and 「期限超過」 when it is overdue on ``today``."""
    status = evidence_request.status
    badge = f'<span class="badge {escape(status.badge)}">{escape(status.label)}</span>'
    if evidence_request.is_overdue(today):
        badge += f' <span class="badge badge-danger">{_("期限超過")}</span>'
    return Markup(badge)


def evidence_due(evidence_request: Any) -> Markup:
    """An evidence request's due day, with the day it was moved from (a closed day) if moved."""
    due = escape(format_day(evidence_request.due_on))
    if not evidence_request.was_moved:
        return due
    moved = _(
        "（本来 %(day)s・閉庁日のため繰下げ）", day=format_day(evidence_request.scheduled_due_on)
    )
    return Markup(f'{due}<br><small class="hint">{moved}</small>')


def cloud_risks(reasons: Any) -> Markup:
    """Each reason a cloud service needs attention, as a 「要対応」 badge (each followed by a space)."""
    label = _("要対応")
    return Markup(
        "".join(
            f'<span class="badge badge-danger">{label}：{escape(reason)}</span> '
            for reason in reasons
        )
    )


def cloud_traits(service: Any, with_ismap: bool = True) -> Markup:
    """A cloud service's traits: 機密性2以上, 約款, and (``with_ismap``) its ISMAP list."""
    high = terms = ismap = ""
    if service.handles_high_confidentiality:
        high = f'<span class="badge badge-warn">{_("機密性2以上")}</span>'
    if service.terms_type.value == "standard_terms":
        terms = f'<span class="badge badge-muted">{_("約款")}</span>'
    if with_ismap and service.ismap_registration_number and service.ismap_kind:
        ismap = f'<span class="badge badge-muted">{escape(service.ismap_kind.label)}</span>'
    return Markup(f"{high}\n  {terms}\n  {ismap}")


def ismap_badge(
    standing: Any, prefix: bool = False, kind: Any = None, danger: bool = False
) -> Markup:
    """A service's ISMAP standing; ``kind`` (ISMAP / ISMAP-LIU) or ``prefix`` ("ISMAP") before it,
    and as a 「要対応」 badge when ``danger`` (機密性2以上 without a valid registration)."""
    status = standing.status
    badge = "badge-danger" if danger else escape(status.badge)
    lead = f"{_('要対応')}{_('：')}" if danger else ""
    if kind:
        lead += f"{escape(kind.label)} "
    elif prefix:
        lead += "ISMAP "
    return Markup(f'<span class="badge {badge}">{lead}{escape(status.label)}</span>')


def social_gaps(account: Any, today: Any = None) -> Markup:
    """What a social-media account lacks (責任者, 多要素認証 …) and its 認証バッジ, as badges."""
    parts = ["", "", "", "", "", ""]
    if not account.is_complete:
        parts[0] = f'<span class="badge badge-danger">{_("未整備")}</span>'
    if account.mfa_enabled is None:
        parts[1] = f'<span class="badge badge-warn">{_("多要素認証 未確認")}</span>\n  '
    elif not account.mfa_enabled:
        parts[1] = f'<span class="badge badge-danger">{_("多要素認証なし")}</span>'
    if not account.responsible_officer_id:
        parts[2] = f'<span class="badge badge-danger">{_("責任者未指定")}</span>'
    if not account.official_list_url:
        parts[3] = f'<span class="badge badge-warn">{_("公式サイト未掲載")}</span>'
    if account.attestation_overdue(today):
        parts[4] = f'<span class="badge badge-danger">{_("定期確認 期限切れ")}</span>'
    if account.verified_badge:
        parts[5] = f'<span class="badge badge-ok">{_("認証バッジあり")}</span>'
    return Markup("\n  ".join(parts))


def day_range(start: Any, end: Any) -> Markup:
    """A period, 「2026年4月1日〜2027年3月31日」 (each day as the ``day`` filter prints it)."""
    return _("%(start)s〜%(end)s", start=format_day(start), end=format_day(end))


def init_app(app: Flask) -> None:
    """Register the row helpers as template filters."""
    app.add_template_filter(archived_badge)
    app.add_template_filter(tier_badge)
    app.add_template_filter(engagement_state_badge)
    app.add_template_filter(engagement_flags)
    app.add_template_filter(approval_state_badge)
    app.add_template_filter(evidence_status_badge)
    app.add_template_filter(evidence_due)
    app.add_template_filter(day_range)
    app.add_template_filter(cloud_risks)
    app.add_template_filter(cloud_traits)
    app.add_template_filter(ismap_badge)
    app.add_template_filter(social_gaps)
