"""List pages load what they show in a fixed number of queries (5 and 500 rows)."""

from __future__ import annotations

from datetime import date

from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.questionnaires.models import QuestionnaireRequest, RequestStatus
from vendorguard.questionnaires.queries import approved_version


def _requests(world, make, count):
    version = db.session.scalars(approved_version(world.template.id)).one()
    contractor_id = world.engagement.contractor_id
    for n in range(count):
        engagement = world.engagement
        db.session.add(
            QuestionnaireRequest(
                template_id=world.template.id,
                version_id=version.id,
                arrangement_id=engagement.id,
                contractor_id=contractor_id,
                fiscal_year=1700 + n,
                due_on=date(2026, 6, 1),
                status=RequestStatus.SENT,
            )
        )
    db.session.commit()


def test_list_query_counts_do_not_grow(world, make, client, login_as, count_queries):
    admin = make.user(Role.ADMIN)
    _requests(world, make, 5)
    login_as(admin)
    with count_queries() as few:
        assert client.get("/questionnaires/?per_page=200").status_code == 200
    client.post("/logout")
    login_as(world.contractor_user)
    with count_queries() as portal_few:
        assert client.get("/questionnaires/portal/?per_page=200").status_code == 200
    _requests_more = 495
    version = db.session.scalars(approved_version(world.template.id)).one()
    db.session.add_all(
        QuestionnaireRequest(
            template_id=world.template.id,
            version_id=version.id,
            arrangement_id=world.engagement.id,
            contractor_id=world.engagement.contractor_id,
            fiscal_year=1800 + n,
            due_on=date(2026, 6, 1),
            status=RequestStatus.SENT,
        )
        for n in range(_requests_more)
    )
    db.session.commit()
    client.post("/logout")
    login_as(admin)
    with count_queries() as many:
        assert client.get("/questionnaires/?per_page=200").status_code == 200
    client.post("/logout")
    login_as(world.contractor_user)
    with count_queries() as portal_many:
        assert client.get("/questionnaires/portal/?per_page=200").status_code == 200
    assert few.count == many.count
    assert portal_few.count == portal_many.count
