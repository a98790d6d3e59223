"""E-mails the portal sends: the set-password invitation and a single-request upload link.

Mails are always in Japanese (the recipient has no account language yet); without MAIL_HOST the
mail module writes them to the log.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from vendorguard.city.services import city_name
from vendorguard.mail import MailSettings, build_message, send

log = logging.getLogger("vendorguard.mail")


def _send(to: str, subject: str, template: str, **context) -> None:
    settings = MailSettings.from_config(current_app.config)
    text = render_template(template, city=city_name(), **context)
    if not settings.host:
        # vendorguard.mail would log the encoded (base64) message; whoever runs the embedded
        # default must be able to read the link in the log and pass it on.
        log.info(
            "mail (no SMTP host configured, not sent)\nTo: %s\nSubject: %s\n\n%s", to, subject, text
        )
        return
    send(settings, build_message(settings, to, subject, text))


def send_invitation(user, contractor, url: str, expires_at: datetime) -> None:
    """Mail the set-password link; raises vendorguard.mail.MailError when the server refuses."""
    with force_locale("ja"):
        subject = _("【%(city)s】委託事業者ポータルへのご招待", city=city_name())
        _send(
            user.email,
            subject,
            "portal/mail/invitation.txt",
            user=user,
            contractor=contractor,
            url=url,
            expires_at=expires_at,
        )


def send_upload_link(
    to: str, request, department, provider: str, url: str, expires_at: datetime
) -> None:
    """Mail a single-request upload link; raises vendorguard.mail.MailError when the server refuses."""
    with force_locale("ja"):
        subject = _(
            "【%(city)s】証跡の提出のお願い（%(title)s）",
            city=city_name(),
            title=request.evidence_requirement.title,
        )
        _send(
            to,
            subject,
            "portal/mail/upload_link.txt",
            request=request,
            department=department,
            provider=provider,
            url=url,
            expires_at=expires_at,
        )
