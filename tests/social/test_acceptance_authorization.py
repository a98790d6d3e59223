"""Issue 6's authorization acceptance in one place: an SNS owner cannot approve, and a department
never sees another department's drafts — not in the list, the detail, attestations or incidents."""

from __future__ import annotations

from datetime import date

import pytest

from tests.social.test_social_accounts import reload
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db
from vendorguard.social.models import IncidentKind, SocialAttestation, SocialIncident


def test_an_sns_owner_cannot_approve_or_reject_even_their_own_application(
    client, make, login_as, complete_account
):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    account = complete_account(department, owner, approval_state=ApprovalState.APPLIED)
    login_as(owner)
    assert (
        client.post(
            f"/social-accounts/{account.id}/approve", data={"approval_comment": "自分で承認"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/social-accounts/{account.id}/reject", data={"reject_comment": "x"}
        ).status_code
        == 403
    )
    assert "承認する</button>" not in client.get(f"/social-accounts/{account.id}").get_data(
        as_text=True
    )
    assert reload(account).approval_state == ApprovalState.APPLIED


@pytest.mark.parametrize(
    "state", [ApprovalState.NOT_APPLIED, ApprovalState.APPLIED, ApprovalState.REJECTED]
)
@pytest.mark.parametrize("role", [Role.SNS_OWNER, Role.OFFICER])
def test_another_departments_draft_is_invisible_everywhere(
    client, make, login_as, complete_account, state, role
):
    mine, theirs = make.department(), make.department()
    draft = complete_account(
        theirs, title="他課の秘密の下書き", handle="@secret_draft", approval_state=state
    )
    db.session.add(
        SocialAttestation(
            account_id=draft.id,
            attested_on=date(2026, 4, 1),
            operators="他課 担当",
            mfa_enabled=True,
            credentials_ok=True,
            next_review_on=date(2026, 10, 1),
        )
    )
    incident = SocialIncident(
        account_id=draft.id, kind=IncidentKind.HIJACK, detected_at=utcnow(), description="x"
    )
    db.session.add(incident)
    db.session.commit()
    login_as(make.user(role, department=mine))
    for url in (
        "/social-accounts/?per_page=200",
        "/social-accounts/?archived=1&approval=" + state.value,
        "/social-accounts/?q=secret_draft",
        "/social-accounts/incidents/",
        f"/social-accounts/incidents/?account={draft.id}",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "他課の秘密の下書き" not in body and "@secret_draft<" not in body, url
        assert (
            f'/social-accounts/{draft.id}"' not in body and f'/incidents/{incident.id}"' not in body
        ), url
        assert "全0件" in body, url
    for url in (
        f"/social-accounts/{draft.id}",
        f"/social-accounts/{draft.id}/attestations",
        f"/social-accounts/{draft.id}/attestations/new",
        f"/social-accounts/incidents/{incident.id}",
        f"/social-accounts/{draft.id}/incidents/new",
        f"/documents/arrangement/{draft.id}",
    ):
        assert client.get(url).status_code == 404, url
