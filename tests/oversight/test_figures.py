"""The report's figures match the seeded fiscal year, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from tests.oversight.conftest import FY, TODAY
from vendorguard.catalog import services as catalog
from vendorguard.extensions import db
from vendorguard.oversight import services


def test_figures_match_the_seeded_year(seeded):
    assert [e.tier for e in seeded.engagements] == ["C", "D", "A", "D"]
    report = services.build(db.session, FY, TODAY)
    assert report.year.as_of == TODAY
    first, second = report.departments
    assert (first.label, second.label) == ("総務課", "市民課")
    total = report.total
    assert total["engagements"] == 4  # the draft and last year's engagement do not count
    assert (first["engagements"], second["engagements"]) == (2, 2)
    # coverage agrees with the engagement page's own computation (catalog.coverage)
    complete = sum(1 for e in seeded.engagements if catalog.coverage(db.session, e).is_complete)
    gaps = sum(len(catalog.coverage(db.session, e).gaps) for e in seeded.engagements)
    assert total["covered"] == complete and total["with_gaps"] == 4 - complete
    assert total["gaps"] == gaps and gaps >= 3  # T-GAP is waived only for the first
    # evidence due in the year (withdrawn and last year's requests left out)
    assert [total[n] for n in ("requests", "received", "accepted", "overdue")] == [5, 3, 1, 2]
    assert [first[n] for n in ("requests", "received", "accepted", "overdue")] == [4, 2, 1, 1]
    # assessments: A twice a year (every 6 months), C and D once
    assert (total["assessments_done"], total["assessments_required"]) == (2, 5)
    assert (
        total["self_checks_done"],
        total["self_checks_sent"],
        total["self_checks_required"],
    ) == (1, 2, 3)  # D: every 24 months
    # inspections: A 2, C (personal information) 1, D 0
    assert (total["inspections_done"], total["inspections_required"]) == (2, 3)
    assert (first["inspections_required"], second["inspections_required"]) == (1, 2)
    actions = [
        total[n] for n in ("actions_raised", "actions_closed", "actions_open", "actions_overdue")
    ]
    assert actions == [3, 1, 2, 1]
    assert (total["certificates_expiring"], total["certificates_expired"]) == (2, 1)
    tiers = {row.key: row for row in report.tiers}
    assert tiers["A"]["engagements"] == 1 and tiers["A"]["inspections_required"] == 2
    assert tiers["-"]["requests"] == 1 and tiers["-"]["overdue"] == 1  # the cloud service's
    assert tiers["A"]["certificates_expiring"] == 1 and tiers["C"]["certificates_expiring"] == 1
    # ISMAP: 市民課 one registered and one unregistered 機密性2以上; 総務課 one expired
    ismap = {row.label: row for row in report.ismap}
    assert ismap["市民課"]["registered"] == 1 and ismap["市民課"]["not_registered"] == 1
    assert ismap["市民課"]["high_without_ismap"] == 1
    assert ismap["総務課"]["expired"] == 1 and report.ismap_total["services"] == 3
    social = {row.label: row for row in report.social}
    assert social["総務課"]["attested"] == 1 and social["市民課"]["attestation_overdue"] == 1
    assert report.social_total["accounts"] == 2


def test_query_count_does_not_grow_with_the_data(seeded, make, count_queries):
    with count_queries() as small:
        services.build(db.session, FY, TODAY)
    for _n in range(3):
        department = make.department()
        make.engagement(department, handles_personal_info=True, state="active")
        make.cloud_service(department, state="active")
    db.session.expire_all()
    with count_queries() as large:
        services.build(db.session, FY, TODAY)
    assert large.count == small.count


def test_a_future_year_is_refused(app):
    with pytest.raises(services.YearOutOfRange):
        services.build(db.session, 2027, date(2026, 12, 1))
