"""The inspection list (filters, query count), the engagement panel and the home page section."""

from __future__ import annotations

from datetime import date, timedelta

from tests.inspections.conftest import personal_engagement
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.extensions import db
from vendorguard.inspections.models import Inspection, InspectionStatus


def _inspections(make, count: int, department, start: int = 0) -> None:
    """``count`` inspections on engagements of ``department`` (each its own contractor)."""
    today = today_tokyo()
    for n in range(start, start + count):
        engagement = personal_engagement(make, department=department)
        db.session.add(
            Inspection(
                arrangement_id=engagement.id,
                fiscal_year=2026,
                sequence=1,
                planned_on=today + timedelta(days=(n % 60) - 30),
                status=InspectionStatus.DONE if n % 3 == 0 else InspectionStatus.PLANNED,
                inspected_on=today if n % 3 == 0 else None,
            )
        )
    db.session.commit()


def test_list_query_count_does_not_grow(app, make, client, login_as, count_queries):
    admin = make.user(Role.ADMIN)
    department = make.department()
    login_as(admin)
    _inspections(make, 5, department)
    client.get("/inspections/?year=2026")
    with count_queries() as few:
        assert client.get("/inspections/?year=2026").status_code == 200
    _inspections(make, 495, department, start=5)
    with count_queries() as many:
        response = client.get("/inspections/?year=2026&per_page=200")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('href="/inspections/') >= 200
    assert few.count == many.count


def test_list_filters_by_year_department_and_state(app, make, client, login_as):
    today = today_tokyo()
    admin = make.user(Role.ADMIN)
    mine, other = make.department(), make.department()
    rows = {}
    for name, department, planned_on, status, year in (
        ("overdue", mine, today - timedelta(days=3), InspectionStatus.PLANNED, 2026),
        ("planned", mine, today + timedelta(days=3), InspectionStatus.PLANNED, 2026),
        ("done", other, today - timedelta(days=3), InspectionStatus.DONE, 2026),
        ("old", mine, date(2025, 6, 1), InspectionStatus.DONE, 2025),
    ):
        engagement = personal_engagement(make, department=department, title=f"委託-{name}")
        rows[name] = engagement
        db.session.add(
            Inspection(
                arrangement_id=engagement.id, fiscal_year=year, planned_on=planned_on, status=status
            )
        )
    db.session.commit()
    login_as(admin)

    def titles(query: str) -> set[str]:
        page = client.get(f"/inspections/?{query}").get_data(as_text=True)
        return {name for name in rows if f"委託-{name}<" in page}

    assert titles("year=2026") == {"overdue", "planned", "done"}
    assert titles("year=") == {"overdue", "planned", "done", "old"}
    assert titles("year=2026&state=overdue") == {"overdue"}
    assert titles("year=2026&state=planned") == {"planned"}
    assert titles("year=2026&state=done") == {"done"}
    assert titles(f"year=2026&department={other.id}") == {"done"}
    assert client.get("/inspections/").status_code == 302  # this fiscal year by default


def test_engagement_panel_and_home_section(app, make, client, login_as):
    today = today_tokyo()
    officer = make.user(Role.OFFICER)
    engagement = personal_engagement(
        make,
        department=officer.department,
        starts_on=date(fiscal_year(today), 4, 1),
        ends_on=date(fiscal_year(today) + 1, 3, 31),
    )
    plain = make.engagement(department=officer.department)
    login_as(officer)
    page = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert 'id="inspections"' in page and "未計画" in page and "今年度の検査を計画" in page
    assert "対象外" in client.get(f"/engagements/{plain.id}").get_data(as_text=True)
    # the panel's button plans this engagement only, once
    for _ in range(2):
        assert client.post(f"/inspections/engagement/{engagement.id}/plan").status_code == 302
    inspection = db.session.query(Inspection).one()
    inspection.planned_on = today - timedelta(days=1)
    db.session.commit()
    page = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert "期限超過" in page
    home = client.get("/").get_data(as_text=True)
    assert 'id="block-inspections"' in home and engagement.title in home
    client.post("/logout")
    login_as(make.user(Role.AUDITOR))
    assert 'id="block-inspections"' not in client.get("/").get_data(as_text=True)
    page = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert "期限超過" in page and "今年度の検査を計画" not in page


def test_list_exports_every_filtered_row_as_xlsx_and_csv(app, make, client, login_as):
    import io

    from openpyxl import load_workbook

    admin = make.user(Role.ADMIN)
    department = make.department()
    _inspections(make, 30, department)
    login_as(admin)
    response = client.get("/inspections/?year=2026&state=done&format=xlsx&page=2")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("検査ID", "契約番号", "業務委託")
    assert len(rows) - 1 == 10 and {row[10] for row in rows[1:]} == {"実施済み"}  # n % 3 == 0
    csv = client.get("/inspections/?year=2026&format=csv&encoding=cp932")
    assert csv.status_code == 200 and len(csv.data.decode("cp932").strip().splitlines()) == 31
