"""User administration: registration rules, last-admin protection, password reset, the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db
from vendorguard.org import user_services

NEW_PASSWORD = "new-password-2026"


def _form(**fields):
    data = {
        "email": "Suzuki.Hanako@City.Example.jp",
        "name": "鈴木 花子",
        "name_kana": "すずき はなこ",
        "role": "auditor",
        "department_id": "",
        "contractor_id": "",
        "locale": "ja",
        "password": "initial-pass-123",
        "confirm": "initial-pass-123",
    }
    data.update(fields)
    return data


def _events(user_id, action=None):
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "user_account", AuditEvent.object_id == str(user_id))
        .order_by(AuditEvent.seq)
    )
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return db.session.scalars(stmt).all()


def _user(email):
    return db.session.scalars(select(User).where(User.email == email)).one_or_none()


def test_admin_registers_a_user_who_can_then_sign_in(app, client, make, login_as):
    department = make.department(name="市民課")
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/admin/users/new", data=_form(role="officer", department_id=str(department.id))
    )
    assert response.status_code == 302
    user = _user("suzuki.hanako@city.example.jp")
    assert user is not None and user.role == Role.OFFICER and user.department_id == department.id
    assert user.name_kana == "スズキ ハナコ"
    assert user.password_hash and "initial-pass-123" not in user.password_hash
    assert _events(user.id)[0].after["password_hash"] == "***"

    other = app.test_client()
    assert (
        other.post(
            "/login",
            data={"email": "SUZUKI.hanako@city.example.jp", "password": "initial-pass-123"},
        ).status_code
        == 302
    )


def test_email_must_be_unique_ignoring_case(client, make, login_as):
    make.user(Role.AUDITOR, email="tanaka@city.example.jp")
    login_as(make.user(Role.ADMIN))
    response = client.post("/admin/users/new", data=_form(email="TANAKA@City.Example.JP"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "このメールアドレスは既に登録されています。" in html
    assert "鈴木 花子" in html  # nothing typed is lost


def test_department_is_required_for_officers_and_sns_owners(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    for role in ("officer", "sns_owner"):
        response = client.post("/admin/users/new", data=_form(role=role))
        assert response.status_code == 200
        assert "この役割では所属の選択が必要です。" in response.get_data(as_text=True)
    assert _user("suzuki.hanako@city.example.jp") is None


def test_contractor_staff_are_invited_not_created_and_others_may_not_have_a_contractor(
    client, make, login_as
):
    contractor = make.contractor(name="但馬システム株式会社")
    login_as(make.user(Role.ADMIN))
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="contractor"' not in page and 'name="contractor_id"' not in page
    assert "「ポータル利用者（招待）」から招待してください" in page
    response = client.post(
        "/admin/users/new", data=_form(role="contractor", contractor_id=str(contractor.id))
    )
    assert response.status_code == 200
    assert _user("suzuki.hanako@city.example.jp") is None

    # Editing keeps the contractor field for the staff the portal invited.
    staff = make.user(Role.PROCUREMENT, email="staff@city.example.jp")
    response = client.post(
        f"/admin/users/{staff.id}/edit",
        data=_form(
            role="procurement", email="staff@city.example.jp", contractor_id=str(contractor.id)
        ),
    )
    assert "委託事業者を選択できるのは、役割が「委託事業者」の場合だけです。" in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/admin/users/{staff.id}/edit",
        data=_form(role="contractor", email="staff@city.example.jp"),
    )
    assert "役割が「委託事業者」の場合は、委託事業者の選択が必要です。" in response.get_data(
        as_text=True
    )


def test_the_service_refuses_to_create_contractor_staff(app, make):
    from vendorguard.core.errors import DomainError
    from vendorguard.org import user_services

    contractor = make.contractor()
    data = user_services.UserData(
        email="x@example.jp",
        name="委託 太郎",
        name_kana="いたく たろう",
        role="contractor",
        contractor_id=contractor.id,
    )
    with pytest.raises(DomainError, match="ポータル利用者（招待）"):
        user_services.create_user(db.session, data, "correct horse battery staple 9")


def test_initial_password_needs_twelve_characters_and_confirmation(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    html = client.post("/admin/users/new", data=_form(password="short", confirm="short")).get_data(
        as_text=True
    )
    assert "12文字以上で入力してください。" in html
    html = client.post("/admin/users/new", data=_form(confirm="something-else-1")).get_data(
        as_text=True
    )
    assert "確認用のパスワードが一致しません。" in html
    assert _user("suzuki.hanako@city.example.jp") is None


def test_edit_changes_details_and_is_audited(client, make, login_as):
    user = make.user(Role.AUDITOR, email="kansa@city.example.jp")
    department = make.department()
    login_as(make.user(Role.ADMIN))
    form = _form(
        email="kansa@city.example.jp",
        name="監査 太郎",
        role="officer",
        department_id=str(department.id),
    )
    del form["password"], form["confirm"]
    assert client.post(f"/admin/users/{user.id}/edit", data=form).status_code == 302
    db.session.refresh(user)
    assert user.role == Role.OFFICER and user.name == "監査 太郎"
    update = _events(user.id, "update")[-1]
    assert update.before["role"] == "auditor" and update.after["role"] == "officer"


def test_password_reset_is_audited_without_the_hash(app, client, make, login_as):
    user = make.user(Role.PROCUREMENT, email="keiyaku@city.example.jp")
    old_hash = user.password_hash
    login_as(make.user(Role.ADMIN))
    response = client.post(
        f"/admin/users/{user.id}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old_hash and user.check_password(NEW_PASSWORD)
    [event] = _events(user.id, "password_reset")
    assert event.after == {"password_hash": "***"} and event.before == {"password_hash": "***"}
    assert user.password_hash not in str(event.before) + str(event.after)
    assert (
        app.test_client()
        .post("/login", data={"email": user.email, "password": NEW_PASSWORD})
        .status_code
        == 302
    )


def test_password_reset_rejects_a_short_password(client, make, login_as):
    user = make.user(Role.PROCUREMENT)
    old_hash = user.password_hash
    login_as(make.user(Role.ADMIN))
    response = client.post(
        f"/admin/users/{user.id}/password", data={"password": "abc", "confirm": "abc"}
    )
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_admin_cannot_archive_or_demote_themselves(client, make, login_as):
    admin = make.user(Role.ADMIN, email="admin@city.example.jp")
    make.user(Role.ADMIN)  # another admin exists, so only the self-rule applies
    login_as(admin)
    response = client.post(f"/admin/users/{admin.id}/archive", follow_redirects=True)
    assert "自分自身をアーカイブすることはできません。" in response.get_data(as_text=True)
    form = _form(email=admin.email, name=admin.name, role="auditor")
    del form["password"], form["confirm"]
    response = client.post(f"/admin/users/{admin.id}/edit", data=form)
    assert "自分自身の役割を管理者から変更することはできません。" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.archived_at is None


def test_last_active_admin_can_never_be_archived_or_demoted(client, make, login_as):
    last = make.user(Role.ADMIN, email="last@city.example.jp")
    acting = make.user(Role.ADMIN, email="acting@city.example.jp")
    login_as(acting)
    # Archiving one of two admins is fine …
    assert client.post(f"/admin/users/{last.id}/archive").status_code == 302
    db.session.refresh(last)
    assert last.archived_at is not None
    client.post(f"/admin/users/{last.id}/restore")
    # … but once the other one is gone (say, archived in a parallel session), never the last one.
    # A disabled admin account does not count as an administrator.
    acting.archived_at = datetime.now(UTC)
    db.session.commit()
    disabled = make.user(Role.ADMIN, email="disabled@city.example.jp", active=False)
    db.session.refresh(last)
    with pytest.raises(
        DomainError, match="有効な管理者がこの利用者だけのため、アーカイブできません。"
    ):
        user_services.archive_user(db.session, last, disabled)
    db.session.rollback()
    data = user_services.UserData(email=last.email, name=last.name, name_kana="", role=Role.AUDITOR)
    with pytest.raises(
        DomainError, match="有効な管理者がこの利用者だけのため、役割を変更できません。"
    ) as raised:
        user_services.update_user(db.session, last, data, disabled)
    assert raised.value.field == "role"
    db.session.rollback()
    db.session.refresh(last)
    assert last.role == Role.ADMIN and last.archived_at is None


def test_archived_user_cannot_sign_in_until_restored(app, client, make, login_as):
    user = make.user(Role.AUDITOR)
    login_as(make.user(Role.ADMIN))
    client.post(f"/admin/users/{user.id}/archive")
    other = app.test_client()
    assert (
        other.post(
            "/login", data={"email": user.email, "password": "correct horse battery"}
        ).status_code
        == 200
    )
    client.post(f"/admin/users/{user.id}/restore")
    assert (
        other.post(
            "/login", data={"email": user.email, "password": "correct horse battery"}
        ).status_code
        == 302
    )
    assert [e.action for e in _events(user.id) if e.action in ("archive", "restore")] == [
        "archive",
        "restore",
    ]


def test_list_searches_filters_and_sorts(client, make, login_as):
    shimin = make.department(name="市民課")
    make.user(
        Role.OFFICER,
        department=shimin,
        name="山田 一郎",
        name_kana="ヤマダ イチロウ",
        email="yamada@city.example.jp",
    )
    make.user(
        Role.AUDITOR,
        name="秋山 次郎",
        name_kana="アキヤマ ジロウ",
        email="akiyama@city.example.jp",
        last_login_at=datetime.now(UTC) - timedelta(days=1),
    )
    make.user(
        Role.PROCUREMENT,
        name="佐藤 三郎",
        name_kana="サトウ サブロウ",
        email="sato@city.example.jp",
        archived_at=datetime.now(UTC),
    )
    login_as(make.user(Role.ADMIN, name="管理 者", name_kana="ン", email="admin@city.example.jp"))

    html = client.get("/admin/users/").get_data(as_text=True)
    assert html.index("秋山 次郎") < html.index("佐藤 三郎") < html.index("山田 一郎")
    html = client.get("/admin/users/?q=やまだ").get_data(as_text=True)
    assert "山田 一郎" in html and "秋山 次郎" not in html
    html = client.get("/admin/users/?q=AKIYAMA@").get_data(as_text=True)
    assert "秋山 次郎" in html and "山田 一郎" not in html
    html = client.get("/admin/users/?role=officer").get_data(as_text=True)
    assert "山田 一郎" in html and "秋山 次郎" not in html
    html = client.get(f"/admin/users/?department={shimin.id}").get_data(as_text=True)
    assert "山田 一郎" in html and "秋山 次郎" not in html
    html = client.get("/admin/users/?active=0").get_data(as_text=True)
    assert "佐藤 三郎" in html and "山田 一郎" not in html
    html = client.get("/admin/users/?active=1").get_data(as_text=True)
    assert "佐藤 三郎" not in html and "山田 一郎" in html
    html = client.get("/admin/users/?sort=last_login&dir=desc").get_data(as_text=True)
    # the admin just signed in, 秋山 yesterday, the others never
    assert html.index("管理 者") < html.index("秋山 次郎") < html.index("山田 一郎")
    html = client.get("/admin/users/?sort=role").get_data(as_text=True)
    assert (
        html.index("管理 者")
        < html.index("佐藤 三郎")
        < html.index("山田 一郎")
        < html.index("秋山 次郎")
    )


def test_only_admins_manage_users(client, make, login_as):
    user = make.user(Role.OFFICER)
    login_as(make.user(Role.AUDITOR))
    assert client.get("/admin/users/").status_code == 403
    assert client.get(f"/admin/users/{user.id}").status_code == 403
    assert client.post(f"/admin/users/{user.id}/archive").status_code == 403


def test_unknown_user_is_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.get("/admin/users/999999").status_code == 404
    assert client.get("/admin/users/999999/edit").status_code == 404


def test_user_list_query_count_does_not_grow(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    contractor = make.contractor()
    department = make.department()
    for _n in range(5):
        make.user(Role.OFFICER, department=department)
    make.user(Role.CONTRACTOR, contractor_id=contractor.id)
    client.get("/admin/users/")
    with count_queries() as few:
        assert client.get("/admin/users/?per_page=200").status_code == 200
    db.session.add_all(
        [
            User(
                email=f"bulk{n}@city.example.jp",
                name=f"一括{n}",
                name_kana=f"イッカツ{n}",
                role=Role.CONTRACTOR if n % 2 else Role.OFFICER,
                department_id=None if n % 2 else department.id,
                contractor_id=contractor.id if n % 2 else None,
            )
            for n in range(500)
        ]
    )
    db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/users/?per_page=200").status_code == 200
    assert few.count == many.count
