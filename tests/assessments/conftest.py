"""Helpers for assessment tests: record an assessment through the service, freeze Japan's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vendorguard.assessments import services
from vendorguard.assessments.models import AssessmentMethod, AssessmentResult
from vendorguard.core import timeutil
from vendorguard.extensions import db


@pytest.fixture
def assess():
    """``assess(arrangement, owner, result=..., findings=[...], assessed_on=..., due_on=...)``, committed."""

    def record(
        arrangement,
        owner=None,
        result=AssessmentResult.CONFORMING,
        findings=(),
        assessed_on=None,
        due_on=None,
        valid_until=None,
        by=None,
        summary="定期報告書を確認した。",
    ):
        assessed_on = assessed_on or date(2026, 4, 10)
        data = services.AssessmentData(
            assessed_on=assessed_on,
            result=result,
            method=AssessmentMethod.REPORT,
            summary=summary,
            findings="\n".join(findings),
            valid_until=valid_until,
            owner_id=owner.id if owner else None,
            due_on=due_on or (date(2026, 5, 31) if findings else None),
        )
        assessment = services.record_assessment(
            db.session, arrangement, data, by, today=assessed_on
        )
        db.session.commit()
        return assessment

    return record


class FrozenDatetime(datetime):
    """``datetime`` whose ``now`` is a fixed instant (converted to the asked zone)."""

    instant = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.instant.astimezone(tz) if tz else cls.instant.replace(tzinfo=None)


@pytest.fixture
def japan_clock(monkeypatch):
    """Freeze the clock at 2026-06-30 16:00 UTC, which is already 1 July 2026 01:00 in Japan."""
    monkeypatch.setattr(timeutil, "datetime", FrozenDatetime)
    assert timeutil.today_tokyo() == date(2026, 7, 1)
    return FrozenDatetime.instant
