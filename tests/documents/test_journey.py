"""A procurement clerk's way through the pages, and clause bodies that try to escape."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.documents.conftest import add_gap_requirement, body_texts
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import Clause, ClauseStatus, ClauseVersion
from vendorguard.core.errors import DomainError
from vendorguard.documents import services
from vendorguard.documents.models import ContractDocument
from vendorguard.extensions import db
from vendorguard.storage import get_storage


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_engagement_to_coverage_generate_download_and_compare(
    client, login_as, make, shipped_catalog
):
    engagement = make.engagement(title="窓口案内業務委託", contract_number="R8-00200")
    login_as(make.user(Role.PROCUREMENT))
    detail = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    coverage_url, versions_url = (
        f"/catalog/coverage/{engagement.id}",
        f"/documents/arrangement/{engagement.id}",
    )
    assert {coverage_url, versions_url} <= links(detail)

    coverage = client.get(coverage_url).get_data(as_text=True)
    assert "すべての要件を網羅（文書を作成できます）" in coverage
    assert {versions_url, f"/engagements/{engagement.id}"} <= links(coverage)  # onwards, and back

    versions = client.get(versions_url).get_data(as_text=True)
    assert (
        "すべて網羅" in versions
        and coverage_url in links(versions)
        and "/documents/bulk" in links(versions)
    )
    response = client.post(f"{versions_url}/generate", data={"date_style": "western"})
    assert response.status_code == 302 and response.headers["Location"].endswith(versions_url)
    client.post(f"{versions_url}/generate")
    first, second = db.session.scalars(
        select(ContractDocument).order_by(ContractDocument.version)
    ).all()
    versions = client.get(versions_url).get_data(as_text=True)
    for document in (first, second):
        assert {f"/documents/{document.id}/download", f"/documents/{document.id}/diff"} <= links(
            versions
        )
    assert client.get(f"/documents/{first.id}/download").status_code == 200

    diff = client.get(f"/documents/{second.id}/diff").get_data(as_text=True)
    assert "第1版からの変更点" in diff
    assert {
        f"/documents/{second.id}/download",
        versions_url,
        f"/engagements/{engagement.id}",
    } <= links(diff)
    assert (
        f'<option value="{first.id}" selected>第1版</option>' in diff
    )  # compare with any other version
    older = client.get(f"/documents/{first.id}/diff?against={second.id}").get_data(as_text=True)
    assert "第2版からこの版への変更点" in older


def test_a_refused_generation_explains_and_keeps_the_choice(
    client, login_as, make, shipped_catalog
):
    add_gap_requirement()
    engagement = make.engagement(segment_internet=True)
    login_as(make.user(Role.PROCUREMENT))
    versions_url = f"/documents/arrangement/{engagement.id}"
    page = client.get(versions_url).get_data(as_text=True)
    assert "未網羅 1件" in page and "TST-01" in page and "要件の網羅状況を確認する" in page
    assert 'action="/documents/arrangement/' not in page  # no button that can only fail
    # A request sent anyway (an old tab) comes back with the reason, the link and the choice kept.
    response = client.post(f"{versions_url}/generate", data={"date_style": "western"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "次の要件を網羅する承認済みの条項がなく、適用除外も記録されていません：TST-01" in html
    assert f"/catalog/coverage/{engagement.id}" in links(html)
    assert db.session.scalar(select(func.count(ContractDocument.id))) == 0


HOSTILE = [
    "{{ config }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% import 'base.html' as b %}",
    "{{ contractor_name|attr('__class__') }}",
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_a_hostile_approved_body_is_refused_or_harmless_in_the_document(
    app, make, shipped_catalog, ja, body
):
    """Even a body that got past the save check (written straight into the table) cannot reach
    configuration or Python internals when the document is made."""
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-01")).one()
    version = db.session.scalars(
        select(ClauseVersion).where(
            ClauseVersion.clause_id == clause.id, ClauseVersion.status == ClauseStatus.APPROVED
        )
    ).one()
    version.body = "受注者は次を守る。" + body
    db.session.commit()
    engagement = make.engagement()
    try:
        document = services.generate_appendix(db.session, get_storage(app), engagement, None)
    except DomainError as error:
        db.session.rollback()
        assert "ENG-01" in error.message  # refused, naming the clause to fix
        assert db.session.scalar(select(func.count(ContractDocument.id))) == 0
        return
    text = "\n".join(body_texts(get_storage(app).read_bytes(document.storage_key)))
    assert app.config["SECRET_KEY"] not in text
    for leak in ("<Config", "class '", "<module", "function", "SQLALCHEMY"):
        assert leak not in text, leak
