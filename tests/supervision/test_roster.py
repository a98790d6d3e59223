"""The staff roster (従事者名簿): kept by the contractor in the portal, pledges content-checked,
officers notified, leavers with access flagged, .xlsx export, constant query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from tests.evidence.helpers import PDF
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.reminders.models import Notification
from vendorguard.supervision.models import StaffMember, TrainingRecord


def _staff_form(**changes) -> dict:
    data = {
        "stage_id": "",
        "name": "豊岡 一郎",
        "role": "作業者",
        "affiliation": "開発部",
        "access_rights": "住民記録システム（参照）",
        "starts_on": "2026-04-01",
        "ends_on": "",
        "access_revoked_on": "",
    }
    data.update(changes)
    return data


def switch(client, login_as, user) -> None:
    """Sign the current user out and ``user`` in."""
    client.post("/logout")
    login_as(user)


def _world(make, **engagement_fields):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    engagement = make.engagement(
        department=department, subcontracting_allowed=True, **engagement_fields
    )
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=engagement.contractor_id)
    return engagement, officer, contractor_user


def test_contractor_adds_staff_with_pledge_and_the_officer_is_notified(client, make, login_as):
    engagement, officer, contractor_user = _world(make)
    login_as(contractor_user)
    response = client.post(
        f"/portal/engagements/{engagement.id}/staff/new",
        data={**_staff_form(), "pledge": (io.BytesIO(PDF), "誓約書.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    staff = db.session.scalars(select(StaffMember)).one()
    assert (staff.name, staff.pledge_filename, staff.pledge_size) == (
        "豊岡 一郎",
        "誓約書.pdf",
        len(PDF),
    )
    rows = db.session.scalars(
        select(Notification).where(Notification.kind == "roster_change")
    ).all()
    assert [row.user_id for row in rows] == [officer.id]
    response = client.post(
        f"/portal/engagements/{engagement.id}/staff/{staff.id}/training",
        data={"held_on": "2026-04-10", "content": "情報セキュリティ研修"},
    )
    assert response.status_code == 302
    assert db.session.scalars(select(TrainingRecord.content)).all() == ["情報セキュリティ研修"]
    page = client.get(f"/portal/engagements/{engagement.id}").get_data(as_text=True)
    assert "豊岡 一郎" in page and "情報セキュリティ研修" in page
    # The officer reads it as a notification in the app and on the roster page.
    switch(client, login_as, officer)
    notes = client.get("/notifications/").get_data(as_text=True)
    assert "従事者を追加しました" in notes
    roster = client.get(f"/engagements/{engagement.id}/roster").get_data(as_text=True)
    assert "誓約書.pdf" in roster
    download = client.get(f"/roster/pledges/{staff.id}")
    assert download.status_code == 200 and download.data == PDF


def test_a_pledge_that_is_not_what_it_claims_is_refused_and_nothing_is_saved(
    client, make, login_as
):
    engagement, _officer, contractor_user = _world(make)
    login_as(contractor_user)
    response = client.post(
        f"/portal/engagements/{engagement.id}/staff/new",
        data={**_staff_form(), "pledge": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "誓約書.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "誓約書" in response.get_data(as_text=True)
    assert db.session.scalars(select(StaffMember)).all() == []
    response = client.post(
        f"/portal/engagements/{engagement.id}/staff/new",
        data={**_staff_form(), "pledge": (io.BytesIO(b"hello"), "pledge.exe")},
        content_type="multipart/form-data",
    )
    assert "誓約書のファイルは" in response.get_data(as_text=True)
    assert db.session.scalars(select(StaffMember)).all() == []


def test_only_the_companies_of_the_engagement_reach_its_roster(client, make, login_as):
    engagement, officer, _contractor_user = _world(make)
    stranger = make.user(Role.CONTRACTOR, contractor_id=make.contractor().id)
    login_as(stranger)
    assert client.get(f"/portal/engagements/{engagement.id}").status_code == 404
    assert (
        client.post(
            f"/portal/engagements/{engagement.id}/staff/new", data=_staff_form()
        ).status_code
        == 404
    )
    switch(client, login_as, officer)
    assert client.get(f"/portal/engagements/{engagement.id}").status_code == 403


def test_a_subcontractor_keeps_only_its_own_stage_and_my_number_needs_permission(
    client, make, login_as
):
    engagement, _officer, _user = _world(make, handles_my_number=True)
    company = make.contractor()
    stage = make.subcontractor(engagement, contractor_id=company.id)
    sub_user = make.user(Role.CONTRACTOR, contractor_id=company.id)
    login_as(sub_user)
    response = client.post(f"/portal/engagements/{engagement.id}/staff/new", data=_staff_form())
    assert "自社の段階の従事者だけ" in response.get_data(as_text=True)
    response = client.post(
        f"/portal/engagements/{engagement.id}/staff/new", data=_staff_form(stage_id=str(stage.id))
    )
    assert response.status_code == 302
    staff = db.session.scalars(select(StaffMember)).one()
    assert staff.subcontractor_id == stage.id


def test_leavers_still_holding_access_are_flagged_and_exported(client, make, login_as):
    engagement, officer, _user = _world(make)
    today = today_tokyo()
    left = StaffMember(
        engagement_id=engagement.id,
        name='=HYPERLINK("http://x")',
        starts_on=date(2026, 4, 1),
        ends_on=today - timedelta(days=3),
    )
    revoked = StaffMember(
        engagement_id=engagement.id,
        name="離任済 花子",
        starts_on=date(2026, 4, 1),
        ends_on=today - timedelta(days=3),
        access_revoked_on=today - timedelta(days=3),
    )
    db.session.add_all([left, revoked])
    db.session.commit()
    login_as(officer)
    leavers = client.get("/roster/leavers").get_data(as_text=True)
    assert "HYPERLINK" in leavers and "離任済 花子" not in leavers
    roster = client.get(f"/engagements/{engagement.id}/roster").get_data(as_text=True)
    assert roster.count("離任後もアクセス権あり") == 1
    response = client.get(f"/engagements/{engagement.id}/roster.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("所属する段階", "氏名", "役割")
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name['=HYPERLINK("http://x")'][-1] == "要確認（離任後もアクセス権あり）"
    assert by_name["離任済 花子"][-1] in ("", None)
    cell = next(
        c for c in sheet.iter_rows(min_row=2) for c in c if c.value == '=HYPERLINK("http://x")'
    )
    assert cell.data_type == "s"  # stays text: never a formula


def _many(engagement, count: int) -> None:
    today = today_tokyo()
    db.session.add_all(
        StaffMember(
            engagement_id=engagement.id,
            name=f"従事者{n}",
            starts_on=date(2026, 4, 1),
            ends_on=today - timedelta(days=1),
            trainings=[TrainingRecord(held_on=date(2026, 4, 2), content="研修")],
        )
        for n in range(count)
    )
    db.session.commit()


def test_roster_pages_keep_a_constant_query_count(client, make, login_as, count_queries):
    counts = []
    for rows in (5, 500):
        engagement, officer, contractor_user = _world(make)
        _many(engagement, rows)
        switch(client, login_as, officer)
        pages = []
        for url in (f"/engagements/{engagement.id}/roster", "/roster/leavers"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            pages.append(counter.count)
        switch(client, login_as, contractor_user)
        for url in ("/portal/engagements/", f"/portal/engagements/{engagement.id}"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            pages.append(counter.count)
        counts.append(pages)
    assert counts[0] == counts[1], counts
