"""Two-character searches through the bigram indexes find exactly the rows LIKE finds."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core.web import contains, contains_any
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db

TITLES = [
    "税務システム保守",
    "保守点検業務",
    "情報政策課 福祉",
    "50%引き_特売",
    "a_b 記号",
    "c\\d 記号",
    "税",
    "",
]
# 1, 2, 3 and more characters; found and not; with LIKE's wildcards and escape character
TERMS = [
    "税",
    "福",
    "無",
    "%",
    "_",
    "\\",
    "税務",
    "保守",
    "ム保",
    "存在",
    "%引",
    "0%",
    "%%",
    "_b",
    "a_",
    "\\d",
    "c\\",
    "\\\\",
    "税務シ",
    "税務システム保守",
    "存在しない",
    "0%引き",
    "a_b",
]


@pytest.fixture
def titled(make):
    """One engagement per title (its contractor named alike), id → title."""
    rows = {}
    for title in TITLES:
        contractor = make.contractor(name=title or "-")
        rows[make.engagement(title=title, contractor=contractor).id] = title
    return rows


@pytest.mark.parametrize("term", TERMS)
def test_contains_finds_exactly_the_rows_holding_the_term(app, titled, term):
    found = set(db.session.scalars(select(Arrangement.id).where(contains(Arrangement.title, term))))
    assert found == {id_ for id_, title in titled.items() if term in title}
    names = set(db.session.scalars(select(Contractor.name).where(contains(Contractor.name, term))))
    assert names == {title or "-" for title in TITLES if term in (title or "-")}


@pytest.mark.parametrize("term", TERMS)
def test_contains_any_finds_exactly_the_rows_of_the_or(app, titled, term):
    """Bigrams of several columns, and a condition of another kind, as the lists combine them."""
    kana = {"税務": "ゼイム"}.get(term, term)
    db.session.add(
        Contractor(name="別名", name_kana="ゼイムショ", corporate_number="1234567890123")
    )
    db.session.flush()
    found = set(
        db.session.scalars(
            select(Contractor.name).where(
                contains_any(
                    (Contractor.name, term),
                    (Contractor.name_kana, kana),
                    also=[Contractor.corporate_number == "1234567890123"],
                )
            )
        )
    )
    contractors = db.session.scalars(select(Contractor)).all()
    assert found == {
        c.name
        for c in contractors
        if term in c.name or kana in c.name_kana or c.corporate_number == "1234567890123"
    }
    without = select(Contractor.name).where(
        contains_any((Contractor.name, term), (Contractor.name_kana, kana))
    )
    assert set(db.session.scalars(without)) == {
        c.name for c in contractors if term in c.name or kana in c.name_kana
    }


def test_only_two_character_terms_on_indexed_columns_use_the_bigram_index(app, titled):
    def sql(column, term):
        return str(select(column).where(contains(column, term)).compile(db.engine))

    postgres = db.engine.dialect.name == "postgresql"
    assert ("vg_bigrams" in sql(Arrangement.title, "税務")) is postgres
    assert ("vg_bigrams" in sql(Contractor.name_kana, "ゼイ")) is postgres
    assert "vg_bigrams" not in sql(Arrangement.title, "税")
    assert "vg_bigrams" not in sql(Arrangement.title, "税務シ")
    # a term with letter case is matched with ILIKE, which the case-sensitive bigrams cannot serve
    assert "vg_bigrams" not in sql(Arrangement.title, "IT")
    # no index on the contract number: its bigrams would be computed for every row
    assert "vg_bigrams" not in sql(Engagement.contract_number, "R8")


def test_the_index_serves_the_search_on_postgresql(app, titled):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the bigram indexes are PostgreSQL's")
    stmt = select(Arrangement.id).where(contains(Arrangement.title, "保守"))
    compiled = stmt.compile(db.engine)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    connection = db.session.connection()
    plan = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars().all()
    assert any("bigram_arrangement_title" in line for line in plan), plan


def test_the_engagement_list_finds_two_character_terms(client, make, login_as, titled):
    login_as(make.user(Role.ADMIN))
    html = client.get("/engagements/?q=保守").get_data(as_text=True)
    found = re.findall(r'<a href="/engagements/\d+">([^<]+)</a>', html)
    assert sorted(found) == ["保守点検業務", "税務システム保守"]
