"""Periodic attestations: recorded, audited, bringing the register up to date and moving the
next review; overdue ones flagged; a department's drafts stay its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.social.test_social_accounts import reload
from vendorguard.approvals.models import ApprovalState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.dates import add_months
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.social.models import SocialAttestation


def attest_data(**overrides):
    """A complete attestation submission for today; an int override is a date that many days from
    today, reckoned when the test runs (parameters are made at collection, maybe the day before)."""
    today = today_tokyo()
    data = {
        "attested_on": today.isoformat(),
        "operators": "観光 一郎\n観光 二郎",
        "mfa": "on",
        "credential_custodian": "観光課長",
        "password_changed_on": (today - timedelta(days=10)).isoformat(),
        "recovery_contact_checked": "y",
        "notes": "異動なし",
    }
    data.update(
        {
            key: (today + timedelta(days=value)).isoformat() if isinstance(value, int) else value
            for key, value in overrides.items()
        }
    )
    return data


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 4, 1), 6, date(2026, 10, 1)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), -6, date(2025, 9, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_owner_attests_and_the_register_follows(client, make, login_as, complete_account):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(
        department,
        owner,
        approval_state=ApprovalState.APPROVED,
        operators="退職した人",
        mfa_enabled=False,
        next_review_on=today_tokyo() - timedelta(days=1),
    )
    login_as(owner)
    form = client.get(f"/social-accounts/{account.id}/attestations/new").get_data(as_text=True)
    assert "退職した人" in form and "秘書広報課長" in form  # prefilled with what the register says
    response = client.post(f"/social-accounts/{account.id}/attestations/new", data=attest_data())
    assert response.status_code == 302, response.get_data(as_text=True)
    attestation = db.session.scalars(select(SocialAttestation)).one()
    today = today_tokyo()
    assert (attestation.attested_by_id, attestation.attested_on) == (owner.id, today)
    assert attestation.operators == "観光 一郎\n観光 二郎" and attestation.mfa_enabled
    assert attestation.credentials_ok and attestation.notes == "異動なし"
    account = reload(account)
    assert account.operators == "観光 一郎\n観光 二郎" and account.mfa_enabled is True
    assert account.credential_custodian == "観光課長"
    assert account.next_review_on == attestation.next_review_on == add_months(today, 6)
    assert not account.attestation_overdue()

    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type.in_(["social_attestation", "social_account"]))
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.object_type, e.action) for e in events][-2:] == [
        ("social_attestation", "create"),
        ("social_account", "attest"),
    ]
    assert events[-2].after["operators"] == "観光 一郎\n観光 二郎"  # the snapshot is in the trail

    html = client.get(f"/social-accounts/{account.id}/attestations").get_data(as_text=True)
    assert "観光 一郎、観光 二郎" in html and "問題なし" in html and owner.name in html


def test_the_period_comes_from_the_configuration(app, client, make, login_as, complete_account):
    app.config["SNS_ATTESTATION_MONTHS"] = 3
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner, approval_state=ApprovalState.APPROVED)
    login_as(owner)
    client.post(f"/social-accounts/{account.id}/attestations/new", data=attest_data())
    assert reload(account).next_review_on == add_months(today_tokyo(), 3)
    assert "3か月ごとに" in client.get(f"/social-accounts/{account.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides",
    [
        {"recovery_contact_checked": ""},
        {"password_changed_on": ""},
        {"password_changed_on": -400},
    ],
)
def test_credentials_not_ok_is_recorded_and_flagged(
    client, make, login_as, complete_account, overrides
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner, approval_state=ApprovalState.APPROVED)
    login_as(owner)
    response = client.post(
        f"/social-accounts/{account.id}/attestations/new",
        data=attest_data(**overrides),
        follow_redirects=True,
    )
    assert "認証情報の管理に要対応の項目があります" in response.get_data(as_text=True)
    assert db.session.scalars(select(SocialAttestation)).one().credentials_ok is False
    assert "認証情報の管理に要対応" in client.get(f"/social-accounts/{account.id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"attested_on": 1},
            "確認日に未来の日付は指定できません。",
        ),
        ({"operators": " \n "}, "入力してください。"),
        ({"credential_custodian": ""}, "入力してください。"),
        ({"mfa": ""}, "一覧から選んでください。"),
        (
            {"password_changed_on": 1},
            "パスワードの変更日は確認日以前の日付にしてください。",
        ),
    ],
)
def test_bad_attestations_explain_and_keep_the_input(
    client, make, login_as, complete_account, overrides, message
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner)
    login_as(owner)
    response = client.post(
        f"/social-accounts/{account.id}/attestations/new", data=attest_data(**overrides)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "異動なし" in html
    assert db.session.scalars(select(SocialAttestation)).first() is None


def test_an_attestation_cannot_be_dated_before_the_previous_one(
    client, make, login_as, complete_account
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner)
    login_as(owner)
    client.post(f"/social-accounts/{account.id}/attestations/new", data=attest_data())
    earlier = (today_tokyo() - timedelta(days=3)).isoformat()
    html = client.post(
        f"/social-accounts/{account.id}/attestations/new",
        data=attest_data(attested_on=earlier, password_changed_on=""),
    ).get_data(as_text=True)
    assert "前回の確認日" in html and "より前の日付は指定できません。" in html
    assert db.session.scalar(select(func.count(SocialAttestation.id))) == 1


def test_overdue_attestations_are_flagged_and_filtered(client, make, login_as, complete_account):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    today = today_tokyo()
    late = complete_account(
        department,
        owner,
        title="期限切れ",
        approval_state=ApprovalState.APPROVED,
        next_review_on=today - timedelta(days=1),
    )
    complete_account(
        department,
        owner,
        title="期限内",
        approval_state=ApprovalState.APPROVED,
        next_review_on=today + timedelta(days=30),
    )
    complete_account(department, owner, title="下書き", next_review_on=today - timedelta(days=100))
    login_as(owner)
    html = client.get("/social-accounts/?overdue=1").get_data(as_text=True)
    assert "期限切れ</a>" in html and "期限内</a>" not in html and "下書き</a>" not in html
    assert "定期確認 期限切れ" in html
    assert "定期確認 期限切れ" in client.get(f"/social-accounts/{late.id}").get_data(as_text=True)
    client.post(f"/social-accounts/{late.id}/attestations/new", data=attest_data())
    assert "該当するアカウントはありません。" in client.get("/social-accounts/?overdue=1").get_data(
        as_text=True
    )


def test_who_may_read_and_record_attestations(client, make, login_as, complete_account):
    mine, theirs = make.department(), make.department()
    draft = complete_account(theirs)
    published = complete_account(theirs, approval_state=ApprovalState.APPROVED)
    for role in (Role.SNS_OWNER, Role.OFFICER):
        login_as(make.user(role, department=mine))
        assert client.get(f"/social-accounts/{draft.id}/attestations").status_code == 404
        assert client.get(f"/social-accounts/{draft.id}/attestations/new").status_code == 404
        assert (
            client.post(
                f"/social-accounts/{draft.id}/attestations/new", data=attest_data()
            ).status_code
            == 404
        )
        assert client.get(f"/social-accounts/{published.id}/attestations").status_code == 200
        assert (
            client.post(
                f"/social-accounts/{published.id}/attestations/new", data=attest_data()
            ).status_code
            == 403
        )
    login_as(make.user(Role.AUDITOR))
    assert client.get(f"/social-accounts/{draft.id}/attestations").status_code == 200
    assert (
        client.post(f"/social-accounts/{draft.id}/attestations/new", data=attest_data()).status_code
        == 403
    )
    login_as(make.user(Role.PROCUREMENT))
    assert client.get(f"/social-accounts/{published.id}/attestations").status_code == 403
    assert db.session.scalars(select(SocialAttestation)).first() is None
    login_as(make.user(Role.SNS_OWNER, department=theirs))
    assert (
        client.post(f"/social-accounts/{draft.id}/attestations/new", data=attest_data()).status_code
        == 302
    )


def test_history_runs_a_fixed_number_of_queries(
    client, make, login_as, count_queries, complete_account
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner)
    login_as(owner)

    def add(count):
        db.session.add_all(
            [
                SocialAttestation(
                    account_id=account.id,
                    attested_by_id=owner.id,
                    attested_on=date(2020, 1, 1) + timedelta(days=i),
                    operators="広報 太郎",
                    mfa_enabled=True,
                    credential_custodian="課長",
                    credentials_ok=bool(i % 2),
                    next_review_on=date(2030, 1, 1),
                )
                for i in range(count)
            ]
        )
        db.session.commit()

    add(5)
    url = f"/social-accounts/{account.id}/attestations?per_page=200"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(495)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count("広報 太郎") == 200
    assert few.count == many.count
