"""``flask vg appendix ENGAGEMENT --output FILE``."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from tests.documents.conftest import add_gap_requirement, table_rows
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.documents.models import ContractDocument
from vendorguard.extensions import db


def test_appendix_command_stores_a_version_and_writes_the_same_bytes(
    app, make, shipped_catalog, tmp_path
):
    engagement = make.engagement(contract_number="R8-00077", title="窓口業務委託")
    make.user(Role.PROCUREMENT, email="keiyaku@city.example.jp")
    output = tmp_path / "out" / "appendix.docx"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "vg",
            "appendix",
            str(engagement.id),
            "--output",
            str(output),
            "--date-style",
            "western",
            "--as-user",
            "keiyaku@city.example.jp",
        ]
    )
    assert result.exit_code == 0, result.output
    document = db.session.scalars(select(ContractDocument)).one()
    data = output.read_bytes()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert document.date_style == "western" and document.created_by_id is not None
    assert table_rows(data)[0][0] == ["契約件名", "窓口業務委託"]
    assert "情報セキュリティに関する特記事項_R8-00077_v1.docx" in result.output
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "contract_document")
    ).one()
    assert event.actor_label == "cli:appendix:keiyaku@city.example.jp"
    # By contract number too; the next run is the next version.
    result = runner.invoke(args=["vg", "appendix", "R8-00077", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert [
        d.version
        for d in db.session.scalars(select(ContractDocument).order_by(ContractDocument.version))
    ] == [1, 2]


def test_appendix_command_explains_refusals(app, make, shipped_catalog, tmp_path):
    runner = app.test_cli_runner()
    output = tmp_path / "appendix.docx"
    result = runner.invoke(args=["vg", "appendix", "999999", "--output", str(output)])
    assert result.exit_code != 0 and "案件が見つかりません" in result.output
    add_gap_requirement("TST-05")  # applies in the internet segment; no clause covers it
    engagement = make.engagement(segment_internet=True)
    result = runner.invoke(args=["vg", "appendix", str(engagement.id), "--output", str(output)])
    assert result.exit_code != 0 and "TST-05" in result.output
    assert not output.exists()
    assert db.session.scalars(select(ContractDocument)).first() is None
