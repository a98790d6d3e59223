"""Factories that build valid domain objects with sensible Japanese defaults."""

from __future__ import annotations

import itertools
from datetime import date

from werkzeug.security import generate_password_hash

from vendorguard.approvals.models import ApprovalRequest, ApprovalState
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.services import ensure_default_schemes
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.contractors import corporate_number
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.org.models import Department
from vendorguard.social.models import Platform, SocialAccount

PASSWORD = "correct horse battery"
# A cheap hash keeps the suite fast; production uses werkzeug's default (scrypt).
_CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


class Factory:
    """``make.user(Role.OFFICER, department=d)`` etc.; every object is committed."""

    def __init__(self, session):
        self.session = session

    def _save(self, obj):
        self.session.add(obj)
        self.session.commit()
        return obj

    def schemes(self):
        scheme = ensure_default_schemes(self.session)
        self.session.commit()
        return scheme

    def department(self, name: str | None = None, **fields) -> Department:
        n = next(_seq)
        fields.setdefault("code", f"D{n:04d}")
        fields.setdefault("name_kana", f"ブショ{n}")
        return self._save(Department(name=name or f"テスト課{n}", **fields))

    def user(
        self, role: Role | str = Role.OFFICER, department: Department | None = None, **fields
    ) -> User:
        n = next(_seq)
        role = Role(role)
        if department is None and role in (Role.OFFICER, Role.SNS_OWNER):
            department = self.department()
        fields.setdefault("email", f"{role.value}{n}@city.example.jp")
        fields.setdefault("name", f"利用者{n}")
        user = User(
            role=role,
            department_id=department.id if department else None,
            password_hash=_CHEAP_HASH,
            **fields,
        )
        return self._save(user)

    def contractor(self, name: str | None = None, **fields) -> Contractor:
        n = next(_seq)
        fields.setdefault("name_kana", f"テストショウジ{n}")
        fields.setdefault("corporate_number", corporate_number.make(f"{n:012d}"))
        return self._save(Contractor(name=name or f"テスト商事{n}株式会社", **fields))

    def certification(
        self, contractor: Contractor, kind=CertificationKind.ISMS, **fields
    ) -> Certification:
        fields.setdefault("number", f"IS {next(_seq)}")
        return self._save(Certification(contractor_id=contractor.id, kind=kind, **fields))

    def engagement(
        self, department: Department | None = None, contractor: Contractor | None = None, **fields
    ) -> Engagement:
        n = next(_seq)
        department = department or self.department()
        contractor = contractor or self.contractor()
        fields.setdefault("title", f"テスト業務委託{n}")
        fields.setdefault("contract_number", f"R8-{n:05d}")
        fields.setdefault("starts_on", date(2026, 4, 1))
        fields.setdefault("ends_on", date(2027, 3, 31))
        return self._save(
            Engagement(department_id=department.id, contractor_id=contractor.id, **fields)
        )

    def subcontractor(
        self, engagement: Engagement, approved: bool = True, **fields
    ) -> Subcontractor:
        n = next(_seq)
        fields.setdefault("name", f"再委託先{n}株式会社")
        if approved:
            fields.setdefault("approved_by", "情報政策課長")
            fields.setdefault("approved_on", date(2026, 4, 1))
        return self._save(Subcontractor(engagement_id=engagement.id, **fields))

    def cloud_service(self, department: Department | None = None, **fields) -> CloudService:
        n = next(_seq)
        department = department or self.department()
        fields.setdefault("title", f"テストクラウド{n}")
        fields.setdefault("provider_name", f"クラウド事業者{n}")
        fields.setdefault("terms_type", TermsType.STANDARD_TERMS)
        return self._save(CloudService(department_id=department.id, **fields))

    def social_account(self, department: Department | None = None, **fields) -> SocialAccount:
        n = next(_seq)
        department = department or self.department()
        fields.setdefault("title", f"豊岡市公式アカウント{n}")
        fields.setdefault("platform", Platform.X)
        fields.setdefault("handle", f"@toyooka_test{n}")
        account = self._save(SocialAccount(department_id=department.id, **fields))
        if account.approval_state == ApprovalState.APPLIED:
            # An account under review has its request, as ``social.services.apply_for_approval`` files it.
            self._save(ApprovalRequest(arrangement_id=account.id))
        return account
