"""Round trip: each register's own export (.xlsx, CSV with BOM, CSV in CP932) imports with no change."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import login
from tests.walk import database_state
from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import TermsType, cloud_service_department
from vendorguard.contractors.models import CertificationKind
from vendorguard.engagements.models import ReportingCycle
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind
from vendorguard.social.models import Platform

FORMATS = [
    ("xlsx", "", "台帳.xlsx"),
    ("csv", "", "台帳.csv"),
    ("csv", "cp932", "台帳.csv"),
]


def _export(client, path: str, fmt: str, encoding: str) -> bytes:
    query = f"?format={fmt}" + (f"&encoding={encoding}" if encoding else "")
    response = client.get(path + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data()


def _world(make):
    make.schemes()
    own = make.department(name="情報政策課")
    other = make.department(name="市民課・窓口")
    officer = make.user(Role.OFFICER, department=own, name="豊岡 太郎")
    contractor = make.contractor(
        name="みほん情報株式会社", address="豊岡市中央町1-1", contact_email="a@example.jp"
    )
    make.certification(contractor, kind=CertificationKind.ISMS, valid_until=date(2027, 3, 31))
    plain = make.contractor(
        name="個人事業 山田", corporate_number=None, notes="=1+1 のような備考\n2行目"
    )
    make.engagement(
        department=own,
        contractor=contractor,
        title="住民記録システム保守（令和8年度）",
        handles_personal_info=True,
        segment_lgwan=True,
        segment_internet=True,
        subcontracting_allowed=True,
        reporting_cycle=ReportingCycle.QUARTERLY,
        state=ArrangementState.ACTIVE,
        next_review_on=date(2026, 10, 1),
    )
    make.engagement(department=other, contractor=plain, contract_number="R8 XY-1")
    service = make.cloud_service(
        department=own,
        provider_contractor_id=contractor.id,
        provider_name="",
        responsible_officer_id=officer.id,
        terms_type=TermsType.CONTRACT,
        handles_high_confidentiality=True,
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C22-0001-1",
        data_location="日本国内",
    )
    db.session.execute(
        cloud_service_department.insert(),
        [{"cloud_service_id": service.id, "department_id": d.id} for d in (own, other)],
    )
    db.session.commit()
    make.cloud_service(department=other)
    make.social_account(
        department=own,
        account_url="https://x.com/city_test",
        mfa_enabled=True,
        responsible_officer_id=officer.id,
    )
    make.social_account(
        department=other, platform=Platform.OTHER, platform_other="Threads", account_url=""
    )
    make.social_account(
        department=own,
        account_url="https://www.instagram.com/city/",
        platform=Platform.INSTAGRAM,
        approval_state=ApprovalState.APPROVED,
        mfa_enabled=None,
    )


@pytest.mark.parametrize("fmt, encoding, filename", FORMATS, ids=["xlsx", "csv-bom", "csv-cp932"])
@pytest.mark.parametrize(
    "register, path",
    [
        ("contractors", "/contractors/"),
        ("engagements", "/engagements/"),
        ("cloud", "/cloud-services/"),
        ("social", "/social-accounts/"),
    ],
)
def test_export_then_import_changes_nothing(
    app, client, make, importer, register, path, fmt, encoding, filename
):
    _world(make)
    admin = make.user(Role.ADMIN)
    login(client, admin)
    data = _export(client, path, fmt, encoding)
    before = database_state()
    batch = importer(admin, register, data, filename=filename, apply=True)
    assert batch.status.value == "applied", [row for row in batch.rows if row[2] != "unchanged"]
    counts = batch.summary["counts"]
    assert counts["unchanged"] >= 2 and counts["unchanged"] == sum(counts.values()), batch.rows
    if fmt == "csv":
        assert batch.encoding == ("cp932" if encoding else "utf-8-sig")
    after = database_state()
    assert {k: v for k, v in after.items() if k != "import_batch"} == {
        k: v for k, v in before.items() if k != "import_batch"
    }
