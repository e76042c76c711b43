"""The agents' console as a child process for tests, and a small cookie-keeping browser to drive it.

Tickets and agents are put straight into its database; every request goes over
real HTTP from a loopback address of its own, behind 127.0.0.1 as the trusted proxy.
"""

from __future__ import annotations

import functools
import http.client
import itertools
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Iterable
from urllib.parse import urlencode

from sqlalchemy import select

from bot import handoff
from bot.config import PROJECT_ROOT
from bot.console.accounts import hash_password, login_key
from bot.devserver import free_port
from bot.processes import answers_http, start_server, stop_process
from bot.store.db import engine_for, session_scope
from bot.store.migrate import upgrade
from bot.store.models import Agent, AuditEntry, LoginThrottle, Ticket

PASSWORDS = {
    "alice": "alice-password-0001",
    "bob": "bob-password-00002",
    "sue": "supervisor-pass-0003",
    "carol": "carol-password-0004",
    "dave": "dave-password-00005",
    "erin": "erin-password-00006",
}
ROLES = {"sue": "supervisor"}
NAMES = {"alice": "鈴木 愛", "bob": "佐藤 文", "sue": "高橋 澄子", "carol": "田中 花", "dave": "伊藤 大",
         "erin": "渡辺 恵"}
TRUSTED_PROXY = "127.0.0.1"
_sources = itertools.count()


def next_client_address() -> str:
    """A loopback address no other browser in this run uses (never the proxy's 127.0.0.1)."""
    n = next(_sources)
    return f"127.0.{10 + n // 250}.{1 + n % 250}"


# ---------------------------------------------------------------------------
# A small browser: cookies, forms, no automatic redirects
# ---------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: Message
    body: str

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    def csrf(self) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.body)
        assert match, f"no CSRF token in the page:\n{self.body[:2000]}"
        return match.group(1)


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    # The address the browser connects from, and headers sent with every request (a proxy's X-Forwarded-*).
    source: str = field(default_factory=next_client_address)
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, fields: dict | None = None) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                source_address=(self.source, 0))
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read().decode("utf-8"))
        finally:
            connection.close()
        for set_cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = set_cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in set_cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: dict) -> Reply:
        return self.request("POST", path, fields)

    def log_in(self, login: str, password: str | None = None) -> Reply:
        page = self.get("/console/login")
        return self.post("/console/login", {"csrf_token": page.csrf(), "login": login,
                                            "password": PASSWORDS.get(login, "") if password is None else password})

    def act(self, ticket_id: int, action: str, **fields) -> Reply:
        token = self.get(f"/console/tickets/{ticket_id}").csrf()
        return self.post(f"/console/tickets/{ticket_id}/{action}", {"csrf_token": token, **fields})


# ---------------------------------------------------------------------------
# The console as a child process, and tickets put straight into its database
# ---------------------------------------------------------------------------

@dataclass
class RunningConsole:
    port: int
    database_url: str
    var_dir: Path
    log_path: Path
    env_secret: str | None = None
    # One logged-in session per agent, shared by the tests: a login costs a real scrypt hash (~0.5 s).
    sessions: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self):
        return engine_for(self.database_url)

    def secret(self) -> bytes:
        """The server secret the console uses: MADOGUCHI_SECRET, or the key it generated in its var/."""
        if self.env_secret:
            return self.env_secret.encode("utf-8")
        return (self.var_dir / "secret.key").read_text(encoding="ascii").strip().encode("ascii")

    def evaluated_failures(self, login: str) -> int:
        """How many wrong passwords for ``login`` were really checked (not refused by a lock)."""
        key = login_key(self.secret(), login)
        return len([e for e in self.audit("console_login_failed") if e.detail.startswith(f"key={key} ")])

    def move_login_limits_back(self, login: str, by: timedelta) -> None:
        """Let time pass for one login's failure count and lock."""
        with session_scope(self.engine) as session:
            row = session.get(LoginThrottle, f"login:{login_key(self.secret(), login)}")
            row.window_started_at -= by
            if row.locked_until is not None:
                row.locked_until -= by

    def browser(self, login: str | None = None) -> Browser:
        """A browser of its own (own client address, own cookies), logged in as ``login`` if given."""
        browser = Browser(self.port)
        if login is None:
            return browser
        if login in self.sessions:
            browser.cookies["madoguchi_console"] = self.sessions[login]
            if browser.get("/console/?auto=1").status == 200:
                return browser
            browser.cookies.clear()
        assert browser.log_in(login).status == 303
        self.sessions[login] = browser.cookies["madoguchi_console"]
        return browser

    def open_ticket(self, *, severity: str = "normal", age: timedelta = timedelta(minutes=5),
                    reason: str = "abusive", evidence: tuple[str, ...] = ("土下座しろ",),
                    customer_text: str = "ふざけんな！土下座しろ", channel: str = "line",
                    conversation_id: str | None = None, overdue: bool = False) -> tuple[int, str]:
        """A ticket opened ``age`` ago; ``overdue`` puts its first-reply deadline in the past whatever the
        time of day (the business calendar would otherwise move an evening deadline to the next morning)."""
        created = handoff.now_utc() - age
        with session_scope(self.engine) as session:
            ticket = handoff.open_ticket(
                session, conversation_id=conversation_id or f"conv-{uuid.uuid4().hex[:10]}", channel=channel,
                reason=reason, severity=severity, evidence=evidence,
                transcript=[handoff.TranscriptLine("customer", customer_text, created)], now=created)
            if overdue:
                ticket.first_reply_due = handoff.now_utc() - timedelta(minutes=1)
            return ticket.id, ticket.reference

    def ticket(self, ticket_id: int) -> Ticket:
        with session_scope(self.engine) as session:
            return session.get(Ticket, ticket_id)

    def audit(self, action: str, reference: str | None = None) -> list[AuditEntry]:
        with session_scope(self.engine) as session:
            query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            if reference is not None:
                query = query.where(AuditEntry.detail.like(f"ticket {reference}%"))
            return session.execute(query).scalars().all()


@functools.lru_cache(maxsize=None)
def stored_password(login: str) -> str:
    """The test agent's password hash, made once per test run (each costs a real scrypt at N=2^17)."""
    return hash_password(PASSWORDS[login])


def start_console(var_dir: Path, database_url: str, *, agents: Iterable[str] = tuple(PASSWORDS),
                  env: dict[str, str] | None = None) -> tuple[subprocess.Popen, RunningConsole]:
    """The console on ``database_url`` with the given test agents, behind 127.0.0.1 as its trusted proxy."""
    upgrade(database_url)
    with session_scope(engine_for(database_url)) as session:
        for login in agents:
            session.add(Agent(login=login, display_name=NAMES[login], password_hash=stored_password(login),
                              role=ROLES.get(login, "agent"), active=True, created_at=handoff.now_utc()))
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MADOGUCHI_SECRET")},
           "MADOGUCHI_VAR_DIR": str(var_dir), "DATABASE_URL": database_url, "MADOGUCHI_WEB_PORT": str(port),
           "MADOGUCHI_TRUSTED_PROXIES": TRUSTED_PROXY, **(env or {})}
    if database_url.startswith("postgresql"):
        env.setdefault("MADOGUCHI_SECRET", f"test-secret-{uuid.uuid4().hex}")
    log_path = var_dir / "console.log"
    process = start_server([sys.executable, "-m", "bot.console"], name="the console", log_path=log_path,
                           ready=answers_http(f"http://127.0.0.1:{port}/console/login"), seconds=30, interval=0.2,
                           cwd=PROJECT_ROOT, env=env)
    return process, RunningConsole(port, database_url, var_dir, log_path, env.get("MADOGUCHI_SECRET"))


def stop_console(process: subprocess.Popen) -> int:
    return stop_process(process, seconds=15)
