"""Sending mail to customers: SMTP in production, .eml files on one machine.

Mails carry one-time codes, so nothing here logs a recipient, a subject line
or a body; only that a mail went out and how.

Why an outbox: a customer who asks for a code must get the bot's reply at
once, whatever the mail server does. The code that decides to send a mail
only writes a row into ``mail_outbox`` (``queue_mail``) in its own
transaction, so the mail exists exactly when the code does. ``MailSender``,
a thread of the process (the action server), sends due rows outside any
transaction, with a timeout per attempt and retries with backoff until the
mail is no longer worth sending (``not_after``: the code has expired). A
refusing or hanging SMTP server delays the mail, never the reply. Rows are
taken by a conditional UPDATE, so several action servers on one database
never send a mail twice, and a row left ``sending`` by a process that died is
taken again after ``SENDING_STALE``. The body is sealed in the table (it
carries a live code) and wiped once the mail went out or was given up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import smtplib
import ssl
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import Settings, env, env_flag, env_int, load_settings
from bot.secrets import server_secret
from bot.store.db import default_engine, session_scope
from bot.store.models import Customer, MailOutbox

log = logging.getLogger(__name__)

DEFAULT_SENDER = "support@madoguchi.example"
SMTP_TIMEOUT_SECONDS = 15

PENDING, SENDING, SENT, FAILED, EXPIRED, CANCELLED = "pending", "sending", "sent", "failed", "expired", "cancelled"
# Seconds before the 1st, 2nd, … retry; the last one repeats until the mail's not_after.
RETRY_DELAYS = (2, 5, 10, 20, 30, 60)
# A row "sending" for this long belongs to a process that died mid-send (longer than one SMTP attempt can take).
SENDING_STALE = timedelta(seconds=SMTP_TIMEOUT_SECONDS * 4)
# With nothing due, look for mail written by other processes this often.
IDLE_POLL_SECONDS = 30.0


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
    """Hands mail to an SMTP server (the shop's relay or mail provider).

    STARTTLS is on unless turned off explicitly: a server that does not offer
    it gets no mail (and no password) rather than a plain-text one.
    """

    def __init__(self, host: str, port: int, sender: str, username: str | None = None,
                 password: str | None = None, starttls: bool = True) -> None:
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


def mailer_from_env(settings: Settings) -> Mailer:
    """SMTP when SMTP_HOST is set, else an outbox folder under var/."""
    host = env("SMTP_HOST")
    sender = env("SMTP_FROM") or DEFAULT_SENDER
    if not host:
        return OutboxMailer(Path(settings.var_dir) / "outbox", sender=sender)
    return SmtpMailer(
        host, env_int("SMTP_PORT"), sender,
        username=env("SMTP_USER"),
        password=env("SMTP_PASSWORD"),
        starttls=env_flag("SMTP_STARTTLS"),
    )


# ---------------------------------------------------------------------------
# The outbox: mail written with the decision, sent later by MailSender
# ---------------------------------------------------------------------------

def _sealing_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"mail-outbox-body", hashlib.sha256).digest()


def _seal(secret: bytes, body: str) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(_sealing_key(secret)).encrypt(nonce, body.encode("utf-8"), None)).decode()


def _unseal(secret: bytes, sealed: str) -> str:
    raw = base64.b64decode(sealed)
    return AESGCM(_sealing_key(secret)).decrypt(raw[:12], raw[12:], None).decode("utf-8")


def queue_mail(session: Session, *, secret: bytes, customer_id: int, subject: str, body: str, now: datetime,
               not_after: datetime) -> int:
    """Write a mail to the customer's address on file into the outbox; its id. Sent after the commit."""
    mail = MailOutbox(customer_id=customer_id, subject=subject, sealed_body=_seal(secret, body), created_at=now,
                      not_after=not_after, status=PENDING, attempts=0, next_attempt_at=now)
    session.add(mail)
    session.flush()
    return mail.id


def cancel_mail(session: Session, mail_id: int | None) -> None:
    """A mail not sent yet that is no longer wanted (its code was replaced)."""
    if mail_id is None:
        return
    session.execute(
        update(MailOutbox).where(MailOutbox.id == mail_id, MailOutbox.status == PENDING)
        .values(status=CANCELLED, sealed_body=None).execution_options(synchronize_session=False)
    )


def _error_label(error: BaseException) -> str:
    """The exception's class and SMTP code: str() of some SMTP errors carries the recipient."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"[:200]


def _refused_for_good(error: BaseException) -> bool:
    """The server refused the recipient permanently (5xx): retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


@dataclass(frozen=True)
class _Taken:
    id: int
    to: str
    subject: str
    body: str
    attempts: int


class MailSender:
    """Sends the outbox's due mail in a background thread (one per process).

    ``deliver_due`` does one pass and can be called directly (tests, a
    one-off command); ``start`` runs passes in a daemon thread, woken by
    ``wake`` when a new mail is committed and otherwise when the next retry
    is due.
    """

    def __init__(self, engine: Engine, mailer: Mailer, secret: bytes,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.engine = engine
        self.mailer = mailer
        self.secret = secret
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def _take(self, now: datetime) -> tuple[list[_Taken], list[int]]:
        """Claim due rows; rows past their not_after are given up instead."""
        due = or_(and_(MailOutbox.status == PENDING, MailOutbox.next_attempt_at <= now),
                  and_(MailOutbox.status == SENDING, MailOutbox.sending_since < now - SENDING_STALE))
        taken, expired = [], []
        with session_scope(self.engine) as session:
            ids = session.execute(select(MailOutbox.id).where(due).order_by(MailOutbox.id).limit(20)).scalars().all()
            for mail_id in ids:
                won = session.execute(
                    update(MailOutbox).where(MailOutbox.id == mail_id, due)
                    .values(status=SENDING, sending_since=now, attempts=MailOutbox.attempts + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not won:
                    continue
                mail, to = session.execute(
                    select(MailOutbox, Customer.email).join(Customer, Customer.id == MailOutbox.customer_id)
                    .where(MailOutbox.id == mail_id)
                ).one()
                if now >= mail.not_after or mail.sealed_body is None:
                    mail.status, mail.sealed_body = EXPIRED, None
                    expired.append(mail_id)
                    continue
                try:
                    body = _unseal(self.secret, mail.sealed_body)
                except InvalidTag:  # sealed under another MADOGUCHI_SECRET: no process here can read it
                    mail.status, mail.sealed_body, mail.last_error = FAILED, None, "InvalidTag"
                    continue
                taken.append(_Taken(mail.id, to, mail.subject, body, mail.attempts))
        return taken, expired

    def _record(self, mail: _Taken, error: BaseException | None) -> None:
        now = self.clock()
        with session_scope(self.engine) as session:
            row = session.get(MailOutbox, mail.id)
            if error is None:
                row.status, row.sent_at, row.sealed_body, row.last_error = SENT, now, None, None
                return
            row.last_error = _error_label(error)
            retry_at = now + timedelta(seconds=RETRY_DELAYS[min(mail.attempts, len(RETRY_DELAYS)) - 1])
            if _refused_for_good(error) or retry_at >= row.not_after:
                row.status, row.sealed_body = FAILED, None
            else:
                row.status, row.next_attempt_at, row.sending_since = PENDING, retry_at, None

    def deliver_due(self) -> datetime | None:
        """Send every mail that is due now; when the next one falls due (None: nothing waits)."""
        taken, expired = self._take(self.clock())
        for mail_id in expired:
            log.warning("mail %d given up: not sent before its code expired", mail_id)
        for mail in taken:
            try:
                self.mailer.send(mail.to, mail.subject, mail.body)
            except (OSError, smtplib.SMTPException, ValueError) as error:  # the server's problem: retry
                self._record(mail, error)
                log.warning("mail %d not sent (attempt %d): %s", mail.id, mail.attempts, _error_label(error))
                continue
            self._record(mail, None)
            log.info("mail %d sent (attempt %d)", mail.id, mail.attempts)
        with session_scope(self.engine) as session:
            return session.scalar(select(func.min(MailOutbox.next_attempt_at)).where(MailOutbox.status == PENDING))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            wait = IDLE_POLL_SECONDS
            try:
                next_due = self.deliver_due()
            except Exception:  # noqa: BLE001 - the database may be away a moment; the next pass tries again
                log.exception("mail sender pass failed")
            else:
                if next_due is not None:
                    wait = min(wait, max((next_due - self.clock()).total_seconds(), 0.05))
            self._wake.wait(wait)

    def start(self) -> "MailSender":
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
                self._thread.start()
        return self

    def wake(self) -> None:
        """A mail was committed: send it now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


_background: MailSender | None = None
_background_lock = threading.Lock()


def background_sender() -> MailSender:
    """This process's sender (started on first use, with the environment's mail settings).

    The action server calls it when it has committed a mail; the first call
    also sends whatever an earlier run of the process left in the outbox.
    """
    global _background
    with _background_lock:
        if _background is None:
            settings = load_settings()
            _background = MailSender(default_engine(), mailer_from_env(settings), server_secret(settings))
        return _background.start()
