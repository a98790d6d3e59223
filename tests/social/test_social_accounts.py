"""The social account register: CRUD, approval, permissions and the draft visibility rule."""

from __future__ import annotations

from sqlalchemy import select

from vendorguard.approvals.models import ApprovalState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.social.models import Platform, SocialAccount


def form_data(department, **overrides):
    """A complete, valid submission of the account form."""
    data = {
        "title": "豊岡市公式X",
        "platform": "x",
        "platform_other": "",
        "handle": "@toyooka_city",
        "account_url": "https://x.com/toyooka_city",
        "department_id": str(department.id),
        "responsible_officer_id": "0",
        "operators": "",
        "purpose": "市政情報の発信",
        "posting_rules": "",
        "operating_procedure": "",
        "official_list_url": "",
        "credential_custodian": "",
        "recovery_contact": "",
        "state": "active",
        "mfa": "unknown",
    }
    data.update(overrides)
    return data


def reload(account):
    """The account as stored now."""
    db.session.expire_all()
    return db.session.get(SocialAccount, account.id)


def actions(account):
    """Audit actions recorded for an account, oldest first."""
    return db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "social_account", AuditEvent.object_id == str(account.id))
        .order_by(AuditEvent.seq)
    ).all()


def test_sns_owner_registers_edits_archives_and_restores(client, make, login_as):
    department = make.department(name="秘書広報課")
    owner = make.user(Role.SNS_OWNER, department=department)
    login_as(owner)
    response = client.post(
        "/social-accounts/new",
        data=form_data(
            department,
            responsible_officer_id=str(owner.id),
            operators="広報 太郎\n\n  広報 花子  \n",
            mfa="on",
            profile_names_department="y",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    account = db.session.scalars(select(SocialAccount)).one()
    assert account.operators == "広報 太郎\n広報 花子" and account.mfa_enabled is True
    assert account.profile_names_department and account.state.value == "active"
    assert account.approval_state == ApprovalState.NOT_APPLIED

    client.post(
        f"/social-accounts/{account.id}/edit",
        data=form_data(
            department, platform="other", platform_other="Threads", handle="toyooka.city", mfa="off"
        ),
    )
    account = reload(account)
    assert account.platform == Platform.OTHER and account.platform_label == "Threads"
    assert (
        account.mfa_enabled is False and not account.profile_names_department
    )  # unchecked box: off
    client.post(f"/social-accounts/{account.id}/archive")
    assert reload(account).archived_at is not None
    client.post(f"/social-accounts/{account.id}/restore")
    assert reload(account).archived_at is None
    assert actions(account) == ["create", "update", "archive", "restore"]


def test_bad_submission_explains_and_keeps_input(client, make, login_as):
    department = make.department()
    login_as(make.user(Role.SNS_OWNER, department=department))
    response = client.post(
        "/social-accounts/new",
        data=form_data(
            department,
            platform="other",
            account_url="ftp://example.jp",
            posting_rules="書きかけのルール",
            handle="",
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "「その他」を選んだ場合はプラットフォーム名を入力してください。" in html
    assert "http:// または https:// で始まるURLを入力してください。" in html
    assert "入力してください。" in html and "書きかけのルール" in html
    assert db.session.scalars(select(SocialAccount)).first() is None


def test_same_handle_on_the_same_platform_is_refused(client, make, login_as):
    department = make.department()
    make.social_account(department=department, platform=Platform.X, handle="@Toyooka_City")
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/social-accounts/new", data=form_data(department, handle="toyooka_city")
    )
    assert "このプラットフォームのこのアカウントIDは既に登録されています。" in response.get_data(
        as_text=True
    )
    response = client.post(
        "/social-accounts/new",
        data=form_data(department, platform="instagram", handle="toyooka_city"),
    )
    assert response.status_code == 302


def test_apply_approve_reject_flow_is_audited(client, make, login_as):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    admin = make.user(Role.ADMIN)
    account = make.social_account(department=department)
    login_as(owner)
    client.post(f"/social-accounts/{account.id}/apply")
    assert reload(account).approval_state == ApprovalState.NOT_APPLIED  # incomplete: refused
    html = client.get(f"/social-accounts/{account.id}").get_data(as_text=True)
    assert "未整備の項目があるため申請できません。" in html and "責任者が指定されていません" in html
    assert (
        f'/social-accounts/{account.id}/apply"' not in html
    )  # no button while something is missing
    client.post(
        f"/social-accounts/{account.id}/edit",
        data=form_data(
            department,
            handle=account.handle,
            responsible_officer_id=str(owner.id),
            mfa="on",
            posting_rules="観光情報のみ",
            operating_procedure="手順のとおり",
            official_list_url="https://www.city.example.jp/sns/",
            credential_custodian="観光課長",
        ),
    )
    client.post(f"/social-accounts/{account.id}/apply")
    assert reload(account).approval_state == ApprovalState.APPLIED
    assert client.post(f"/social-accounts/{account.id}/approve").status_code == 403

    login_as(admin)
    response = client.post(f"/social-accounts/{account.id}/reject", data={"reject_comment": ""})
    assert response.status_code == 200 and reload(account).approval_state == ApprovalState.APPLIED
    client.post(
        f"/social-accounts/{account.id}/reject", data={"reject_comment": "運用手順を詳しく"}
    )
    account = reload(account)
    assert account.approval_state == ApprovalState.REJECTED and account.approved_by_id == admin.id
    assert account.approval_comment == "運用手順を詳しく"

    login_as(owner)
    client.post(f"/social-accounts/{account.id}/apply")
    login_as(admin)
    client.post(f"/social-accounts/{account.id}/approve", data={"approval_comment": "承認します"})
    account = reload(account)
    assert account.approval_state == ApprovalState.APPROVED and account.approved_at is not None
    assert account.next_review_on is not None  # the first attestation falls due six months on
    assert actions(account) == ["create", "update", "apply", "reject", "apply", "approve"]


def test_detail_lists_what_is_still_missing(client, make, login_as, complete_account):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    bare = make.social_account(department=department)
    complete = complete_account(department, officer, profile_names_department=True)
    login_as(officer)
    html = client.get(f"/social-accounts/{bare.id}").get_data(as_text=True)
    assert "未整備の項目" in html and "未整備</span>" in html
    for text in (
        "責任者が指定されていません",
        "アカウントのURLが登録されていません",
        "運用手順が登録されていません",
        "投稿ルール）が登録されていません",
        "市公式サイトの一覧ページに掲載されていません",
        "多要素認証の設定状況が確認されていません",
        "認証情報の管理者が決まっていません",
        "プロフィールに所管課名が明記されていません",
    ):
        assert text in html, text
    html = client.get(f"/social-accounts/{complete.id}").get_data(as_text=True)
    assert "未整備の項目" not in html and "未整備</span>" not in html and "秘書広報課長" in html
    assert "対策が不十分な項目" not in html


def test_department_confinement(client, make, login_as):
    mine, theirs = make.department(), make.department()
    published = make.social_account(department=theirs, approval_state=ApprovalState.APPROVED)
    for role in (Role.OFFICER, Role.SNS_OWNER):
        login_as(make.user(role, department=mine))
        assert client.get(f"/social-accounts/{published.id}").status_code == 200
        assert client.get(f"/social-accounts/{published.id}/edit").status_code == 403
        assert (
            client.post(
                f"/social-accounts/{published.id}/edit",
                data=form_data(theirs, handle=published.handle),
            ).status_code
            == 403
        )
        for action in ("archive", "apply"):
            assert client.post(f"/social-accounts/{published.id}/{action}").status_code == 403
        response = client.post(
            "/social-accounts/new", data=form_data(theirs, handle=f"@{role.value}")
        )
        assert response.status_code == 200 and "一覧から選んでください。" in response.get_data(
            as_text=True
        )
    assert reload(published).archived_at is None
    assert db.session.scalars(select(SocialAccount)).all() == [published]


def test_auditor_reads_but_cannot_change(client, make, login_as):
    department = make.department()
    account = make.social_account(department=department, approval_state=ApprovalState.APPLIED)
    login_as(make.user(Role.AUDITOR))
    assert client.get("/social-accounts/").status_code == 200
    html = client.get(f"/social-accounts/{account.id}").get_data(as_text=True)
    assert "承認する" not in html and "編集" not in html
    assert client.post("/social-accounts/new", data=form_data(department)).status_code == 403
    for action in ("edit", "archive", "restore", "apply", "approve", "reject"):
        assert client.post(f"/social-accounts/{account.id}/{action}").status_code == 403, action


def test_procurement_and_contractors_cannot_open_social_accounts(client, make, login_as):
    account = make.social_account(approval_state=ApprovalState.APPROVED)
    login_as(make.user(Role.PROCUREMENT))
    assert client.get("/social-accounts/").status_code == 403
    assert client.get(f"/social-accounts/{account.id}").status_code == 403
    assert client.get("/cloud-services/").status_code == 200
    login_as(make.user(Role.CONTRACTOR, contractor_id=make.contractor().id))
    assert client.get("/social-accounts/").status_code == 403
    assert client.get(f"/social-accounts/{account.id}").status_code == 403


def test_drafts_are_seen_only_by_their_department_admin_and_auditor(client, make, login_as):
    mine, theirs = make.department(), make.department()
    drafts = {
        state: make.social_account(
            department=theirs, title=f"下書き{state.value}", approval_state=state
        )
        for state in (ApprovalState.NOT_APPLIED, ApprovalState.APPLIED, ApprovalState.REJECTED)
    }
    make.social_account(department=theirs, title="公開済み", approval_state=ApprovalState.APPROVED)
    make.social_account(department=theirs, title="期限切れ", approval_state=ApprovalState.EXPIRED)
    make.social_account(department=mine, title="自課の下書き")
    draft_titles = {f"下書き{state.value}" for state in drafts}

    for role in (Role.OFFICER, Role.SNS_OWNER):
        login_as(make.user(role, department=mine))
        html = client.get("/social-accounts/?per_page=50").get_data(as_text=True)
        assert "公開済み" in html and "期限切れ" in html and "自課の下書き" in html
        assert not any(title in html for title in draft_titles)
        assert "全3件" in html
        for draft in drafts.values():
            assert client.get(f"/social-accounts/{draft.id}").status_code == 404
            assert client.post(f"/social-accounts/{draft.id}/archive").status_code == 404
    login_as(make.user(Role.SNS_OWNER, department=theirs))
    html = client.get("/social-accounts/").get_data(as_text=True)
    assert all(title in html for title in draft_titles) and "自課の下書き" not in html
    for role in (Role.ADMIN, Role.AUDITOR):
        login_as(make.user(role))
        html = client.get("/social-accounts/").get_data(as_text=True)
        assert all(title in html for title in draft_titles | {"自課の下書き", "公開済み"})
        assert client.get(f"/social-accounts/{drafts[ApprovalState.APPLIED].id}").status_code == 200


def test_unknown_account_is_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.get("/social-accounts/424242").status_code == 404
