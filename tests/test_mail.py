"""E-mail goes to a real SMTP server on loopback, in UTF-8 with text and HTML parts."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from vendorguard.mail import MailError, MailSettings, build_message, send


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_japanese_mail_with_text_and_html_parts(smtp_server):
    port, inbox = smtp_server
    settings = MailSettings(host="127.0.0.1", port=port, sender="vendorguard@city.example.jp")
    send(
        settings,
        build_message(
            settings,
            "officer@city.example.jp",
            "【vendorguard】証跡の提出期限が近づいています",
            "期限は令和8年12月1日です。",
            "<p>期限は令和8年12月1日です。</p>",
        ),
    )
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["Subject"] == "【vendorguard】証跡の提出期限が近づいています"
    assert message.get_body(("plain",)).get_content().strip() == "期限は令和8年12月1日です。"
    assert "<p>" in message.get_body(("html",)).get_content()


def test_server_down_raises_mail_error():
    settings = MailSettings(host="127.0.0.1", port=_free_port(), timeout=2)
    with pytest.raises(MailError):
        send(settings, build_message(settings, "a@example.jp", "件名", "本文"))


def test_without_a_host_the_mail_is_logged(caplog):
    settings = MailSettings()
    with caplog.at_level("INFO", logger="vendorguard.mail"):
        send(settings, build_message(settings, "a@example.jp", "件名", "本文"))
    assert "a@example.jp" in caplog.text and "本文" in caplog.text  # decoded, not base64
