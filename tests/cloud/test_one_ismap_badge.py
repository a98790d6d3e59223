"""The cloud service page shows one ISMAP state: list, status and risk in a single badge."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.cloud.conftest import registration
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.ismap.models import IsmapKind


def _badges(html: str) -> list[str]:
    top = html.split("<main", 1)[1].split("</h1>", 1)[1].split("</p>", 1)[0]
    return re.findall(r'<span class="badge[^"]*">([^<]*)</span>', top)


def test_one_ismap_badge_carries_list_status_and_risk(client, make, login_as):
    registration(
        "L21-0099-1",
        valid_until=today_tokyo() + timedelta(days=300),
        left_list_on=date(2026, 1, 15),
    )
    approved = {
        "approval_state": ApprovalState.APPROVED,
        "approval_valid_until": today_tokyo() + timedelta(days=200),
    }
    risky = make.cloud_service(
        title="住民相談システム",
        handles_high_confidentiality=True,
        ismap_kind=IsmapKind.ISMAP_LIU,
        ismap_registration_number="L21-0099-1",
        **approved,
    )
    missing = make.cloud_service(title="未登録", handles_high_confidentiality=True, **approved)
    login_as(make.user(Role.AUDITOR))
    badges = _badges(client.get(f"/cloud-services/{risky.id}").get_data(as_text=True))
    assert [b for b in badges if "ISMAP" in b] == ["要対応：ISMAP-LIU リストから削除"], badges
    badges = _badges(client.get(f"/cloud-services/{missing.id}").get_data(as_text=True))
    assert [b for b in badges if "ISMAP" in b] == ["要対応：ISMAP 未登録"], badges
