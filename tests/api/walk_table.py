"""What each role's token may do on each API route: the pages' permission table (DESIGN.md), written
out again here rather than read from vendorguard/auth/roles.py, so a wrong entry there fails.

``own_only`` roles may use the route only on their own department's records (or, for the
contractor, their own company's); on another's it is 403 or 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

A, P, O, S, U, C = "admin", "procurement", "officer", "sns_owner", "auditor", "contractor"
ROLES = (A, P, O, S, U, C)
INTERNAL = frozenset({A, P, O, S, U})
EVERYONE = frozenset(ROLES)
REGISTER_READERS = frozenset({A, P, O, U})
SOCIAL_READERS = frozenset({A, O, S, U})


@dataclass(frozen=True)
class ApiAccess:
    allowed: frozenset
    own_only: frozenset = field(default_factory=frozenset)


def grant(roles, own_only=()) -> ApiAccess:
    return ApiAccess(frozenset(roles), frozenset(own_only))


API_EXPECTED: dict[str, ApiAccess] = {
    "api.me": grant(EVERYONE),
    "api.departments": grant(INTERNAL),
    "api.department": grant(INTERNAL),
    "api.contractors": grant(REGISTER_READERS),
    "api.contractor": grant(REGISTER_READERS),
    "api.engagements": grant(REGISTER_READERS),
    "api.engagement": grant(REGISTER_READERS),
    "api.engagement_create": grant({A, P, O}),
    "api.engagement_update": grant({A, P, O}, own_only={O}),
    "api.cloud_services": grant(REGISTER_READERS),
    "api.cloud_service": grant(REGISTER_READERS),
    "api.sns_accounts": grant(SOCIAL_READERS),
    "api.sns_account": grant(SOCIAL_READERS),
    # evidence of an engagement: whoever reads engagements; a contractor, its own company's only
    "api.evidence_requests": grant(EVERYONE),
    "api.evidence_request": grant(REGISTER_READERS | {C}, own_only={C}),
    "api.submissions": grant(REGISTER_READERS | {C}, own_only={C}),
    "api.submit": grant({C}, own_only={C}),
    "api.documents": grant(REGISTER_READERS),
    "api.generate": grant({A, P, O}, own_only={O}),
    "api.document": grant(REGISTER_READERS),
    "api.document_content": grant(REGISTER_READERS),
    "api.requirements": grant(INTERNAL),
    "api.notifications": grant(INTERNAL),
    "api.notifications_read": grant(INTERNAL),
}
API_ENDPOINTS = tuple(API_EXPECTED)
