"""The audit chain is keyed (HMAC, key outside the database) and anchored outside the database."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

from sqlalchemy import select, text, update

from vendorguard.audit import chain
from vendorguard.audit import services as audit
from vendorguard.audit.keys import audit_key
from vendorguard.audit.models import AuditEvent, AuditHead
from vendorguard.extensions import db


def _rows() -> list[dict]:
    table = AuditEvent.__table__
    return [dict(r) for r in db.session.execute(select(table).order_by(table.c.seq)).mappings()]


def _rewrite(rows: list[dict], key: bytes | None, version: int) -> None:
    """What someone who can write the database does: recompute every hash from ``rows`` on."""
    prev = rows[0]["prev_hash"]
    for row in rows:
        row.update(prev_hash=prev, chain_version=version)
        row["hash"] = prev = chain.event_hash(row, key)
        db.session.execute(
            update(AuditEvent.__table__)
            .where(AuditEvent.__table__.c.id == row["id"])
            .values(
                object_label=row["object_label"],
                prev_hash=row["prev_hash"],
                hash=row["hash"],
                chain_version=version,
            )
        )
    db.session.execute(update(AuditHead.__table__).values(hash=prev))
    db.session.commit()


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["vg", "audit-verify", *args])


def test_new_rows_are_keyed_with_a_key_kept_outside_the_database(app, make):
    make.contractor()
    rows = _rows()
    assert rows and all(row["chain_version"] == chain.KEYED for row in rows)
    key_file = Path(app.instance_path) / "audit_key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    dump = json.dumps(_rows(), default=str)
    assert key not in dump  # never in the database
    assert rows[0]["hash"] == chain.event_hash(rows[0], key.encode())
    assert rows[0]["hash"] != chain.event_hash({**rows[0], "chain_version": 1})


def test_an_event_without_a_defaulted_field_is_hashed_as_stored(app):
    from vendorguard.audit.capture import make_event

    event = make_event("viewed", "report", None, "", None, None)
    del event["object_label"]  # the table stores its default ("")
    with db.engine.begin() as conn:
        chain.append(conn, [event])
    (row,) = _rows()
    assert row["object_label"] == ""
    assert audit.verify(db.session) == (1, None)


def test_a_row_re_forged_without_the_key_is_detected(make):
    for _ in range(3):
        make.contractor()
    rows = _rows()
    rows[1]["object_label"] = "改ざん"
    # The old attack: recompute the plain sha256 of the row and of all later rows, and the head.
    _rewrite(rows[1:], None, 1)
    _, problem = audit.verify(db.session)
    assert problem is not None and problem.seq == rows[1]["seq"]
    assert "unkeyed row after keyed" in problem.reason

    # Guessing a key does not help either.
    rows = _rows()
    rows[1]["object_label"] = "改ざん2"
    _rewrite(rows[1:], b"a guessed key", chain.KEYED)
    _, problem = audit.verify(db.session)
    assert problem is not None and problem.seq == rows[1]["seq"] and problem.code == "altered"


def test_legacy_unkeyed_rows_are_verified_and_protected_by_the_first_keyed_row(make):
    make.contractor()
    make.contractor()
    legacy = _rows()
    _rewrite(legacy, None, 1)  # as the migration leaves rows written before keying
    make.contractor()  # written by the new code: keyed, chained onto the legacy rows
    rows = _rows()
    assert [r["chain_version"] for r in rows] == [1] * len(legacy) + [2] * (len(rows) - len(legacy))
    count, problem = audit.verify(db.session)
    assert problem is None and count == len(rows)

    # Re-forging a legacy row means recomputing the keyed row after it: impossible without the key.
    legacy_rows = rows[: len(legacy)]
    legacy_rows[0]["object_label"] = "改ざん"
    _rewrite(legacy_rows, None, 1)
    _, problem = audit.verify(db.session)
    assert problem is not None and problem.seq == len(legacy) + 1


def test_the_key_can_come_from_the_environment(app, make):
    app.config["AUDIT_KEY"] = "環境変数の鍵"
    app.extensions.pop("vendorguard.audit_key", None)
    make.contractor()
    assert not (Path(app.instance_path) / "audit_key").exists()
    assert audit_key() == "環境変数の鍵".encode()
    row = _rows()[0]
    assert row["hash"] == chain.event_hash(row, "環境変数の鍵".encode())


def test_anchor_then_verify_and_a_whole_chain_rewritten_unkeyed_is_caught(app, make):
    make.contractor()
    make.contractor()
    anchored = app.test_cli_runner().invoke(args=["vg", "audit-anchor"])
    assert anchored.exit_code == 0, anchored.output
    anchor_file = Path(app.instance_path) / "audit-anchors.jsonl"
    anchor = json.loads(anchor_file.read_text().splitlines()[-1])
    assert anchor["seq"] == len(_rows()) and anchor["hash"] == _rows()[-1]["hash"]
    make.contractor()
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert f"最後のアンカー（seq {anchor['seq']}" in result.output

    # Rewriting every row as an unkeyed one passes the chain walk, not the anchor.
    rows = _rows()
    rows[0]["object_label"] = "改ざん"
    _rewrite(rows, None, 1)
    assert audit.verify(db.session)[1] is None
    result = _verify(app)
    assert result.exit_code == 1
    assert f"seq {anchor['seq']} no longer has the hash anchored" in result.output


def test_removing_the_newest_rows_and_the_head_behind_an_anchor_is_caught(app, make):
    for _ in range(3):
        make.contractor()
    assert app.test_cli_runner().invoke(args=["vg", "audit-anchor"]).exit_code == 0
    rows = _rows()
    keep = rows[:-2]
    db.session.execute(text("DELETE FROM audit_event WHERE seq > :seq"), {"seq": keep[-1]["seq"]})
    db.session.execute(
        update(AuditHead.__table__).values(seq=keep[-1]["seq"], hash=keep[-1]["hash"])
    )
    db.session.commit()
    assert audit.verify(db.session)[1] is None  # the chain alone cannot see it
    result = _verify(app)
    assert result.exit_code == 1 and f"seq {rows[-1]['seq']}" in result.output
    assert "is gone" in result.output


def test_an_altered_anchor_is_refused(app, make, tmp_path):
    make.contractor()
    anchors = tmp_path / "anchors.jsonl"
    assert (
        app.test_cli_runner().invoke(args=["vg", "audit-anchor", "--file", str(anchors)]).exit_code
        == 0
    )
    anchor = json.loads(anchors.read_text())
    anchor["seq"] = 1
    anchor["hash"] = hashlib.sha256(b"x").hexdigest()
    anchors.write_text(json.dumps(anchor) + "\n")
    result = _verify(app, "--anchor-file", str(anchors))
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_without_an_anchor_verify_says_so(app, make):
    make.contractor()
    result = _verify(app)
    assert result.exit_code == 0 and "アンカーがありません" in result.output
