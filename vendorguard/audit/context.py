"""Who is acting: the signed-in user in a request, or a named command-line actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import has_request_context, request


@dataclass(frozen=True)
class Actor:
    """The identity written into audit events."""

    user_id: int | None
    label: str
    remote_addr: str | None = None


_cli_actor: ContextVar[Actor | None] = ContextVar("vendorguard_cli_actor", default=None)


def current_actor() -> Actor:
    """The actor of the current request or command; ``system`` when nobody is known."""
    override = _cli_actor.get()
    if override is not None:
        return override
    if has_request_context():
        from flask_login import current_user  # late: the login manager is app-bound

        address = request.remote_addr
        if current_user and current_user.is_authenticated:
            return Actor(current_user.id, current_user.email, address)
        return Actor(None, "anonymous", address)
    return Actor(None, "system")


@contextmanager
def acting_as(label: str, user_id: int | None = None) -> Iterator[None]:
    """Attribute changes made inside the block to a command-line actor (``cli:seed-demo``)."""
    token = _cli_actor.set(Actor(user_id, label))
    try:
        yield
    finally:
        _cli_actor.reset(token)
