"""Inviting contractor staff by e-mail (a real SMTP server on loopback) and setting the password."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.portal.conftest import link_in, mail_text
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db
from vendorguard.portal.models import Invitation

BASE = "https://vendorguard.city.example.jp"


def _invite(client, contractor, email="yamada@tajima-dc.example.jp", name="山田 太郎"):
    return client.post(
        f"/portal/admin/contractors/{contractor.id}/users",
        data={"name": name, "name_kana": "やまだ たろう", "email": email},
    )


def test_invitation_mail_set_password_and_straight_into_the_portal(
    app, client, make, login_as, smtp_inbox
):
    app.config["BASE_URL"] = BASE
    from vendorguard.city import services as profile

    profile.save(db.session, profile.CityData(name="みほん市"))
    db.session.commit()
    contractor = make.contractor(name="但馬データセンター株式会社")
    login_as(make.user(Role.PROCUREMENT))
    response = _invite(client, contractor, email="Yamada@Tajima-DC.example.jp")
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.role == Role.CONTRACTOR)).one()
    assert (user.email, user.contractor_id, user.active, user.password_hash) == (
        "yamada@tajima-dc.example.jp",
        contractor.id,
        False,
        "",
    )
    assert user.name_kana == "ヤマダ タロウ"
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "yamada@tajima-dc.example.jp に招待メールを送信しました" in listing and "招待中" in listing
    )

    (message,) = smtp_inbox.messages
    assert message["To"] == "yamada@tajima-dc.example.jp"
    assert message["Subject"] == "【みほん市】委託事業者ポータルへのご招待"
    text = mail_text(message)
    assert (
        "但馬データセンター株式会社" in text
        and "山田 太郎 様" in text
        and "パスワードを設定してください" in text
    )
    path = link_in(text, BASE)
    token = path.rsplit("/", 1)[1]
    invitation = db.session.scalars(select(Invitation)).one()
    assert token not in invitation.nonce_hash and len(invitation.nonce_hash) == 64

    visitor = app.test_client()
    page = visitor.get(path).get_data(as_text=True)
    assert (
        "パスワードの設定" in page
        and "yamada@tajima-dc.example.jp" in page
        and "但馬データセンター株式会社" in page
    )
    short = visitor.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 200 and "12文字以上で入力してください" in short.get_data(
        as_text=True
    )
    mismatch = visitor.post(
        path, data={"password": "tajima-secret-2026", "confirm": "tajima-secret-2027"}
    )
    assert "確認用のパスワードが一致しません" in mismatch.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.active and db.session.get(Invitation, invitation.id).used_at is None

    done = visitor.post(
        path, data={"password": "tajima-secret-2026", "confirm": "tajima-secret-2026"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/portal/")
    home = visitor.get("/portal/").get_data(as_text=True)
    assert "パスワードを設定しました" in home and "山田 太郎" in home
    db.session.refresh(user)
    assert user.active and user.check_password("tajima-secret-2026")
    assert db.session.get(Invitation, invitation.id).used_at is not None

    # Single use: the same link again is gone, and changes nothing.
    again = app.test_client().post(
        path, data={"password": "another-password-1", "confirm": "another-password-1"}
    )
    assert again.status_code == 410 and "既に使用されています" in again.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password("tajima-secret-2026")
    # And the new password works on the ordinary sign-in page.
    fresh = app.test_client()
    signed_in = fresh.post("/login", data={"email": user.email, "password": "tajima-secret-2026"})
    assert signed_in.headers["Location"].endswith("/portal/")


def test_unknown_expired_and_replaced_links_are_refused_and_change_nothing(
    app, client, make, login_as, smtp_inbox
):
    app.config["BASE_URL"] = BASE
    contractor = make.contractor()
    login_as(make.user(Role.ADMIN))
    _invite(client, contractor)
    first = link_in(mail_text(smtp_inbox.messages[0]), BASE)
    user = db.session.scalars(select(User).where(User.role == Role.CONTRACTOR)).one()
    visitor = app.test_client()

    assert visitor.get(first[:-4] + "abcd").status_code == 404
    unknown = visitor.get("/portal/invitation/not-a-token")
    assert unknown.status_code == 404 and "このリンクは無効です" in unknown.get_data(as_text=True)

    invitation = db.session.scalars(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = visitor.post(first, data={"password": "long-enough-pw", "confirm": "long-enough-pw"})
    assert expired.status_code == 410 and "有効期限が切れています" in expired.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.active and user.password_hash == ""

    # Re-inviting sends a new link; the old one stops working.
    response = client.post(f"/portal/admin/contractors/{contractor.id}/users/{user.id}/reinvite")
    assert response.status_code == 302
    second = link_in(mail_text(smtp_inbox.messages[1]), BASE)
    assert second != first
    assert visitor.get(first).status_code == 410
    assert visitor.get(second).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 2


def test_an_address_of_city_staff_or_another_company_is_refused(client, make, login_as):
    contractor, other = make.contractor(), make.contractor()
    staff = make.user(Role.OFFICER, email="kikaku@city.example.jp")
    make.user(Role.CONTRACTOR, contractor_id=other.id, email="sato@other.example.jp")
    login_as(make.user(Role.PROCUREMENT))
    response = _invite(client, contractor, email=staff.email)
    assert "市の職員の利用者として登録されています" in response.get_data(as_text=True)
    response = _invite(client, contractor, email="SATO@other.example.jp")
    assert "別の委託事業者の利用者として登録されています" in response.get_data(as_text=True)
    response = _invite(client, contractor, email="not-an-address")
    assert "メールアドレスの形式が正しくありません" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_without_a_mail_host_the_invitation_is_written_to_the_log(
    app, client, make, login_as, caplog
):
    app.config["MAIL_HOST"] = ""
    contractor = make.contractor()
    login_as(make.user(Role.PROCUREMENT))
    with caplog.at_level("INFO", logger="vendorguard.mail"):
        _invite(client, contractor, email="log@example.jp")
    assert "log@example.jp" in caplog.text and "/portal/invitation/" in caplog.text
    assert (
        "委託事業者ポータルへのご招待" in caplog.text
    )  # readable, not base64: someone passes the link on


def test_only_admin_and_procurement_may_invite(app, make, two_contractors):
    from tests.conftest import login

    a = two_contractors[0]
    for role in (Role.OFFICER, Role.AUDITOR, Role.SNS_OWNER):
        other = app.test_client()
        login(other, make.user(role))
        assert other.get(f"/portal/admin/contractors/{a.contractor.id}/users").status_code == 403
        assert (
            other.post(
                f"/portal/admin/contractors/{a.contractor.id}/users",
                data={"name": "x", "email": "x@example.jp"},
            ).status_code
            == 403
        )
    contractor_client = app.test_client()
    login(contractor_client, a.user)  # the fence keeps contractors out of the city's pages
    assert (
        contractor_client.get(f"/portal/admin/contractors/{a.contractor.id}/users").status_code
        == 403
    )


def test_stopping_a_user_ends_sign_in_and_kills_open_invitations(
    app, client, make, login_as, two_contractors
):
    from tests.conftest import login

    a = two_contractors[0]
    portal = app.test_client()
    login(portal, a.user)
    login_as(make.user(Role.PROCUREMENT))
    client.post(f"/portal/admin/contractors/{a.contractor.id}/users/{a.user.id}/archive")
    assert db.session.get(User, a.user.id).archived_at is not None
    assert "/login" in portal.get("/portal/").headers["Location"]  # the open session ends too
    page = client.get(f"/portal/admin/contractors/{a.contractor.id}/users").get_data(as_text=True)
    assert "利用停止" in page
    refused = client.post(f"/portal/admin/contractors/{a.contractor.id}/users/{a.user.id}/reinvite")
    assert "利用停止中です" in client.get(refused.headers["Location"]).get_data(as_text=True)
    client.post(f"/portal/admin/contractors/{a.contractor.id}/users/{a.user.id}/restore")
    assert db.session.get(User, a.user.id).archived_at is None
    # Another company's user cannot be touched through this contractor's URLs.
    b = two_contractors[1]
    assert (
        client.post(
            f"/portal/admin/contractors/{a.contractor.id}/users/{b.user.id}/archive"
        ).status_code
        == 404
    )


def test_two_simultaneous_submissions_of_one_link_set_the_password_once(make):
    from sqlalchemy import update

    from vendorguard.portal import services, tokens
    from vendorguard.portal.services import Refused

    contractor = make.contractor()
    user, invitation, nonce = services.invite_contractor_user(
        db.session,
        contractor,
        services.InvitationData("race@example.jp", "競合 太郎"),
        invited_by=None,
        days=7,
    )
    db.session.commit()
    # Both requests found the invitation unused; the other one is a moment faster.
    token = tokens.invitation_token(invitation.id, nonce)
    found = services.find_invitation(db.session, tokens.read_invitation_token(token))
    with db.engine.begin() as conn:
        conn.execute(
            update(Invitation).where(Invitation.id == invitation.id).values(used_at=utcnow())
        )
    try:
        services.accept_invitation(db.session, found, "slower-password-1")
    except Refused as error:
        assert error.status == 410 and error.reason == "used"
    else:
        raise AssertionError("the second submission set the password too")
    db.session.rollback()
    assert db.session.get(User, user.id).password_hash == ""


def test_the_users_page_runs_the_same_number_of_queries_for_5_and_500_users(
    client, make, login_as, count_queries
):
    contractor = make.contractor()
    login_as(make.user(Role.PROCUREMENT))
    counter = iter(range(100000))

    def add(n):
        users = [
            User(
                email=f"staff{next(counter)}@example.jp",
                name="担当者",
                role=Role.CONTRACTOR,
                contractor_id=contractor.id,
                active=False,
            )
            for _ in range(n)
        ]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all(
            [
                Invitation(
                    user_id=user.id,
                    nonce_hash=f"{user.id:064d}",
                    expires_at=utcnow() + timedelta(days=1),
                )
                for user in users[::2]
            ]
        )
        db.session.commit()

    add(5)
    with count_queries() as small:
        assert client.get(f"/portal/admin/contractors/{contractor.id}/users").status_code == 200
    add(495)
    with count_queries() as large:
        html = client.get(f"/portal/admin/contractors/{contractor.id}/users").get_data(as_text=True)
    assert html.count("@example.jp</td>") == 500
    assert small.count == large.count
