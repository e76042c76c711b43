"""Sending mail to customers: SMTP in production, .eml files on one machine.

Mails carry one-time codes, so nothing here logs a recipient, a subject line
or a body; only that a mail went out and how.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.config import Settings

log = logging.getLogger(__name__)

DEFAULT_SENDER = "support@madoguchi.example"
SMTP_TIMEOUT_SECONDS = 15


@runtime_checkable
class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, message_key: str | None = None) -> None:
        """Deliver one plain-text mail or raise; never log its content."""


def build_message(sender: str, to: str, subject: str, body: str, message_key: str | None = None) -> EmailMessage:
    """A UTF-8 plain-text mail that Japanese mail clients display correctly.

    ``message_key`` makes the Message-ID the same on every attempt: a notice
    mailed again after a crash between the server's acceptance and our
    record of it is recognisable as the same mail (clients drop the duplicate).
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    domain = sender.rpartition("@")[2] or None
    message["Message-ID"] = f"<{message_key}@{domain or 'localhost'}>" if message_key else make_msgid(domain=domain)
    message.set_content(body, charset="utf-8")
    return message


class SmtpMailer:
    """Hands mail to an SMTP server (the shop's relay or mail provider)."""

    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = False) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls

    def send(self, to: str, subject: str, body: str, message_key: str | None = None) -> None:
        message = build_message(self.sender, to, subject, body, message_key)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        log.info("mail handed to SMTP server %s:%d", self.host, self.port)

    def __repr__(self) -> str:  # no password in tracebacks or logs
        return f"SmtpMailer({self.host!r}, {self.port}, starttls={self.starttls})"


class OutboxMailer:
    """Writes each mail as an .eml file, for a shop without a mail server yet.

    Files are readable by the owner only: they contain live one-time codes.
    """

    def __init__(self, folder: Path, sender: str = DEFAULT_SENDER) -> None:
        self.folder = Path(folder)
        self.sender = sender

    def send(self, to: str, subject: str, body: str, message_key: str | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        message = build_message(self.sender, to, subject, body, message_key)
        name = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.eml"
        fd = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(message.as_bytes())
        log.info("mail written to the outbox folder")

    def __repr__(self) -> str:
        return f"OutboxMailer({str(self.folder)!r})"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def mailer_from_env(settings: Settings) -> Mailer:
    """SMTP when SMTP_HOST is set, else an outbox folder under var/."""
    host = os.environ.get("SMTP_HOST")
    sender = os.environ.get("SMTP_FROM") or DEFAULT_SENDER
    if not host:
        return OutboxMailer(Path(settings.var_dir) / "outbox", sender=sender)
    return SmtpMailer(
        host, int(os.environ.get("SMTP_PORT") or 25), sender,
        username=os.environ.get("SMTP_USER") or None,
        password=os.environ.get("SMTP_PASSWORD") or None,
        starttls=_flag(os.environ.get("SMTP_STARTTLS")),
    )
