"""A city-scale data set (``flask vg seed-scale``) for the page benchmark: bulk Core inserts.

Rows go in with ``insert()`` executemany in batches (no ORM objects: 500,000 evidence requests
would take many minutes through the unit of work). The reference data (classification schemes,
catalog) goes through the services as in ``seed-demo``. The audit trail gets one event per created
register row plus review events, appended through :func:`vendorguard.audit.chain.append`, so the
hash chain verifies. Everything random comes from one seeded generator: same arguments, same data.
The evidence requests and the reminder outbox rows are made in ``scale_activity``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from vendorguard.arrangements.models import Arrangement
from vendorguard.audit.context import acting_as
from vendorguard.auth.models import User
from vendorguard.catalog.services import ensure_catalog
from vendorguard.classification.services import ensure_default_schemes
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.demo.scale_activity import notification_rows, seed_evidence
from vendorguard.demo.scale_bulk import (
    ACTOR,
    AuditBatch,
    insert_rows,
    next_id,
    reset_sequences,
    table_of,
)
from vendorguard.engagements.models import Engagement
from vendorguard.evidence import standing
from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement, EvidenceSubmission
from vendorguard.org.models import Department
from vendorguard.reminders.models import Notification
from vendorguard.social.models import SocialAccount


@dataclass(frozen=True)
class ScaleSpec:
    """How big the city is."""

    arrangements: int = 20_000
    contractors: int = 2_000
    departments: int = 40
    requests: int = 500_000
    cloud_services: int = 600
    sns_accounts: int = 400
    notifications: int = 132_000
    audit_events: int = 200_000
    seed: int = 20261204


@dataclass
class Counts:
    """What was written, per table."""

    departments: int = 0
    users: int = 0
    contractors: int = 0
    engagements: int = 0
    cloud_services: int = 0
    sns_accounts: int = 0
    requirements: int = 0
    requests: int = 0
    submissions: int = 0
    notifications: int = 0
    audit_events: int = 0


_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
_NAMES = ("情報", "システム", "データ", "ネット", "テック", "ソリューションズ", "サービス", "工業")
_WORKS = ("保守", "運用", "開発", "点検", "清掃", "印刷", "入力", "監視", "移行", "設計")
_SYSTEMS = ("住民記録", "税務", "国保", "介護", "福祉", "財務", "文書管理", "図書館", "上下水道")


def _kana(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_KANA) for _ in range(n))


def seed_scale(session: Session, spec: ScaleSpec, password: str) -> Counts:
    """Fill an empty register with a city of ``spec``'s size. Does not commit."""
    if session.scalar(select(func.count()).select_from(table_of(Arrangement))):
        raise DomainError("arrangements already exist: seed-scale needs an empty register")
    rng = random.Random(spec.seed)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    today = today_tokyo()
    counts = Counts()
    with acting_as(ACTOR):
        ensure_default_schemes(session)
        ensure_catalog(session)
        session.flush()
    audit = AuditBatch(session, spec.audit_events, now)
    password_hash = generate_password_hash(password)

    first_dept = next_id(session, Department)
    depts = list(range(first_dept, first_dept + spec.departments))
    counts.departments = insert_rows(
        session,
        Department,
        (
            {
                "id": d,
                "code": f"S{d:04d}",
                "name": f"{rng.choice(_SYSTEMS)}課{d}",
                "name_kana": _kana(rng, 6),
                "email": f"dept{d}@city.example.jp",
                "created_at": now,
            }
            for d in depts
        ),
    )
    first_contractor = next_id(session, Contractor)
    contractors = list(range(first_contractor, first_contractor + spec.contractors))
    contractor_rows = [
        {
            "id": c,
            "name": f"株式会社{rng.choice(_SYSTEMS)}{rng.choice(_NAMES)}{c}",
            "name_kana": _kana(rng, 8),
            "address": f"東京都千代田区{c % 9 + 1}-{c % 30 + 1}",
            "contact_email": f"info{c}@vendor{c}.example.jp",
            "created_at": now,
            "updated_at": now,
        }
        for c in contractors
    ]
    counts.contractors = insert_rows(session, Contractor, contractor_rows)
    for row in contractor_rows:
        audit.add("create", "contractor", row["id"], row["name"], {"name": row["name"]})

    first_user = next_id(session, User)
    users: list[dict[str, Any]] = []

    def user(email: str, name: str, role: str, **extra: Any) -> int:
        uid = first_user + len(users)
        users.append(
            {
                "id": uid,
                "email": email,
                "name": name,
                "role": role,
                "department_id": extra.get("department_id"),
                "contractor_id": extra.get("contractor_id"),
                "password_hash": password_hash,
                "locale": "ja",
                "active": True,
                "created_at": now,
            }
        )
        return uid

    user("scale-admin@city.example.jp", "規模管理者", "admin")
    user("scale-auditor@city.example.jp", "規模監査", "auditor")
    user("scale-procurement@city.example.jp", "規模契約", "procurement", department_id=depts[0])
    officers: dict[int, list[int]] = {}
    for d in depts:
        officers[d] = [
            user(f"scale-o{d}-{k}@city.example.jp", f"職員{d}-{k}", "officer", department_id=d)
            for k in range(3)
        ]
        user(f"scale-sns{d}@city.example.jp", f"広報{d}", "sns_owner", department_id=d)
    for c in contractors:
        user(f"scale-c{c}@vendor{c}.example.jp", f"担当{c}", "contractor", contractor_id=c)
    counts.users = insert_rows(session, User, users)

    first_arr = next_id(session, Arrangement)
    engagement_ids = list(range(first_arr, first_arr + spec.arrangements))
    arrangement_rows, engagement_rows = [], []
    department_of: dict[int, int] = {}
    for i, a in enumerate(engagement_ids):
        d = department_of[a] = depts[i % len(depts)]
        title = f"{rng.choice(_SYSTEMS)}システム{rng.choice(_WORKS)}業務委託 第{a}号"
        arrangement_rows.append(
            {
                "id": a,
                "kind": "engagement",
                "title": title,
                "department_id": d,
                "responsible_officer_id": rng.choice(officers[d]) if i % 7 else None,
                "state": "active" if i % 10 else "ended",
                "next_review_on": today + timedelta(days=rng.randint(-30, 400)),
                "created_at": now,
                "updated_at": now,
            }
        )
        start = date(2023 + i % 4, 4, 1)
        engagement_rows.append(
            {
                "id": a,
                "contract_number": f"R{a:07d}",
                "contractor_id": contractors[rng.randrange(len(contractors))],
                "starts_on": start,
                "ends_on": start.replace(year=start.year + 3) - timedelta(days=1),
                "handles_personal_info": i % 3 == 0,
                "handles_my_number": i % 11 == 0,
                "tier": "ABCD"[i % 4],
            }
        )
    cloud_ids = list(range(engagement_ids[-1] + 1, engagement_ids[-1] + 1 + spec.cloud_services))
    sns_start = (cloud_ids[-1] if cloud_ids else engagement_ids[-1]) + 1
    sns_ids = list(range(sns_start, sns_start + spec.sns_accounts))
    cloud_rows, sns_rows = [], []
    for i, a in enumerate(cloud_ids):
        d = depts[i % len(depts)]
        name = f"{rng.choice(_SYSTEMS)}クラウド{a}"
        arrangement_rows.append(
            {
                "id": a,
                "kind": "cloud_service",
                "title": name,
                "department_id": d,
                "responsible_officer_id": officers[d][0],
                "state": "active",
                "next_review_on": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        cloud_rows.append(
            {
                "id": a,
                "provider_contractor_id": contractors[i % len(contractors)],
                "provider_name": f"プロバイダ{i % 50}",
                "handles_high_confidentiality": i % 2 == 0,
                "approval_state": ("approved", "applied", "not_applied")[i % 3],
            }
        )
    for i, a in enumerate(sns_ids):
        d = depts[i % len(depts)]
        arrangement_rows.append(
            {
                "id": a,
                "kind": "social_account",
                "title": f"{rng.choice(_SYSTEMS)}公式アカウント{a}",
                "department_id": d,
                "responsible_officer_id": officers[d][0],
                "state": "active",
                "next_review_on": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        sns_rows.append(
            {
                "id": a,
                "platform": ("x", "facebook", "instagram", "line", "youtube")[i % 5],
                "handle": f"city_account_{a}",
                "approval_state": ("approved", "applied")[i % 2],
            }
        )
    insert_rows(session, Arrangement, arrangement_rows)
    counts.engagements = insert_rows(session, Engagement, engagement_rows)
    counts.cloud_services = insert_rows(session, CloudService, cloud_rows)
    counts.sns_accounts = insert_rows(session, SocialAccount, sns_rows)
    for row in arrangement_rows:
        audit.add("create", row["kind"], row["id"], row["title"], {"title": row["title"]})

    counts.requirements, counts.requests, counts.submissions = seed_evidence(
        session,
        rng,
        spec.requests,
        engagement_ids,
        department_of,
        audit,
        now,
        today,
    )
    standing.recompute_all(session)  # the bulk rows bypassed the hook that keeps it
    counts.notifications = insert_rows(
        session,
        Notification,
        notification_rows(rng, spec.notifications, users, engagement_ids, now, today),
    )
    while audit.written + len(audit.pending) < spec.audit_events:
        # The rest of the trail: people opening and updating records over the years.
        a = engagement_ids[rng.randrange(len(engagement_ids))]
        audit.add("update", "engagement", a, f"第{a}号", {"description": "…"})
    audit.flush()
    counts.audit_events = audit.written
    reset_sequences(
        session,
        (Department, Contractor, User, Arrangement, EvidenceRequirement, EvidenceRequest),
    )
    reset_sequences(session, (EvidenceSubmission, Notification))
    return counts
