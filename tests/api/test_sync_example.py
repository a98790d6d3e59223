"""docs/examples/sync_contracts.py against a live server: creates, then changes nothing, then updates
only what changed, and names each refused row."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from sqlalchemy import select

from tests.api.helpers import token_for
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sync_contracts.py"


def _load():
    spec = importlib.util.spec_from_file_location("sync_contracts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _csv(rows: list[str], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(["契約番号,業務名,所管課コード,法人番号,開始日,終了日", *rows]).encode(
        encoding
    )


def test_sync_creates_updates_and_is_idempotent(app, make, live_server, tmp_path, monkeypatch):
    sync = _load()
    department = make.department(code="K100")
    contractor = make.contractor()
    hyphenated = f"{contractor.corporate_number[0]}-{contractor.corporate_number[1:5]}-{contractor.corporate_number[5:9]}-{contractor.corporate_number[9:]}"
    token = token_for(make.user(Role.PROCUREMENT))
    api = sync.Api(live_server, token)
    first = _csv(
        [
            f"R9-101,窓口業務委託,K100,{contractor.corporate_number},2027-04-01,2028-03-31",
            f"R9-102,システム保守,K100,{hyphenated},2027-04-01,2028-03-31",
            f"R9-103,不明な課,X999,{contractor.corporate_number},2027-04-01,2028-03-31",
            f"R9-104,日付が逆,K100,{contractor.corporate_number},2028-04-01,2027-03-31",
            "",
        ],
        encoding="cp932",
    )
    report = sync.sync(api, sync.read_rows(first))
    assert sorted(report.created) == ["R9-101", "R9-102"]
    assert len(report.errors) == 2
    assert "X999 が登録されていません" in report.errors[0]
    assert "終了日は開始日と同じ日かそれより後の日付にしてください。" in report.errors[1]

    again = sync.sync(api, sync.read_rows(first))
    assert (again.created, again.updated) == ([], [])
    assert sorted(again.unchanged) == ["R9-101", "R9-102"]

    changed = _csv(
        [
            f"R9-101,窓口業務委託（変更）,K100,{contractor.corporate_number},2027-04-01,2028-03-31",
            f"R9-102,システム保守,K100,{contractor.corporate_number},2027-04-01,2028-03-31",
        ]
    )
    monkeypatch.setenv("VENDORGUARD_TOKEN", token)
    path = tmp_path / "contracts.csv"
    path.write_bytes(changed)
    assert sync.main([live_server, str(path), "--dry-run"]) == 0
    assert (
        db.session.scalars(
            select(Engagement.title).where(Engagement.contract_number == "R9-101")
        ).one()
        == "窓口業務委託"
    )
    assert sync.main([live_server, str(path)]) == 0
    titles = dict(
        db.session.execute(select(Engagement.contract_number, Engagement.title)).tuples().all()
    )
    assert titles == {"R9-101": "窓口業務委託（変更）", "R9-102": "システム保守"}
    assert (
        db.session.get(Engagement, db.session.scalars(select(Engagement.id)).first()).department_id
        == department.id
    )
