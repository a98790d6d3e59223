"""Subcontractors (再委託先): the subcontracting switch, My Number rules and the city's approval."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from tests.engagements.helpers import audit_actions, engagement_form
from vendorguard.auth.roles import Role
from vendorguard.contractors import corporate_number
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Subcontractor
from vendorguard.extensions import db

MY_NUMBER_REFUSAL = "マイナンバー（特定個人情報）を取り扱う業務では、市の許諾のない再委託はできません（番号法第10条第1項。再委託先が更に委託するときも同じです（同条第2項））。"


def _subs(engagement) -> list[Subcontractor]:
    return list(
        db.session.scalars(
            select(Subcontractor).where(Subcontractor.engagement_id == engagement.id)
        )
    )


def _edit_form(engagement, **changes) -> dict[str, str]:
    """The engagement's edit form as a browser would post it, with ``changes``."""
    flags = {
        name: "y"
        for name in ("handles_personal_info", "handles_my_number", "subcontracting_allowed")
        if getattr(engagement, name)
    }
    flags.update(changes)
    return engagement_form(
        SimpleNamespace(id=engagement.department_id),
        SimpleNamespace(id=engagement.contractor_id),
        contract_number=engagement.contract_number,
        **flags,
    )


def test_subcontractors_cannot_be_added_when_subcontracting_is_not_allowed(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=False)
    login_as(make.user(Role.PROCUREMENT))
    assert "再委託を認めていません" in client.get(
        f"/engagements/{engagement.id}/subcontractors/new"
    ).get_data(as_text=True)
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={"name": "但馬開発株式会社", "tier": "1"},
    )
    assert response.status_code == 200
    assert (
        "この業務委託は再委託を認めていないため、再委託先を登録できません。"
        in response.get_data(as_text=True)
    )
    assert _subs(engagement) == []
    assert "再委託先を追加" not in client.get(f"/engagements/{engagement.id}").get_data(
        as_text=True
    )


def test_subcontracting_cannot_be_switched_off_while_subcontractors_are_in_use(
    client, make, login_as
):
    engagement = make.engagement(subcontracting_allowed=True)
    sub = make.subcontractor(engagement)
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        f"/engagements/{engagement.id}/edit",
        data=_edit_form(engagement, subcontracting_allowed=None),
    )
    assert response.status_code == 200
    assert 'id="subcontracting_allowed-error">再委託先が登録されているため' in response.get_data(
        as_text=True
    )
    db.session.refresh(engagement)
    assert engagement.subcontracting_allowed

    client.post(f"/engagements/{engagement.id}/subcontractors/{sub.id}/archive")
    response = client.post(
        f"/engagements/{engagement.id}/edit",
        data=_edit_form(engagement, subcontracting_allowed=None),
    )
    assert response.status_code == 302
    db.session.refresh(engagement)
    assert not engagement.subcontracting_allowed
    # and an archived subcontractor cannot come back while subcontracting is off
    client.post(f"/engagements/{engagement.id}/subcontractors/{sub.id}/restore")
    db.session.refresh(sub)
    assert sub.archived_at is not None


def test_my_number_work_refuses_an_unapproved_subcontractor(client, make, login_as):
    engagement = make.engagement(
        subcontracting_allowed=True, handles_my_number=True, handles_personal_info=True
    )
    user = make.user(Role.PROCUREMENT)
    login_as(user)
    html = client.get(f"/engagements/{engagement.id}/subcontractors/new").get_data(as_text=True)
    assert "許諾した者と許諾日を入力してください" in html
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={"name": "但馬開発株式会社", "tier": "1", "work_scope": "データ入力"},
    )
    assert response.status_code == 200
    assert f'id="approved_by-error">{MY_NUMBER_REFUSAL}' in response.get_data(as_text=True)
    assert _subs(engagement) == []

    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={
            "name": "但馬開発株式会社",
            "tier": "1",
            "approved_by": "市民課長 豊岡太郎",
            "approved_on": "2026-04-10",
        },
    )
    assert response.status_code == 302
    [sub] = _subs(engagement)
    assert sub.is_approved and sub.approval_recorded_by_id == user.id
    assert sub.approved_on == date(2026, 4, 10)


def test_switching_to_my_number_is_refused_while_an_unapproved_subcontractor_is_in_use(
    client, make, login_as
):
    engagement = make.engagement(subcontracting_allowed=True)
    unapproved = make.subcontractor(engagement, approved=False)
    make.subcontractor(engagement, approved=True)
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        f"/engagements/{engagement.id}/edit", data=_edit_form(engagement, handles_my_number="y")
    )
    assert response.status_code == 200
    assert 'id="handles_my_number-error">市の許諾のない再委託先があるため' in response.get_data(
        as_text=True
    )
    db.session.refresh(engagement)
    assert not engagement.handles_my_number

    client.post(f"/engagements/{engagement.id}/subcontractors/{unapproved.id}/archive")
    assert (
        client.post(
            f"/engagements/{engagement.id}/edit", data=_edit_form(engagement, handles_my_number="y")
        ).status_code
        == 302
    )
    db.session.refresh(engagement)
    assert engagement.handles_my_number and engagement.handles_personal_info
    # the archived unapproved subcontractor stays out
    client.post(f"/engagements/{engagement.id}/subcontractors/{unapproved.id}/restore")
    db.session.refresh(unapproved)
    assert unapproved.archived_at is not None


def test_approval_cannot_be_revoked_on_my_number_work(client, make, login_as):
    engagement = make.engagement(
        subcontracting_allowed=True, handles_my_number=True, handles_personal_info=True
    )
    sub = make.subcontractor(engagement, approved=True, name="但馬開発株式会社")
    login_as(make.user(Role.ADMIN))
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/{sub.id}/edit",
        data={"name": "但馬開発株式会社", "tier": "1", "approved_by": "", "approved_on": ""},
    )
    assert response.status_code == 200
    assert "再委託の許諾を取り消せません。" in response.get_data(as_text=True)
    db.session.refresh(sub)
    assert sub.is_approved


def test_approval_is_recorded_with_who_and_when_and_audited_as_approve(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=True)
    sub = make.subcontractor(engagement, approved=False, name="但馬開発株式会社")
    user = make.user(Role.PROCUREMENT)
    login_as(user)
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert '<span class="badge badge-danger">未許諾</span>' in html
    form = client.get(f"/engagements/{engagement.id}/subcontractors/{sub.id}/approve").get_data(
        as_text=True
    )
    assert f'value="{today_tokyo().isoformat()}"' in form

    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/{sub.id}/approve", data={"approved_by": ""}
    )
    assert (
        response.status_code == 200
        and 'id="approved_by-error">入力してください。' in response.get_data(as_text=True)
    )
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/{sub.id}/approve",
        data={"approved_by": "情報政策課長 豊岡太郎", "approved_on": "2026-05-01"},
    )
    assert response.status_code == 302
    db.session.refresh(sub)
    assert (sub.approved_by, sub.approved_on, sub.approval_recorded_by_id) == (
        "情報政策課長 豊岡太郎",
        date(2026, 5, 1),
        user.id,
    )
    assert audit_actions("subcontractor", sub.id) == ["create", "approve"]
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert "許諾済" in html and "情報政策課長 豊岡太郎" in html and "2026年5月1日" in html


def test_approval_given_when_editing_is_audited_as_approve(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=True)
    first = make.subcontractor(engagement, name="北但システム株式会社")
    sub = make.subcontractor(engagement, approved=False, name="但馬開発株式会社")
    user = make.user(Role.ADMIN)
    login_as(user)
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/{sub.id}/edit",
        data={
            "name": "但馬開発株式会社",
            "parent_id": str(first.id),
            "approved_by": "課長",
            "approved_on": "2026-05-01",
        },
    )
    assert response.status_code == 302
    db.session.refresh(sub)
    assert sub.tier == 2 and sub.approval_recorded_by_id == user.id
    assert audit_actions("subcontractor", sub.id) == ["create", "approve"]


def test_approval_needs_both_who_and_when(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=True)
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={"name": "但馬開発株式会社", "tier": "1", "approved_by": "課長"},
    )
    assert 'id="approved_on-error">許諾日を入力してください。' in response.get_data(as_text=True)
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={"name": "但馬開発株式会社", "tier": "1", "approved_on": "2026-04-01"},
    )
    assert 'id="approved_by-error">許諾した者を入力してください。' in response.get_data(
        as_text=True
    )
    assert _subs(engagement) == []


def test_subcontractor_from_the_register_and_corporate_number_check(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=True)
    registered = make.contractor(name="北但システム株式会社")
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new", data={"name": "", "tier": "1"}
    )
    assert 'id="name-error">再委託先の名称を入力するか' in response.get_data(as_text=True)
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={"name": "但馬開発株式会社", "tier": "1", "corporate_number": "1234567890123"},
    )
    assert 'id="corporate_number-error">法人番号が正しくありません。' in response.get_data(
        as_text=True
    )
    valid = corporate_number.make("000012050002")
    first = make.subcontractor(engagement, name="一次株式会社")
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={
            "name": "但馬開発株式会社",
            "parent_id": str(first.id),
            "corporate_number": f"{valid[:4]}-{valid[4:]}",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/new",
        data={"contractor_id": str(registered.id), "tier": "1"},
    )
    assert response.status_code == 302
    _first, typed, chosen = sorted(_subs(engagement), key=lambda s: s.id)
    assert (typed.name, typed.corporate_number, typed.tier) == ("但馬開発株式会社", valid, 2)
    assert (chosen.name, chosen.corporate_number, chosen.contractor_id) == (
        "北但システム株式会社",
        registered.corporate_number,
        registered.id,
    )


def test_a_subcontractor_of_another_engagement_is_not_found(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=True)
    other = make.engagement(subcontracting_allowed=True)
    foreign = make.subcontractor(other, approved=False)
    login_as(make.user(Role.ADMIN))
    base = f"/engagements/{engagement.id}/subcontractors/{foreign.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.get(f"{base}/approve").status_code == 404
    assert (
        client.post(
            f"{base}/approve", data={"approved_by": "課長", "approved_on": "2026-04-01"}
        ).status_code
        == 404
    )
    assert client.post(f"{base}/archive").status_code == 404
    db.session.refresh(foreign)
    assert not foreign.is_approved and foreign.archived_at is None


def test_auditor_cannot_approve(client, make, login_as):
    engagement = make.engagement(subcontracting_allowed=True)
    sub = make.subcontractor(engagement, approved=False)
    login_as(make.user(Role.AUDITOR))
    response = client.post(
        f"/engagements/{engagement.id}/subcontractors/{sub.id}/approve",
        data={"approved_by": "課長", "approved_on": "2026-04-01"},
    )
    assert response.status_code == 403
    db.session.refresh(sub)
    assert not sub.is_approved
