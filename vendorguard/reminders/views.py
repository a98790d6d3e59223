"""A person's notifications, their reminder preference and calendar feed; the feed itself.

The admin's pages (what will be sent, sent, failed, settings) are in ``admin_views``.
"""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth import sessions
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate_kept
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.reminders import ical, messages, queries, resolution, services, wording
from vendorguard.reminders.blueprint import bp, calendar
from vendorguard.reminders.forms import PreferenceForm

# The feed is fetched by calendar programs, not people: a blueprint of its own ("reminders.calendar"),
# so the contractor fence and the route table can treat it as the public URL it is.


# The badge is read by the statement that loads the signed-in user (one round trip fewer a page).
sessions.load_alongside(
    queries.unread_count_alongside_user(),
    None,
    lambda count: setattr(g, "unread_notifications", count),
)


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """The signed-in user's unread count, for the header (0 when signed out)."""
    if not current_user.is_authenticated:
        return 0
    # The header, the home page and the list all show it: one query per request.
    if "unread_notifications" not in g:
        g.unread_notifications = queries.unread_count(current_user.id)
    return g.unread_notifications


@bp.app_template_global("recent_notifications")
def recent_notifications(limit: int = 5) -> list[tuple]:
    """The signed-in user's newest unread notifications with their messages (for the home page)."""
    if not current_user.is_authenticated or not current_user.is_internal:
        return []
    rows = db.session.scalars(queries.latest_unread(current_user.id, limit)).all()
    return [(row, show(row)) for row in rows]


def show(notification) -> wording.Message:
    """The message of a notification in the reader's language, linking inside the app."""
    return messages.build(notification.kind, notification.data or {})


@bp.route("/notifications/")
@require("dashboard.view")
def notifications():
    """The user's notifications as a to-do list: open ones first, overdue first, then by due date;
    those whose item was dealt with since are resolved on the way in."""
    unread_only = request.args.get("unread") == "1"
    today = today_tokyo()
    if resolution.resolve(db.session, current_user.id):
        db.session.commit()
        g.pop("unread_notifications", None)  # resolving marks rows read: count them again
    page = paginate_kept(
        (current_user.id, unread_only, today),
        lambda: (queries.notifications_for(current_user.id, unread_only, today), None),
    )
    return render_template(
        "reminders/notifications.html",
        page=page,
        unread_only=unread_only,
        show=show,
        today=today,
        unread=unread_notifications(),
    )


@bp.route("/notifications/read", methods=["POST"])
@require("dashboard.view")
def mark_read():
    """Mark the chosen notifications (or all of them) read."""
    if request.form.get("all") == "1":
        ids = None
    else:
        try:
            ids = [int(value) for value in request.form.getlist("id")]
        except ValueError:
            abort(400)
    count = services.mark_read(db.session, current_user.id, ids)
    db.session.commit()
    if count:
        flash(_("%(count)d件を既読にしました。", count=count), "success")
    return redirect(url_for("reminders.notifications", unread=request.form.get("unread") or None))


def _settings_page(form: PreferenceForm, new_feed_url: str | None = None):
    feed = services.active_feed(db.session, current_user.id)
    return render_template(
        "reminders/settings.html", form=form, feed=feed, new_feed_url=new_feed_url
    )


@bp.route("/notifications/settings", methods=["GET", "POST"])
@require("dashboard.view")
def settings():
    """Choose one mail per reminder or a daily digest; manage the calendar feed."""
    form = PreferenceForm()
    if request.method == "GET":
        form.digest.data = "1" if services.wants_digest(db.session, current_user.id) else "0"
    if form.validate_on_submit():
        services.set_digest(db.session, current_user.id, form.digest.data == "1")
        db.session.commit()
        flash(_("通知の受け取り方を保存しました。"), "success")
        return redirect(url_for("reminders.settings"))
    return _settings_page(form)


@bp.route("/notifications/calendar", methods=["POST"])
@require("dashboard.view")
def feed_issue():
    """Issue (or reissue) the calendar URL; it is shown this once, since only its hash is kept."""
    token = services.issue_feed(db.session, current_user.id)
    db.session.commit()
    url = wording.link_for([["reminders.calendar.feed", {"token": token}]], external=True)
    flash(_("カレンダー配信URLを発行しました。以前のURLは使えなくなりました。"), "success")
    form = PreferenceForm()
    form.digest.data = "1" if services.wants_digest(db.session, current_user.id) else "0"
    return _settings_page(form, new_feed_url=url)


@bp.route("/notifications/calendar/revoke", methods=["POST"])
@require("dashboard.view")
def feed_revoke():
    """Stop the calendar URL."""
    try:
        services.revoke_feed(db.session, current_user.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("カレンダー配信URLを無効にしました。"), "success")
    return redirect(url_for("reminders.settings"))


@calendar.route("/calendar/<token>.ics")
def feed(token: str):
    """The secret calendar feed: no sign-in; an unknown or revoked token is simply not found."""
    found = services.feed_by_token(db.session, token)
    user = db.session.get(User, found.user_id) if found else None
    if user is None or not user.is_active or not user.is_internal:
        db.session.rollback()
        abort(404)
    body = ical.feed_for(db.session, user, today_tokyo())
    db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=vendorguard.ics"
    response.headers["Cache-Control"] = "private, no-store"
    return response
