"""What every arrangement page shows below its own fields: evidence, assessments, documents."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.core.timeutil import today_tokyo


def oversight_context(session: Session, arrangement: Arrangement, user) -> dict[str, Any]:
    """Template context for ``arrangements/_oversight.html`` (a fixed handful of queries)."""
    from vendorguard.assessments.queries import summary_context
    from vendorguard.documents.queries import latest_versions
    from vendorguard.evidence.assurance import assurance_for

    today = today_tokyo()
    return {
        "arrangement": arrangement,
        "assurance": assurance_for(session, arrangement, today),
        "documents": session.scalars(latest_versions(arrangement.id)).all(),
        **summary_context(session, arrangement, user, today),
    }
