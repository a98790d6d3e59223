"""The home page: what needs the signed-in user's attention, by role and department."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select

from vendorguard.assessments import queries as assessment_queries
from vendorguard.audit import labels as audit_labels
from vendorguard.audit.queries import latest_events
from vendorguard.auth.permissions import require
from vendorguard.auth.roles import WHOLE_CITY, Role, role_has
from vendorguard.cloud import assurance as cloud_assurance
from vendorguard.core.timeutil import today_tokyo
from vendorguard.dashboard import queries
from vendorguard.dashboard.blueprint import bp
from vendorguard.evidence import queries as evidence_queries
from vendorguard.extensions import db
from vendorguard.inspections import queries as inspection_queries
from vendorguard.questionnaires import home as questionnaire_home
from vendorguard.social import queries as social_queries


@dataclass
class Block:
    """One "needs attention" list: its first rows, how many match in all, and the full list's page."""

    key: str
    title: str
    rows: list[Any]
    total: int
    link: str | None = None
    hint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _link(endpoint: str, permission: str, **args: Any) -> str | None:
    """A list page's URL with filters, or None when the page is not for this user."""
    if not current_user.can(permission):
        return None
    return url_for(endpoint, **{key: value for key, value in args.items() if value is not None})


def detail_url(endpoint: str, **args: Any) -> str:
    """A detail page's URL (the template links each row's label with it)."""
    return url_for(endpoint, **args)


def _block(key: str, title: str, stmt: Select, link: str | None, hint: str = "") -> Block:
    result = db.session.execute(stmt).all()
    return Block(
        key, title, [row[0] for row in result], result[0].total if result else 0, link, hint
    )


def _limited(stmt: Select) -> Select:
    """A feature's query as a home-page block: the first rows plus the total count."""
    return stmt.add_columns(queries.TOTAL).limit(queries.BLOCK_ROWS)


def _evidence_blocks(role: Role, department_id: int | None, today: date) -> list[Block]:
    blocks: list[Block] = []
    # Whoever may change engagements or SNS accounts reviews and chases their evidence.
    if role_has(role, "engagement.manage") or role_has(role, "social.manage"):
        blocks.append(
            _block(
                "evidence_review",
                _("確認（受理・差戻し）を待っている証跡"),
                _limited(evidence_queries.submissions_awaiting_review(current_user)),
                _link(
                    "evidence.requests",
                    "dashboard.view",
                    status="submitted",
                    department=department_id or "",
                ),
                _("提出された証跡の内容を確認し、受理するか、理由を付けて差し戻してください。"),
            )
        )
        blocks.append(
            _block(
                "evidence_overdue",
                _("提出期限を過ぎた証跡の提出依頼"),
                _limited(
                    evidence_queries.overdue_requests(
                        today, user=current_user, department_id=department_id
                    )
                ),
                _link(
                    "evidence.requests", "dashboard.view", overdue=1, department=department_id or ""
                ),
                _("委託事業者への督促、または所管課での提出が必要です。"),
            )
        )
    if role != Role.AUDITOR:
        blocks.append(
            _block(
                "actions_mine",
                _("期限を過ぎたあなたの措置"),
                assessment_queries.overdue_actions_for_owner(current_user.id, today),
                _link("assessments.actions", "dashboard.view", overdue=1, mine=1),
            )
        )
    if role_has(role, "engagement.manage"):
        blocks.append(
            _block(
                "reviews_due",
                _("確認（定期確認）の時期が来ている案件"),
                assessment_queries.reviews_due(today, department_id, viewer=current_user),
                None,
                _("前回の確認の有効期限が近い、または過ぎています。確認を記録してください。"),
            )
        )
    return blocks


def _attention(role: Role, department_id: int | None, today: date) -> list[Block]:
    blocks: list[Block] = _evidence_blocks(role, department_id, today)
    if role_has(role, "engagement.manage"):
        blocks.append(
            _block(
                "ending",
                _("60日以内に契約期間が終わる業務委託"),
                queries.ending_engagements(today, department_id),
                _link(
                    "engagements.index",
                    "engagement.view",
                    ending_within=queries.ENDING_WITHIN_DAYS,
                    department=department_id,
                ),
                _("更新・再契約の準備や、終了時の情報資産の返還・廃棄の確認が必要です。"),
            )
        )
        blocks.append(
            _block(
                "subcontractors",
                _("市の許諾が記録されていない再委託先"),
                queries.pending_subcontractors(today, department_id),
                _link("engagements.index", "engagement.view", department=department_id),
                _("再委託には市の許諾が必要です。許諾した日と許諾した者を記録してください。"),
            )
        )
        blocks.append(
            _block(
                "certifications",
                _("有効期限が切れた、または90日以内に切れる認証"),
                queries.expiring_certifications(today, department_id),
                _link("contractors.index", "contractor.view"),
                _(
                    "契約中の委託事業者が持つ認証（ISMS・プライバシーマーク等）の最新のものを表示しています。"
                ),
            )
        )
    if role == Role.ADMIN:
        blocks.append(
            _block(
                "cloud_applied",
                _("利用承認を待っている外部サービス"),
                queries.cloud_awaiting_approval(),
                _link("cloud.index", "cloud.view", approval="applied"),
            )
        )
        blocks.append(
            _block(
                "cloud_risks",
                _("機密性2以上の情報を扱う外部サービスの確認事項"),
                queries.cloud_risks(today),
                _link("cloud.index", "cloud.view", risk=1),
                _(
                    "有効なISMAP登録（期限切れ・一覧から削除を含まない）がないもの、または有効な利用承認がないものです。"
                ),
            )
        )
    if role_has(role, "social.manage"):
        blocks.append(
            _block(
                "social",
                _("対応が必要なSNSアカウント"),
                _limited(social_queries.needs_attention(current_user, today)),
                _link("social.index", "social.view", mfa_off=1),
                _(
                    "登録内容の不足、多要素認証の未設定、定期確認（棚卸し）の期限、対応中のインシデントがあるアカウントです。"
                ),
            )
        )
    if role_has(role, "engagement.manage"):
        blocks.append(
            _block(
                "no_officer",
                _("責任者が設定されていない業務委託"),
                queries.engagements_without_officer(today, department_id),
                _link("engagements.index", "engagement.view", department=department_id),
            )
        )
    return blocks


def _totals(today: date) -> list[dict[str, Any]]:
    row = db.session.execute(queries.totals(today)).one()
    items = [
        ("contractor.view", "contractors.index", _("登録委託事業者"), row.contractors),
        ("engagement.view", "engagements.index", _("進行中の業務委託"), row.engagements),
        ("cloud.view", "cloud.index", _("外部サービス"), row.cloud_services),
        ("social.view", "social.index", _("SNSアカウント"), row.social_accounts),
    ]
    return [
        {"label": label, "count": count, "link": _link(endpoint, permission)}
        for permission, endpoint, label, count in items
        if current_user.can(permission)
    ]


def _cloud_risk_reasons(blocks: list[Block], today: date) -> dict[int, list[str]]:
    """Why each listed service is at risk (ISMAP standing read in one query for the block)."""
    rows = next((block.rows for block in blocks if block.key == "cloud_risks"), [])
    standings = cloud_assurance.standings(db.session, rows, today) if rows else {}
    return {
        service.id: cloud_assurance.risk_reasons(service, standings[service.id]) for service in rows
    }


@bp.route("/")
@require("dashboard.view")
def index():
    """Show the totals and the items that need the signed-in user's attention."""
    today = today_tokyo()
    role = Role(current_user.role)
    department = current_user.department
    department_id = None if role in WHOLE_CITY else current_user.department_id
    missing_department = role not in WHOLE_CITY and role != Role.AUDITOR and department_id is None
    blocks = [] if missing_department else _attention(role, department_id, today)
    registers = events = None
    cloud_reasons = _cloud_risk_reasons(blocks, today)
    inspections_due = None
    if role_has(role, "engagement.manage") and not missing_department:
        inspections_due = inspection_queries.due_block(db.session, current_user, today)
    if role == Role.AUDITOR:
        registers = db.session.execute(queries.register_counts()).one()
        events = db.session.scalars(latest_events(queries.BLOCK_ROWS)).all()
    self_check = (
        questionnaire_home.home(db.session, current_user, today)
        if not missing_department and role_has(role, "engagement.manage")
        else None
    )
    return render_template(
        "dashboard/index.html",
        today=today,
        totals=_totals(today),
        blocks=blocks,
        self_check=self_check,
        cloud_reasons=cloud_reasons,
        inspections_due=inspections_due,
        department=department if department_id is not None else None,
        missing_department=missing_department,
        registers=registers,
        events=events,
        detail_url=detail_url,
        audit_labels=audit_labels,
    )
