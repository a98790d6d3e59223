"""The guided registration: the order of the form, what makes an account complete, the MFA
question with three answers, and approvals withdrawn when what the public sees changes."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from tests.social.test_social_accounts import form_data, reload
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.documents import services as documents
from vendorguard.extensions import db
from vendorguard.social.models import SocialAccount
from vendorguard.storage import get_storage


def complete_form(department, officer, **overrides):
    """A submission of the guided form with everything the policy asks for."""
    values = {
        "responsible_officer_id": str(officer.id),
        "operators": "広報 太郎",
        "mfa": "on",
        "posting_rules": "イベント情報のみ",
        "operating_procedure": "係長の確認後に投稿する。",
        "official_list_url": "https://www.city.example.jp/sns/",
        "credential_custodian": "秘書広報課長",
        "recovery_contact": "kouhou@city.example.jp",
        "profile_names_department": "y",
    }
    values.update(overrides)
    return form_data(department, **values)


def test_the_form_asks_in_the_order_a_clerk_thinks_with_the_policys_hints(client, make, login_as):
    department = make.department()
    login_as(make.user(Role.SNS_OWNER, department=department))
    html = client.get("/social-accounts/new").get_data(as_text=True)
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends == [
        "1. アカウント",
        "2. 責任者・運用担当者",
        "3. 投稿ルール・運用手順",
        "4. なりすまし対策",
        "5. 認証情報の管理",
    ]
    for hint in (
        "機密性2以上の情報",
        "公式アカウントを一覧にしている市のページ",
        "プロフィールに所管課名を明記",
        "認証バッジ",
        "乗っ取り対策として必ず有効に",
        "認証に使う端末を管理する人",
        "担当者が異動しても受け取れる",
        "手順書ファイルを登録",
        "アカウントごとに責任者を定めます",
    ):
        assert hint in html, hint
    # A new account's MFA state starts as "not yet checked", its state as running.
    assert re.search(
        r'<input[^>]*checked[^>]*value="unknown"|<input[^>]*value="unknown"[^>]*checked', html
    )
    assert re.search(r'<option selected value="active">|<option value="active" selected>', html)


def test_an_incomplete_account_is_saved_flagged_and_cannot_be_applied_for(client, make, login_as):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    login_as(owner)
    response = client.post("/social-accounts/new", data=form_data(department, title="書きかけ"))
    assert response.status_code == 302
    account = db.session.scalars(select(SocialAccount)).one()
    assert not account.is_complete and account.mfa_enabled is None
    html = client.get("/social-accounts/").get_data(as_text=True)
    assert "未整備</span>" in html
    response = client.post(f"/social-accounts/{account.id}/apply", follow_redirects=True)
    assert "未整備の項目があるため申請できません。" in response.get_data(as_text=True)
    assert reload(account).approval_state == ApprovalState.NOT_APPLIED


def test_each_missing_item_alone_blocks_the_application(client, make, login_as):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    login_as(owner)
    blanks = {
        "responsible_officer_id": "0",
        "account_url": "",
        "operating_procedure": "",
        "posting_rules": "",
        "official_list_url": "",
        "mfa": "unknown",
        "credential_custodian": "",
    }
    for number, (name, blank) in enumerate(blanks.items()):
        client.post(
            "/social-accounts/new",
            data=complete_form(department, owner, handle=f"@gap{number}", **{name: blank}),
        )
        account = db.session.scalars(
            select(SocialAccount).where(SocialAccount.handle == f"@gap{number}")
        ).one()
        assert len(account.missing_items) == 1, name
        client.post(f"/social-accounts/{account.id}/apply")
        assert reload(account).approval_state == ApprovalState.NOT_APPLIED, name


def test_mfa_off_is_allowed_but_flagged(client, make, login_as):
    department = make.department()
    owner, admin = make.user(Role.SNS_OWNER, department=department), make.user(Role.ADMIN)
    login_as(owner)
    client.post("/social-accounts/new", data=complete_form(department, owner, mfa="off"))
    account = db.session.scalars(select(SocialAccount)).one()
    assert account.mfa_enabled is False and account.is_complete
    html = client.get(f"/social-accounts/{account.id}").get_data(as_text=True)
    assert "多要素認証が有効になっていません" in html and "多要素認証なし</span>" in html
    client.post(f"/social-accounts/{account.id}/apply")
    login_as(admin)
    client.post(f"/social-accounts/{account.id}/approve")
    assert reload(account).approval_state == ApprovalState.APPROVED
    # The edit form shows the stored answer again.
    html = client.get(f"/social-accounts/{account.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="off"|<input[^>]*value="off"[^>]*checked', html)


def test_an_uploaded_or_generated_procedure_counts_as_the_procedure(app, client, make, login_as):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    login_as(owner)
    client.post(
        "/social-accounts/new",
        data=complete_form(department, owner, operating_procedure="", handle="@a"),
    )
    client.post(
        "/social-accounts/new",
        data=complete_form(department, owner, operating_procedure="", handle="@b"),
    )
    uploaded, generated = db.session.scalars(
        select(SocialAccount).order_by(SocialAccount.handle)
    ).all()
    assert reload(uploaded).missing_items == ["運用手順が登録されていません"]

    client.post(
        f"/social-accounts/{uploaded.id}/procedures",
        data={"file": (io.BytesIO(b"%PDF-1.4 procedure"), "SNS運用手順.pdf")},
        content_type="multipart/form-data",
    )
    documents.generate_from_articles(db.session, get_storage(app), reload(generated), owner, [])[0]
    db.session.commit()
    assert reload(uploaded).is_complete and reload(generated).is_complete
    html = client.get("/social-accounts/?incomplete=1").get_data(as_text=True)
    assert "該当するアカウントはありません。" in html
    for account in (uploaded, generated):
        client.post(f"/social-accounts/{account.id}/apply")
        assert reload(account).approval_state == ApprovalState.APPLIED


def test_approval_is_refused_when_an_applied_account_lost_an_item(
    client, make, login_as, complete_account
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner, approval_state=ApprovalState.APPLIED)
    login_as(owner)
    client.post(
        f"/social-accounts/{account.id}/edit",
        data=complete_form(
            department,
            owner,
            handle=account.handle,
            account_url=account.account_url,
            posting_rules="",
        ),
    )
    login_as(make.user(Role.ADMIN))
    response = client.post(f"/social-accounts/{account.id}/approve", data={"approval_comment": ""})
    assert "申請後に未整備の項目ができたため承認できません。" in response.get_data(as_text=True)
    assert reload(account).approval_state == ApprovalState.APPLIED


def test_changing_what_the_public_sees_withdraws_the_approval(
    client, make, login_as, complete_account
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(
        department,
        owner,
        title="豊岡市公式X",
        handle="@toyooka_city",
        approval_state=ApprovalState.APPROVED,
    )
    login_as(owner)
    same = complete_form(
        department,
        owner,
        title="豊岡市公式X",
        handle="@toyooka_city",
        account_url=account.account_url,
    )
    client.post(
        f"/social-accounts/{account.id}/edit", data=dict(same, posting_rules="防災情報も発信する")
    )
    assert (
        reload(account).approval_state == ApprovalState.APPROVED
    )  # rules are not on the public page

    response = client.post(
        f"/social-accounts/{account.id}/edit",
        data=dict(same, account_url="https://x.com/toyooka_city_fake"),
        follow_redirects=True,
    )
    assert "承認が取り消されました" in response.get_data(as_text=True)
    assert reload(account).approval_state == ApprovalState.NOT_APPLIED
