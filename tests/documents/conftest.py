"""Helpers for document tests: articles built by hand, the shipped catalog, reading .docx back."""

from __future__ import annotations

import io

import pytest
from docx import Document

from tests.storage.conftest import aws_credentials, bucket, moto_s3  # noqa: F401  (S3 fixtures)
from vendorguard.catalog.services import Article


def sample_articles() -> list[Article]:
    """Three articles as procurement would see them, one with several paragraphs."""
    return [
        Article(
            "基本的事項",
            [
                "受注者は、この契約による業務を行うに当たり、情報セキュリティの重要性を認識し、"
                "発注者の情報セキュリティポリシーを遵守しなければならない。"
            ],
            11,
            ["OUT-01"],
        ),
        Article(
            "（秘密の保持）",
            [
                "受注者は、この契約による業務に関して知り得た情報を他に漏らしてはならない。",
                "前項の規定は、この契約が終了し、又は解除された後においても同様とする。",
                "受注者は、従事者に対し、前2項の義務を遵守させなければならない。",
            ],
            12,
            ["OUT-07", "PI-02"],
        ),
        Article(
            "再委託の制限",
            ["受注者は、発注者の書面による承諾を得なければ、業務を第三者に委託してはならない。"],
            13,
            ["OUT-08", "MN-01"],
        ),
    ]


def read_docx(data: bytes):
    """The document parsed by python-docx."""
    return Document(io.BytesIO(data))


def body_texts(data: bytes) -> list[str]:
    """Every body paragraph's text, in order."""
    return [p.text for p in read_docx(data).paragraphs]


def table_rows(data: bytes) -> list[list[list[str]]]:
    """Each table as rows of cell texts."""
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in read_docx(data).tables
    ]


@pytest.fixture
def shipped_catalog(app):
    """The shipped requirements and approved clauses, committed."""
    from vendorguard.catalog.services import ensure_catalog
    from vendorguard.extensions import db

    ensure_catalog(db.session)
    db.session.commit()


@pytest.fixture
def bulk_sync(app):
    """Bulk jobs run inside the request (BULK_SYNC), so a test sees the finished job at once."""
    app.config["BULK_SYNC"] = True
    return app


def add_gap_requirement(code: str = "TST-01"):
    """An active requirement with no clause, applying to engagements in the internet segment only."""
    from vendorguard.catalog import services as catalog
    from vendorguard.extensions import db

    requirement = catalog.create_requirement(
        db.session,
        catalog.RequirementData(
            code=code,
            kind="outsourcing",
            applies_to="engagement",
            title_ja="インターネット接続系での作業の制限",
            rule_text='{"fact": "segments", "op": "contains", "value": "internet"}',
        ),
    )
    db.session.commit()
    return requirement


@pytest.fixture
def ja(app):
    """A request context in Japanese, for services whose messages are translated."""
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        yield
