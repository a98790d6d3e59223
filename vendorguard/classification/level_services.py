"""Changing the wording of a classification level (its code and rank never change here)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.classification.models import ClassificationLevel
from vendorguard.core.errors import DomainError
from vendorguard.core.text import clean


def update_level(
    session: Session, level: ClassificationLevel, label: str, description: str
) -> ClassificationLevel:
    """Rename a level or reword its description; two levels on one axis may not share a name."""
    label = clean(label)
    if not label:
        raise DomainError(_("入力してください。"), field="label")
    clash = session.scalars(
        select(ClassificationLevel.id).where(
            ClassificationLevel.scheme_id == level.scheme_id,
            ClassificationLevel.axis == level.axis,
            func.lower(ClassificationLevel.label) == label.lower(),
            ClassificationLevel.id != level.id,
        )
    ).first()
    if clash is not None:
        raise DomainError(_("同じ体系・観点に同じ表示名の区分があります。"), field="label")
    level.label = label
    level.description = (description or "").strip()
    session.flush()
    return level
