"""List exports (issue 12, item 2): every list page as .xlsx or CSV with its current filters."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import login
from vendorguard.approvals.models import ApprovalState
from vendorguard.assessments.models import Action, Assessment, AssessmentMethod, AssessmentResult
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import Clause, Requirement, RequirementKind
from vendorguard.contractors.models import CertificationKind
from vendorguard.core import list_export
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
)
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind, IsmapRegistration
from vendorguard.social.models import IncidentKind, SocialIncident

FORMULA = '=HYPERLINK("http://evil.example/")対象'


def _evidence_request(make, title: str, arrangement=None) -> EvidenceRequest:
    arrangement = arrangement or make.engagement()
    requirement = EvidenceRequirement(
        arrangement_id=arrangement.id,
        title=title,
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.CONTRACTOR,
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=arrangement.id,
        occurrence="adhoc-1",
        scheduled_due_on=date(2026, 6, 30),
        due_on=date(2026, 6, 30),
    )
    db.session.add(request)
    db.session.commit()
    return request


def _action(make, finding: str) -> Action:
    engagement = make.engagement()
    today = today_tokyo()
    assessment = Assessment(
        arrangement_id=engagement.id,
        assessed_on=today - timedelta(days=10),
        result=AssessmentResult.PARTIALLY_CONFORMING,
        method=AssessmentMethod.DOCUMENT,
        valid_until=today + timedelta(days=300),
    )
    db.session.add(assessment)
    db.session.flush()
    owner = make.user(Role.OFFICER)
    action = Action(
        assessment_id=assessment.id,
        arrangement_id=engagement.id,
        finding=finding,
        owner_id=owner.id,
        due_on=date(2026, 9, 30),
    )
    db.session.add(action)
    db.session.commit()
    return action


def _requirement(make, title: str) -> Requirement:
    count = db.session.scalar(select(func.count()).select_from(Requirement)) or 0
    requirement = Requirement(
        code=f"X-{count + 1:03d}",
        title_ja=title,
        kind=RequirementKind.OUTSOURCING,
        applies_to="engagement",
    )
    db.session.add(requirement)
    db.session.commit()
    return requirement


def _clause(make, title: str) -> Clause:
    count = db.session.scalar(select(func.count()).select_from(Clause)) or 0
    clause = Clause(code=f"C-{count + 1:03d}", title=title, applies_to="engagement")
    db.session.add(clause)
    db.session.commit()
    return clause


def _incident(make, title: str) -> SocialIncident:
    account = make.social_account(title=title)
    incident = SocialIncident(
        account_id=account.id,
        kind=IncidentKind.HIJACK,
        detected_at=datetime(2026, 5, 1, 1, 0, tzinfo=UTC),
    )
    db.session.add(incident)
    db.session.commit()
    return incident


def _registration(make, service: str) -> IsmapRegistration:
    count = db.session.scalar(select(func.count()).select_from(IsmapRegistration)) or 0
    registration = IsmapRegistration(
        registration_number=f"C21-{count + 1:04d}-1",
        list_kind=IsmapKind.ISMAP,
        service_name=service,
        provider_name="みほんクラウド株式会社",
        valid_until=date(2027, 3, 31),
    )
    db.session.add(registration)
    db.session.commit()
    return registration


@dataclass(frozen=True)
class Listing:
    """One list page: its URL, the column its searched text lands in, and how to add a row."""

    url: str
    first_header: str
    column: str
    add: Callable[[object, str], object]


LISTINGS = {
    "contractors": Listing(
        "/contractors/", "法人番号", "委託事業者名", lambda make, text: make.contractor(name=text)
    ),
    "engagements": Listing(
        "/engagements/", "契約番号", "件名", lambda make, text: make.engagement(title=text)
    ),
    "cloud": Listing(
        "/cloud-services/", "ID", "サービス名", lambda make, text: make.cloud_service(title=text)
    ),
    "social": Listing(
        "/social-accounts/",
        "アカウントのURL",
        "アカウント名",
        lambda make, text: make.social_account(title=text),
    ),
    "evidence": Listing("/evidence/requests/", "依頼ID", "証跡項目", _evidence_request),
    "actions": Listing("/assessments/actions/", "措置ID", "指摘事項", _action),
    "requirements": Listing("/catalog/requirements/", "コード", "要件名", _requirement),
    "clauses": Listing("/catalog/clauses/", "コード", "条項名", _clause),
    "incidents": Listing("/social-accounts/incidents/", "ID", "アカウント", _incident),
    "ismap": Listing("/admin/ismap/", "登録番号", "サービス名称", _registration),
    "departments": Listing(
        "/departments/", "コード", "所属名", lambda make, text: make.department(name=text)
    ),
    "users": Listing(
        "/admin/users/", "メールアドレス", "氏名", lambda make, text: make.user(name=text)
    ),
}


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == list_export.export_file.XLSX_MIMETYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return list(sheet.iter_rows(values_only=True))


def _csv(response, encoding: str) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode(encoding))))


@pytest.mark.parametrize("name", list(LISTINGS))
def test_export_has_every_filtered_row_with_japanese_header(client, make, login_as, name):
    listing = LISTINGS[name]
    listing.add(make, "豊岡対象あ")
    listing.add(make, FORMULA)
    listing.add(make, "無関係の行")
    login_as(make.user(Role.ADMIN))

    rows = _xlsx(client.get(f"{listing.url}?q=対象&format=xlsx&per_page=1"))
    header, body = rows[0], rows[1:]
    assert header[0] == listing.first_header
    column = header.index(listing.column)
    assert sorted(row[column] for row in body) == sorted(["豊岡対象あ", FORMULA])

    # The formula-like title is text in the workbook, never a formula.
    response = client.get(f"{listing.url}?q=対象&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    formula_cell = next(cell for cell in cells if cell.value == FORMULA)
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix

    utf8 = _csv(client.get(f"{listing.url}?q=対象&format=csv"), "utf-8-sig")
    assert utf8[0][0] == listing.first_header
    assert sorted(row[column] for row in utf8[1:]) == sorted(["豊岡対象あ", "'" + FORMULA])

    response = client.get(f"{listing.url}?q=対象&format=csv&encoding=cp932")
    assert response.headers["Content-Type"] == "text/csv; charset=shift_jis"
    assert not response.get_data().startswith(b"\xef\xbb\xbf")
    assert _csv(response, "cp932") == utf8


def test_contractor_export_summarises_certificates_and_dates_are_dates(client, make, login_as):
    contractor = make.contractor(name="城崎情報サービス株式会社")
    make.certification(
        contractor, number="IS 123", valid_from=date(2025, 1, 1), valid_until=date(2028, 3, 31)
    )
    make.certification(contractor, kind=CertificationKind.PRIVACY_MARK, number="P-9")
    login_as(make.user(Role.ADMIN))
    rows = _xlsx(client.get("/contractors/?format=xlsx"))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["法人番号"] == contractor.corporate_number
    assert "IS 123" in record["保有認証"] and "P-9" in record["保有認証"]
    assert "2028/03/31" in record["保有認証"]
    assert record["有効な認証数"] == 2
    # A real date cell (openpyxl reads dates back as datetimes), not text.
    assert isinstance(record["更新日"], datetime) and record["更新日"].date() == today_tokyo()


def test_engagement_export_uses_labels_departments_and_real_dates(client, make, login_as):
    department = make.department(name="市民課")
    engagement = make.engagement(
        department=department,
        contract_number="R8-契約-001",
        handles_personal_info=True,
        segment_lgwan=True,
    )
    login_as(make.user(Role.ADMIN))
    rows = _xlsx(client.get("/engagements/?format=xlsx"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["契約番号"] == "R8-契約-001"
    assert record["件名"] == engagement.title
    assert record["所管課"] == "市民課"
    assert record["状態"] == engagement.state.label
    assert record["個人情報の取扱い"] == "はい"
    assert record["ネットワーク区分"] == "LGWAN接続系"
    assert record["契約開始日"].date() == date(2026, 4, 1)


def test_export_follows_the_page_filters_not_only_the_search(client, make, login_as):
    kept, other = make.department(name="観光課"), make.department(name="税務課")
    make.engagement(department=kept, title="観光サイト保守")
    make.engagement(department=other, title="税務システム保守")
    login_as(make.user(Role.ADMIN))
    rows = _xlsx(client.get(f"/engagements/?department={kept.id}&format=xlsx"))
    titles = [row[rows[0].index("件名")] for row in rows[1:]]
    assert titles == ["観光サイト保守"]


def test_cloud_export_lists_using_departments(client, make, login_as):
    owner, user_a, user_b = (make.department(name=n) for n in ("情報政策課", "市民課", "税務課"))
    make.cloud_service(department=owner, title="電子申請", using_departments=[user_a, user_b])
    login_as(make.user(Role.ADMIN))
    rows = _xlsx(client.get("/cloud-services/?format=xlsx"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["所管課"] == "情報政策課"
    assert set(record["利用課"].split("、")) == {"市民課", "税務課"}
    assert record["ISMAPの状況"] == "未登録"


def test_over_the_cap_returns_to_the_list_with_a_message(client, make, login_as, monkeypatch):
    make.contractor()
    make.contractor()
    login_as(make.user(Role.ADMIN))
    monkeypatch.setattr(list_export, "MAX_EXPORT_ROWS", 1)
    response = client.get("/contractors/?archived=1&format=xlsx&encoding=cp932")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/contractors/?archived=1")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "一度に出力できる1件を超えています" in html


def _count(count_queries, client, url: str) -> int:
    with count_queries() as counter:
        response = client.get(url)
        assert response.status_code == 200
        response.get_data()  # the CSV streams: count the queries made while it is read
    return counter.count


def test_export_query_count_does_not_grow_with_rows(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    for _ in range(2):
        contractor = make.contractor()
        make.certification(contractor)
        make.cloud_service(using_departments=[make.department()])
    urls = ("/contractors/?format=csv", "/cloud-services/?format=xlsx")
    few = [_count(count_queries, client, url) for url in urls]
    for _ in range(10):
        contractor = make.contractor()
        make.certification(contractor)
        make.certification(contractor, kind=CertificationKind.PRIVACY_MARK)
        make.cloud_service(using_departments=[make.department(), make.department()])
    many = [_count(count_queries, client, url) for url in urls]
    assert few == many


def test_the_list_page_offers_the_buttons_with_its_filters(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    html = client.get("/engagements/?q=保守&state=active").get_data(as_text=True)
    assert 'name="format" value="xlsx"' in html and "Excel で出力" in html
    assert "CSV で出力" in html and 'value="cp932"' in html
    assert '<input type="hidden" name="q" value="保守">' in html


@pytest.mark.parametrize("name", list(LISTINGS))
def test_contractor_gets_no_export_where_the_list_is_closed(client, make, login_as, name):
    listing = LISTINGS[name]
    listing.add(make, "非公開の行")
    login_as(make.user(Role.CONTRACTOR, contractor_id=make.contractor().id))
    page = client.get(listing.url)
    export = client.get(f"{listing.url}?format=xlsx")
    assert page.status_code != 200
    assert export.status_code == page.status_code
    assert "非公開の行" not in export.get_data(as_text=True)


def test_officer_of_another_department_gets_only_what_the_list_shows(app, client, make, login_as):
    own, other = make.department(name="観光課"), make.department(name="税務課")
    draft = make.social_account(
        department=own, title="観光課の下書き", approval_state=ApprovalState.NOT_APPLIED
    )
    make.social_account(department=own, title="観光課の公開", approval_state=ApprovalState.APPROVED)
    _evidence_request(make, "下書きの証跡", arrangement=draft)
    outsider = make.user(Role.OFFICER, department=other)
    login_as(outsider)
    rows = _xlsx(client.get("/social-accounts/?format=xlsx"))
    assert [row[rows[0].index("アカウント名")] for row in rows[1:]] == ["観光課の公開"]
    rows = _xlsx(client.get("/evidence/requests/?format=xlsx&status=all"))
    assert rows[1:] == []

    client = app.test_client()
    login(client, make.user(Role.OFFICER, department=own))
    rows = _xlsx(client.get("/social-accounts/?format=xlsx"))
    names = sorted(row[rows[0].index("アカウント名")] for row in rows[1:])
    assert names == ["観光課の下書き", "観光課の公開"]
    rows = _xlsx(client.get("/evidence/requests/?format=xlsx&status=all"))
    assert [row[rows[0].index("証跡項目")] for row in rows[1:]] == ["下書きの証跡"]
