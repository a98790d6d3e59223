"""A realistic messy 台帳: the preview names every problem next to its cell; nothing is saved while
any row is refused; the corrected file applied twice leaves the database as the first apply did."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.imports.files import xlsx
from tests.walk import database_state
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.contractors import corporate_number as cn
from vendorguard.contractors.models import Contractor
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db

ALPHA = cn.make("301234567890")
BETA = cn.make("401234567891")


def _full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))


def _contractor_sheet(duplicate: bool) -> list[list]:
    return [
        ["令和8年度 委託事業者一覧（情報政策課作成）"],  # a merged title row
        ["", "", "", "", "令和8年4月1日現在"],
        [],
        ["法人番号", "事業者名", "フリガナ", "住所 ", "ＦＡＸ番号"],  # an unknown header
        [
            _full_width(f"{ALPHA[:1]}-{ALPHA[1:5]}-{ALPHA[5:9]}-{ALPHA[9:]}"),
            "みほん情報株式会社 ",
            "みほんじょうほう",
            "豊岡市中央町1-1",
            "0796-00-0000",
        ],
        [],  # blank rows in the middle of the list
        [],
        [
            int(BETA),
            "サンプル開発株式会社",
            "サンプルカイハツ",
            "",
            "",
        ],  # a number cell, as Excel keeps it
        [
            BETA if duplicate else cn.make("501234567892"),
            "サンプル開発（株）",
            "サンプルカイハツ",
            "",
            "",
        ],
        ["   ", None, "", "", ""],  # spaces only: blank
    ]


def _engagement_sheet(department: str) -> list[list]:
    return [
        ["業務委託台帳"],
        [],
        [
            "契約No",
            "業務名",
            "担当課",
            "受託者の法人番号",
            "契約期間（自）",
            "契約期間（至）",
            "個人情報",
            "ネットワーク",
            "備考欄",
        ],
        [
            "R８－００１",
            "住民記録システム保守（令和8年度）",
            "情報政策課",
            _full_width(ALPHA),
            "令和8年4月1日",
            "R9.3.31",
            "○",
            "LGWAN接続系",
            "メモ",
        ],
        [
            "R8-002",
            "ホームページ運用",
            department,
            BETA,
            "２０２６/４/１",
            "2027年3月31日",
            "×",
            "インターネット接続系",
            "",
        ],
        ["R8-003", "窓口受付", "情報政策課", BETA, "令和8年13月1日", "2027-03-31", "はい", "", ""],
    ]


def test_messy_contractor_list_names_each_problem_and_saves_nothing(app, make, importer):
    admin = make.user(Role.ADMIN)
    data = xlsx({"委託事業者": _contractor_sheet(duplicate=True)}, merge_title=True)

    batch = importer(admin, "contractors", data)
    assert batch.status.value == "needs_mapping"  # ＦＡＸ番号: nobody decided yet
    layout = batch.layout["sheets"][0]
    assert layout["header_row"] == 4 and layout["headers"][4] == "ＦＡＸ番号"

    batch = importer(admin, "contractors", data, decisions={"contractors": {"4": "__ignore__"}})
    rows = {row[1]: row for row in batch.rows}
    assert set(rows) == {5, 8, 9}  # blank rows skipped, rows numbered as the sheet numbers them
    assert rows[5][2] == "created" and rows[5][3] == ALPHA  # hyphens and full-width digits read
    assert rows[8][2] == "created"
    assert rows[9][2] == "error"
    (cell, header, message) = rows[9][5][0]
    assert (cell, header) == ("A9", "法人番号") and "8行目" in message
    assert any("ＦＡＸ番号" in note and "取り込みません" in note for note in batch.summary["notes"])

    before = database_state()
    batch = importer(
        admin, "contractors", data, decisions={"contractors": {"4": "__ignore__"}}, apply=True
    )
    assert batch.status.value == "failed"
    after = database_state()
    assert {k: v for k, v in after.items() if k != "import_batch"} == {
        k: v for k, v in before.items() if k != "import_batch"
    }
    assert db.session.scalar(select(func.count()).select_from(Contractor)) == 0


def test_messy_engagement_list_names_each_problem(app, make, importer):
    make.schemes()
    admin = make.user(Role.ADMIN)
    make.department(name="情報政策課")
    make.contractor(name="みほん情報株式会社", corporate_number=ALPHA)
    make.contractor(name="サンプル開発株式会社", corporate_number=BETA)
    data = xlsx({"業務委託": _engagement_sheet(department="存在しない課")}, merge_title=True)

    batch = importer(admin, "engagements", data, decisions={"engagements": {"8": "__ignore__"}})
    rows = {row[1]: row for row in batch.rows}
    assert rows[4][2] == "created" and rows[4][3] == "R8-001"  # full-width contract number read
    assert rows[5][2] == "error"
    assert rows[5][5][0][:2] == ["C5", "担当課"] and "存在しない課" in rows[5][5][0][2]
    assert rows[6][2] == "error"
    assert rows[6][5][0][:2] == ["E6", "契約期間（自）"]
    assert db.session.scalar(select(func.count()).select_from(Engagement)) == 0  # a dry run


def test_corrected_list_applied_twice_leaves_the_same_database(app, make, importer):
    make.schemes()
    admin = make.user(Role.ADMIN)
    make.department(name="情報政策課")
    contractors = xlsx({"委託事業者": _contractor_sheet(duplicate=False)}, merge_title=True)
    decisions = {"contractors": {"4": "__ignore__"}}
    first = importer(admin, "contractors", contractors, decisions=decisions, apply=True)
    assert first.status.value == "applied", first.rows
    assert first.summary["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 0}

    sheet = _engagement_sheet(department="情報政策課")
    sheet[5][4] = "令和8年12月1日"
    engagements = xlsx({"業務委託": sheet})
    applied = importer(
        admin,
        "engagements",
        engagements,
        decisions={"engagements": {"8": "__ignore__"}},
        apply=True,
    )
    assert applied.summary["counts"]["created"] == 3, applied.rows
    engagement = db.session.scalars(
        select(Engagement).where(Engagement.contract_number == "R8-001")
    ).one()
    assert (engagement.starts_on, engagement.ends_on) == (date(2026, 4, 1), date(2027, 3, 31))
    assert engagement.handles_personal_info and engagement.segment_lgwan
    assert (
        engagement.title == "住民記録システム保守（令和8年度）"
    )  # full-width brackets kept as typed

    state = database_state()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    again = importer(admin, "contractors", contractors, decisions=decisions, apply=True)
    assert again.summary["counts"]["unchanged"] == 3
    again = importer(
        admin,
        "engagements",
        engagements,
        decisions={"engagements": {"8": "__ignore__"}},
        apply=True,
    )
    assert again.summary["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "error": 0}
    after = database_state()
    assert {k: v for k, v in after.items() if k != "import_batch"} == {
        k: v for k, v in state.items() if k != "import_batch"
    }
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
