"""``flask vg evidence-schedule``: keep evidence requirements and requests up to date (and, on a
full run, the kept evidence standing of every arrangement: ``evidence.standing``).

Meant for a daily cron job / systemd timer; safe to run on several machines at once (the unique
(requirement, occurrence) key stops double requests: a run that collides retries that arrangement).
"""

from __future__ import annotations

import logging
from datetime import date

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence import services, standing
from vendorguard.extensions import db

log = logging.getLogger("vendorguard.evidence")


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("evidence-schedule")
    @click.option(
        "--arrangement", "arrangement_id", type=int, help="only this arrangement (any state)"
    )
    @click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="treat this day as today (YYYY-MM-DD); default: today in Japan",
    )
    def evidence_schedule(arrangement_id: int | None, as_of) -> None:
        """Add/archive standard evidence requirements and create/move/close requests, for every
        active arrangement (state 有効, not archived) or the one given."""
        today: date = as_of.date() if as_of else today_tokyo()
        if arrangement_id is not None:
            if db.session.get(Arrangement, arrangement_id) is None:
                raise click.ClickException(
                    f"案件 {arrangement_id} はありません / no arrangement {arrangement_id}"
                )
            ids = [arrangement_id]
        else:
            ids = list(
                db.session.scalars(
                    select(Arrangement.id)
                    .where(
                        Arrangement.state == ArrangementState.ACTIVE,
                        Arrangement.archived_at.is_(None),
                    )
                    .order_by(Arrangement.id)
                )
            )
        totals = {"added": 0, "archived": 0, "created": 0, "moved": 0, "closed": 0, "reopened": 0}
        failures = 0
        for current in ids:
            outcome = _run_one(current, today)
            if isinstance(outcome, str):
                failures += 1
                click.echo(f"案件 {current}: {outcome}", err=True)
                continue
            for key, value in outcome.items():
                totals[key] += value
        if arrangement_id is None:
            # the day's full run also puts right any kept standing that concurrent writers left
            # behind the evidence (``standing.recompute_all``: one statement, 0.2–0.3 s at city
            # scale)
            standing.recompute_all(db.session)
            db.session.commit()
        click.echo(
            f"{today:%Y-%m-%d}: 案件 {len(ids)} 件 / {len(ids)} arrangements — "
            f"証跡項目 追加 {totals['added']}・アーカイブ {totals['archived']}、"
            f"提出依頼 作成 {totals['created']}・期限変更 {totals['moved']}・"
            f"取下げ {totals['closed']}・再開 {totals['reopened']}"
        )
        if failures:
            raise SystemExit(1)


def _run_one(arrangement_id: int, today: date) -> dict[str, int] | str:
    """Synchronise and schedule one arrangement in its own transaction; a message on failure."""
    for attempt in range(2):
        arrangement = db.session.get(Arrangement, arrangement_id)
        if arrangement is None:  # removed since the list was read
            return "案件がありません / no such arrangement"
        try:
            synced, scheduled = services.refresh(db.session, arrangement, today)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            return error.message
        except IntegrityError:
            # Another run created the same rows a moment earlier; the second pass sees them.
            db.session.rollback()
            if attempt:
                return "同時実行と衝突しました / collided with a concurrent run"
            continue
        except Exception as error:  # noqa: BLE001 - one bad arrangement must not stop the others
            db.session.rollback()
            log.exception("evidence schedule of arrangement %s failed", arrangement_id)
            return f"処理できませんでした / failed: {type(error).__name__}: {error}"
        return {
            "added": len(synced.added) + len(synced.restored),
            "archived": len(synced.archived),
            "created": len(scheduled.created),
            "moved": len(scheduled.moved),
            "closed": len(scheduled.closed),
            "reopened": len(scheduled.reopened),
        }
    return "unreachable"
