"""Audit log pages: filters, Japan-time dates, detail, verification and the Excel CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
from sqlalchemy import select, text

from vendorguard.audit import services as audit
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db


def _event(action: str, object_type: str, label: str, when: datetime | None = None, **fields):
    audit.record(db.session, action, object_type, fields.pop("object_id", None), label, **fields)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    if when is not None:  # backdate it (this breaks the hash chain, which these tests do not check)
        db.session.execute(
            text("UPDATE audit_event SET occurred_at = :at WHERE id = :id"),
            {
                "at": when.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else when,
                "id": event.id,
            },
        )
        db.session.commit()
    return event


def test_auditor_sees_the_trail_with_japanese_labels(client, make, login_as):
    make.contractor(name="豊岡データ株式会社")
    _event("mystery_action", "contractor", "謎の操作")
    login_as(make.user(Role.AUDITOR))
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "豊岡データ株式会社" in html and "委託事業者" in html and "登録" in html
    assert "ログイン" in html  # the auditor's own sign-in
    assert "mystery_action" in html  # unknown actions are shown as they are
    assert html.index("ログイン") < html.index("豊岡データ株式会社")  # newest first


def test_filters_by_actor_action_object_and_japan_dates(client, make, login_as):
    contractor = make.contractor(name="但馬情報サービス株式会社")
    # 2026-04-01 00:30 in Japan is still 31 March in UTC.
    _event("approve", "cloud_service", "早朝の承認", when=datetime(2026, 3, 31, 15, 30, tzinfo=UTC))
    _event("approve", "cloud_service", "前日の承認", when=datetime(2026, 3, 31, 14, 30, tzinfo=UTC))
    login_as(make.user(Role.ADMIN, email="kanri@city.example.jp"))

    html = client.get("/admin/audit/?date_from=2026-04-01&date_to=2026-04-01").get_data(
        as_text=True
    )
    assert "早朝の承認" in html and "前日の承認" not in html and "但馬情報サービス" not in html
    html = client.get("/admin/audit/?date_to=2026-03-31").get_data(as_text=True)
    assert "前日の承認" in html and "早朝の承認" not in html
    html = client.get("/admin/audit/?action=approve").get_data(as_text=True)
    assert "前日の承認" in html and "早朝の承認" in html and "但馬情報サービス" not in html
    html = client.get(f"/admin/audit/?object_type=contractor&object_id={contractor.id}").get_data(
        as_text=True
    )
    assert "但馬情報サービス株式会社" in html and "早朝の承認" not in html
    html = client.get("/admin/audit/?actor=KANRI").get_data(as_text=True)
    assert "ログイン" in html and "但馬情報サービス" not in html
    html = client.get("/admin/audit/?date_from=2026-13-45").get_data(as_text=True)
    assert "存在しない日付です。" in html and "早朝の承認" in html
    html = client.get("/admin/audit/?date_from=令和8年4月1日").get_data(as_text=True)
    assert "前日の承認" not in html and "早朝の承認" in html


def test_detail_shows_before_and_after_field_by_field(client, make, login_as):
    contractor = make.contractor(name="旧商号株式会社")
    contractor.name = "新商号株式会社"
    db.session.commit()
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "update", AuditEvent.object_type == "contractor"
        )
    ).one()
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/admin/audit/{event.id}").get_data(as_text=True)
    assert "旧商号株式会社" in html and "新商号株式会社" in html and "名称" in html
    assert event.hash in html and event.prev_hash in html and f"#{event.seq}" in html
    assert client.get("/admin/audit/999999").status_code == 404


def test_verify_reports_intact_and_then_a_tampered_row(client, make, login_as):
    make.contractor()
    login_as(make.user(Role.AUDITOR))
    html = client.post("/admin/audit/verify", follow_redirects=True).get_data(as_text=True)
    assert "監査ログは改ざんされていません" in html
    target = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "contractor")
    ).one()
    db.session.execute(
        text("UPDATE audit_event SET object_label = '書き換え' WHERE id = :id"), {"id": target.id}
    )
    db.session.commit()
    html = client.post("/admin/audit/verify", follow_redirects=True).get_data(as_text=True)
    assert "監査ログの改ざんを検出しました。" in html and f"連番 {target.seq}" in html
    assert "記録内容が書き換えられています" in html


def test_csv_export_is_excel_ready_and_filtered(client, make, login_as):
    make.contractor(name='=HYPERLINK("http://example.com")')
    make.contractor(name="城崎温泉観光株式会社")
    make.department(name="観光課")
    login_as(make.user(Role.AUDITOR))
    response = client.get("/admin/audit/export.csv?object_type=contractor")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["日時", "操作者", "操作", "対象の種類", "対象ID", "対象"]
    assert len(rows) == 3
    labels = [row[5] for row in rows[1:]]
    assert labels[0] == "城崎温泉観光株式会社"  # newest first
    assert labels[1].startswith("'=HYPERLINK")  # never a live formula in Excel
    assert all(row[2] == "登録" and row[3] == "委託事業者" for row in rows[1:])
    assert "観光課" not in body.decode("utf-8")


def test_auditor_reads_the_log_but_not_users_or_classification(client, make, login_as):
    login_as(make.user(Role.AUDITOR))
    assert client.get("/admin/audit/").status_code == 200
    assert client.get("/admin/users/").status_code == 403
    assert client.get("/admin/classification/").status_code == 403


def test_other_roles_cannot_read_the_log(client, make, login_as):
    login_as(make.user(Role.PROCUREMENT))
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
    assert client.post("/admin/audit/verify").status_code == 403


def test_audit_list_query_count_does_not_grow(client, make, login_as, count_queries):
    login_as(make.user(Role.AUDITOR))
    for _ in range(5):
        make.contractor()
    client.get("/admin/audit/")
    with count_queries() as few:
        assert client.get("/admin/audit/?per_page=200").status_code == 200
    from vendorguard.audit import chain

    chain.append(
        db.session.connection(),
        [
            audit.make_event("update", "contractor", n, f"一括{n}", {"a": 1}, {"a": 2})
            for n in range(500)
        ],
    )
    db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/audit/?per_page=200").status_code == 200
    assert few.count == many.count


def test_csv_export_in_cp932_for_older_tools(client, make, login_as):
    make.contractor(name="髙橋〜工務店")
    login_as(make.user(Role.AUDITOR))
    response = client.get("/admin/audit/export.csv?object_type=contractor&encoding=cp932")
    assert response.headers["Content-Type"] == "text/csv; charset=shift_jis"
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("cp932"))))
    assert rows[0][0] == "日時" and rows[1][5] == "髙橋～工務店"


def test_xlsx_export_holds_the_same_rows_as_text(client, make, login_as):
    make.contractor(name='=HYPERLINK("http://example.com")')
    login_as(make.user(Role.AUDITOR))
    response = client.get("/admin/audit/export.xlsx?object_type=contractor")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("日時", "操作者", "操作")
    label = sheet.cell(row=2, column=6)
    assert label.value == '=HYPERLINK("http://example.com")' and label.data_type == "s"
    assert label.quotePrefix
