"""Sending e-mail over SMTP, or printing it to the log in the embedded default."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from config import Settings

log = logging.getLogger("vendorguard.mail")


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send. An empty host means: write the message to the log instead."""

    host: str = ""
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    username: str = ""
    password: str = ""
    sender: str = "vendorguard@localhost"
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        """Read the MAIL_* settings of the app configuration."""
        settings = Settings.from_config(config)
        return cls(
            host=settings.mail_host,
            port=settings.mail_port,
            security=settings.mail_security,
            username=settings.mail_username,
            password=settings.mail_password,
            sender=settings.mail_sender,
            timeout=settings.mail_timeout,
        )


# CR, LF and the other C0/C1 controls (and the Unicode line/paragraph separators) end or fold a
# header line; a stored title carrying one must not make a mail impossible to build.
_HEADER_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(value: str) -> str:
    """A single-line header value: every run of control characters becomes one space."""
    return _HEADER_CONTROLS.sub(" ", value).strip()


def build_message(
    settings: MailSettings,
    to: str | list[str],
    subject: str,
    text: str,
    html: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A UTF-8 message with a text part and, when given, an HTML alternative."""
    message = EmailMessage()
    message["From"] = header_value(settings.sender)
    message["To"] = header_value(", ".join(to) if isinstance(to, list) else to)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=False)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = header_value(value)
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Hand the message to the SMTP server (or the log); raise MailError on any failure."""
    if not settings.host:
        # Logged decoded, so a clerk on a machine without SMTP can still read a link it carries.
        body = message.get_body(("plain",))
        log.info(
            "mail (no SMTP host configured, not sent)\nTo: %s\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            body.get_content() if body is not None else "",
        )
        return
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{type(error).__name__}: {error}") from error
