"""Questionnaire fixtures: the shipped templates and the catalog, an engagement with a contractor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.portal.conftest import pdf_bytes  # noqa: F401  (re-exported for the tests here)
from vendorguard.auth.roles import Role
from vendorguard.catalog.seed import ensure_catalog
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.extensions import db
from vendorguard.questionnaires import sending
from vendorguard.questionnaires.models import QuestionnaireTemplate
from vendorguard.questionnaires.seed import ensure_templates


@dataclass
class World:
    officer: object
    contractor_user: object
    other_contractor_user: object
    engagement: object
    template: QuestionnaireTemplate


@pytest.fixture
def world(make) -> World:
    ensure_catalog(db.session)
    ensure_templates(db.session)
    db.session.commit()
    department = make.department(name="市民課")
    officer = make.user(Role.OFFICER, department=department, name="市民 太郎")
    contractor = make.contractor(name="但馬情報サービス株式会社")
    engagement = make.engagement(
        department=department,
        contractor=contractor,
        handles_personal_info=True,
        subcontracting_allowed=True,
        responsible_officer_id=officer.id,
    )
    user = make.user(Role.CONTRACTOR, contractor_id=contractor.id, name="委託 花子")
    other = make.user(Role.CONTRACTOR, contractor_id=make.contractor().id)
    template = db.session.scalars(
        select(QuestionnaireTemplate).where(QuestionnaireTemplate.code == "SC-OUT")
    ).one()
    return World(officer, user, other, engagement, template)


def send(world: World, user=None):
    """Send the shipped self-check for the world's engagement (committed)."""
    today = today_tokyo()
    req = sending.send(
        db.session,
        world.engagement,
        sending.SendData(world.template.id, fiscal_year(today), today + timedelta(days=30)),
        user or world.officer,
    )
    db.session.commit()
    return req


__all__ = ["World", "send", "date"]
