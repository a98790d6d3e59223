"""With the procrastinate engine an import's pass is queued with the run's start, and a
``vg jobs-worker`` process (not the web process) runs it to the preview."""

from __future__ import annotations

import io

from sqlalchemy import select, text

from tests.conftest import login
from tests.imports.files import xlsx
from tests.jobs.conftest import scalar, wait_until
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.imports.models import BatchStatus, ImportBatch


def status() -> BatchStatus:
    """The batch's status as committed by whichever process wrote it last."""
    db.session.rollback()
    return db.session.scalars(select(ImportBatch.status)).one()


HEADER = ["契約番号", "件名", "所管課", "委託事業者の法人番号", "契約開始日", "契約終了日"]


def test_an_import_preview_is_queued_and_run_by_a_worker(app, client, make, workers):
    make.schemes()
    make.department(name="情報政策課")
    contractor = make.contractor()
    login(client, make.user(Role.ADMIN))
    rows = [
        HEADER,
        ["R8-700", "保守業務", "情報政策課", contractor.corporate_number, "2026/4/1", "2027/3/31"],
    ]
    response = client.post(
        "/imports/engagements/",
        data={"file": (io.BytesIO(xlsx({"台帳": rows})), "台帳.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    batch_id = scalar("SELECT id FROM import_batch")
    with db.engine.connect() as connection:
        queued = connection.execute(text("SELECT lock, args FROM procrastinate_jobs")).all()
    assert [row.lock for row in queued] == [f"import:{batch_id}"]
    assert queued[0].args == {
        "target": "imports.pass",
        "kwargs": {"batch_id": batch_id, "mode": "preview"},
    }
    assert status() == BatchStatus.RUNNING  # nothing ran in the web process

    workers.start()
    wait_until(lambda: status() != BatchStatus.RUNNING, timeout=60, what="the worker's preview")
    assert status() == BatchStatus.PREVIEWED, workers.log()
    page = client.get("/imports/engagements/preview").get_data(as_text=True)
    assert "R8-700" in page
