"""Mail to customers: a real SMTP server on loopback, and the .eml outbox."""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
import stat
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller

from bot.config import load_settings
from bot.devserver import free_port
from bot.mail import DEFAULT_SENDER, Mailer, OutboxMailer, SmtpMailer, mailer_from_env
from bot.templates import step_up_mail
from tests.mailbox import RecordingMailbox

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
    mailer = SmtpMailer("127.0.0.1", port, "support@shop.example")
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
    SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, username="shop", password="right-password").send(
        ADDRESS, SUBJECT, BODY)
    assert inbox.logins == [(b"shop", b"right-password")] and len(inbox.mails) == 1
    with pytest.raises(smtplib.SMTPException):
        SmtpMailer("127.0.0.1", port, DEFAULT_SENDER, username="shop", password="wrong").send(
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
        "mail.example", 25, DEFAULT_SENDER, None, False)

    monkeypatch.setenv("SMTP_PORT", "587")
    monkeypatch.setenv("SMTP_FROM", "help@shop.example")
    monkeypatch.setenv("SMTP_USER", "shop")
    monkeypatch.setenv("SMTP_PASSWORD", "secret")
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    smtp = mailer_from_env(settings)
    assert (smtp.port, smtp.sender, smtp.username, smtp.password, smtp.starttls) == (
        587, "help@shop.example", "shop", "secret", True)


def test_no_address_and_no_code_reach_the_log(smtp_server, tmp_path, caplog):
    port, _ = smtp_server
    caplog.set_level(logging.DEBUG)
    SmtpMailer("127.0.0.1", port, DEFAULT_SENDER).send(ADDRESS, SUBJECT, BODY)
    OutboxMailer(tmp_path).send(ADDRESS, SUBJECT, BODY)
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # aiosmtpd is the server
    assert ours, "the mailers say that a mail went out"
    text = "\n".join(r.getMessage() for r in ours)
    assert ADDRESS not in text and "482915" not in text
