from datetime import date

from sqlalchemy import select

from tests.imports.files import xlsx
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db


def test_engagement_roundtrip_smoke(app, make, importer):
    dept = make.department(name="情報政策課")
    contractor = make.contractor(name="みほん情報株式会社")
    admin = make.user(Role.ADMIN)
    data = xlsx({"業務委託": [
        ["令和8年度 業務委託台帳"],
        [],
        ["契約番号", "件名", "所管課", "委託事業者", "委託事業者の法人番号", "契約開始日", "契約終了日", "謎の列"],
        ["R8-001 ", "住民記録システム保守", "情報政策課", "みほん情報株式会社", contractor.corporate_number, "令和8年4月1日", "２０２７/３/３１", "x"],
    ]})
    batch = importer(admin, "engagements", data)
    assert batch.status.value == "needs_mapping"
    batch = importer(admin, "engagements", data, decisions={"engagements": {"7": "__ignore__"}})
    print(batch.rows, batch.summary)
    assert batch.summary["counts"]["created"] == 1
    assert db.session.scalars(select(Engagement)).all() == []
    batch = importer(admin, "engagements", data, decisions={"engagements": {"7": "__ignore__"}}, apply=True)
    print(batch.rows, batch.summary)
    engagement = db.session.scalars(select(Engagement)).one()
    assert engagement.starts_on == date(2026, 4, 1)
    batch = importer(admin, "engagements", data, decisions={"engagements": {"7": "__ignore__"}}, apply=True)
    assert batch.summary["counts"]["unchanged"] == 1, batch.rows
