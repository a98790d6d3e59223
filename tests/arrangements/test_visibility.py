"""The one visibility rule, asked in SQL (lists) and in Python (one page), gives the same answer.

For every role, with and without a department, over a mixed register: every kind, drafts and
approved SNS accounts, two departments, archived and ended rows, and the test-only site-visit kind.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest
from sqlalchemy import select

from tests.arrangements.site_visits import SiteVisit, site_visits  # noqa: F401  (fixture)
from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements import access
from vendorguard.arrangements.kinds import registered_kinds
from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.extensions import db

ARCHIVED = datetime(2026, 3, 31, tzinfo=UTC)


@pytest.fixture
def register(make, site_visits):  # noqa: F811  (the fixture imported above)
    """Arrangements of every kind in two departments, and users of every role."""
    departments = [make.department(name="市民課"), make.department(name="税務課")]
    contractor = make.contractor()
    for department, archived, state in product(
        departments, (None, ARCHIVED), (ArrangementState.ACTIVE, ArrangementState.ENDED)
    ):
        common = {"archived_at": archived, "state": state}
        make.engagement(department=department, contractor=contractor, **common)
        make.cloud_service(department=department, **common)
        for approval in ApprovalState:
            make.social_account(department=department, approval_state=approval, **common)
        for published in (True, False):
            db.session.add(
                SiteVisit(
                    title="現地確認", department_id=department.id, published=published, **common
                )
            )
    db.session.commit()
    users = []
    for role in Role:
        if role == Role.CONTRACTOR:
            users.append(make.user(role, contractor_id=contractor.id))
            continue
        for department in (*departments, None):
            users.append(make.user(role, department=department))
    return users


def test_every_kind_is_in_the_data_set(register):
    kinds = set(db.session.scalars(select(Arrangement.kind).distinct()))
    assert kinds == {spec.value for spec in registered_kinds()}


def test_sql_and_python_agree_for_every_role(register):
    user_ids = [user.id for user in register]
    db.session.expunge_all()  # arrangements loaded as the base class, as pages load them
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))).all()
    assert len(users) == len(register)
    arrangements = db.session.scalars(select(Arrangement).order_by(Arrangement.id)).all()
    assert len(arrangements) > 40
    seen_any_hidden_draft = False
    for user in users:
        in_sql = set(db.session.scalars(select(Arrangement.id).where(access.visible_to(user))))
        in_python = {a.id for a in arrangements if access.can_view(user, a)}
        assert in_sql == in_python, (user.role, user.department_id)
        managed_sql = set(db.session.scalars(select(Arrangement.id).where(access.managed_by(user))))
        managed_python = {a.id for a in arrangements if access.can_manage(user, a)}
        assert managed_sql == managed_python, (user.role, user.department_id)
        readable = {
            a.id
            for a in arrangements
            if user.is_authenticated and user.can(access.view_permission(a))
        }
        seen_any_hidden_draft |= bool(readable - in_python)
    # The data set does exercise the visibility rules, not just the permissions.
    assert seen_any_hidden_draft
