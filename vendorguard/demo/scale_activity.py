"""The activity of ``vg seed-scale``'s city: evidence requirements with their requests and
submissions over the years, and the reminder outbox, as rows for bulk Core inserts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy.orm import Session

from vendorguard.demo.scale_bulk import AuditBatch, insert_rows, next_id
from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement, EvidenceSubmission

PERIODS = 25  # requests per requirement at most; more requirements when --requests asks for more


def seed_evidence(
    session: Session,
    rng: random.Random,
    wanted: int,
    engagement_ids: list[int],
    department_of: dict[int, int],
    audit: AuditBatch,
    now: datetime,
    today: date,
) -> tuple[int, int, int]:
    """``wanted`` evidence requests with their monthly requirements (past requests mostly accepted)
    and submissions; returns how many requirements, requests and submissions were written.
    ``department_of`` gives each arrangement's department (a request carries a copy)."""
    per = min(PERIODS, max(1, wanted // max(1, len(engagement_ids))))
    needed = -(-wanted // per) if wanted else 0
    first_req = next_id(session, EvidenceRequirement)
    req_rows = [
        {
            "id": first_req + k,
            "arrangement_id": engagement_ids[k % len(engagement_ids)],
            "title": ("月次作業報告書", "セキュリティ点検結果", "従事者名簿", "教育実施記録")[
                k % 4
            ],
            "description": "",
            "cadence": "monthly",
            "due_offset_days": 14,
            "provider": "contractor" if k % 5 else "internal",
            "created_at": now,
        }
        for k in range(needed)
    ]
    requirements = insert_rows(session, EvidenceRequirement, req_rows)
    first_request = next_id(session, EvidenceRequest)
    first_submission = next_id(session, EvidenceSubmission)
    submissions: list[dict[str, Any]] = []

    def requests() -> Iterator[dict[str, Any]]:
        n = 0
        for req in req_rows:
            for p in range(per):
                if n >= wanted:
                    return
                due = today + timedelta(days=30 * (p - per + 6) + rng.randint(-5, 5))
                if due < today - timedelta(days=20):
                    status = rng.choices(
                        ("accepted", "rejected", "submitted", "open"), (90, 2, 3, 5)
                    )[0]
                elif due < today + timedelta(days=15):
                    status = rng.choice(("open", "submitted", "accepted"))
                else:
                    status = "open"
                rid = first_request + n
                n += 1
                # every request awaiting review has its pending submission (the review list and
                # the home page's count read different tables); a quarter of settled ones keep theirs
                if status in ("accepted", "rejected", "submitted") and (
                    rng.random() < 0.25 or status == "submitted"
                ):
                    submissions.append(
                        {
                            "id": first_submission + len(submissions),
                            "request_id": rid,
                            "version": 1,
                            "comment": "",
                            "submitted_via": "portal",
                            "submitted_at": now,
                            "decision": "pending" if status == "submitted" else status,
                            "reviewed_at": None if status == "submitted" else now,
                        }
                    )
                    if status != "submitted":
                        audit.add(
                            "update", "evidence_request", rid, req["title"], {"status": status}
                        )
                period_start = date(due.year, due.month, 1) - timedelta(days=20)
                yield {
                    "id": rid,
                    "evidence_requirement_id": req["id"],
                    "arrangement_id": req["arrangement_id"],
                    "department_id": department_of[cast(int, req["arrangement_id"])],
                    "occurrence": f"p{p}",
                    "period_start": period_start.replace(day=1),
                    "period_end": period_start.replace(day=28),
                    "scheduled_due_on": due,
                    "due_on": due,
                    "status": status,
                    "note": "",
                    "closed_reason": "",
                    "created_at": now,
                    "updated_at": now,
                }

    total = insert_rows(session, EvidenceRequest, requests())
    return requirements, total, insert_rows(session, EvidenceSubmission, submissions)


def notification_rows(
    rng: random.Random,
    count: int,
    users: list[dict[str, Any]],
    engagement_ids: list[int],
    now: datetime,
    today: date,
) -> Iterator[dict[str, Any]]:
    """``count`` outbox rows, mostly sent (and read) in-app e-mails to officers and contractors."""
    recipients = [u for u in users if u["role"] in ("officer", "contractor", "admin")]
    for n in range(count):
        person = recipients[rng.randrange(len(recipients))]
        a = engagement_ids[rng.randrange(len(engagement_ids))]
        days_ago = rng.randint(0, 700)
        created = now - timedelta(days=days_ago, minutes=rng.randint(0, 600))
        sent = days_ago > 0 or n % 3
        yield {
            "dedup_key": f"scale:{n}:user:{person['id']}",
            "topic": f"scale:{n}",
            "channel": "email",
            "kind": "evidence_due",
            "stage": "due-7",
            "subject_type": "engagement",
            "subject_id": a,
            "arrangement_id": a,
            "target_on": today - timedelta(days=days_ago - 7),
            "sweep_on": today - timedelta(days=days_ago),
            "user_id": person["id"],
            "email": person["email"],
            "data": {},
            "status": "sent" if sent else "pending",
            "attempts": 1 if sent else 0,
            "next_attempt_at": created,
            "last_error": "",
            "sent_at": created if sent else None,
            "created_at": created,
            "read_at": created if days_ago > 30 else None,
        }
