"""What every reminder's wording is made of: the message record, its link, and the facts' formats.

Rows keep facts, not sentences (``messages``); these helpers turn a row's plain values into the
reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import has_request_context, url_for
from werkzeug.routing import BuildError

from vendorguard.arrangements.kinds import kind_label
from vendorguard.contractors.models import CertificationKind
from vendorguard.core.catalogue import gettext as _
from vendorguard.core.web import absolute_url, base_url_adapter
from vendorguard.evidence.occurrences import occurrence_label
from vendorguard.mail import header_value
from vendorguard.web.i18n import format_day

PREFIX = "【vendorguard】"


@dataclass
class Message:
    """What one reminder says."""

    subject: str  # without the 【vendorguard】 prefix
    headline: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    link: str | None = None
    action: str = ""

    @property
    def mail_subject(self) -> str:
        return header_value(PREFIX + self.subject)


def link_for(links: list, external: bool) -> str | None:
    """The first of ``[[endpoint, values], …]`` that builds: absolute under BASE_URL, or a path."""
    for endpoint, values in links or []:
        try:
            if external:
                return absolute_url(endpoint, **values)
            if not has_request_context():
                return base_url_adapter().build(endpoint, values)
            return url_for(endpoint, **values)
        except BuildError:
            continue
    return None


def member_of(enum_cls, value):
    """The enum member with this value, or None (rows keep plain values)."""
    try:
        return enum_cls(value)
    except ValueError:
        return None


def occurrence_of(value: str) -> str:
    return occurrence_label(value) or value


def day_of(data: dict, key: str = "target_on") -> str:
    value = data.get(key)
    return format_day(date.fromisoformat(value)) if value else ""


def when_of(data: dict, overdue: bool = False) -> str:
    """「2026年5月15日（あと7日）」, 「…（本日）」, 「…（12日超過）」."""
    days = int(data.get("days", 0))
    if overdue:
        return _("%(date)s（%(days)d日超過）", date=day_of(data), days=days)
    if days == 0:
        return _("%(date)s（本日）", date=day_of(data))
    return _("%(date)s（あと%(days)d日）", date=day_of(data), days=days)


def arrangement_facts(data: dict) -> list[tuple[str, str]]:
    facts = []
    if data.get("arrangement"):
        kind = data.get("arrangement_kind")
        label = kind_label(kind) if kind else _("案件")
        facts.append((label, data["arrangement"]))
    if data.get("department"):
        facts.append((_("所管課"), data["department"]))
    return facts


def cert_label(data: dict) -> str:
    kind = member_of(CertificationKind, data.get("cert_kind"))
    if kind == CertificationKind.OTHER and data.get("cert_kind_other"):
        return data["cert_kind_other"]
    return kind.label if kind else data.get("cert_kind", "")
