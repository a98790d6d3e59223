"""The security office's reminder pages: what will be sent, what was sent, what failed, and settings.

Permission: ``reminder.manage`` (the security office).
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vendorguard.auth.permissions import require
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.reminders import messages, plan_store, queries, services
from vendorguard.reminders.blueprint import bp
from vendorguard.reminders.forms import SettingsForm
from vendorguard.reminders.kinds import KIND_LABELS, KINDS, format_offsets, load_settings
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification
from vendorguard.reminders.plan_store import PLAN_DAYS

PERMISSION = "reminder.manage"
QUEUE_STATUSES = (
    DeliveryStatus.PENDING,
    DeliveryStatus.BATCHED,
    DeliveryStatus.SENDING,
    DeliveryStatus.FAILED,
    DeliveryStatus.PARKED,
)
SORTS = {
    "sent": (Notification.sent_at, Notification.id),
    "created": (Notification.created_at, Notification.id),
    "kind": (Notification.kind, Notification.id),
    "email": (Notification.email, Notification.id),
}


def _filters() -> dict:
    channel = request.args.get("channel", "")
    kind = request.args.get("kind", "")
    return {
        "term": search_term(),
        "channel": channel if channel in {c.value for c in Channel} else "",
        "kind": kind if kind in KIND_LABELS else "",
    }


def subject_of(notification) -> str:
    """A row's subject line (the digest's, for digest rows)."""
    if notification.channel == Channel.DIGEST:
        return _("まとめメール（%(date)s）", date=notification.sweep_on.isoformat())
    try:
        return messages.build(notification.kind, notification.data or {}).subject
    except Exception:  # noqa: BLE001 - a parked row's facts may be what broke it; the page must open
        return _("（件名を作成できません：%(kind)s）", kind=notification.kind)


@bp.route("/admin/reminders/")
@require(PERMISSION)
def admin_upcoming() -> str:
    """What the next days' sweeps will send (the stored plan, a page at a time), and the queue."""
    try:
        days = min(PLAN_DAYS, max(1, int(request.args.get("days", PLAN_DAYS))))
    except ValueError:
        days = PLAN_DAYS
    today = today_tokyo()
    run = plan_store.latest(db.session)
    page = summary = None
    if run is not None:
        last = run.first_day + timedelta(days=days - 1)
        summary = plan_store.summary_until(run, last)
        # The run's per-day counts give the total: no COUNT over hundreds of thousands of rows.
        total = sum(count for *_, count in summary)
        page = paginate(plan_store.rows_of(run, last), known_total=total)
    queue = dict(db.session.execute(queries.queue_counts()).tuples().all())
    return render_template(
        "reminders/admin_upcoming.html",
        days=days,
        today=today,
        run=run,
        stale=run is not None and run.first_day < today,
        page=page,
        summary=summary,
        subject=lambda row: messages.build(row.kind, row.data).subject,
        queue=queue,
        queue_bound=queries.QUEUE_COUNT_BOUND,
        kind_labels=KIND_LABELS,
        max_days=PLAN_DAYS,
        queue_statuses=QUEUE_STATUSES,
    )


@bp.route("/admin/reminders/recompute", methods=["POST"])
@require(PERMISSION)
def admin_recompute():
    """Have the upcoming reminders worked out again now (a job)."""
    plan_store.queue_recompute(db.session)
    db.session.commit()
    flash(
        _("送信予定の再計算を開始しました。終わるまで数十秒かかることがあります。"),
        "success",
    )
    return redirect(url_for("reminders.admin_upcoming"))


@bp.route("/admin/reminders/sent")
@require(PERMISSION)
def admin_sent():
    """Reminders that went out, newest first."""
    filters = _filters()
    sort = sorting(SORTS, "sent", default_descending=True)
    page = paginate(sort.apply(queries.outbox_list([DeliveryStatus.SENT], **filters)))
    return render_template(
        "reminders/admin_sent.html",
        page=page,
        sort=sort,
        filters=filters,
        kind_labels=KIND_LABELS,
        channels=list(Channel),
        subject_of=subject_of,
    )


@bp.route("/admin/reminders/failed")
@require(PERMISSION)
def admin_failed():
    """Reminders given up after the last attempt (with a retry button), and those still being retried."""
    filters = _filters()
    sort = sorting(SORTS, "created", default_descending=True)
    page = paginate(
        sort.apply(queries.outbox_list([DeliveryStatus.FAILED, DeliveryStatus.PARKED], **filters))
    )
    retrying = db.session.execute(
        queries.retrying().order_by(Notification.next_attempt_at, Notification.id).limit(50)
    ).all()
    return render_template(
        "reminders/admin_failed.html",
        page=page,
        sort=sort,
        filters=filters,
        retrying=retrying,
        kind_labels=KIND_LABELS,
        channels=list(Channel),
        subject_of=subject_of,
    )


@bp.route("/admin/reminders/<int:notification_id>/retry", methods=["POST"])
@require(PERMISSION)
def admin_retry(notification_id: int):
    """Queue a failed reminder again."""
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        abort(404)
    try:
        services.retry(db.session, notification)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("再送を予約しました。次回のリマインダー実行（vg remind）で送信します。"), "success")
    return redirect(url_for("reminders.admin_failed"))


@bp.route("/admin/reminders/retry-failed", methods=["POST"])
@require(PERMISSION)
def admin_retry_all():
    """Queue every failed reminder again."""
    try:
        count = services.retry_all_failed(db.session)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("%(count)d件の再送を予約しました。次回のリマインダー実行で送信します。", count=count),
            "success",
        )
    return redirect(url_for("reminders.admin_failed"))


def _entries(form: SettingsForm) -> list[services.KindSetting]:
    entries = []
    for key, info in KINDS.items():
        entries.append(
            services.KindSetting(
                key,
                bool(form[f"{key}__enabled"].data),
                format_offsets(form[f"{key}__offsets"].data or ()) if info.has_offsets else "",
                form[f"{key}__repeat"].data if info.has_repeat else None,
                form[f"{key}__escalate"].data if info.has_escalation else None,
            )
        )
    return entries


@bp.route("/admin/reminders/settings", methods=["GET", "POST"])
@require(PERMISSION)
def admin_settings():
    """When each kind of reminder goes out."""
    form = SettingsForm()
    if request.method == "GET":
        for key, setting in load_settings(db.session).items():
            form[f"{key}__enabled"].data = setting.enabled
            if KINDS[key].has_offsets:
                form[f"{key}__offsets"].data = tuple(setting.offsets)
            if KINDS[key].has_repeat:
                form[f"{key}__repeat"].data = setting.repeat_days
            if KINDS[key].has_escalation:
                form[f"{key}__escalate"].data = setting.escalate_after_days
    if form.validate_on_submit():
        try:
            services.update_settings(db.session, _entries(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("リマインダーの設定を保存しました。"), "success")
            return redirect(url_for("reminders.admin_settings"))
    return render_template("reminders/admin_settings.html", form=form)
