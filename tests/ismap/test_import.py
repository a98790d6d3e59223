"""Importing lists: by URL and by file from the command line, by upload on the admin page; failures
change nothing but are kept in the history; re-import is idempotent; leaving and returning."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db
from vendorguard.ismap import services
from vendorguard.ismap.matching import IsmapStatus, status_for
from vendorguard.ismap.models import ImportStatus, IsmapImport, IsmapKind, IsmapRegistration

from .conftest import HEADER, Route, csv_bytes, sample_rows, xlsx_bytes

FORMATS = {
    "xlsx": ("list.xlsx", lambda **kw: xlsx_bytes(**kw)),
    "csv-utf8": ("list.csv", lambda **kw: csv_bytes(encoding="utf-8-sig", **kw)),
    "csv-cp932": ("list.csv", lambda **kw: csv_bytes(encoding="cp932", **kw)),
}


def registrations() -> dict[str, IsmapRegistration]:
    db.session.expire_all()
    return {r.registration_number: r for r in db.session.scalars(select(IsmapRegistration))}


def imports() -> list[IsmapImport]:
    db.session.expire_all()
    return list(db.session.scalars(select(IsmapImport).order_by(IsmapImport.id)))


def assert_sample_imported() -> None:
    found = registrations()
    assert sorted(found) == sorted(row[0] for row in sample_rows())
    first = found["C21-0001-1"]
    assert (first.service_name, first.provider_name) == (
        "テストクラウド基盤サービス",
        "株式会社テストクラウド",
    )
    assert first.registered_on == date(2021, 3, 12)
    assert first.audit_period_end == date(2025, 3, 31)
    assert first.valid_until == date(2026, 8, 1) and first.valid_until_computed
    assert (
        found["C23-0005-1"].valid_until == date(2030, 3, 31)
        and not found["C23-0005-1"].valid_until_computed
    )
    assert found["C22-0003-1"].renewal_pending
    assert status_for(found["C21-0002-1"]) == IsmapStatus.EXPIRING  # valid for 20 more days
    assert all(r.list_kind == IsmapKind.ISMAP for r in found.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_imports_from_a_local_http_server(app, file_server, fmt):
    filename, build = FORMATS[fmt]
    file_server.routes[f"/{filename}"] = Route(build())
    result = app.test_cli_runner().invoke(
        args=["vg", "ismap-import", "--url", file_server.url(f"/{filename}")]
    )
    assert result.exit_code == 0, result.output
    assert (
        "ISMAP の一覧を取り込みました: 読込 5件、新規 5件、更新 0件、リストから削除 0件"
        in result.output
    )
    assert_sample_imported()
    (record,) = imports()
    assert record.status == ImportStatus.OK and record.source == file_server.url(f"/{filename}")
    assert record.actor_label == "cli:ismap-import" and len(record.sha256) == 64
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "ismap_registration")
    ).all()
    assert len(events) == 5 and {e.actor_label for e in events} == {"cli:ismap-import"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_imports_from_a_file(app, tmp_path, fmt):
    filename, build = FORMATS[fmt]
    path = tmp_path / filename
    path.write_bytes(build())
    result = app.test_cli_runner().invoke(
        args=["vg", "ismap-import", "--file", str(path), "--kind", "ismap"]
    )
    assert result.exit_code == 0, result.output
    assert_sample_imported()


@pytest.mark.parametrize("fmt", FORMATS)
def test_admin_uploads_a_list(client, make, login_as, fmt):
    import io

    filename, build = FORMATS[fmt]
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/admin/ismap/import",
        data={"list_kind": "ismap", "file": (io.BytesIO(build()), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (record,) = imports()
    assert response.headers["Location"].endswith(f"/admin/ismap/imports/{record.id}")
    assert record.imported_by_id is not None and record.source == filename
    assert_sample_imported()
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ISMAPの一覧を取り込みました（5件を読み込み、新規 5件" in html


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_renamed_header_reports_the_column_and_changes_nothing(app, tmp_path, fmt):
    filename, build = FORMATS[fmt]
    path = tmp_path / filename
    path.write_bytes(build(header=["番号"] + HEADER[1:]))
    result = app.test_cli_runner().invoke(args=["vg", "ismap-import", "--file", str(path)])
    assert result.exit_code == 1
    assert "列「登録番号」が見つかりません。" in result.output
    assert registrations() == {}
    (record,) = imports()
    assert (
        record.status == ImportStatus.FAILED and "列「登録番号」が見つかりません。" in record.error
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_type == "ismap_registration")
        )
        == 0
    )


def test_a_renamed_header_on_upload_keeps_existing_registrations(client, make, login_as):
    import io

    services.import_file(db.session, csv_bytes(), "first.csv", IsmapKind.ISMAP, "test")
    db.session.commit()
    before = {n: (r.service_name, r.left_list_on) for n, r in registrations().items()}
    login_as(make.user(Role.ADMIN))
    broken = csv_bytes(header=HEADER[:2] + ["名称"] + HEADER[3:], rows=sample_rows()[:1])
    response = client.post(
        "/admin/ismap/import",
        data={"list_kind": "ismap", "file": (io.BytesIO(broken), "b.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "取り込みに失敗したため、登録内容は変更していません。" in html
    assert "列「サービス名称」が見つかりません。見出し行: 登録番号 / 登録日 / 名称" in html
    assert {n: (r.service_name, r.left_list_on) for n, r in registrations().items()} == before
    assert [i.status for i in imports()] == [ImportStatus.OK, ImportStatus.FAILED]


def test_reimport_is_idempotent(app):
    data = xlsx_bytes()
    first = services.import_file(db.session, data, "a.xlsx", IsmapKind.ISMAP, "test")
    db.session.commit()
    events_after_first = db.session.scalar(select(func.count()).select_from(AuditEvent))
    snapshot = {
        n: (r.service_name, r.valid_until, r.left_list_on, r.updated_at)
        for n, r in registrations().items()
    }
    second = services.import_file(db.session, data, "a.xlsx", IsmapKind.ISMAP, "test")
    db.session.commit()
    assert (second.created, second.updated, second.left_list, second.returned) == (0, 0, 0, 0)
    assert second.sha256 == first.sha256
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_after_first
    after = registrations()
    assert {
        n: (r.service_name, r.valid_until, r.left_list_on, r.updated_at) for n, r in after.items()
    } == snapshot
    assert {r.last_seen_import_id for r in after.values()} == {second.id}
    assert {r.first_seen_import_id for r in after.values()} == {first.id}


def test_a_registration_missing_from_the_next_import_is_flagged_and_can_return(app):
    services.import_file(db.session, csv_bytes(), "a.csv", IsmapKind.ISMAP, "test")
    liu = services.import_file(
        db.session,
        csv_bytes(rows=[["L23-0001-1", "", "小規模SaaS", "SaaS株式会社", "", "", ""]]),
        "liu.csv",
        IsmapKind.ISMAP_LIU,
        "test",
    )
    db.session.commit()
    assert liu.left_list == 0  # another list's import never touches ISMAP registrations
    changed = [row for row in sample_rows() if row[0] != "C21-0002-1"]
    changed[0][2] = "テストクラウド基盤サービス（改称）"
    record = services.import_file(
        db.session,
        csv_bytes(rows=changed),
        "b.csv",
        IsmapKind.ISMAP,
        "test",
        today=date(2026, 5, 1),
    )
    db.session.commit()
    assert (record.created, record.updated, record.left_list) == (0, 1, 1)
    found = registrations()
    gone = found["C21-0002-1"]
    assert gone.left_list_on == date(2026, 5, 1) and status_for(gone) == IsmapStatus.LEFT_LIST
    assert gone.last_seen_import_id != record.id
    assert found["C21-0001-1"].service_name == "テストクラウド基盤サービス（改称）"
    assert found["L23-0001-1"].left_list_on is None  # the ISMAP-LIU registration is untouched
    actions = db.session.scalars(
        select(AuditEvent.after).where(
            AuditEvent.object_type == "ismap_registration",
            AuditEvent.object_id == str(gone.id),
            AuditEvent.action == "update",
        )
    ).all()
    assert actions == [{"left_list_on": "2026-05-01"}]

    again = services.import_file(db.session, csv_bytes(), "c.csv", IsmapKind.ISMAP, "test")
    db.session.commit()
    assert (again.returned, again.left_list) == (1, 0)
    assert registrations()["C21-0002-1"].left_list_on is None


def test_a_list_of_the_wrong_kind_is_refused(app):
    services.import_file(db.session, csv_bytes(), "a.csv", IsmapKind.ISMAP, "test")
    db.session.commit()
    record = services.import_file(db.session, csv_bytes(), "a.csv", IsmapKind.ISMAP_LIU, "test")
    db.session.commit()
    assert record.status == ImportStatus.FAILED and "ISMAP の一覧に載っているもの" in record.error
    assert {r.list_kind for r in registrations().values()} == {IsmapKind.ISMAP}
    assert {r.left_list_on for r in registrations().values()} == {None}


def test_validity_from_the_list_wins_over_the_computed_one(app):
    rows = [["C21-0001-1", "", "サービス", "会社", "2024/4/1～2025/3/31", "2026年6月30日", ""]]
    services.import_file(db.session, csv_bytes(rows=rows), "a.csv", IsmapKind.ISMAP, "test")
    db.session.commit()
    registration = registrations()["C21-0001-1"]
    assert registration.valid_until == date(2026, 6, 30) and not registration.valid_until_computed


def test_rows_without_a_number_are_reported_in_the_history(client, make, login_as):
    rows = sample_rows() + [["", "", "番号なし", "某社", "", "", ""]]
    record = services.import_file(
        db.session, csv_bytes(rows=rows), "a.csv", IsmapKind.ISMAP, "test"
    )
    db.session.commit()
    assert record.ok and record.rows_read == 5
    assert record.warning_lines == ["8行目: 登録番号がないため読み飛ばしました。"]
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/admin/ismap/imports/{record.id}").get_data(as_text=True)
    assert "8行目: 登録番号がないため読み飛ばしました。" in html


# -- downloads ----------------------------------------------------------------------------------


def test_download_refuses_a_body_over_the_limit(file_server):
    file_server.routes["/big.csv"] = Route(b"x" * 300_000)
    with pytest.raises(DomainError) as caught:
        services.download(file_server.url("/big.csv"), timeout=5, max_bytes=100_000)
    assert caught.value.message == "ファイルが大きすぎます（上限 0.0953674 MB）。"


def test_download_enforces_the_limit_while_streaming_without_a_length(file_server):
    file_server.routes["/big.csv"] = Route(b"x" * 300_000, send_length=False)
    with pytest.raises(DomainError) as caught:
        services.download(file_server.url("/big.csv"), timeout=5, max_bytes=100_000)
    assert "ファイルが大きすぎます" in caught.value.message


def test_download_times_out_on_a_server_that_sleeps(file_server, elapsed):
    file_server.routes["/slow.csv"] = Route(csv_bytes(), delay=3)
    with elapsed() as clock, pytest.raises(DomainError) as caught:
        services.download(file_server.url("/slow.csv"), timeout=0.5, max_bytes=1_000_000)
    assert (
        caught.value.message
        == f"{file_server.url('/slow.csv')} からの取得が時間切れになりました（0.5秒）。"
    )
    assert clock.seconds < 2.5


def test_download_reports_http_errors(file_server):
    with pytest.raises(DomainError) as caught:
        services.download(file_server.url("/missing.csv"), timeout=5, max_bytes=1_000_000)
    assert (
        caught.value.message
        == f"{file_server.url('/missing.csv')} からの取得に失敗しました（HTTP 404 Not Found）。"
    )


def test_download_reports_a_refused_connection():
    from .conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/list.csv"
    with pytest.raises(DomainError) as caught:
        services.download(url, timeout=5, max_bytes=1_000_000)
    assert (
        caught.value.message
        == f"{url} に接続できませんでした（接続が拒否されたか、サーバーが見つかりません）。"
    )


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.jp/list.csv", "list.csv", ""])
def test_download_accepts_only_http_and_https(url):
    with pytest.raises(DomainError) as caught:
        services.download(url, timeout=5, max_bytes=1_000_000)
    assert caught.value.message == "URL は http:// または https:// で始まる形で指定してください。"


def test_cli_failure_exits_non_zero_and_keeps_a_failed_history_row(app, file_server):
    url = file_server.url("/missing.xlsx")
    result = app.test_cli_runner().invoke(args=["vg", "ismap-import", "--url", url])
    assert result.exit_code == 1
    assert (
        "取り込みに失敗しました（登録内容は変更していません）" in result.output
        and "HTTP 404" in result.output
    )
    (record,) = imports()
    assert (
        record.status == ImportStatus.FAILED and record.source == url and "HTTP 404" in record.error
    )


def test_cli_needs_exactly_one_source(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "ismap-import"])
    assert result.exit_code == 2 and "--url または --file を指定してください" in result.output
    result = runner.invoke(
        args=["vg", "ismap-import", "--url", "http://x", "--file", str(tmp_path / "a.csv")]
    )
    assert result.exit_code == 2 and "どちらか一方だけ" in result.output
    result = runner.invoke(args=["vg", "ismap-import", "--file", str(tmp_path / "none.csv")])
    assert result.exit_code == 1 and "ファイルを読み込めません" in result.output


def test_admin_fetches_the_configured_url(app, client, make, login_as, file_server):
    file_server.routes["/ismap.xlsx"] = Route(xlsx_bytes())
    app.config["ISMAP_LIST_URL"] = file_server.url("/ismap.xlsx")
    login_as(make.user(Role.ADMIN))
    response = client.post("/admin/ismap/fetch", data={"fetch-list_kind": "ismap"})
    assert response.status_code == 302
    assert_sample_imported()


def test_admin_fetch_failure_is_shown_and_recorded(app, client, make, login_as, file_server):
    file_server.routes["/slow.xlsx"] = Route(xlsx_bytes(), delay=3)
    app.config.update(ISMAP_LIST_URL=file_server.url("/slow.xlsx"), ISMAP_DOWNLOAD_TIMEOUT=0.5)
    login_as(make.user(Role.ADMIN))
    html = client.post(
        "/admin/ismap/fetch", data={"fetch-list_kind": "ismap"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "取り込みに失敗したため、登録内容は変更していません。" in html and "時間切れ" in html
    assert [i.status for i in imports()] == [ImportStatus.FAILED]


def test_upload_over_the_size_limit_is_refused_next_to_the_field(app, client, make, login_as):
    import io

    app.config["ISMAP_MAX_BYTES"] = 1000
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/admin/ismap/import",
        data={"list_kind": "ismap", "file": (io.BytesIO(b"x" * 2000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "ファイルが大きすぎます（上限 0.000953674 MB）。" in response.get_data(as_text=True)
    assert imports() == []


def test_upload_of_another_file_type_is_refused(client, make, login_as):
    import io

    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/admin/ismap/import",
        data={"list_kind": "ismap", "file": (io.BytesIO(b"%PDF"), "list.pdf")},
        content_type="multipart/form-data",
    )
    assert "Excel（.xlsx）または CSV（.csv）のファイルを選んでください。" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", [Role.PROCUREMENT, Role.OFFICER, Role.AUDITOR, Role.SNS_OWNER])
def test_only_the_security_office_imports(client, make, login_as, role):
    import io

    login_as(make.user(role))
    assert client.get("/admin/ismap/import").status_code == 403
    response = client.post(
        "/admin/ismap/import",
        data={"list_kind": "ismap", "file": (io.BytesIO(csv_bytes()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert client.post("/admin/ismap/fetch", data={"fetch-list_kind": "ismap"}).status_code == 403
    assert imports() == []
