"""Mail to customers: a real SMTP server on loopback, the .eml outbox folder, and the outbox table's sender."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import smtplib
import stat
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.config import load_settings
from bot.devserver import free_port
from bot.identity import CODE_SENT, confirm_step_up, start_step_up, verify_order_owner
from bot.mail import DEFAULT_SENDER, MailSender, Mailer, OutboxMailer, SmtpMailer, mailer_from_env, queue_mail
from bot.secrets import server_secret
from bot.store.db import engine_for, session_scope
from bot.store.models import Customer, MailOutbox, Order
from bot.templates import step_up_mail
from tests.mailbox import RecordingMailbox, SilentSmtpServer, wait_for

ADDRESS = "seiichi.takahashi@example.jp"
SUBJECT, BODY = step_up_mail("482915", 10)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that accepts AUTH without TLS (loopback only)."""
    inbox = RecordingMailbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port,
                            authenticator=inbox.authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_smtp_mailer_delivers_japanese_mail_readably(smtp_server):
    port, inbox = smtp_server
    mailer = SmtpMailer("127.0.0.1", port, "support@shop.example", starttls=False)
    assert isinstance(mailer, Mailer)
    mailer.send(ADDRESS, SUBJECT, BODY)
    [(mail_from, recipients, message)] = inbox.mails
    assert (mail_from, recipients) == ("support@shop.example", [ADDRESS])
    assert message["Subject"] == SUBJECT and message["To"] == ADDRESS
    assert message.get_content_charset() == "utf-8"
    assert "確認コード：482915" in message.get_content()
    assert inbox.logins == []


def test_smtp_mailer_logs_in_when_given_credentials(smtp_server, monkeypatch):
    port, inbox = smtp_server
    monkeypatch.setattr("bot.mail.SMTP_TIMEOUT_SECONDS", 2)  # aiosmtpd stalls a refused login
    SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, username="shop", password="right-password",
               starttls=False).send(ADDRESS, SUBJECT, BODY)
    assert inbox.logins == [(b"shop", b"right-password")] and len(inbox.mails) == 1
    with pytest.raises(smtplib.SMTPException):
        SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, username="shop", password="wrong", starttls=False).send(
            ADDRESS, SUBJECT, BODY)
    assert len(inbox.mails) == 1
    assert "wrong" not in repr(SmtpMailer("h", 25, DEFAULT_SENDER, username="shop", password="wrong"))


def test_outbox_mailer_writes_one_owner_only_eml_file_per_mail(tmp_path):
    mailer = OutboxMailer(tmp_path / "outbox")
    mailer.send(ADDRESS, SUBJECT, BODY)
    mailer.send("misaki.nakamura@example.jp", SUBJECT, BODY)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Subject"] == SUBJECT and message["From"] == DEFAULT_SENDER
    assert {email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["To"] for f in files} == {
        ADDRESS, "misaki.nakamura@example.jp"}
    assert "確認コード：482915" in message.get_content()
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_mailer_from_env_uses_smtp_only_when_a_host_is_set(monkeypatch, tmp_path):
    settings = replace(load_settings(), var_dir=tmp_path)
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS"):
        monkeypatch.delenv(name, raising=False)
    outbox = mailer_from_env(settings)
    assert isinstance(outbox, OutboxMailer) and outbox.folder == tmp_path / "outbox"

    monkeypatch.setenv("SMTP_HOST", "mail.example")
    smtp = mailer_from_env(settings)
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.sender, smtp.username, smtp.starttls) == (
        "mail.example", 25, DEFAULT_SENDER, None, True)

    monkeypatch.setenv("SMTP_PORT", "587")
    monkeypatch.setenv("SMTP_FROM", "help@shop.example")
    monkeypatch.setenv("SMTP_USER", "shop")
    monkeypatch.setenv("SMTP_PASSWORD", "secret")
    smtp = mailer_from_env(settings)
    assert (smtp.port, smtp.sender, smtp.username, smtp.password, smtp.starttls) == (
        587, "help@shop.example", "shop", "secret", True)


@pytest.mark.parametrize("value, starttls", [
    (None, True), ("", True), ("true", True), ("1", True), ("ON", True),
    ("false", False), ("0", False), ("no", False), (" Off ", False),
])
def test_starttls_is_on_unless_explicitly_turned_off(monkeypatch, tmp_path, value, starttls):
    settings = replace(load_settings(), var_dir=tmp_path)
    monkeypatch.setenv("SMTP_HOST", "mail.example")
    if value is None:
        monkeypatch.delenv("SMTP_STARTTLS", raising=False)
    else:
        monkeypatch.setenv("SMTP_STARTTLS", value)
    assert mailer_from_env(settings).starttls is starttls


def test_an_unreadable_starttls_setting_is_an_error_not_plain_text(monkeypatch, tmp_path):
    monkeypatch.setenv("SMTP_HOST", "mail.example")
    monkeypatch.setenv("SMTP_STARTTLS", "maybe")
    with pytest.raises(ValueError, match="SMTP_STARTTLS"):
        mailer_from_env(replace(load_settings(), var_dir=tmp_path))


def test_with_starttls_on_a_server_without_it_gets_no_mail_and_no_password(smtp_server):
    port, inbox = smtp_server
    with pytest.raises(smtplib.SMTPNotSupportedError):
        SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, username="shop", password="right-password").send(
            ADDRESS, SUBJECT, BODY)
    assert inbox.mails == [] and inbox.logins == []


def test_no_address_and_no_code_reach_the_log(smtp_server, tmp_path, caplog):
    port, _ = smtp_server
    caplog.set_level(logging.DEBUG)
    SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, starttls=False).send(ADDRESS, SUBJECT, BODY)
    OutboxMailer(tmp_path).send(ADDRESS, SUBJECT, BODY)
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # aiosmtpd is the server
    assert ours, "the mailers say that a mail went out"
    text = "\n".join(r.getMessage() for r in ours)
    assert ADDRESS not in text and "482915" not in text


# --- the outbox and its background sender -------------------------------------------------------

TAKAHASHI_ORDER, TAKAHASHI_LAST4 = "MD26110018", "4401"


@pytest.fixture
def shop(demo_shop_database, monkeypatch):
    """The demo shop in a fresh SQLite database, the default for in-process code."""
    monkeypatch.setenv("MADOGUCHI_SECRET", "test-secret-not-for-production")
    return engine_for(demo_shop_database)


def ask_for_code(engine, conversation: str = "rest:owner") -> float:
    """Verify with the digits and ask for the step-up code, as the action server does; seconds it took."""
    started = time.monotonic()
    now = datetime.now(timezone.utc)
    with session_scope(engine) as session:
        assert verify_order_owner(session, conversation_id=conversation, sender_id=conversation,
                                  order_number=TAKAHASHI_ORDER, phone_last4=TAKAHASHI_LAST4, now=now).verified
        assert start_step_up(session, conversation_id=conversation, sender_id=conversation, now=now) == CODE_SENT
    return time.monotonic() - started


def outbox(engine) -> list[MailOutbox]:
    with session_scope(engine) as session:
        return session.scalars(select(MailOutbox).order_by(MailOutbox.id)).all()


def test_a_hanging_smtp_server_delays_the_mail_not_the_reply(shop, smtp_server, monkeypatch):
    # The hung server holds a send for 4 s; the customer's answer must come well before that, even on a
    # loaded machine (the bound is 2 s, not the 0.01 s it takes when idle).
    monkeypatch.setattr("bot.mail.SMTP_TIMEOUT_SECONDS", 4)
    silent = SilentSmtpServer()
    sender = MailSender(shop, SmtpMailer("127.0.0.1", silent.port, DEFAULT_SENDER, starttls=False),
                        server_secret()).start()
    try:
        assert ask_for_code(shop) < 2
        sender.wake()
        wait_for(lambda: outbox(shop)[0].attempts >= 1 and outbox(shop)[0].status == "pending")
        # Another customer is not held up by the hung server either.
        assert ask_for_code(shop, "rest:second") < 2
        [first, _] = outbox(shop)
        assert first.last_error in ("SMTPServerDisconnected", "TimeoutError", "timeout")
        assert first.sealed_body is not None and first.sent_at is None
        # The mail server comes back: the retry delivers both mails, each with its code.
        port, inbox = smtp_server
        sender.mailer = SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, starttls=False)
        wait_for(lambda: all(m.status == "sent" for m in outbox(shop)), seconds=15)
    finally:
        sender.stop()
        silent.close()
    with session_scope(shop) as session:
        email = session.scalars(select(Customer.email).join(Order).where(Order.order_number == TAKAHASHI_ORDER)).one()
    codes = inbox.codes_sent_to(email)
    assert len(codes) == 2
    assert all(m.sealed_body is None for m in outbox(shop))  # nothing of the code is kept
    with session_scope(shop) as session:
        assert confirm_step_up(session, conversation_id="rest:owner", sender_id="rest:owner", code=codes[0],
                               now=datetime.now(timezone.utc)).verified


def test_a_refusing_smtp_server_is_retried_until_the_code_expires(shop, monkeypatch):
    nobody = free_port()  # nothing listens there: connection refused
    ask_for_code(shop)
    [queued] = outbox(shop)
    assert (queued.status, queued.attempts) == ("pending", 0)  # the reply never waits on the mail server
    now = [datetime.now(timezone.utc)]
    sender = MailSender(shop, SmtpMailer("127.0.0.1", nobody, DEFAULT_SENDER, starttls=False), server_secret(),
                        clock=lambda: now[0])
    sender.deliver_due()
    [mail] = outbox(shop)
    assert (mail.status, mail.attempts, mail.last_error) == ("pending", 1, "ConnectionRefusedError")
    assert mail.next_attempt_at > now[0]
    now[0] = mail.next_attempt_at
    sender.deliver_due()
    assert outbox(shop)[0].attempts == 2
    now[0] = mail.not_after  # the code has expired: not worth sending any more
    sender.deliver_due()
    [mail] = outbox(shop)
    assert mail.status in ("failed", "expired") and mail.sealed_body is None


def test_the_code_is_never_stored_readable_in_the_outbox(shop, smtp_server):
    port, inbox = smtp_server
    ask_for_code(shop)
    [mail] = outbox(shop)
    MailSender(shop, SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, starttls=False), server_secret()).deliver_due()
    [code] = re.findall(r"確認コード：(\d{6})", inbox.mails[0][2].get_content())
    assert code not in mail.sealed_body and "確認コード" not in mail.sealed_body
    assert mail.customer_id and not hasattr(mail, "to")


def test_two_senders_on_one_database_send_each_mail_once(shop, smtp_server):
    port, inbox = smtp_server
    now = datetime.now(timezone.utc)
    with session_scope(shop) as session:
        customers = session.scalars(select(Customer.id).order_by(Customer.id).limit(6)).all()
        for customer_id in customers:
            queue_mail(session, secret=server_secret(), customer_id=customer_id, subject=SUBJECT, body=BODY, now=now,
                       not_after=now + timedelta(minutes=10))
    senders = [MailSender(engine_for.__wrapped__(str(shop.url)),
                          SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, starttls=False), server_secret())
               for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(sender: MailSender) -> None:
        barrier.wait()
        sender.deliver_due()

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(inbox.mails) == 6 and len({recipients[0] for _, recipients, _ in inbox.mails}) == 6
    assert [m.status for m in outbox(shop)] == ["sent"] * 6


def test_a_mail_sealed_under_another_secret_is_given_up_not_retried_forever(shop, smtp_server):
    port, inbox = smtp_server
    ask_for_code(shop)
    other = MailSender(shop, SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, starttls=False), b"another-replica-secret")
    assert other.deliver_due() is None
    [mail] = outbox(shop)
    assert (mail.status, mail.last_error, mail.sealed_body) == ("failed", "InvalidTag", None)
    assert inbox.mails == []
