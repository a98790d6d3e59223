"""``flask vg remind [--dry-run] [--as-of YYYY-MM-DD]``: sweep, then deliver, once (for cron / timers);
the day's first run then stores the coming days' plan for the admin's page (``plan_store``)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from sqlalchemy import select

from vendorguard.audit.context import acting_as
from vendorguard.core import settings
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.reminders import kinds, messages, outbox, plan_store, sweep
from vendorguard.reminders.delivery import deliver
from vendorguard.reminders.models import Channel, Notification

ACTOR = "cli:remind"
LIST_LIMIT = 200


def _describe(kind: str, data: dict) -> str:
    return messages.build(kind, data, external=True).subject


def _dry_run(day: date, webhook: bool) -> None:
    planned = sweep.plan(db.session, day, day, webhook=webhook)
    click.echo(f"[dry-run] {day.isoformat()} の点検で新たに作られる通知: {len(planned)}件")
    for item in planned[:LIST_LIMIT]:
        to = item.recipient.email if item.recipient else "webhook"
        click.echo(
            f"  {kinds.KIND_LABELS.get(item.candidate.kind, item.candidate.kind)} / {item.candidate.stage} → {to}: "
            f"{_describe(item.candidate.kind, item.data)}"
        )
    if len(planned) > LIST_LIMIT:
        click.echo(f"  … ほか {len(planned) - LIST_LIMIT}件")
    now = utcnow()
    waiting = db.session.execute(
        select(Notification.channel, Notification.email, Notification.kind, Notification.data)
        .where(outbox.claimable(now, now, day))
        .order_by(Notification.id)
    ).all()
    click.echo(f"[dry-run] 送信待ちの通知: {len(waiting)}件")
    for row in waiting[:LIST_LIMIT]:
        about = (
            "まとめメール" if row.channel == Channel.DIGEST else _describe(row.kind, row.data or {})
        )
        click.echo(f"  {Channel(row.channel).value} → {row.email or '-'}: {about}")
    db.session.rollback()


def register(group: click.Group) -> None:
    """Attach the command to the ``vg`` group."""

    @group.command("remind")
    @click.option(
        "--dry-run", is_flag=True, help="list what would be created and sent; change nothing"
    )
    @click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="run for this day instead of today (Japan time), YYYY-MM-DD",
    )
    def remind(dry_run: bool, as_of) -> None:
        """Find due and expiring items, queue their reminders once, and deliver the queue."""
        day = as_of.date() if as_of else today_tokyo()
        webhook = bool(settings.current().webhook_url)
        if dry_run:
            _dry_run(day, webhook)
            return
        with acting_as(ACTOR):
            found = sweep.run(db.session, day, webhook=webhook)
            db.session.commit()
        click.echo(
            f"{day.isoformat()} の点検: 新しい通知 {found.created}件"
            f"（置き換えた未送信の通知 {found.superseded}件）"
        )
        result = deliver(db.session, current_app.config, day)
        click.echo(
            f"配信: 送信 {result.sent}件、失敗 {result.failed}件（うち再送を打ち切り {result.gave_up}件）、"
            f"次回に持ち越し {result.deferred}件、送信不要 {result.skipped}件、"
            f"保留（送信不可） {result.parked}件"
        )
        for error in result.errors[:50]:
            click.echo(f"送信エラー: {error}", err=True)
        # After delivery, so that the morning's reminders never wait for it.
        stored = plan_store.refresh_if_stale(db.session, day, webhook=webhook)
        db.session.commit()
        if stored is not None:
            click.echo(f"今後{plan_store.PLAN_DAYS}日間の送信予定を計算しました: {stored.total}件")
        if not result.ok:
            raise SystemExit(1)
