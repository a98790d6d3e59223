"""Reads of API tokens: one person's list, and the row a presented token names."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from vendorguard.apitokens.models import ApiToken


def tokens_of(user_id: int) -> Select:
    """A person's tokens, usable and spent alike, newest first."""
    return (
        select(ApiToken)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def by_prefix(prefix: str) -> Select:
    """The token with this public prefix, with its user loaded."""
    return select(ApiToken).where(ApiToken.prefix == prefix).options(joinedload(ApiToken.user))
