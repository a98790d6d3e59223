"""Domain errors raised by services; views turn them into messages next to fields or flashes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; ``message`` is already translated for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object asked for does not exist (or is not visible to the user)."""


class Forbidden(DomainError):
    """The user may not do this to this object."""
