"""The outbox table's concurrency-safe operations.

- insert: ``INSERT … ON CONFLICT (dedup_key) DO NOTHING``: two sweeps, on one machine or two, create
  each row once; whoever comes second inserts nothing. A sweep's rows (``add``) go on PostgreSQL
  through ``COPY`` into a temporary table, then one ``INSERT … SELECT`` and one set-based
  supersede: tens of thousands of rows in two statements instead of hundreds.
- claim: PostgreSQL ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``, so concurrent
  senders take disjoint rows without waiting; SQLite has a single writer, so the same atomic
  ``UPDATE … WHERE status = 'pending'`` suffices. Claimed rows carry a random token and a lease;
  a process that dies leaves rows whose lease runs out, and they become claimable again.
- every later change of a claimed row is conditioned on its token, so a row reclaimed by someone
  else after a lease ran out is never marked by the first process.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Column,
    MetaData,
    Table,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.orm import Session

from vendorguard.core.sqlvalues import one_of
from vendorguard.core.types import UTCDateTime
from vendorguard.reminders.copying import copy_rows
from vendorguard.reminders.models import DeliveryStatus, Notification

_notification_table = Notification.__table__
assert isinstance(_notification_table, Table)  # a declarative model's (typed as any FromClause)
T: Table = _notification_table
CHUNK = 500
MAX_BACKOFF = timedelta(hours=6)
# The columns that differ between a sweep's rows; the others are the same for all (``add``).
VARYING = (
    "dedup_key",
    "topic",
    "channel",
    "kind",
    "stage",
    "subject_type",
    "subject_id",
    "arrangement_id",
    "target_on",
    "sweep_on",
    "user_id",
    "email",
    "data",
    "status",
    "digest_id",
)
# A session-local table (its own metadata: not part of the schema that migrations manage).
STAGE = Table(
    "vg_outbox_stage",
    MetaData(),
    *(Column(name, T.c[name].type) for name in VARYING),
    prefixes=["TEMPORARY"],
)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _insert(session: Session):
    if _dialect(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(T)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(T)


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched (Session.execute is typed as Result; for DML it is a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these dedup keys are already in the outbox."""
    keys = set(keys)
    if not keys:
        return set()
    # One statement for any number of keys: the upcoming page's query count stays constant.
    return set(session.scalars(select(T.c.dedup_key).where(one_of(session, T.c.dedup_key, keys))))


def insert_rows(session: Session, rows: list[dict]) -> int:
    """Insert the rows whose key is new; returns how many this call inserted.

    Every row of one call carries the same ``created_at``, which tells our rows from rows another
    process inserted at the same moment (RETURNING would say it too, but makes PostgreSQL's batched
    insert several times slower).
    """
    if not rows:
        return 0
    rows = sorted(rows, key=lambda row: row["dedup_key"])  # one lock order for every process
    marker = rows[0]["created_at"]
    assert all(row["created_at"] == marker for row in rows), "one created_at per call"
    # One statement, many parameter sets: compiled once, sent in batches.
    stmt = _insert(session).on_conflict_do_nothing(index_elements=["dedup_key"])
    for start in range(0, len(rows), CHUNK * 10):
        session.execute(stmt, rows[start : start + CHUNK * 10])
    keys = [row["dedup_key"] for row in rows]
    return sum(
        session.scalar(
            select(func.count())
            .select_from(T)
            .where(T.c.dedup_key.in_(keys[start : start + CHUNK]), T.c.created_at == marker)
        )
        or 0
        for start in range(0, len(keys), CHUNK)
    )


def add(session: Session, rows: list[dict]) -> tuple[int, int]:
    """Insert a sweep's rows (those whose key is new) and supersede what they replace; returns
    (created, superseded). Every row carries the same ``created_at``."""
    if not rows or _dialect(session) != "postgresql":
        return insert_rows(session, rows), supersede(session, rows)
    now = rows[0]["created_at"]
    assert all(row["created_at"] == now for row in rows), "one created_at per call"
    _copy_to_stage(session, rows)
    constant = {
        "attempts": literal(0),
        "next_attempt_at": literal(now, UTCDateTime()),
        "last_error": literal(""),
        "created_at": literal(now, UTCDateTime()),
    }
    # One lock order for every process (sorted keys), as in ``insert_rows``; a single statement's
    # rowcount is exactly the rows it inserted, whoever else inserts the same keys meanwhile.
    created = _insert(session).from_select(
        [*VARYING, *constant],
        select(*(STAGE.c[name] for name in VARYING), *constant.values()).order_by(
            STAGE.c.dedup_key
        ),
    )
    # (SQLAlchemy reports an INSERT's rowcount only when asked to keep it.)
    inserted = _rowcount(
        session.execute(
            created.on_conflict_do_nothing(index_elements=["dedup_key"]).execution_options(
                preserve_rowcount=True
            )
        )
    )
    replaced = session.execute(
        update(T)
        .where(
            T.c.topic.in_(select(STAGE.c.topic)),
            T.c.status.in_((DeliveryStatus.PENDING, DeliveryStatus.BATCHED)),
            ~exists().where(STAGE.c.dedup_key == T.c.dedup_key),
        )
        .values(status=DeliveryStatus.SUPERSEDED, claim_token=None)
    )
    return inserted, _rowcount(replaced)


def _copy_to_stage(session: Session, rows: list[dict]) -> None:
    """The rows' varying columns into this transaction's temporary table, by ``COPY``."""
    session.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS vg_outbox_stage ON COMMIT DROP AS "
            f"SELECT {', '.join(VARYING)} FROM notification WITH NO DATA"
        )
    )
    session.execute(STAGE.delete())
    copy_rows(session, "vg_outbox_stage", VARYING, rows, frozenset({"data"}))
    # A temporary table has no statistics until analysed: the planner would guess its size.
    session.execute(text("ANALYZE vg_outbox_stage"))


def supersede(session: Session, rows: list[dict]) -> int:
    """Older reminders about the same thing for the same recipient that have not gone out yet are
    replaced by the new ones (nobody needs "14 days left" and "7 days left" in one morning)."""
    by_topic: dict[str, list[str]] = {}
    for row in rows:
        by_topic.setdefault(row["topic"], []).append(row["dedup_key"])
    topics = sorted(by_topic)
    count = 0
    for start in range(0, len(topics), CHUNK):
        chunk = topics[start : start + CHUNK]
        current = [key for topic in chunk for key in by_topic[topic]]
        result = session.execute(
            update(T)
            .where(
                T.c.topic.in_(chunk),
                T.c.dedup_key.not_in(current),
                T.c.status.in_((DeliveryStatus.PENDING, DeliveryStatus.BATCHED)),
            )
            .values(status=DeliveryStatus.SUPERSEDED, claim_token=None)
        )
        count += _rowcount(result)
    return count


def claimable(now: datetime, run_started: datetime, as_of):
    """Rows that may be taken now: pending and due (not retried within this run), or with a lapsed lease."""
    return and_(
        T.c.sweep_on <= as_of,
        or_(
            and_(T.c.status == DeliveryStatus.PENDING, T.c.next_attempt_at <= run_started),
            and_(T.c.status == DeliveryStatus.SENDING, T.c.claimed_until < now),
        ),
    )


def claim(
    session: Session,
    channels,
    *,
    now: datetime,
    run_started: datetime,
    as_of,
    limit: int,
    lease: timedelta,
    only_keys: Collection[str] | None = None,
) -> tuple[str, list[int]]:
    """Take up to ``limit`` rows for delivery and commit the claim; returns (token, ids).

    ``only_keys`` limits the claim to those rows (a reminder sent on demand goes out at once,
    without taking the rest of the queue with it)."""
    token = secrets.token_hex(16)
    condition = and_(claimable(now, run_started, as_of), T.c.channel.in_(list(channels)))
    if only_keys is not None:
        condition = and_(condition, T.c.dedup_key.in_(list(only_keys)))
    ids = select(T.c.id).where(condition).order_by(T.c.id).limit(limit)
    if _dialect(session) == "postgresql":
        # A CTE runs once; "id IN (SELECT … SKIP LOCKED LIMIT n)" may be re-run by the planner and,
        # skipping the rows it has just locked, take far more than n.
        chosen = ids.with_for_update(skip_locked=True).cte("chosen")
        stmt = update(T).where(T.c.id == chosen.c.id)
    else:
        stmt = update(T).where(T.c.id.in_(ids), condition)
    stmt = stmt.values(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_until=now + lease
    ).returning(T.c.id)
    claimed = sorted(session.execute(stmt).scalars())
    session.commit()
    return token, claimed


def renew(session: Session, row_id: int, token: str, until: datetime) -> bool:
    """Extend our lease just before sending; False when the row is no longer ours."""
    result = session.execute(
        update(T)
        .where(T.c.id == row_id, T.c.claim_token == token, T.c.status == DeliveryStatus.SENDING)
        .values(claimed_until=until)
    )
    session.commit()
    return _rowcount(result) == 1


def mark_sent(
    session: Session, row_id: int, token: str, now: datetime, item_ids: Iterable[int] = ()
) -> bool:
    """Record a delivery the channel has accepted (and the digest's items with it); commits."""
    result = session.execute(
        update(T)
        .where(T.c.id == row_id, T.c.claim_token == token)
        .values(
            status=DeliveryStatus.SENT,
            sent_at=now,
            attempts=T.c.attempts + 1,
            claim_token=None,
            claimed_until=None,
            last_error="",
        )
    )
    items = sorted(item_ids)
    if _rowcount(result) == 1:
        for start in range(0, len(items), CHUNK):
            session.execute(
                update(T)
                .where(
                    T.c.id.in_(items[start : start + CHUNK]), T.c.status == DeliveryStatus.BATCHED
                )
                .values(status=DeliveryStatus.SENT, sent_at=now)
            )
    session.commit()
    return _rowcount(result) == 1


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """base, 2×base, 4×base … after the 1st, 2nd, 3rd failed attempt; at most six hours."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def mark_failed(
    session: Session,
    row_id: int,
    token: str,
    error: str,
    *,
    now: datetime,
    run_started: datetime,
    max_attempts: int,
    base_seconds: float,
) -> DeliveryStatus | None:
    """Record a failed attempt: try again later with backoff, or give up after ``max_attempts``."""
    attempts = session.scalar(
        select(T.c.attempts).where(T.c.id == row_id, T.c.claim_token == token)
    )
    if attempts is None:
        session.rollback()
        return None
    attempts += 1
    status = DeliveryStatus.FAILED if attempts >= max_attempts else DeliveryStatus.PENDING
    # Never before this run began: a row is tried at most once per run, whatever the backoff.
    retry_at = max(now, run_started + timedelta(microseconds=1)) + backoff(attempts, base_seconds)
    session.execute(
        update(T)
        .where(T.c.id == row_id, T.c.claim_token == token)
        .values(
            status=status,
            attempts=attempts,
            next_attempt_at=retry_at,
            claim_token=None,
            claimed_until=None,
            last_error=error[:2000],
        )
    )
    session.commit()
    return status


def mark_parked(session: Session, row_id: int, token: str, reason: str) -> bool:
    """Set aside a row that cannot be sent as it stands; later runs leave it alone. Commits."""
    result = session.execute(
        update(T)
        .where(T.c.id == row_id, T.c.claim_token == token)
        .values(
            status=DeliveryStatus.PARKED,
            attempts=T.c.attempts + 1,
            claim_token=None,
            claimed_until=None,
            last_error=reason[:2000],
        )
    )
    session.commit()
    return _rowcount(result) == 1


def release(session: Session, ids: Iterable[int], token: str) -> None:
    """Give rows back untried (the channel is down for this run); their attempt count is unchanged."""
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        session.execute(
            update(T)
            .where(T.c.id.in_(ids[start : start + CHUNK]), T.c.claim_token == token)
            .values(status=DeliveryStatus.PENDING, claim_token=None, claimed_until=None)
        )
    session.commit()
