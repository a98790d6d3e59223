"""A contract period stored as 9999-12-31 or 0001-01-01 is reported and skipped, never a crash."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.evidence.helpers import requirement
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import Cadence, EvidenceRequest
from vendorguard.extensions import db


def _requests(arrangement_id: int) -> int:
    return db.session.scalar(
        select(func.count(EvidenceRequest.id)).where(
            EvidenceRequest.arrangement_id == arrangement_id
        )
    )


def test_the_nightly_run_skips_an_absurd_period_and_schedules_the_others(app, make):
    # Written straight to the table (no form): the dates the input bounds now refuse.
    forever = make.engagement(
        state=ArrangementState.ACTIVE, starts_on=date(2026, 4, 1), ends_on=date(9999, 12, 31)
    )
    ancient = make.engagement(
        state=ArrangementState.ACTIVE, starts_on=date(1, 1, 1), ends_on=date(2027, 3, 31)
    )
    overflowing = make.engagement(
        state=ArrangementState.ACTIVE, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31)
    )
    requirement(db.session, overflowing, cadence=Cadence.AT_END, offset=3_000_000)
    normal = make.engagement(
        state=ArrangementState.ACTIVE, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31)
    )
    for engagement in (forever, ancient, normal):
        requirement(db.session, engagement, title="月次報告", cadence=Cadence.MONTHLY)

    result = app.test_cli_runner().invoke(args=["vg", "evidence-schedule", "--as-of", "2026-11-28"])
    assert result.exit_code == 1  # something needs a person's attention …
    assert f"案件 {forever.id}: 契約期間（2026-04-01〜9999-12-31）が50年を超える" in result.output
    assert f"案件 {ancient.id}: 契約期間（0001-01-01〜2027-03-31）" in result.output
    assert (
        f"案件 {overflowing.id}: 証跡項目「作業報告書」の提出期限（3000000日後）が暦の範囲を超える"
        in (result.output)
    )
    assert "案件 4 件" in result.output
    # … but the others got their requests, and the failing ones nothing half-done.
    assert _requests(normal.id) >= 12
    assert _requests(forever.id) == _requests(ancient.id) == _requests(overflowing.id) == 0


def test_the_generate_button_explains_an_absurd_period(client, make, login_as):
    department = make.department()
    engagement = make.engagement(
        department=department, starts_on=date(2026, 4, 1), ends_on=date(9999, 12, 31)
    )
    login_as(make.user(Role.OFFICER, department=department))
    response = client.post(f"/evidence/arrangement/{engagement.id}/generate")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "50年を超えるため、スケジュールを作成できません" in page
    assert _requests(engagement.id) == 0
