"""One job body inside an application context, the same whichever engine runs it."""

from __future__ import annotations

import logging
from typing import Any, cast

from flask import Flask
from sqlalchemy.orm import Session, scoped_session

from vendorguard.jobs.registry import resolve

log = logging.getLogger(__name__)


def run_job(app: Flask, name: str, kwargs: dict[str, Any]) -> Any:
    """One job body in a fresh application context and database session, whatever the engine."""
    from vendorguard.extensions import db

    func = resolve(name)
    with app.app_context():
        try:
            return func(**kwargs)
        except Exception:
            log.exception("job %s failed", name)
            db.session.rollback()
            raise
        finally:
            cast("scoped_session[Session]", db.session).remove()
