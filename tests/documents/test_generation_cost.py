"""What one generation costs the database, and that what it skips is still read when it matters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.documents.conftest import add_gap_requirement
from vendorguard.arrangements import access
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.catalog import services as catalog
from vendorguard.catalog.models import Requirement, Waiver
from vendorguard.classification.models import Axis
from vendorguard.documents import services
from vendorguard.engagements.models import InformationItem
from vendorguard.extensions import db
from vendorguard.storage import get_storage

# Statements of one generation as the view makes it, the catalog's copy current: the view's
# arrangement; the catalog's arrangement with the marker and whether a waiver is in force; the
# city profile; the row lock; the next version; the version row; the audit head; the audit events
# (on PostgreSQL with the new head, in one statement; SQLite moves the head by itself).
BUDGET = {"postgresql": 8, "sqlite": 9}


def _generate_as_the_view(app, arrangement_id: int):
    """A fresh session, the arrangement as the view loads it, the generation and its commit."""
    db.session.remove()
    arrangement = access.arrangement_or_404(arrangement_id)
    document = services.generate_appendix(db.session, get_storage(app), arrangement, None)
    db.session.commit()
    return document


@pytest.fixture
def engagement_with_items(make, shipped_catalog):
    scheme = make.schemes()
    level = next(l for l in scheme.levels_for(Axis.CONFIDENTIALITY) if l.code == "3B")
    engagement = make.engagement(
        handles_personal_info=True, handles_my_number=True, subcontracting_allowed=True
    )
    make.subcontractor(engagement)
    make.subcontractor(engagement)
    for name in ("住民基本台帳", "税務情報"):
        db.session.add(
            InformationItem(
                engagement_id=engagement.id, name=name, confidentiality_level_id=level.id
            )
        )
    db.session.commit()
    return engagement.id


def test_a_generation_stays_within_its_statement_budget(app, engagement_with_items, count_queries):
    _generate_as_the_view(app, engagement_with_items)  # the catalog's copy is made here
    with count_queries() as counter:
        _generate_as_the_view(app, engagement_with_items)
    sent = counter.statements
    assert len(sent) == BUDGET[db.engine.dialect.name], sent
    # No waiver is in force: none are read.
    assert not any(s.lstrip().startswith("SELECT requirement_waiver") for s in sent)


def test_the_items_classification_is_printed_though_only_its_confidentiality_is_loaded(
    app, engagement_with_items
):
    document = _generate_as_the_view(app, engagement_with_items)
    texts = str(document.articles)
    assert "住民基本台帳（自治体機密性3B）" in texts and "税務情報（自治体機密性3B）" in texts


def test_a_waiver_recorded_or_withdrawn_counts_at_the_next_generation(app, make, shipped_catalog):
    requirement_id = add_gap_requirement().id
    engagement_id = make.engagement(segment_internet=True).id
    admin_id = make.user(Role.ADMIN).id
    with pytest.raises(catalog.CoverageIncomplete):
        _generate_as_the_view(app, engagement_id)
    db.session.rollback()

    catalog.record_waiver(
        db.session,
        access.arrangement_or_404(engagement_id),
        db.session.get_one(Requirement, requirement_id),
        "保守のみ",
        db.session.get_one(User, admin_id),
    )
    db.session.commit()
    document = _generate_as_the_view(app, engagement_id)
    assert [w["requirement_code"] for w in document.waivers] == ["TST-01"]

    waiver = db.session.scalars(select(Waiver).where(Waiver.arrangement_id == engagement_id)).one()
    catalog.withdraw_waiver(db.session, waiver)
    db.session.commit()
    with pytest.raises(catalog.CoverageIncomplete):
        _generate_as_the_view(app, engagement_id)
    db.session.rollback()
