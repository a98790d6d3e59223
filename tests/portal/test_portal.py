"""The contractor's own pages: the list, a request, uploading, resubmitting, downloading."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.factories import PASSWORD
from tests.portal.conftest import make_request, make_submission, multipart, pdf_bytes, stored_keys
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence import services as evidence_services
from vendorguard.evidence.models import (
    EvidenceFile,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.extensions import db
from vendorguard.storage import get_storage


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_contractor_sign_in_lands_on_the_portal(client, two_contractors):
    a = two_contractors[0]
    response = client.post("/login", data={"email": a.user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/portal/")
    page = client.get("/portal/").get_data(as_text=True)
    assert "A商事株式会社" in page and a.user.name in page  # the company and the user in the header
    assert "委託事業者" in page and "業務委託" not in page.split("<main")[0]  # no internal menu


def test_the_list_shows_only_the_companys_open_requests(client, make, login_as, two_contractors):
    a, b = two_contractors
    cloud = make.cloud_service(provider_contractor_id=a.contractor.id, title="A社のクラウド")
    from_cloud = make_request(cloud, title="クラウドの第三者認証の写し")
    internal = make_request(
        a.engagement, provider=EvidenceProvider.INTERNAL, title="市の内部点検記録"
    )
    rejected = make_request(a.engagement, status=RequestStatus.REJECTED, title="差し戻された報告")
    accepted = make_request(a.engagement, status=RequestStatus.ACCEPTED, title="受理済みの報告")
    closed = make_request(a.engagement, status=RequestStatus.CLOSED, title="取り下げた報告")
    login_as(a.user)
    page = client.get("/portal/").get_data(as_text=True)
    for shown in (a.request, from_cloud, rejected):
        assert f'/portal/requests/{shown.id}"' in page
    for hidden in (b.request, internal, accepted, closed):
        assert f'/portal/requests/{hidden.id}"' not in page
    assert "2026年12月1日" in page  # the due date in Japanese style
    done = client.get("/portal/?state=accepted").get_data(as_text=True)
    assert (
        f'/portal/requests/{accepted.id}"' in done
        and f'/portal/requests/{a.request.id}"' not in done
    )
    searched = client.get("/portal/?q=クラウド").get_data(as_text=True)
    assert (
        f'/portal/requests/{from_cloud.id}"' in searched
        and f'/portal/requests/{a.request.id}"' not in searched
    )


def test_overdue_and_remaining_days_are_spelled_out(client, login_as, two_contractors):
    a = two_contractors[0]
    make_request(a.engagement, due=today_tokyo() - timedelta(days=3), title="遅れている報告")
    make_request(a.engagement, due=today_tokyo() + timedelta(days=5), title="もうすぐの報告")
    make_request(a.engagement, due=today_tokyo(), title="今日の報告")
    login_as(a.user)
    page = client.get("/portal/").get_data(as_text=True)
    assert "期限を3日過ぎています" in page and "あと5日" in page and "本日が期限です" in page


def test_request_page_shows_what_is_asked_and_earlier_reviews(client, login_as, two_contractors):
    a = two_contractors[0]
    make_submission(
        a.request,
        user=a.user,
        decision=ReviewDecision.REJECTED,
        reason="対象期間の記載がありません。",
    )
    a.request.status = RequestStatus.REJECTED
    db.session.commit()
    login_as(a.user)
    page = client.get(f"/portal/requests/{a.request.id}").get_data(as_text=True)
    assert "年1回、情報セキュリティ対策の実施状況を報告してください。" in page
    assert "2026年12月1日" in page and "令和8年12月1日" in page
    assert "A担当課" in page and "0796-23-1111" in page  # whom to ask
    assert "差戻し" in page and "対象期間の記載がありません。" in page
    assert "修正したファイルを再提出する" in page


def test_upload_records_a_submission_and_stores_the_exact_bytes(
    app, client, login_as, two_contractors
):
    a = two_contractors[0]
    login_as(a.user)
    content = pdf_bytes("report 2026")
    response = client.post(
        f"/portal/requests/{a.request.id}/submit",
        data=multipart(
            [(content, "報告書.pdf"), (pdf_bytes("annex"), "別紙.pdf")],
            comment="令和8年度上期分です。",
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    submission = db.session.scalars(select(EvidenceSubmission)).one()
    assert (submission.submitted_via, submission.submitted_by_id, submission.comment) == (
        "portal",
        a.user.id,
        "令和8年度上期分です。",
    )
    files = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [f.original_filename for f in files] == ["報告書.pdf", "別紙.pdf"]
    assert files[0].sha256 == hashlib.sha256(content).hexdigest()
    assert get_storage(app).read_bytes(files[0].storage_key) == content
    assert db.session.get(EvidenceRequest, a.request.id).status == RequestStatus.SUBMITTED
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "を提出しました（2件のファイル）" in page and "確認待ち" in page


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "報告書.pdf", "受け付けられません"),
        (b"", "空.pdf", "空のファイル"),
        (b"<html><script>alert(1)</script></html>", "page.html", "受け付けられません"),
    ],
)
def test_a_refused_file_records_nothing_and_says_why_next_to_the_field(
    app, client, login_as, two_contractors, content, name, message
):
    a = two_contractors[0]
    login_as(a.user)
    response = client.post(
        f"/portal/requests/{a.request.id}/submit",
        data=multipart([(content, name)], comment="コメント"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error" id="files-error"' in html and message in html
    assert _count(EvidenceSubmission) == 0 and _count(EvidenceFile) == 0
    assert stored_keys(app) == []
    assert db.session.get(EvidenceRequest, a.request.id).status == RequestStatus.OPEN


def test_a_database_failure_after_storing_removes_the_stored_files(
    app, client, login_as, two_contractors, monkeypatch
):
    a = two_contractors[0]
    real_submit = evidence_services.submit

    def failing_submit(session, *args, **kwargs):
        real_submit(session, *args, **kwargs)  # the rows are flushed; then the database goes away
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(evidence_services, "submit", failing_submit)
    login_as(a.user)
    response = client.post(
        f"/portal/requests/{a.request.id}/submit",
        data=multipart([(pdf_bytes(), "報告書.pdf")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 503
    assert "提出は受け付けられていません" in response.get_data(as_text=True)
    assert _count(EvidenceSubmission) == 0 and stored_keys(app) == []


def test_resubmission_after_rejection_becomes_the_next_version(
    app, client, make, login_as, two_contractors
):
    a = two_contractors[0]
    officer = make.user(Role.OFFICER, department=a.department)
    login_as(a.user)
    client.post(
        f"/portal/requests/{a.request.id}/submit",
        data=multipart([(pdf_bytes("v1"), "v1.pdf")]),
        content_type="multipart/form-data",
    )
    first = db.session.scalars(select(EvidenceSubmission)).one()
    evidence_services.review(
        db.session, first, ReviewDecision.REJECTED, officer, reason="押印がありません。"
    )
    db.session.commit()
    page = client.get(f"/portal/requests/{a.request.id}").get_data(as_text=True)
    assert "押印がありません。" in page and "修正したファイルを再提出する" in page
    client.post(
        f"/portal/requests/{a.request.id}/submit",
        data=multipart([(pdf_bytes("v2"), "v2.pdf")]),
        content_type="multipart/form-data",
    )
    versions = db.session.scalars(
        select(EvidenceSubmission).order_by(EvidenceSubmission.version)
    ).all()
    assert [(s.version, s.decision) for s in versions] == [
        (1, ReviewDecision.REJECTED),
        (2, ReviewDecision.PENDING),
    ]
    assert db.session.get(EvidenceRequest, a.request.id).status == RequestStatus.SUBMITTED


def test_an_accepted_request_offers_no_upload_and_refuses_one(
    app, client, login_as, two_contractors
):
    a = two_contractors[0]
    a.request.status = RequestStatus.ACCEPTED
    db.session.commit()
    login_as(a.user)
    assert "受理されました" in client.get(f"/portal/requests/{a.request.id}").get_data(as_text=True)
    response = client.post(
        f"/portal/requests/{a.request.id}/submit",
        data=multipart([(pdf_bytes(), "r.pdf")]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 409 and "既に受理されている" in response.get_data(as_text=True)
    assert _count(EvidenceSubmission) == 0 and stored_keys(app) == []


def test_download_of_own_files_only_as_an_attachment(app, client, make, login_as, two_contractors):
    a = two_contractors[0]
    storage = get_storage(app)
    content = pdf_bytes("mine")
    own = make_submission(
        a.request, user=a.user, storage=storage, content=content, name="実施報告 2026.pdf"
    )
    by_city = make_submission(a.request, via="internal", storage=storage, name="市の記録.pdf")
    login_as(a.user)
    own_file = db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.submission_id == own.id)
    ).one()
    response = client.get(f"/portal/requests/{a.request.id}/files/{own_file.id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%AE%9F%E6%96%BD" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    city_file = db.session.scalars(
        select(EvidenceFile).where(EvidenceFile.submission_id == by_city.id)
    ).one()
    assert client.get(f"/portal/requests/{a.request.id}/files/{city_file.id}").status_code == 404
    other = make_request(a.engagement, title="別の依頼")
    assert client.get(f"/portal/requests/{other.id}/files/{own_file.id}").status_code == 404


def test_internal_users_are_refused_and_strangers_sent_to_sign_in(
    app, client, make, login_as, two_contractors
):
    a = two_contractors[0]
    assert "/login" in client.get("/portal/").headers["Location"]
    login_as(make.user(Role.ADMIN))
    assert client.get("/portal/").status_code == 403
    assert client.get(f"/portal/requests/{a.request.id}").status_code == 403


def test_the_list_runs_the_same_number_of_queries_for_5_and_500_requests(
    client, make, login_as, count_queries, two_contractors
):
    from vendorguard.evidence.models import Cadence, EvidenceRequirement

    a = two_contractors[0]
    login_as(a.user)

    def add(n):
        requirement = EvidenceRequirement(
            arrangement_id=a.engagement.id,
            title="月次報告",
            cadence=Cadence.MONTHLY,
            provider=EvidenceProvider.CONTRACTOR,
        )
        db.session.add(requirement)
        db.session.flush()
        db.session.add_all(
            [
                EvidenceRequest(
                    evidence_requirement_id=requirement.id,
                    arrangement_id=a.engagement.id,
                    occurrence=f"m-{requirement.id}-{i}",
                    scheduled_due_on=date(2026, 5, 1),
                    due_on=date(2026, 5, 1),
                )
                for i in range(n)
            ]
        )
        db.session.commit()

    add(4)
    with count_queries() as small:
        assert client.get("/portal/?per_page=200").status_code == 200
    add(495)
    with count_queries() as large:
        response = client.get("/portal/?per_page=200")
    assert response.get_data(as_text=True).count("/portal/requests/") == 200
    assert small.count == large.count


def test_the_portal_speaks_english_on_request_and_keeps_the_page(client, login_as, two_contractors):
    a = two_contractors[0]
    login_as(a.user)
    response = client.post(
        "/language", data={"locale": "en", "next": f"/portal/requests/{a.request.id}"}
    )
    assert response.headers["Location"].endswith(f"/portal/requests/{a.request.id}")
    html = client.get(f"/portal/requests/{a.request.id}").get_data(as_text=True)
    assert 'lang="en"' in html and "A商事株式会社" in html


def test_the_home_groups_requests_by_urgency_with_counts_and_filters(
    client, login_as, two_contractors
):
    a = two_contractors[0]
    today = today_tokyo()
    db.session.delete(a.request)  # the fixture's request has a fixed date; keep only these
    db.session.commit()
    month_end = (date(today.year + (today.month == 12), today.month % 12 + 1, 1)) - timedelta(1)
    later = make_request(a.engagement, due=month_end + timedelta(days=40), title="来期の報告")
    this_month = make_request(a.engagement, due=month_end, title="今月末の報告")
    overdue = make_request(a.engagement, due=today - timedelta(days=2), title="遅れた報告")
    rejected = make_request(
        a.engagement,
        status=RequestStatus.REJECTED,
        due=today + timedelta(days=60),
        title="差戻し報告",
    )
    submitted = make_request(
        a.engagement,
        status=RequestStatus.SUBMITTED,
        due=today - timedelta(days=9),
        title="出した報告",
    )
    login_as(a.user)
    page = client.get("/portal/").get_data(as_text=True)
    order = [
        page.index(f'/portal/requests/{r.id}"')
        for r in (rejected, overdue, this_month, later, submitted)
    ]
    assert order == sorted(order)  # 差戻し, 期限超過, 今月, 今後, 確認待ち
    for label, count in (("すべて", 5), ("差戻し", 1), ("期限超過", 1), ("今月が期限", 1)):
        assert f'{label} <span class="count">{count}</span>' in page

    only = client.get("/portal/?group=overdue").get_data(as_text=True)
    assert f'/portal/requests/{overdue.id}"' in only
    for other in (rejected, this_month, later, submitted):
        assert f'/portal/requests/{other.id}"' not in only
    assert 'aria-current="true">期限超過' in only
    assert client.get("/portal/?group=nonsense").status_code == 200  # unknown group: all rows


def test_the_lists_total_comes_from_the_group_counts_unless_searching(
    client, login_as, count_queries, two_contractors
):
    a = two_contractors[0]
    today = today_tokyo()
    db.session.delete(a.request)
    db.session.commit()
    for i in range(27):
        make_request(a.engagement, due=today - timedelta(days=1 + i), title=f"遅れた報告{i}")
    for i in range(3):
        make_request(
            a.engagement, status=RequestStatus.SUBMITTED, due=today, title=f"出した報告{i}"
        )
    login_as(a.user)

    def rows(url: str) -> int:
        return client.get(url).get_data(as_text=True).count("/portal/requests/")

    with count_queries() as plain:
        assert rows("/portal/") == 25
    assert rows("/portal/?page=2") == 5
    assert rows("/portal/?group=overdue&page=2") == 2
    assert rows("/portal/?group=submitted") == 3
    assert rows("/portal/?group=rejected") == 0
    with count_queries() as searching:
        assert rows("/portal/?q=出した") == 3
    # The groups split the active requests, so only a search counts its rows separately.
    assert searching.count == plain.count + 1
    assert rows("/portal/?q=出した&page=2") == 3  # past the last page: the last page
