"""What the home page lists for each role: its sections (by urgency) and the strip of today's counts.

A section is a statement of what needs doing plus where that is done; the statements are built,
kept and counted in ``statements``, and ``views`` reads rows for the most urgent sections only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.assessments import queries as assessment_queries
from vendorguard.auth.roles import Role, role_has
from vendorguard.dashboard import queries, shown, statements
from vendorguard.dashboard.parts import Built, Section, StripItem

OPEN_QUERIES = 3  # queries spent on rows of the most urgent sections; the others are one line each
EXPIRING_DAYS = 30  # the strip's "expiring" window

# urgency levels: lower comes first
OVERDUE, ASKED, SOON, TIDY = 0, 1, 2, 3


def _link(endpoint: str, permission: str, **args: Any) -> str | None:
    """A list page's URL with filters (the department carried), or None when not for this user."""
    if not current_user.can(permission):
        return None
    return url_for(endpoint, **{key: value for key, value in args.items() if value is not None})


def _evidence_links(department_id: int | None) -> tuple[str | None, str | None]:
    # "department" is always passed: empty means すべて, so officers' lists keep the scope asked for
    department = department_id or ""
    return (
        _link("evidence.requests", "dashboard.view", status="submitted", department=department),
        _link("evidence.requests", "dashboard.view", overdue=1, department=department),
    )


def _manages_evidence(role: Role) -> bool:
    # Whoever may change engagements or SNS accounts reviews and chases their evidence.
    return role_has(role, "engagement.manage") or role_has(role, "social.manage")


def strip_for(role: Role, department_id: int | None, today: date) -> list[StripItem]:
    """Today's counts for ``role``: overdue, awaiting my review, expiring, self-checks, inspections."""
    kept = statements.built(department_id, today)
    items: list[StripItem] = []
    if _manages_evidence(role):
        evidence = kept.get("evidence", lambda: statements.evidence(department_id, today))
        review_link, overdue_link = _evidence_links(department_id)
        items.append(
            StripItem(
                "overdue",
                _("提出期限超過の証跡"),
                evidence.overdue,
                overdue_link,
                "danger",
                section="evidence_overdue",
                counted=evidence.overdue_keys,
            )
        )
        items.append(
            StripItem(
                "review",
                _("確認待ちの証跡"),
                evidence.review,
                review_link,
                section="evidence_review",
                counted=evidence.review_keys,
            )
        )
    if role_has(role, "social.manage") and not role_has(role, "engagement.manage"):
        items.append(
            StripItem(
                "social",
                _("対応が必要なSNSアカウント"),
                kept.get("social", lambda: statements.social(today)),
                url_for("dashboard.index", open="social") + "#block-social",
                section="social",
            )
        )
    if role_has(role, "engagement.manage"):
        items.append(
            StripItem(
                "expiring",
                _("30日以内に期限が来る認証"),
                kept.get(
                    "certifications",
                    lambda: queries.expiring_certifications(today, department_id, EXPIRING_DAYS),
                ),
                url_for("dashboard.index", open="certifications") + "#block-certifications",
                section="certifications",
            )
        )
        items.append(
            StripItem(
                "self_checks",
                _("回答期限30日以内の自己点検"),
                kept.get("self_checks", lambda: queries.self_checks_due(current_user, today)),
                _link(
                    "questionnaires.index",
                    "dashboard.view",
                    status="open",
                    department_id=department_id,
                ),
            )
        )
        items.append(
            StripItem(
                "inspections",
                _("30日以内の実地検査"),
                kept.get("inspections", lambda: statements.inspections(today)),
                _link("inspections.index", "dashboard.view", year="", department=department_id),
                section="inspections",
            )
        )
    return items


def _evidence_sections(
    role: Role, department_id: int | None, today: date, kept: Built
) -> list[Section]:
    sections: list[Section] = []
    if _manages_evidence(role):
        evidence = kept.get("evidence", lambda: statements.evidence(department_id, today))
        review_link, overdue_link = _evidence_links(department_id)
        sections.append(
            Section(
                "evidence_overdue",
                _("提出期限を過ぎた証跡の提出依頼"),
                evidence.overdue,
                overdue_link,
                OVERDUE,
                _("委託事業者への督促、または所管課での提出が必要です。"),
                counted=evidence.overdue_keys,
                picked=evidence.overdue_picked,
                shown=shown.requests,
            )
        )
        sections.append(
            Section(
                "evidence_review",
                _("確認（受理・差戻し）を待っている証跡"),
                evidence.review,
                review_link,
                ASKED,
                _("提出された証跡の内容を確認し、受理するか、理由を付けて差し戻してください。"),
                counted=evidence.review_keys,
                shown=shown.submissions,
            )
        )
    if role != Role.AUDITOR:
        sections.append(
            Section(
                "actions_mine",
                _("期限を過ぎたあなたの措置"),
                kept.get(
                    "actions_mine",
                    lambda: statements.entity_only(
                        assessment_queries.overdue_actions_for_owner(current_user.id, today)
                    ),
                ),
                _link("assessments.actions", "dashboard.view", overdue=1, mine=1),
                OVERDUE,
                shown=shown.actions,
            )
        )
    return sections


def _self_check_sections(department_id: int | None, today: date, kept: Built) -> list[Section]:
    listing = {"department_id": department_id}
    return [
        Section(
            "self_checks_overdue",
            _("回答期限を過ぎた自己点検"),
            kept.get(
                "self_checks_overdue", lambda: queries.self_checks_overdue(current_user, today)
            ),
            _link("questionnaires.index", "dashboard.view", status="open", **listing),
            OVERDUE,
            shown=shown.self_checks,
        ),
        Section(
            "self_checks_review",
            _("確認を待っている自己点検の回答"),
            kept.get("self_checks_review", lambda: queries.self_checks_to_review(current_user)),
            _link("questionnaires.index", "dashboard.view", status="submitted", **listing),
            ASKED,
            shown=shown.self_checks,
        ),
        Section(
            "self_checks_send",
            _("今年度の自己点検を送付していない案件"),
            kept.get("self_checks_send", lambda: queries.self_checks_to_send(current_user, today)),
            _link("questionnaires.bulk", "dashboard.view"),
            TIDY,
            shown=shown.arrangements,
        ),
    ]


def _engagement_sections(department_id: int | None, today: date, kept: Built) -> list[Section]:
    return [
        Section(
            "inspections",
            _("30日以内に予定されている、または予定日を過ぎた実地検査"),
            kept.get("inspections", lambda: statements.inspections(today)),
            _link("inspections.index", "dashboard.view", year="", department=department_id),
            ASKED,
        ),
        Section(
            "reviews_due",
            _("確認（定期確認）の時期が来ている案件"),
            kept.get(
                "reviews_due",
                lambda: statements.entity_only(
                    assessment_queries.reviews_due(today, department_id, viewer=current_user)
                ),
            ),
            None,
            ASKED,
            _("前回の確認の有効期限が近い、または過ぎています。確認を記録してください。"),
            shown=shown.arrangements,
        ),
        Section(
            "subcontractors",
            _("市の許諾が記録されていない再委託先"),
            kept.get(
                "subcontractors", lambda: queries.pending_subcontractors(today, department_id)
            ),
            _link("engagements.index", "engagement.view", department=department_id),
            ASKED,
            _("再委託には市の許諾が必要です。許諾した日と許諾した者を記録してください。"),
        ),
        Section(
            "certifications",
            _("有効期限が切れた、または30日以内に切れる認証"),
            # The strip's window, so its count and this section list the same certificates.
            kept.get(
                "certifications",
                lambda: queries.expiring_certifications(today, department_id, EXPIRING_DAYS),
            ),
            _link("contractors.index", "contractor.view"),
            SOON,
            _(
                "契約中の委託事業者が持つ認証（ISMS・プライバシーマーク等）の最新のものを表示しています。"
            ),
        ),
        Section(
            "ending",
            _("60日以内に契約期間が終わる業務委託"),
            kept.get("ending", lambda: queries.ending_engagements(today, department_id)),
            _link(
                "engagements.index",
                "engagement.view",
                ending_within=queries.ENDING_WITHIN_DAYS,
                department=department_id,
            ),
            SOON,
            _("更新・再契約の準備や、終了時の情報資産の返還・廃棄の確認が必要です。"),
            shown=shown.engagements,
        ),
    ]


def sections_for(role: Role, department_id: int | None, today: date) -> list[Section]:
    """Every section ``role`` works on, in a fixed order (the view sorts them by urgency)."""
    kept = statements.built(department_id, today)
    sections = _evidence_sections(role, department_id, today, kept)
    manages = role_has(role, "engagement.manage")
    if manages:
        sections += _self_check_sections(department_id, today, kept)
        sections += _engagement_sections(department_id, today, kept)
    if role == Role.ADMIN:
        sections.append(
            Section(
                "cloud_applied",
                _("利用承認を待っている外部サービス"),
                kept.get("cloud_applied", queries.cloud_awaiting_approval),
                _link("cloud.index", "cloud.view", approval="applied"),
                ASKED,
            )
        )
        sections.append(
            Section(
                "cloud_risks",
                _("機密性2以上の情報を扱う外部サービスの確認事項"),
                kept.get("cloud_risks", lambda: queries.cloud_risks(today)),
                _link("cloud.index", "cloud.view", risk=1),
                SOON,
                _(
                    "有効なISMAP登録（期限切れ・一覧から削除を含まない）がないもの、または有効な利用承認がないものです。"
                ),
                cost=2,  # + the ISMAP standing of the services shown
            )
        )
    if role_has(role, "social.manage"):
        sections.append(
            Section(
                "social",
                _("対応が必要なSNSアカウント"),
                kept.get("social", lambda: statements.social(today)),
                _link("social.index", "social.view", mfa_off=1),
                SOON,
                _(
                    "登録内容の不足、多要素認証の未設定、定期確認（棚卸し）の期限、対応中のインシデントがあるアカウントです。"
                ),
            )
        )
    if manages:
        sections.append(
            Section(
                "no_officer",
                _("責任者が設定されていない業務委託"),
                kept.get(
                    "no_officer",
                    lambda: queries.engagements_without_officer(today, department_id),
                ),
                _link("engagements.index", "engagement.view", department=department_id),
                TIDY,
                shown=shown.engagements,
            )
        )
    return sections
