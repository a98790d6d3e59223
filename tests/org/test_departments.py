"""The department register."""

from __future__ import annotations

from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.org.models import Department


def test_admin_registers_edits_and_archives_a_department(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/departments/new",
        data={
            "code": "kikaku",
            "name": "情報政策課",
            "name_kana": "じょうほうせいさくか",
            "parent_name": "総務部",
        },
    )
    assert response.status_code == 302
    department = db.session.scalars(select(Department).where(Department.code == "KIKAKU")).one()
    assert department.name_kana == "ジョウホウセイサクカ"

    response = client.post(
        f"/departments/{department.id}/edit",
        data={
            "code": "KIKAKU",
            "name": "情報政策課",
            "name_kana": "ジョウホウセイサクカ",
            "phone": "0796-23-1111",
        },
    )
    assert response.status_code == 302
    client.post(f"/departments/{department.id}/archive")
    db.session.refresh(department)
    assert department.archived_at is not None
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "department", AuditEvent.object_id == str(department.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "update", "archive"]


def test_duplicate_code_is_shown_next_to_the_field(client, make, login_as):
    make.department(code="SOMU")
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/departments/new", data={"code": "somu", "name": "総務課", "name_kana": "そうむか"}
    )
    assert response.status_code == 200
    assert "この所属コードは既に使われています。" in response.get_data(as_text=True)


def test_list_sorts_by_reading_and_searches(client, make, login_as):
    make.department(name="総務課", name_kana="ソウムカ")
    make.department(name="会計課", name_kana="カイケイカ")
    make.department(name="市民課", name_kana="シミンカ")
    login_as(make.user(Role.AUDITOR))
    html = client.get("/departments/").get_data(as_text=True)
    assert html.index("会計課") < html.index("市民課") < html.index("総務課")
    html = client.get("/departments/?q=しみん").get_data(as_text=True)
    assert "市民課" in html and "総務課" not in html and "会計課" not in html


def test_department_list_query_count_does_not_grow(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    for _ in range(5):
        make.department()
    with count_queries() as few:
        assert client.get("/departments/?per_page=200").status_code == 200
    db.session.add_all(
        [
            Department(code=f"BULK{n:04d}", name=f"一括課{n}", name_kana=f"イッカツカ{n}")
            for n in range(500)
        ]
    )
    db.session.commit()
    with count_queries() as many:
        response = client.get("/departments/?per_page=200")
    assert response.status_code == 200 and response.get_data(as_text=True).count("一括課") >= 200
    assert few.count == many.count
