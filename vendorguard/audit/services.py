"""Recording explicit events (login, logout, failed login) and verifying the chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from vendorguard.audit import chain
from vendorguard.audit.capture import make_event, tag
from vendorguard.audit.context import Actor

__all__ = ["record", "tag", "verify"]


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: Any = None,
    label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> None:
    """Write one event now, in the session's current transaction (as ``actor`` when given)."""
    event = make_event(action, object_type, object_id, label, before, after, actor)
    chain.append(session.connection(), [event])


def verify(session: Session) -> tuple[int, chain.ChainProblem | None]:
    """Check the whole chain; see :func:`vendorguard.audit.chain.verify`."""
    return chain.verify(session.connection())
