"""Catalog pages: lists, details, editing a requirement, permissions, fixed query counts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import (
    Clause,
    ClauseStatus,
    ClauseVersion,
    Requirement,
    RequirementKind,
    clause_version_requirement,
)
from vendorguard.extensions import db


def _requirement(code: str) -> Requirement:
    return db.session.scalars(select(Requirement).where(Requirement.code == code)).one()


def test_catalog_seed_is_idempotent_and_keeps_edits(ja, catalog):
    from vendorguard.catalog.seed import ensure_catalog

    assert catalog == {"requirements": 39, "clauses": 43}
    _requirement("OUT-03").title_ja = "サービスレベルの合意"
    db.session.commit()
    assert ensure_catalog(db.session) == {"requirements": 0, "clauses": 0}
    assert _requirement("OUT-03").title_ja == "サービスレベルの合意"


def test_catalog_seed_command(app, ja):
    result = app.test_cli_runner().invoke(args=["vg", "catalog-seed"])
    assert result.exit_code == 0 and "要件 39 件、条項 43 件を追加しました" in result.output
    result = app.test_cli_runner().invoke(args=["vg", "catalog-seed"])
    assert "要件 0 件、条項 0 件" in result.output


def test_requirement_list_filters_and_detail_shows_rule_in_words(client, make, login_as, catalog):
    login_as(make.user(Role.OFFICER))
    html = client.get("/catalog/requirements/?kind=my_number").get_data(as_text=True)
    assert "MN-01" in html and "OUT-01" not in html
    html = client.get("/catalog/requirements/?q=再委託").get_data(as_text=True)
    assert "OUT-08" in html and "MN-01" in html and "OUT-07" not in html
    html = client.get("/catalog/requirements/?applies_to=social_account&per_page=50").get_data(
        as_text=True
    )
    assert "SNS-08" in html and "CL-01" not in html
    html = client.get(f"/catalog/requirements/{_requirement('MN-01').id}").get_data(as_text=True)
    assert (
        "次のいずれかに該当する場合：マイナンバー（特定個人情報）を取り扱う、作業するネットワークに「マイナンバー利用事務系」を含む"
        in html
    )
    assert "特定個人情報の取扱い" in html  # the clause covering it
    assert (
        "編集" not in html.split("<main")[1].split("</h1>")[1][:400]
    )  # no edit button for officers


def test_admin_edits_a_rule_and_bad_rules_are_explained(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    requirement = _requirement("OUT-08")
    form = {
        "title_ja": requirement.title_ja,
        "title_en": requirement.title_en,
        "explanation": "説明",
        "source": requirement.source,
        "sort_order": 80,
        "active": "y",
    }
    response = client.post(
        f"/catalog/requirements/{requirement.id}/edit",
        data={**form, "rule": '{"fact": "subcontracting", "op": "is", "value": true}'},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "不明な項目「subcontracting」です。" in html
    assert "subcontracting" in html.split("<textarea")[2]  # what was typed is kept
    response = client.post(
        f"/catalog/requirements/{requirement.id}/edit",
        data={
            **form,
            "rule": '{"any": [{"fact": "subcontracting_allowed", "op": "is", "value": true}, '
            '{"fact": "has_subcontractors", "op": "is", "value": true}]}',
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert requirement.rule["any"][0] == {
        "fact": "subcontracting_allowed",
        "op": "is",
        "value": True,
    }
    html = client.get(f"/catalog/requirements/{requirement.id}").get_data(as_text=True)
    assert "次のいずれかに該当する場合：再委託を認める、再委託先がある" in html
    assert "OUT-08" not in [r.code for r in _applicable(make.engagement())]
    assert "OUT-08" in [r.code for r in _applicable(make.engagement(subcontracting_allowed=True))]


def _applicable(arrangement):
    from vendorguard.catalog import services

    return services.applicable_requirements(db.session, arrangement)


def test_admin_adds_a_requirement(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/catalog/requirements/new",
        data={
            "code": "out-14",
            "kind": "outsourcing",
            "applies_to": "engagement",
            "title_ja": "ネットワーク分離の遵守",
            "rule": '{"fact": "segments", "op": "contains", "value": "my_number"}',
            "sort_order": 135,
            "active": "y",
        },
    )
    assert response.status_code == 302
    requirement = _requirement("OUT-14")
    assert (
        requirement.applies_to == ArrangementKind.ENGAGEMENT
        and requirement.kind == RequirementKind.OUTSOURCING
    )
    response = client.post(
        "/catalog/requirements/new",
        data={
            "code": "OUT-14",
            "kind": "outsourcing",
            "applies_to": "engagement",
            "title_ja": "x",
            "rule": '{"always": true}',
        },
    )
    assert "この要件コードは既に使われています。" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PROCUREMENT, Role.OFFICER, Role.AUDITOR, Role.SNS_OWNER])
def test_non_admins_cannot_edit(client, make, login_as, catalog, role):
    login_as(make.user(role))
    requirement = _requirement("OUT-01")
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-01")).one()
    version = db.session.scalars(
        select(ClauseVersion).where(ClauseVersion.clause_id == clause.id)
    ).one()
    engagement = make.engagement()
    for method, url in (
        ("get", "/catalog/requirements/new"),
        ("get", f"/catalog/requirements/{requirement.id}/edit"),
        ("post", f"/catalog/requirements/{requirement.id}/edit"),
        ("get", "/catalog/clauses/new"),
        ("get", f"/catalog/clauses/{clause.id}/edit"),
        ("post", f"/catalog/clauses/{clause.id}/edit"),
        ("post", f"/catalog/clauses/versions/{version.id}/approve"),
        ("post", f"/catalog/clauses/{clause.id}/archive"),
        ("post", "/catalog/clauses/preview"),
        ("post", f"/catalog/coverage/{engagement.id}/waivers"),
    ):
        assert getattr(client, method)(url).status_code == 403, url
    # Reading is open to every internal role.
    assert client.get("/catalog/requirements/").status_code == 200
    assert client.get(f"/catalog/clauses/{clause.id}").status_code == 200


def test_contractor_users_are_fenced_out(client, make, login_as, catalog):
    login_as(make.user(Role.CONTRACTOR, contractor_id=make.contractor().id))
    assert client.get("/catalog/requirements/").status_code == 403


def test_clause_detail_shows_versions_and_approve_button_only_for_admins(
    client, make, login_as, catalog
):
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-07")).one()
    db.session.add(
        ClauseVersion(
            clause_id=clause.id,
            number=2,
            title="再委託の制限",
            body="受注者は再委託してはならない。\n",
            status=ClauseStatus.DRAFT,
        )
    )
    db.session.commit()
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/catalog/clauses/{clause.id}").get_data(as_text=True)
    assert (
        "第2版" in html
        and "下書き" in html
        and "承認済（使用中）" in html
        and "この版を承認" not in html
    )
    client.post("/logout")
    login_as(make.user(Role.ADMIN))
    assert "この版を承認" in client.get(f"/catalog/clauses/{clause.id}").get_data(as_text=True)
    html = client.get("/catalog/clauses/?applies_to=engagement").get_data(as_text=True)
    assert "1件（最新 第2版）" in html


def test_unknown_ids_are_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    for url in (
        "/catalog/requirements/999999",
        "/catalog/requirements/999999/edit",
        "/catalog/clauses/999999",
        "/catalog/clauses/999999/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/catalog/clauses/versions/999999/approve").status_code == 404
    assert client.post("/catalog/waivers/999999/withdraw").status_code == 404


def _add_requirements(count: int, start: int) -> None:
    db.session.add_all(
        [
            Requirement(
                code=f"T-{n:04d}",
                title_ja=f"要件{n}",
                kind=RequirementKind.OUTSOURCING,
                applies_to=ArrangementKind.ENGAGEMENT,
                rule={"always": True},
                sort_order=n,
            )
            for n in range(start, start + count)
        ]
    )
    db.session.commit()


def _add_clauses(count: int, start: int, requirement: Requirement) -> None:
    clauses = [
        Clause(
            code=f"T-{n:04d}", title=f"条項{n}", applies_to=ArrangementKind.ENGAGEMENT, sort_order=n
        )
        for n in range(start, start + count)
    ]
    db.session.add_all(clauses)
    db.session.flush()
    versions = []
    for clause in clauses:
        versions += [
            ClauseVersion(
                clause_id=clause.id,
                number=1,
                title=clause.title,
                body="本文\n",
                status=ClauseStatus.APPROVED,
            ),
            ClauseVersion(
                clause_id=clause.id,
                number=2,
                title=clause.title,
                body="本文2\n",
                status=ClauseStatus.DRAFT,
            ),
        ]
    db.session.add_all(versions)
    db.session.flush()
    db.session.execute(
        clause_version_requirement.insert(),
        [{"clause_version_id": v.id, "requirement_id": requirement.id} for v in versions],
    )
    db.session.commit()


def test_list_query_counts_do_not_grow(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    _add_requirements(5, 0)
    requirement = db.session.scalars(select(Requirement)).first()
    _add_clauses(5, 0, requirement)
    counts = {}
    for url in ("/catalog/requirements/?per_page=200", "/catalog/clauses/?per_page=200"):
        client.get(url)
        with count_queries() as few:
            assert client.get(url).status_code == 200
        counts[url] = few.count
    _add_requirements(495, 5)
    _add_clauses(495, 5, requirement)
    for url, few in counts.items():
        with count_queries() as many:
            html = client.get(url).get_data(as_text=True)
        assert "全500件" in html
        assert many.count == few, url


def test_rule_json_round_trips_in_the_edit_form(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    requirement = _requirement("PI-01")
    html = client.get(f"/catalog/requirements/{requirement.id}/edit").get_data(as_text=True)
    textarea = html.split('name="rule"')[1].split(">", 1)[1].split("</textarea>")[0]
    import html as html_lib

    assert json.loads(html_lib.unescape(textarea)) == requirement.rule


def test_english_readers_see_english_titles(client, make, login_as, catalog):
    login_as(make.user(Role.OFFICER, locale="en"))
    html = client.get("/catalog/requirements/?kind=outsourcing").get_data(as_text=True)
    assert "Service-level guarantee" in html
