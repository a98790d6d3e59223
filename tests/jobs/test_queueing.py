"""With the procrastinate engine the bulk page queues its job in the same transaction as the job's
row: no thread starts in the web process, and the queued job names the bulk task and the job."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tests.documents.conftest import shipped_catalog  # noqa: F401  (fixture)
from vendorguard.auth.roles import Role
from vendorguard.documents.models import BulkJob, BulkStatus
from vendorguard.extensions import db
from vendorguard.jobs import submit


def test_the_bulk_page_queues_the_job_with_its_row(
    app,
    client,
    login_as,
    make,
    job_queue,
    shipped_catalog,  # noqa: F811
):
    department = make.department()
    engagement = make.engagement(department=department, starts_on=date(2027, 4, 1))
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        "/documents/bulk", data={"starting_fy": "2027", "engagement_ids": [engagement.id]}
    )
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert db.session.get_one(BulkJob, job_id).status == BulkStatus.QUEUED  # nothing ran here
    with db.engine.connect() as connection:
        queued = connection.execute(
            text("SELECT task_name, queue_name, lock, args FROM procrastinate_jobs")
        ).all()
    assert [tuple(row[:3]) for row in queued] == [("vendorguard.run", "default", f"bulk:{job_id}")]
    assert queued[0].args == {"target": "documents.bulk", "kwargs": {"job_id": job_id}}


def test_a_rolled_back_submit_leaves_no_job(app, job_queue):
    submit(db.session, "documents.bulk", job_id=1)
    db.session.rollback()
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM procrastinate_jobs")) == 0
