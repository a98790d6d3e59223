"""Fixtures for the cloud service tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.conftest import login
from vendorguard.catalog.services import ensure_catalog
from vendorguard.classification.models import Axis, ClassificationLevel
from vendorguard.cloud.models import CloudService
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind, IsmapRegistration


@pytest.fixture
def login_as(client):
    """``login_as(user)``, signing out whoever was signed in first (tests switch users)."""

    def switch(user):
        client.post("/logout")
        login(client, user)

    return switch


@dataclass
class Levels:
    """Confidentiality levels of the active scheme (R6.10): 2 counts as 機密性2以上, 1 does not."""

    high: ClassificationLevel
    low: ClassificationLevel


@pytest.fixture
def catalog(make) -> Levels:
    """The shipped requirement catalog and classification schemes."""
    scheme = make.schemes()
    ensure_catalog(db.session)
    db.session.commit()
    levels = {level.code: level for level in scheme.levels if level.axis == Axis.CONFIDENTIALITY}
    return Levels(high=levels["2"], low=levels["1"])


def reload(service: CloudService) -> CloudService:
    """The service as stored now."""
    db.session.expire_all()
    return db.session.get(CloudService, service.id)


def checklist_codes(html: str) -> list[str]:
    """Requirement codes the application form asks, in order."""
    match = re.search(r'name="checklist_codes" type="hidden" value="([^"]*)"', html) or re.search(
        r'name="checklist_codes" value="([^"]*)"', html
    )
    assert match, "no checklist on the page"
    return [code for code in match.group(1).split(",") if code]


def application_data(
    level: ClassificationLevel,
    codes: list[str],
    terms: str = "contract",
    answers: dict[str, str] | None = None,
    notes: dict[str, str] | None = None,
    **overrides,
) -> dict[str, str]:
    """A complete application submission; every item answered 対応済 unless ``answers`` says otherwise."""
    answers = answers or {}
    notes = notes or {}
    data = {
        "purpose": "電子申請の受付と審査",
        "data_description": "申請者の氏名・住所・連絡先、申請内容",
        "confidentiality_level_id": str(level.id),
        "users_description": "市民課職員 約20名",
        "data_location": "日本国内（東京・大阪リージョン）",
        "terms_type": terms,
        "checklist_codes": ",".join(codes),
    }
    for code in codes:
        key = code.replace("-", "_")
        answer = answers.get(code, "done")
        if answer:
            data[f"answer_{key}"] = answer
        data[f"note_{key}"] = notes.get(code, "")
    data.update(overrides)
    return data


def registration(number: str, **fields) -> IsmapRegistration:
    """A registration on the ISMAP list, stored."""
    fields.setdefault("list_kind", IsmapKind.ISMAP)
    fields.setdefault("service_name", f"サービス {number}")
    fields.setdefault("provider_name", "クラウド事業者株式会社")
    entry = IsmapRegistration(registration_number=number, **fields)
    db.session.add(entry)
    db.session.commit()
    return entry


def registrations() -> list[IsmapRegistration]:
    """Every registration stored."""
    return db.session.scalars(select(IsmapRegistration)).all()


def checked_value(html: str, name: str) -> str | None:
    """The value of the checked radio button named ``name``, if any."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None
