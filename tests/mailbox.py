"""Real SMTP servers for the tests: one aiosmtpd handler that records every mail, and one that hangs."""

from __future__ import annotations

import email
import email.message
import email.policy
import re
import socket
import threading
import time

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


class SilentSmtpServer:
    """Accepts connections and never says a word: an SMTP server that hangs."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
