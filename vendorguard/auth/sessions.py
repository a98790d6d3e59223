"""Sessions that really end: a per-user generation in the cookie, idle timeout, absolute lifetime.

The cookie's user id is ``"<id>:<generation>"`` (``User.get_id``). Logout, a password change or
reset, a change of role or department, archiving and an administrator's "sign out everywhere"
raise ``User.session_generation``, so every cookie issued before — a copied one too — no longer
loads a user. Besides, a session ends after ``SESSION_IDLE_MINUTES`` without a request and
``SESSION_MAX_HOURS`` after sign-in, whatever happens in between.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, session
from flask_login import user_logged_in
from sqlalchemy import ColumnElement, Connection, Select, bindparam, event, inspect, select
from sqlalchemy.orm import InstanceState, Mapper, Session

from vendorguard.auth.models import User

STARTED, SEEN = "_vg_started", "_vg_seen"
# Changes that must end the user's sessions: who they are allowed to be has changed.
ENDING_CHANGES = (
    "password_hash",
    "role",
    "department_id",
    "contractor_id",
    "archived_at",
    "active",
)


@event.listens_for(User, "before_update")
def _end_sessions_on_change(mapper: Mapper[User], connection: Connection, user: User) -> None:
    state: InstanceState[User] = inspect(user)
    if any(state.attrs[name].history.has_changes() for name in ENDING_CHANGES):
        user.end_sessions()


@user_logged_in.connect
def start(sender: Any = None, **extra: Any) -> None:
    """Stamp a session with its sign-in time (for the absolute lifetime), on every ``login_user``."""
    session[STARTED] = session[SEEN] = int(time.time())


def _expired(now: float) -> bool:
    config = current_app.config
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    idle = int(config.get("SESSION_IDLE_MINUTES", 60)) * 60
    lifetime = int(config.get("SESSION_MAX_HOURS", 8)) * 3600
    return now - seen > idle or now - started > lifetime


@dataclass(frozen=True)
class Alongside:
    """A row or value every signed-in page shows, read by the statement that loads the user."""

    entity: Any  # a mapped class (outer-joined on ``onclause``) or a column correlated to User
    onclause: Callable[[], ColumnElement[bool]] | None
    receive: Callable[[Any], None]


# What the layout prints on every page (the footer's city profile, the unread badge) is read with
# the user's row: one round trip instead of one each. Packages above auth register here (auth cannot import
# them); each ``receive`` gets the joined object (None when no row) and keeps it for the request.
_ALONGSIDE: list[Alongside] = []


def load_alongside(
    entity: Any,
    onclause: Callable[[], ColumnElement[bool]] | None,
    receive: Callable[[Any], None],
) -> None:
    """Read ``entity`` with every signed-in user, for ``receive``: a mapped class outer-joined on
    ``onclause``, or (``onclause`` None) a scalar subquery correlated to the user's row."""
    _ALONGSIDE.append(Alongside(entity, onclause, receive))


_statements: dict[int, Select[Any]] = {}


def _user_statement() -> Select[Any]:
    # Built once per process (per number of registrations, all made at import): building and
    # hashing a new Select on every request costs more than the lookup it describes.
    statement = _statements.get(len(_ALONGSIDE))
    if statement is None:
        statement = select(User, *(extra.entity for extra in _ALONGSIDE))
        for extra in _ALONGSIDE:
            if extra.onclause is not None:
                statement = statement.outerjoin(extra.entity, extra.onclause())
        statement = statement.where(User.id == bindparam("user_id"))
        _statements[len(_ALONGSIDE)] = statement
    return statement


def load_user(session_db: Session, user_id: str) -> User | None:
    """The signed-in user of this request's cookie, or None when the session has ended."""
    raw_id, _, raw_generation = str(user_id).partition(":")
    try:
        wanted_id, generation = int(raw_id), int(raw_generation)
    except ValueError:
        return None  # a cookie from before generations, or forged: sign in again
    if not (0 < wanted_id < 2**63):
        return None
    now = time.time()
    if _expired(now):
        return None
    row = session_db.execute(_user_statement(), {"user_id": wanted_id}).one_or_none()
    if row is None:
        return None
    user: User = row[0]
    if not user.is_active or user.session_generation != generation:
        return None
    for extra, value in zip(_ALONGSIDE, row[1:], strict=True):
        extra.receive(value)
    if now - session[SEEN] >= 60:  # rewrite the cookie at most once a minute
        session[SEEN] = int(now)
    return user
