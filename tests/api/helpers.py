"""Making tokens and calling the API with them, for the API tests."""

from __future__ import annotations

from vendorguard.apitokens import services
from vendorguard.apitokens.models import TokenScope
from vendorguard.extensions import db


def token_for(user, scope: TokenScope | str = TokenScope.READ_WRITE, days: int = 30) -> str:
    """A new token of ``user`` (committed); returns its secret."""
    new = services.create_token(db.session, user, "テスト", scope, days)
    db.session.commit()
    return new.secret


def bearer(secret: str, **extra: str) -> dict[str, str]:
    """Request headers carrying the token."""
    return {"Authorization": f"Bearer {secret}", **extra}
