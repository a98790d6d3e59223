"""The channels: e-mail (one reminder, or one person's digest) and the chat webhook.

Each ``send_*`` either returns normally, meaning the other side accepted the message, or raises
:class:`ChannelError`; only then does the caller mark the row sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

import requests
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from config import Settings
from vendorguard.city.services import city_name
from vendorguard.core.timeutil import utcnow
from vendorguard.mail import MailError, MailSettings, build_message, send
from vendorguard.reminders import kinds, messages, wording
from vendorguard.web.i18n import format_day

SIGNATURE_HEADER = "X-Vendorguard-Signature"


class ChannelError(Exception):
    """The channel did not accept the message (the text says why, for the admin)."""


class NotificationRow(Protocol):
    """What sending reads of an outbox row: a ``notification`` table row (or a Notification)."""

    @property
    def id(self) -> int: ...
    @property
    def dedup_key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def subject_type(self) -> str: ...
    @property
    def subject_id(self) -> int | None: ...
    @property
    def arrangement_id(self) -> int | None: ...
    @property
    def target_on(self) -> date | None: ...
    @property
    def sweep_on(self) -> date: ...
    @property
    def email(self) -> str: ...
    @property
    def data(self) -> dict[str, Any] | None: ...


def _locale(user) -> str:
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.locale in languages:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _greeting_name(row: NotificationRow, user) -> str:
    if user is not None:
        if getattr(user, "organisation", ""):
            return _("%(organisation)s %(name)s 様", organisation=user.organisation, name=user.name)
        return _("%(name)s 様", name=user.name)
    name = (row.data or {}).get("recipient_name", "")
    return _("%(name)s 様", name=name) if name else _("ご担当者 様")


def _message_id(row: NotificationRow, sender: str) -> str:
    # The same id on a resend (after a crash between the server's reply and our commit) lets mail
    # systems that de-duplicate by Message-ID drop the copy.
    digest = hashlib.sha256(row.dedup_key.encode()).hexdigest()[:16]
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<vendorguard.{row.id}.{digest}@{domain}>"


def _settings_link(user) -> str | None:
    if user is None or not user.is_internal:
        return None
    return wording.link_for([["reminders.settings", {}]], external=True)


def _send(row: NotificationRow, to: str, subject: str, text: str, html: str) -> None:
    settings = MailSettings.from_config(current_app.config)
    message = build_message(settings, to, subject, text, html)
    del message["Message-ID"]
    message["Message-ID"] = _message_id(row, settings.sender)
    try:
        send(settings, message)
    except MailError as error:
        raise ChannelError(str(error)) from error


def render_reminder(row: NotificationRow, user) -> tuple[str, str, str]:
    """(subject, text, html) of one reminder mail, in the recipient's language."""
    with force_locale(_locale(user)):
        message = messages.build(row.kind, row.data or {}, external=True)
        context = {
            "greeting": _greeting_name(row, user),
            "message": message,
            "settings_url": _settings_link(user),
            "city": city_name(),
            "lang": _locale(user),
        }
        return (
            message.mail_subject,
            render_template("reminders/mail/reminder.txt", **context),
            render_template("reminders/mail/reminder.html", **context),
        )


def render_digest(
    row: NotificationRow, user, items: Sequence[NotificationRow]
) -> tuple[str, str, str]:
    """(subject, text, html) of one person's digest."""
    with force_locale(_locale(user)):
        built = [messages.build(item.kind, item.data or {}, external=True) for item in items]
        day = format_day(row.sweep_on)
        subject = wording.PREFIX + _(
            "%(date)s のお知らせ（%(count)d件）", date=day, count=len(built)
        )
        context = {
            "greeting": _greeting_name(row, user),
            "items": built,
            "day": day,
            "lang": _locale(user),
            "settings_url": _settings_link(user),
            "city": city_name(),
        }
        return (
            subject,
            render_template("reminders/mail/digest.txt", **context),
            render_template("reminders/mail/digest.html", **context),
        )


def send_reminder(row: NotificationRow, user) -> None:
    """Mail one reminder to its recipient."""
    subject, text, html = render_reminder(row, user)
    _send(row, user.email if user is not None else row.email, subject, text, html)


def send_digest(row: NotificationRow, user, items: Sequence[NotificationRow]) -> None:
    """Mail one person the day's reminders in one message."""
    subject, text, html = render_digest(row, user, items)
    _send(row, user.email, subject, text, html)


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the raw body>``: what the receiver recomputes with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(row: NotificationRow) -> dict:
    """The JSON document posted for one reminder (``text`` suits chat tools' incoming webhooks)."""
    data = row.data or {}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        message = messages.build(row.kind, data, external=True)
        text = (
            message.mail_subject
            + "\n"
            + message.headline
            + (f"\n{message.link}" if message.link else "")
        )
        return {
            "event": "reminder",
            "id": row.dedup_key,
            "kind": row.kind,
            "kind_label": str(kinds.KIND_LABELS.get(row.kind, row.kind)),
            "stage": row.stage,
            "subject": {"type": row.subject_type, "id": row.subject_id},
            "arrangement_id": row.arrangement_id,
            "target_on": row.target_on.isoformat() if isinstance(row.target_on, date) else None,
            "days": data.get("days"),
            "title": message.subject,
            "headline": message.headline,
            "facts": [{"label": label, "value": value} for label, value in message.facts],
            "url": message.link,
            "text": text,
            "sent_at": utcnow().isoformat(timespec="seconds"),
        }


def post_webhook(row: NotificationRow, config: Mapping) -> None:
    """POST the reminder as JSON, signed with the shared secret; any non-2xx answer is a failure."""
    settings = Settings.from_config(config)
    url = settings.webhook_url
    if not url:
        raise ChannelError(_("Webhook の送信先（VENDORGUARD_WEBHOOK_URL）が設定されていません。"))
    body = json.dumps(webhook_payload(row), ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "vendorguard",
        "X-Vendorguard-Event": "reminder",
        "X-Vendorguard-Delivery": row.dedup_key,
    }
    if settings.webhook_secret:
        headers[SIGNATURE_HEADER] = sign(settings.webhook_secret, body)
    try:
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.webhook_timeout,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise ChannelError(f"{type(error).__name__}: {error}") from error
    if not 200 <= response.status_code < 300:
        raise ChannelError(f"HTTP {response.status_code}: {response.text[:200]}")
