"""One aiosmtpd handler for every test that needs a real SMTP server."""

from __future__ import annotations

import email
import email.message
import email.policy
import re

from aiosmtpd.smtp import AuthResult

TEST_SMTP_PASSWORD = b"right-password"


class RecordingMailbox:
    """Keeps every mail it receives as (envelope sender, recipients, message), and every login."""

    def __init__(self) -> None:
        self.mails: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == TEST_SMTP_PASSWORD)

    def codes_sent_to(self, address: str) -> list[str]:
        """The one-time codes in the mails addressed to ``address``, oldest first."""
        codes = []
        for _, _, message in self.mails:
            if message["To"] == address:
                codes += re.findall(r"確認コード：(\d{6})", message.get_body(("plain",)).get_content())
        return codes
