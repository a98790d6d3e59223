"""Hijack and impersonation incidents: the response checklist with who and when, closing rules,
the incident list, and visibility that follows the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from vendorguard.approvals.models import ApprovalState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import TOKYO, utcnow
from vendorguard.extensions import db
from vendorguard.social.models import (
    IncidentKind,
    IncidentStatus,
    ResponseStep,
    SocialIncident,
    SocialIncidentStep,
)

STEPS = [
    "状況の確認と記録",
    "プラットフォームへの報告",
    "パスワード変更・多要素認証の再設定",
    "住民への注意喚起（市ウェブサイト・他の公式アカウント）",
    "情報セキュリティ統括への報告",
    "再発防止策",
]


def incident_data(**overrides):
    """A valid incident submission (noticed an hour ago, Japan time)."""
    detected = (datetime.now(TOKYO) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "kind": "impersonation",
        "detected_at": detected,
        "description": "市のロゴを使った偽アカウント @toyooka_city_official が懸賞を装ったDMを送っている。",
    }
    data.update(overrides)
    return data


def incident():
    """The one incident recorded, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(select(SocialIncident)).one()


def step(code):
    """One step of the incident, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(
        select(SocialIncidentStep).where(SocialIncidentStep.step == code)
    ).one()


def test_an_incident_is_worked_through_its_checklist_and_closed(client, make, login_as):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = make.social_account(department=department, approval_state=ApprovalState.APPROVED)
    login_as(owner)
    response = client.post(f"/social-accounts/{account.id}/incidents/new", data=incident_data())
    assert response.status_code == 302, response.get_data(as_text=True)
    recorded = incident()
    assert recorded.kind == IncidentKind.IMPERSONATION and recorded.status == IncidentStatus.OPEN
    assert recorded.reported_by_id == owner.id
    assert abs(recorded.detected_at - (utcnow() - timedelta(hours=1))) < timedelta(
        minutes=2
    )  # Japan time → UTC
    html = client.get(f"/social-accounts/incidents/{recorded.id}").get_data(as_text=True)
    positions = [html.index(label) for label in STEPS]
    assert positions == sorted(positions)  # in the order they are taken

    client.post(
        f"/social-accounts/incidents/{recorded.id}/step",
        data={"step": "report_platform", "done": "1", "note": "Xの通報フォームから報告"},
    )
    done = step(ResponseStep.REPORT_PLATFORM)
    assert (
        done.done_by_id == owner.id
        and done.done_at is not None
        and done.note == "Xの通報フォームから報告"
    )
    html = client.get(f"/social-accounts/incidents/{recorded.id}").get_data(as_text=True)
    assert "Xの通報フォームから報告" in html and owner.name in html
    client.post(
        f"/social-accounts/incidents/{recorded.id}/step",
        data={"step": "report_platform", "done": "0"},
    )
    assert not step(ResponseStep.REPORT_PLATFORM).is_done

    # Closing with steps left needs a reason; the refusal names them.
    response = client.post(
        f"/social-accounts/incidents/{recorded.id}/close", data={"closing_note": ""}
    )
    html = response.get_data(as_text=True)
    assert (
        "未完了の手順があります" in html
        and "再発防止策" in html
        and "完了にする理由を入力してください" in html
    )
    assert incident().is_open
    for code in ResponseStep:
        client.post(
            f"/social-accounts/incidents/{recorded.id}/step", data={"step": code.value, "done": "1"}
        )
    client.post(f"/social-accounts/incidents/{recorded.id}/close", data={"closing_note": ""})
    closed = incident()
    assert (
        closed.status == IncidentStatus.CLOSED
        and closed.closed_by_id == owner.id
        and closed.closed_at
    )

    # A closed incident's checklist is settled.
    response = client.post(
        f"/social-accounts/incidents/{recorded.id}/step",
        data={"step": "confirm", "done": "0"},
        follow_redirects=True,
    )
    assert "完了した事案の手順は変更できません。" in response.get_data(as_text=True)
    assert step(ResponseStep.CONFIRM).is_done
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type.in_(["social_incident", "social_incident_step"]))
        .order_by(AuditEvent.seq)
    ).all()
    assert actions.count("check") == 7 and actions.count("uncheck") == 1 and actions[-1] == "close"
    assert actions[:7] == ["create"] * 7  # the incident and its six steps


def test_closing_with_a_note_when_steps_were_not_needed(client, make, login_as):
    department = make.department()
    account = make.social_account(department=department, approval_state=ApprovalState.APPROVED)
    login_as(make.user(Role.OFFICER, department=department))
    client.post(f"/social-accounts/{account.id}/incidents/new", data=incident_data(kind="hijack"))
    client.post(
        f"/social-accounts/incidents/{incident().id}/close",
        data={"closing_note": "誤検知（担当者本人のログイン）と判明したため"},
    )
    assert incident().status == IncidentStatus.CLOSED
    assert incident().closing_note == "誤検知（担当者本人のログイン）と判明したため"


def test_bad_incidents_explain_and_keep_the_input(client, make, login_as):
    department = make.department()
    account = make.social_account(department=department)
    login_as(make.user(Role.SNS_OWNER, department=department))
    future = (datetime.now(TOKYO) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(
        f"/social-accounts/{account.id}/incidents/new", data=incident_data(detected_at=future)
    ).get_data(as_text=True)
    assert "発見日時に未来の日時は指定できません。" in html and "懸賞を装ったDM" in html
    html = client.post(
        f"/social-accounts/{account.id}/incidents/new", data=incident_data(kind="", description="")
    ).get_data(as_text=True)
    assert "一覧から選んでください。" in html and "入力してください。" in html
    html = client.post(
        f"/social-accounts/{account.id}/incidents/new", data=incident_data(detected_at="昨日")
    ).get_data(as_text=True)
    assert "懸賞を装ったDM" in html
    assert db.session.scalar(select(func.count(SocialIncident.id))) == 0


def test_incidents_follow_their_accounts_visibility(client, make, login_as):
    mine, theirs = make.department(), make.department()
    draft = make.social_account(department=theirs, title="他課の下書き")
    published = make.social_account(
        department=theirs, title="他課の公開アカウント", approval_state=ApprovalState.APPROVED
    )
    login_as(make.user(Role.SNS_OWNER, department=theirs))
    client.post(f"/social-accounts/{draft.id}/incidents/new", data=incident_data())
    client.post(f"/social-accounts/{published.id}/incidents/new", data=incident_data(kind="hijack"))
    on_draft, on_published = db.session.scalars(
        select(SocialIncident).order_by(SocialIncident.id)
    ).all()

    for role in (Role.SNS_OWNER, Role.OFFICER):
        login_as(make.user(role, department=mine))
        html = client.get("/social-accounts/incidents/").get_data(as_text=True)
        assert "他課の公開アカウント" in html and "他課の下書き" not in html
        assert client.get(f"/social-accounts/incidents/{on_draft.id}").status_code == 404
        assert (
            client.post(
                f"/social-accounts/incidents/{on_draft.id}/close", data={"closing_note": "x"}
            ).status_code
            == 404
        )
        assert client.get(f"/social-accounts/{draft.id}/incidents/new").status_code == 404
        assert client.get(f"/social-accounts/incidents/{on_published.id}").status_code == 200
        assert (
            client.post(
                f"/social-accounts/incidents/{on_published.id}/step",
                data={"step": "confirm", "done": "1"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/social-accounts/incidents/{on_published.id}/close", data={"closing_note": "x"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/social-accounts/{published.id}/incidents/new", data=incident_data()
            ).status_code
            == 403
        )
    login_as(make.user(Role.AUDITOR))
    html = client.get("/social-accounts/incidents/").get_data(as_text=True)
    assert "他課の公開アカウント" in html and "他課の下書き" in html
    assert (
        client.post(
            f"/social-accounts/incidents/{on_draft.id}/close", data={"closing_note": "x"}
        ).status_code
        == 403
    )
    login_as(make.user(Role.PROCUREMENT))
    assert client.get("/social-accounts/incidents/").status_code == 403
    assert db.session.scalar(select(func.count(SocialIncident.id))) == 2
    assert all(i.is_open for i in db.session.scalars(select(SocialIncident)))


def test_incident_list_filters_and_fixed_queries(client, make, login_as, count_queries):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    first = make.social_account(department=department, title="広報X")
    second = make.social_account(department=department, title="観光Instagram")
    login_as(owner)

    def add(count, account, status=IncidentStatus.OPEN, kind=IncidentKind.HIJACK):
        for i in range(count):
            record = SocialIncident(
                account_id=account.id,
                kind=kind,
                status=status,
                description="テスト",
                detected_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
            )
            db.session.add(record)
            db.session.flush()
            db.session.add_all(
                [
                    SocialIncidentStep(
                        incident_id=record.id,
                        step=code,
                        position=n,
                        done_at=utcnow() if n == 1 else None,
                    )
                    for n, code in enumerate(ResponseStep, start=1)
                ]
            )
        db.session.commit()

    add(1, first)
    add(1, second, status=IncidentStatus.CLOSED, kind=IncidentKind.IMPERSONATION)

    def listed(**args):
        html = client.get("/social-accounts/incidents/", query_string=args).get_data(as_text=True)
        return [title for title in ("広報X", "観光Instagram") if f">{title}</td>" in html]

    assert listed() == ["広報X", "観光Instagram"]
    assert listed(status="open") == ["広報X"]
    assert listed(kind="impersonation") == ["観光Instagram"]
    assert listed(q="観光") == ["観光Instagram"]
    assert listed(account=first.id) == ["広報X"]
    assert "1 / 6 完了" in client.get("/social-accounts/incidents/").get_data(as_text=True)

    add(3, first)
    url = "/social-accounts/incidents/?per_page=200"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(495, second)
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count("/social-accounts/incidents/") >= 200
    assert few.count == many.count
