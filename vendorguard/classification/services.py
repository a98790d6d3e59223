"""Classification schemes: the two shipped editions, and choosing the active one."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.core.errors import DomainError

C, I, A = Axis.CONFIDENTIALITY, Axis.INTEGRITY, Axis.AVAILABILITY

# (code, name, description, levels as (axis, code, label, rank, description))
DEFAULT_SCHEMES = (
    (
        "r5",
        "ガイドライン令和5年版まで（機密性3段階）",
        "総務省ガイドライン令和5年3月版までの分類。機密性3/2/1、完全性2/1、可用性2/1。",
        (
            (
                C,
                "3",
                "機密性3",
                3,
                "行政事務で取り扱う情報のうち、秘密文書に相当する機密性を要する情報",
            ),
            (
                C,
                "2",
                "機密性2",
                2,
                "秘密文書に相当する機密性は要しないが、直ちに一般に公表することを前提としていない情報",
            ),
            (C, "1", "機密性1", 1, "機密性2又は機密性3の情報以外の情報"),
            (
                I,
                "2",
                "完全性2",
                2,
                "改ざん、誤びゅう又は破損により、住民の権利が侵害される又は行政事務の適確な遂行に支障を及ぼすおそれがある情報",
            ),
            (I, "1", "完全性1", 1, "完全性2の情報以外の情報"),
            (
                A,
                "2",
                "可用性2",
                2,
                "滅失、紛失又は当該情報が利用不可能であることにより、住民の権利が侵害される又は行政事務の安定的な遂行に支障を及ぼすおそれがある情報",
            ),
            (A, "1", "可用性1", 1, "可用性2の情報以外の情報"),
        ),
    ),
    (
        "r6_10",
        "ガイドライン令和6年10月版（自治体機密性3A〜1）",
        "総務省ガイドライン令和6年10月版の分類。機密性は自治体機密性3A/3B/3C/2/1に細分。",
        (
            (C, "3A", "自治体機密性3A", 5, "秘密文書に相当する機密性を要する情報"),
            (
                C,
                "3B",
                "自治体機密性3B",
                4,
                "漏えいにより住民の権利利益に重大な影響を及ぼすおそれがある情報",
            ),
            (
                C,
                "3C",
                "自治体機密性3C",
                3,
                "自治体機密性3A・3B以外の機密性3相当の情報（詳細は要確認）",
            ),
            (C, "2", "自治体機密性2", 2, "直ちに一般に公表することを前提としていない情報"),
            (C, "1", "自治体機密性1", 1, "上記以外の情報"),
            (
                I,
                "2",
                "完全性2",
                2,
                "改ざん等により住民の権利侵害又は行政事務への支障のおそれがある情報",
            ),
            (I, "1", "完全性1", 1, "完全性2の情報以外の情報"),
            (
                A,
                "2",
                "可用性2",
                2,
                "利用不可能になると住民の権利侵害又は行政事務への支障のおそれがある情報",
            ),
            (A, "1", "可用性1", 1, "可用性2の情報以外の情報"),
        ),
    ),
)
DEFAULT_ACTIVE = "r6_10"


def ensure_default_schemes(session: Session) -> ClassificationScheme:
    """Create the shipped schemes if missing (idempotent); return the active scheme."""
    existing = {scheme.code: scheme for scheme in session.scalars(select(ClassificationScheme))}
    for code, name, description, levels in DEFAULT_SCHEMES:
        if code in existing:
            continue
        scheme = ClassificationScheme(code=code, name=name, description=description, active=False)
        scheme.levels = [
            ClassificationLevel(
                axis=axis, code=level_code, label=label, rank=rank, description=text
            )
            for axis, level_code, label, rank, text in levels
        ]
        session.add(scheme)
        existing[code] = scheme
    session.flush()
    active = active_scheme(session)
    if active is None:
        active = existing[DEFAULT_ACTIVE]
        active.active = True
        session.flush()
    return active


def active_scheme(session: Session) -> ClassificationScheme | None:
    """The scheme in force, if one has been chosen."""
    return session.scalars(
        select(ClassificationScheme).where(ClassificationScheme.active.is_(True))
    ).first()


def activate(session: Session, scheme_id: int) -> ClassificationScheme:
    """Make one scheme the active one (and no other)."""
    scheme = session.get(ClassificationScheme, scheme_id)
    if scheme is None:
        raise DomainError(_("分類体系が見つかりません。"))
    for other in session.scalars(
        select(ClassificationScheme).where(ClassificationScheme.active.is_(True))
    ):
        if other.id != scheme.id:
            other.active = False
    scheme.active = True
    audit_capture.tag(session, scheme, "activate")
    session.flush()
    return scheme
