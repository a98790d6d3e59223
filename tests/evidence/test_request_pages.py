"""Request list, request detail with versions, internal upload, review, withdrawal and downloads."""

from __future__ import annotations

import io

import pytest
from flask import current_app
from sqlalchemy import event, func, select

from tests.evidence.helpers import PDF, day, requirement, store
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.evidence import services
from vendorguard.evidence.models import (
    Cadence,
    EvidenceFile,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.extensions import db
from vendorguard.storage import StorageError, get_storage

EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode."
)


def _request(
    engagement, *, provider=EvidenceProvider.CONTRACTOR, due="2099-03-01", title="点検記録"
):
    item = requirement(
        db.session,
        engagement,
        title=title,
        cadence=Cadence.AD_HOC,
        provider=provider,
        validity_days=180,
    )
    created = services.create_adhoc_request(
        db.session,
        engagement,
        services.AdhocData(due_on=day(due), requirement_id=item.id),
        day("2020-01-06"),
    )
    db.session.commit()
    return created


@pytest.fixture
def own(make):
    """An officer and an engagement of their department."""
    department = make.department()
    return make.user(Role.OFFICER, department=department), make.engagement(department=department)


def _keys() -> list[str]:
    return [o.key for o in get_storage(current_app).iter_objects()]


def _submissions(request_id: int) -> int:
    return db.session.scalar(
        select(func.count(EvidenceSubmission.id)).where(EvidenceSubmission.request_id == request_id)
    )


def test_internal_upload_records_a_version_with_the_file(client, login_as, own):
    officer, engagement = own
    evidence_request = _request(engagement, provider=EvidenceProvider.INTERNAL)
    login_as(officer)
    page = client.get(f"/evidence/requests/{evidence_request.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "証跡を提出する" in page
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={
            "comment": "令和8年度上期の点検結果です",
            "files": [(io.BytesIO(PDF), "点検記録.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    submission = db.session.scalars(
        select(EvidenceSubmission).where(EvidenceSubmission.request_id == evidence_request.id)
    ).one()
    assert (
        submission.version,
        submission.comment,
        submission.submitted_via,
        submission.submitted_by_id,
    ) == (1, "令和8年度上期の点検結果です", "internal", officer.id)
    file = db.session.scalars(select(EvidenceFile)).one()
    assert (file.original_filename, file.content_type, file.size) == (
        "点検記録.pdf",
        "application/pdf",
        len(PDF),
    )
    assert _keys() == [file.storage_key]
    detail = client.get(f"/evidence/requests/{evidence_request.id}").get_data(as_text=True)
    assert (
        "第1版" in detail
        and "点検記録.pdf" in detail
        and "確認待ち" in detail
        and "第1版の確認" in detail
    )


def test_a_refused_file_is_shown_next_to_the_field_and_nothing_is_kept(client, login_as, own):
    officer, engagement = own
    evidence_request = _request(engagement, provider=EvidenceProvider.INTERNAL)
    login_as(officer)
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={
            "comment": "x",
            "files": [(io.BytesIO(PDF), "ok.pdf"), (io.BytesIO(EXE), "report.pdf")],
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        'id="files-error"' in html
        and "report.pdf" in html
        and "ファイルは保存されていません。" in html
    )
    assert _submissions(evidence_request.id) == 0 and _keys() == []
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={"comment": "ファイルなし"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "ファイルを選んでください。" in response.get_data(
        as_text=True
    )


def test_storage_failure_records_nothing_and_says_so(client, login_as, own, monkeypatch):
    officer, engagement = own
    evidence_request = _request(engagement, provider=EvidenceProvider.INTERNAL)
    login_as(officer)
    storage = get_storage(current_app)

    def broken_put(key, fileobj, max_bytes=None):
        raise StorageError("保存先に接続できませんでした。")

    monkeypatch.setattr(storage, "put", broken_put)
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={"files": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "保存先に接続できませんでした。" in response.get_data(as_text=True)
    assert _submissions(evidence_request.id) == 0
    monkeypatch.undo()
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={"files": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and _submissions(evidence_request.id) == 1


def test_a_database_failure_after_storing_removes_the_stored_files(
    client, login_as, own, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    officer, engagement = own
    evidence_request = _request(engagement, provider=EvidenceProvider.INTERNAL)
    login_as(officer)

    def failing_submit(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database went away"))

    monkeypatch.setattr(services, "submit", failing_submit)
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={"files": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    # The page is shown again with the reason (the same recipe as the portal and upload links).
    assert response.status_code == 503
    assert _keys() == [] and _submissions(evidence_request.id) == 0
    assert "何も登録されていません" in response.get_data(as_text=True)


def test_contractor_requests_have_no_internal_upload(client, login_as, own):
    officer, engagement = own
    evidence_request = _request(engagement, provider=EvidenceProvider.CONTRACTOR)
    login_as(officer)
    assert "証跡を提出する" not in client.get(f"/evidence/requests/{evidence_request.id}").get_data(
        as_text=True
    )
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={"files": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and _keys() == []


def test_review_rejects_with_a_reason_then_accepts_the_resubmission(client, make, login_as, own):
    officer, engagement = own
    evidence_request = _request(engagement)
    first = services.submit(db.session, evidence_request, [store()], "提出します", via="portal")
    db.session.commit()
    login_as(officer)
    page = client.get(f"/evidence/requests/{evidence_request.id}").get_data(as_text=True)
    # The evidence first, then the decision.
    assert page.index("/evidence/files/") < page.index('id="review"')
    response = client.post(
        f"/evidence/submissions/{first.id}/review", data={"decision": "rejected", "reason": ""}
    )
    assert response.status_code == 400
    assert "差し戻す理由を入力してください。" in response.get_data(as_text=True)
    response = client.post(
        f"/evidence/submissions/{first.id}/review",
        data={"decision": "rejected", "reason": "押印がありません。"},
    )
    assert response.status_code == 302
    second = services.submit(
        db.session,
        db.session.get(EvidenceRequest, evidence_request.id),
        [store()],
        "再提出",
        via="portal",
    )
    db.session.commit()
    response = client.post(
        f"/evidence/submissions/{second.id}/review",
        data={"decision": "accepted", "valid_until": "2099-12-31"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EvidenceRequest, evidence_request.id).status == RequestStatus.ACCEPTED
    html = client.get(f"/evidence/requests/{evidence_request.id}").get_data(as_text=True)
    assert (
        "第2版" in html
        and "第1版" in html
        and "押印がありません。" in html
        and "2099年12月31日" in html
    )
    assert "第2版の確認" not in html  # nothing left to review
    page = client.get(f"/evidence/arrangement/{engagement.id}").get_data(as_text=True)
    assert "確認済" in page


def test_another_department_cannot_review_or_withdraw(client, make, login_as, own):
    _officer, engagement = own
    evidence_request = _request(engagement)
    submission = services.submit(db.session, evidence_request, [store()], "", via="portal")
    db.session.commit()
    login_as(make.user(Role.OFFICER))
    assert "第1版の確認" not in client.get(f"/evidence/requests/{evidence_request.id}").get_data(
        as_text=True
    )
    assert (
        client.post(
            f"/evidence/submissions/{submission.id}/review", data={"decision": "accepted"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/evidence/requests/{evidence_request.id}/close", data={"reason": "x"}
        ).status_code
        == 403
    )
    assert client.post(f"/evidence/requests/{evidence_request.id}/upload").status_code == 403
    db.session.refresh(submission)
    assert submission.decision == ReviewDecision.PENDING


def test_withdrawing_needs_a_reason(client, login_as, own):
    officer, engagement = own
    evidence_request = _request(engagement)
    login_as(officer)
    response = client.post(f"/evidence/requests/{evidence_request.id}/close", data={"reason": ""})
    assert response.status_code == 400 and "入力してください。" in response.get_data(as_text=True)
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/close", data={"reason": "契約変更のため不要"}
    )
    assert response.status_code == 302
    html = client.get(f"/evidence/requests/{evidence_request.id}").get_data(as_text=True)
    assert "取下げ" in html and "契約変更のため不要" in html


def test_download_is_an_attachment_that_is_never_sniffed(client, make, login_as, own):
    _officer, engagement = own
    evidence_request = _request(engagement)
    submission = services.submit(
        db.session, evidence_request, [store(name="報告書 2026.pdf")], "", via="portal"
    )
    db.session.commit()
    file = db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.submission_id == submission.id)
    ).one()
    login_as(make.user(Role.AUDITOR))
    response = client.get(f"/evidence/files/{file.id}/download")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment;")
        and "filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8%202026.pdf" in disposition
    )
    assert 'filename="2026.pdf"' in disposition
    assert response.headers["Content-Type"] == "application/pdf"
    assert client.get("/evidence/files/999999/download").status_code == 404
    client.post("/logout")
    login_as(make.user(Role.SNS_OWNER))
    assert client.get(f"/evidence/files/{file.id}/download").status_code == 403


def test_files_of_another_departments_sns_draft_are_hidden(client, make, login_as):
    account = make.social_account(approval_state=ApprovalState.APPLIED)
    evidence_request = _request(account, provider=EvidenceProvider.INTERNAL)
    services.submit(db.session, evidence_request, [store()], "", via="internal")
    db.session.commit()
    file_id = db.session.scalars(select(EvidenceFile.id)).one()
    login_as(make.user(Role.SNS_OWNER))
    assert client.get(f"/evidence/files/{file_id}/download").status_code == 404
    assert client.get(f"/evidence/requests/{evidence_request.id}").status_code == 404
    assert "点検記録" not in client.get("/evidence/requests/").get_data(as_text=True)


def test_a_missing_object_is_reported_not_crashed(client, make, login_as, own):
    _officer, engagement = own
    evidence_request = _request(engagement)
    stored = store()
    services.submit(db.session, evidence_request, [stored], "", via="portal")
    db.session.commit()
    get_storage(current_app).delete(stored.storage_key)
    login_as(make.user(Role.ADMIN))
    file_id = db.session.scalars(select(EvidenceFile.id)).one()
    response = client.get(f"/evidence/files/{file_id}/download", follow_redirects=True)
    assert "保存されたファイルが見つかりません" in response.get_data(as_text=True)


def test_request_list_filters(client, make, login_as):
    city_hall, library = make.department(name="情報政策課"), make.department(name="図書館")
    mine = make.engagement(department=city_hall, title="基幹系保守")
    theirs = make.engagement(department=library, title="図書館システム運用")
    late = _request(mine, title="月次報告", due="2099-01-05")
    late.due_on = late.scheduled_due_on = day("2026-01-05")
    _request(mine, title="内部点検", provider=EvidenceProvider.INTERNAL, due="2099-06-01")
    done = _request(theirs, title="年次報告", due="2099-02-01")
    done.status = RequestStatus.ACCEPTED
    db.session.commit()
    login_as(make.user(Role.AUDITOR))

    def titles(query: str = "") -> set[str]:
        html = client.get(f"/evidence/requests/?{query}").get_data(as_text=True)
        return {t for t in ("月次報告", "内部点検", "年次報告") if f">{t}</a>" in html}

    assert titles() == {"月次報告", "内部点検"}  # default: not settled
    assert titles("status=all") == {"月次報告", "内部点検", "年次報告"}
    assert titles("status=accepted") == {"年次報告"}
    assert titles("overdue=1") == {"月次報告"}
    assert titles(f"status=all&department={library.id}") == {"年次報告"}
    assert titles("provider=internal") == {"内部点検"}
    assert titles("status=all&q=図書館") == {"年次報告"}
    # Terms shorter than a trigram take the other query shape: arrangement or requirement title.
    assert titles("status=all&q=基幹") == {"月次報告", "内部点検"}
    assert titles("status=all&q=年次") == {"年次報告"}
    assert titles("q=点") == {"内部点検"}
    assert titles("status=all&q=無い") == set()
    assert titles("status=all&kind=cloud_service") == set()
    assert titles("status=bogus&within=abc&provider=x&kind=y") == {"月次報告", "内部点検"}


def test_request_list_shows_only_registers_the_role_reads(client, make, login_as):
    engagement = make.engagement()
    account = make.social_account(approval_state=ApprovalState.APPROVED)
    _request(engagement, title="委託の報告")
    _request(account, title="SNSの点検", provider=EvidenceProvider.INTERNAL)
    login_as(make.user(Role.SNS_OWNER))
    # (an SNS owner's list starts on their own department; 「すべて」 is department=)
    html = client.get("/evidence/requests/?department=").get_data(as_text=True)
    assert "SNSの点検" in html and "委託の報告" not in html
    client.post("/logout")
    login_as(make.user(Role.PROCUREMENT))
    html = client.get("/evidence/requests/").get_data(as_text=True)
    assert "委託の報告" in html and "SNSの点検" not in html


def test_within_days_filter(client, make, login_as):
    from datetime import timedelta

    from vendorguard.core.timeutil import today_tokyo

    engagement = make.engagement()
    soon = _request(engagement, title="近い依頼")
    soon.due_on = today_tokyo() + timedelta(days=5)
    later = _request(engagement, title="遠い依頼")
    later.due_on = today_tokyo() + timedelta(days=40)
    db.session.commit()
    login_as(make.user(Role.ADMIN))
    html = client.get("/evidence/requests/?within=7").get_data(as_text=True)
    assert "近い依頼" in html and "遠い依頼" not in html


def test_request_list_query_count_does_not_grow(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))

    def add(engagements: int, per: int):
        for _ in range(engagements):
            engagement = make.engagement()
            item = requirement(db.session, engagement, cadence=Cadence.AD_HOC)
            db.session.add_all(
                [
                    EvidenceRequest(
                        evidence_requirement_id=item.id,
                        arrangement_id=engagement.id,
                        occurrence=f"adhoc-{i}",
                        scheduled_due_on=day("2027-02-01"),
                        due_on=day("2027-02-01"),
                    )
                    for i in range(per)
                ]
            )
            db.session.commit()

    add(1, 5)
    url = "/evidence/requests/?per_page=200"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(19, 25)
    assert db.session.scalar(select(func.count(EvidenceRequest.id))) == 480
    add(1, 20)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert few.count == many.count


def test_a_comment_too_long_keeps_nothing_and_says_where(client, login_as, own):
    officer, engagement = own
    evidence_request = _request(engagement, provider=EvidenceProvider.INTERNAL)
    login_as(officer)
    response = client.post(
        f"/evidence/requests/{evidence_request.id}/upload",
        data={"comment": "長" * 2001, "files": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="comment-error"' in html and "コメントは2000文字以内で入力してください。" in html
    assert _keys() == [] and _submissions(evidence_request.id) == 0


def test_request_list_pages_through_the_same_rows_as_one_long_page(client, make, login_as):
    # An admin reads every arrangement: the page's keys come from the request table alone, the
    # archived arrangements left out by key. Paged two at a time, each sort and direction must
    # list exactly the requests of one long page, in its order.
    import re

    from vendorguard.core.timeutil import utcnow

    live = make.engagement(title="現行の業務")
    gone = make.engagement(title="終了した業務")
    for n in range(4):
        _request(live, title=f"現行{n}", due=f"2099-0{1 + n % 2}-01")
    for n in range(3):
        _request(gone, title=f"終了{n}", due=f"2099-0{1 + n % 2}-01")
    gone.archived_at = utcnow()
    db.session.commit()
    login_as(make.user(Role.ADMIN))

    def ids(query: str) -> list[str]:
        html = client.get(f"/evidence/requests/?{query}").get_data(as_text=True)
        return re.findall(r'href="/evidence/requests/(\d+)"', html)

    for query in ("", "archived=1", "status=all", "q=現行"):
        for sort in ("due", "status", "arrangement", "department"):
            for direction in ("asc", "desc"):
                args = f"{query}&sort={sort}&dir={direction}"
                whole = ids(f"per_page=200&{args}")
                paged = [i for page in range(1, 5) for i in ids(f"per_page=2&page={page}&{args}")]
                # (a page past the end shows the last page again)
                assert paged[: len(whole)] == whole, args
                assert len(whole) == (7 if query == "archived=1" else 4), args


def test_request_keys_skip_the_arrangement_only_for_who_reads_every_arrangement(make, app):
    from vendorguard.evidence import queries

    today = day("2027-01-04")
    admin, sns_owner = make.user(Role.ADMIN), make.user(Role.SNS_OWNER)
    everything = queries.RequestFilters()
    assert queries.request_keys(admin, everything, today, "due") is not None
    assert queries.request_keys(admin, everything, today, "arrangement") is None
    assert (
        queries.request_keys(admin, queries.RequestFilters(kind="engagement"), today, "due") is None
    )
    assert (
        queries.request_keys(admin, queries.RequestFilters(department_id=1), today, "due") is None
    )
    # (an SNS owner sees another department's SNS drafts only once approved)
    assert queries.request_keys(sns_owner, everything, today, "due") is None


def _statements_with_parameters(client, url: str) -> tuple[str, list[tuple[str, object]]]:
    """The page at ``url`` and every statement it ran with that statement's parameters."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = client.get(url).get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return html, seen


def _parameter_values(parameters) -> set[object]:
    values = parameters.values() if isinstance(parameters, dict) else parameters
    return set(values)


def test_list_writes_the_unsettled_statuses_into_its_sql(client, make, login_as, own):
    """The list's count and page name the unsettled statuses as the partial indexes' predicate
    does, not as parameters: a prepared statement's generic plan can then use those indexes."""
    officer, engagement = own
    _request(engagement, title="未提出の点検")
    settled = _request(engagement, title="受領済みの点検")
    settled.status = RequestStatus.ACCEPTED
    db.session.commit()
    login_as(officer)
    html, seen = _statements_with_parameters(client, "/evidence/requests/")
    assert "未提出の点検" in html and "受領済みの点検" not in html
    listed = [
        (statement, parameters) for statement, parameters in seen if "evidence_request" in statement
    ]
    assert len(listed) == 2  # the count and the page
    for statement, parameters in listed:
        assert "status IN ('open', 'rejected', 'submitted')" in statement
        # ("rejected" is also an approval state the visibility rule sends)
        assert not {"open", "submitted"} & _parameter_values(parameters)
    html, seen = _statements_with_parameters(client, "/evidence/requests/?status=accepted")
    assert "受領済みの点検" in html and "未提出の点検" not in html


def test_the_list_sends_its_kinds_in_the_sql_and_a_search_term_as_a_parameter(
    client, make, login_as
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQL is rewritten for PostgreSQL only (set VENDORGUARD_TEST_DATABASE_URL)")
    department = make.department(name="市民課")
    engagement = make.engagement(department=department, title="住民記録保守")
    _request(engagement, title="月次報告")
    login_as(make.user(Role.OFFICER, department=department))
    client.get("/evidence/requests/")
    sent: list[tuple[str, dict]] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "FROM evidence_request" in statement:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert "月次報告" in client.get("/evidence/requests/").get_data(as_text=True)
        listed = list(sent)
        sent.clear()
        assert client.get("/evidence/requests/?q=monthly").status_code == 200
        searched = list(sent)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    # the kinds the officer reads are written in; the department and the page's numbers stay bound
    assert listed and all("arrangement.kind = 'engagement'" in sql for sql, _ in listed)
    assert all("department_id_1" in parameters for _, parameters in listed)
    assert any("%(page_size)s" in sql for sql, _ in listed)
    # with a search term nothing is written in
    assert searched and all("kind_1" in parameters for _, parameters in searched)
    assert all(any("monthly" in str(v) for v in parameters.values()) for _, parameters in searched)
