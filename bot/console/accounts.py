"""Who may use the console: agents' accounts, passwords, login throttling and sessions.

- Passwords are stored as scrypt hashes only, at OWASP's parameters
  (N=2^17, r=8, p=1; ``scrypt$131072$8$1$<salt>$<hash>``, base64). The
  parameters travel with the hash, so an older hash still verifies and is
  replaced at the current parameters on the agent's next successful login.
  Comparisons are in constant time; at most ``MAX_CONCURRENT_HASHES``
  hashes run at once (each holds 128 MiB).
- A login takes the same work whether the login exists or not: an unknown
  login is hashed against a dummy hash.
- Five failed logins for one login within 15 minutes lock that login for 15
  minutes; ten from one client address (``bot.clients``: the address the
  shop's trusted proxy vouches for) lock that client, so rotating the login
  name does not help. The counts live in ``login_throttle``: an attempt takes
  a slot with one conditional UPDATE *before* the password is hashed, so
  parallel requests cannot all slip under the limit, and the lock holds
  across restarts and replicas. An unknown login locks the same way, so the
  lock tells nothing about which logins exist. Attempts refused during a
  lock are audited as ``console_login_locked`` and do not prolong it.
- A session is a random token in the ``madoguchi_console`` cookie; the
  database keeps only its SHA-256, with a CSRF token for the forms and a
  12-hour expiry. A deactivated agent's sessions stop working at once.

Passwords never reach the audit log or the logs; a failed login is recorded
under an HMAC of the login (its plain text only when such an agent exists,
since people type passwords into the login field by mistake) and an HMAC of
the client address.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import re
import secrets
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clients import client_key
from bot.store.db import session_scope
from bot.store.models import Agent, AuditEntry, ConsoleSession, LoginThrottle, Ticket, UTCDateTime

COOKIE_NAME = "madoguchi_console"
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_FAILURE_LIMIT = 5
CLIENT_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
LOGIN_LOCK = timedelta(minutes=15)
# A counter whose window ended this long ago, and that is not locked, is the same as none.
THROTTLE_ROWS_KEPT = timedelta(hours=1)

ROLES = {"agent": "担当者", "supervisor": "スーパーバイザー"}
LOGIN_PATTERN = re.compile(r"[a-z0-9._-]{3,50}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 100

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
# scrypt needs 128·r·(N+p+2) bytes: 128 MiB at the parameters above, four times Python's default cap.
_SCRYPT_MAXMEM = 256 * 1024 * 1024
# Stored hashes are parsed, not trusted: parameters above these (or needing more memory) are refused.
_MAX_SCRYPT_R, _MAX_SCRYPT_P = 32, 16
# A burst of logins waits for a hashing slot instead of taking 128 MiB each at once.
MAX_CONCURRENT_HASHES = 2
_hashing = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


class AccountError(Exception):
    """An account that cannot be created or changed; ``message`` says why, in Japanese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Passwords
# ---------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    with _hashing:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                              maxmem=_SCRYPT_MAXMEM)


@dataclass(frozen=True)
class _StoredHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _parse_hash(stored: str) -> _StoredHash | None:
    """The parameters, salt and digest of ``scrypt$N$r$p$salt$hash``, or None if it is not one we can check."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        n, r, p = int(n), int(r), int(p)
        salt = base64.b64decode(salt_b64, validate=True)
        digest = base64.b64decode(digest_b64, validate=True)
    except ValueError:
        return None
    if scheme != "scrypt" or not digest or n < 2 or n & (n - 1):
        return None
    if not (0 < r <= _MAX_SCRYPT_R and 0 < p <= _MAX_SCRYPT_P) or 128 * r * (n + p + 2) > _SCRYPT_MAXMEM:
        return None
    return _StoredHash(n, r, p, salt, digest)


def hash_password(password: str) -> str:
    """``scrypt$131072$8$1$<salt b64>$<hash b64>`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (at the parameters stored with it); constant-time comparison."""
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    candidate = _scrypt(password, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.digest))
    return hmac.compare_digest(candidate, parsed.digest)


def needs_rehash(stored: str) -> bool:
    """True for a valid hash made with other parameters than today's, to be replaced at the next login."""
    parsed = _parse_hash(stored)
    return parsed is not None and (
        (parsed.n, parsed.r, parsed.p) != (SCRYPT_N, SCRYPT_R, SCRYPT_P)
        or len(parsed.salt) < SALT_BYTES or len(parsed.digest) != HASH_BYTES)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """What an unknown login is checked against, so it costs the same as a known one."""
    return hash_password(secrets.token_urlsafe(16))


def prepare_dummy_hash() -> None:
    """Make the dummy hash in the background at start-up, so not even the first unknown login is slower."""
    threading.Thread(target=_dummy_hash, name="console-dummy-hash", daemon=True).start()


# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------

def normalise_login(login: str) -> str:
    return (login or "").strip().lower()


def create_agent(session: Session, login: str, display_name: str, password: str, role: str,
                 now: datetime) -> Agent:
    """A new active account; raises AccountError with the reason when the values are not acceptable."""
    login = normalise_login(login)
    display_name = (display_name or "").strip()
    if not LOGIN_PATTERN.fullmatch(login):
        raise AccountError("ログインIDは3〜50文字の半角英小文字・数字・「.」「_」「-」で指定してください。")
    if not display_name or len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        raise AccountError(f"表示名は1〜{MAX_DISPLAY_NAME_LENGTH}文字で指定してください。")
    if role not in ROLES:
        raise AccountError("権限は agent か supervisor を指定してください。")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"パスワードは{MAX_PASSWORD_LENGTH}文字以内にしてください。")
    if password.strip() != password:
        raise AccountError("パスワードの先頭と末尾に空白は使えません。")
    if session.execute(select(Agent.id).where(Agent.login == login)).first() is not None:
        raise AccountError(f"ログインID「{login}」はすでに登録されています。")
    agent = Agent(login=login, display_name=display_name, password_hash=hash_password(password), role=role,
                  active=True, created_at=now)
    session.add(agent)
    try:
        session.flush()
    except IntegrityError as error:
        raise AccountError(f"ログインID「{login}」はすでに登録されています。") from error
    session.add(AuditEntry(at=now, actor="cli", action="agent_create", detail=f"login={login} role={role}"))
    return agent


def deactivate_agent(session: Session, login: str, now: datetime) -> tuple[Agent, int]:
    """The agent can no longer log in; their sessions end now. Returns the agent and the sessions ended."""
    login = normalise_login(login)
    agent = session.execute(select(Agent).where(Agent.login == login)).scalar_one_or_none()
    if agent is None:
        raise AccountError(f"ログインID「{login}」の担当者はいません。")
    agent.active = False
    ended = session.execute(delete(ConsoleSession).where(ConsoleSession.agent_id == agent.id)).rowcount
    session.add(AuditEntry(at=now, actor="cli", action="agent_deactivate", detail=f"login={login}"))
    return agent, ended


# ---------------------------------------------------------------------------
# Logging in
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginResult:
    """``agent`` is set only on success; ``locked`` means the login is refused for a while.

    ``client_locked`` says the lock is on the client address rather than on
    the login, so the page can say so without naming any login.
    """

    agent: Agent | None
    locked: bool = False
    locked_until: datetime | None = None
    client_locked: bool = False


def login_key(secret: bytes, login: str) -> str:
    """What failed logins are counted under: an HMAC, so a password typed as the login is not kept."""
    return hmac.new(secret, f"console-login\x00{login}".encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class _Slot:
    """One counter a login attempt is charged to: its ``login_throttle`` key and that key's limit."""

    key: str
    limit: int
    is_client: bool


def _slots(secret: bytes, login: str, client_address: str) -> tuple[_Slot, _Slot]:
    # The client first, always: every transaction takes the two rows in the same order, so none deadlock.
    return (_Slot(f"client:{client_key(secret, client_address)}", CLIENT_FAILURE_LIMIT, True),
            _Slot(f"login:{login_key(secret, login)}", LOGIN_FAILURE_LIMIT, False))


def _at(moment: datetime):
    """A point in time as an SQL value of the column type (naive UTC in the database)."""
    return literal(moment, UTCDateTime())


def _ensure_row(session: Session, key: str, now: datetime) -> None:
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    session.execute(insert(LoginThrottle).values(key=key, window_started_at=now, attempts=0, failures=0)
                    .on_conflict_do_nothing(index_elements=["key"]))


def _take(session: Session, slot: _Slot, now: datetime) -> datetime | None:
    """Count one attempt against ``slot`` unless it is locked or full; the window it counts in, or None.

    One conditional UPDATE: on PostgreSQL a parallel UPDATE of the same row
    waits for this one and then re-checks ``attempts < limit`` on the new
    value; SQLite runs one writer at a time. Either way no more than
    ``limit`` attempts get through in a window.
    """
    row = LoginThrottle
    fresh = row.window_started_at <= _at(now - LOGIN_FAILURE_WINDOW)
    for _ in range(2):  # twice only if ``_forget_stale`` deleted the row between the INSERT and the UPDATE
        _ensure_row(session, slot.key, now)
        taken = session.execute(
            update(row)
            .where(row.key == slot.key, or_(row.locked_until.is_(None), row.locked_until <= _at(now)),
                   or_(fresh, row.attempts < slot.limit))
            .values(attempts=case((fresh, 1), else_=row.attempts + 1),
                    failures=case((fresh, 0), else_=row.failures),
                    window_started_at=case((fresh, _at(now)), else_=row.window_started_at),
                    locked_until=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken == 1:
            return session.execute(select(row.window_started_at).where(row.key == slot.key)).scalar_one()
        if session.execute(select(row.key).where(row.key == slot.key)).first() is not None:
            return None
    return None


def _forget_stale(session: Session, now: datetime) -> None:
    """Delete counters that no longer count (window long over, no lock), so tried names do not pile up.

    Runs in a transaction of its own and skips rows another transaction holds
    (PostgreSQL), so it never waits for, or deadlocks with, a login in progress.
    """
    row = LoginThrottle
    stale = (select(row.key)
             .where(row.window_started_at < _at(now - THROTTLE_ROWS_KEPT),
                    or_(row.locked_until.is_(None), row.locked_until < _at(now)))
             .limit(1000).with_for_update(skip_locked=True))
    session.execute(delete(row).where(row.key.in_(stale)).execution_options(synchronize_session=False))


def _refused_until(session: Session, slot: _Slot, now: datetime) -> datetime:
    """When a refused slot frees up: the end of its lock, or of the window its attempts fill."""
    state = session.get(LoginThrottle, slot.key)
    if state.locked_until is not None and state.locked_until > now:
        return state.locked_until
    return max(state.window_started_at + LOGIN_FAILURE_WINDOW, now)


def _give_back(session: Session, slot: _Slot, window: datetime) -> None:
    """A successful login does not count against its login or client."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == slot.key, LoginThrottle.window_started_at == _at(window),
               LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
        .execution_options(synchronize_session=False))


def _count_failure(session: Session, slot: _Slot, window: datetime, now: datetime) -> datetime | None:
    """Record a failure; the lock's end when this slot is (now) locked."""
    row = LoginThrottle
    session.execute(
        update(row)
        .where(row.key == slot.key, row.window_started_at == _at(window))
        .values(failures=row.failures + 1,
                locked_until=case((and_(row.locked_until.is_(None), row.failures + 1 >= slot.limit),
                                   _at(now + LOGIN_LOCK)), else_=row.locked_until))
        .execution_options(synchronize_session=False))
    until = session.execute(select(row.locked_until).where(row.key == slot.key)).scalar_one()
    return until if until is not None and until > now else None


def authenticate(engine: Engine, login: str, password: str, client_address: str, now: datetime,
                 secret: bytes) -> LoginResult:
    """Check a login and password from a client; records the failure (never the password) in the audit log.

    Three steps, so no transaction is open while the password is hashed:
    take a slot for the client and for the login (or be refused), hash,
    then record the outcome. The same work is done whether the login
    exists, is deactivated or the password is wrong, and all three fail the
    same way. A success rehashes a password stored at older parameters.
    """
    login = normalise_login(login)[:200]
    slots = _slots(secret, login, client_address)
    detail = f"key={login_key(secret, login)} client={client_key(secret, client_address)}"

    with session_scope(engine) as session:
        windows: list[datetime] = []
        refused: _Slot | None = None
        for slot in slots:
            window = _take(session, slot, now)
            if window is None:
                refused = slot
                break
            windows.append(window)
        if refused is not None:
            # Nothing is counted when either is refused: a locked login does not use up the client's slots.
            session.rollback()
            until = _refused_until(session, refused, now)
        agent = session.execute(select(Agent).where(Agent.login == login)).scalar_one_or_none()
        known = f" login={login}" if agent is not None else " unknown login"
        if refused is not None:
            session.add(AuditEntry(at=now, actor="console", action="console_login_locked", detail=detail + known))
            return LoginResult(None, locked=True, locked_until=until, client_locked=refused.is_client)

    stored = agent.password_hash if agent is not None else _dummy_hash()
    succeeded = verify_password(password, stored) and agent is not None and agent.active
    rehashed = hash_password(password) if succeeded and needs_rehash(stored) else None

    with session_scope(engine) as session:
        _forget_stale(session, now)
    with session_scope(engine) as session:
        if succeeded:
            for slot, window in zip(slots, windows, strict=True):
                _give_back(session, slot, window)
            if rehashed is not None:
                changed = session.execute(
                    update(Agent).where(Agent.id == agent.id, Agent.password_hash == stored)
                    .values(password_hash=rehashed).execution_options(synchronize_session=False)).rowcount
                if changed:
                    session.add(AuditEntry(at=now, actor=f"agent:{login}", action="console_password_rehashed",
                                           detail=f"scrypt N={SCRYPT_N} r={SCRYPT_R} p={SCRYPT_P}"))
            return LoginResult(agent)
        session.add(AuditEntry(at=now, actor="console", action="console_login_failed", detail=detail + known))
        locks = [(slot, _count_failure(session, slot, window, now))
                 for slot, window in zip(slots, windows, strict=True)]
    locked = [(slot, until) for slot, until in locks if until is not None]
    if not locked:
        return LoginResult(None)
    slot, until = max(locked, key=lambda item: item[1])
    return LoginResult(None, locked=True, locked_until=until, client_locked=slot.is_client)


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ConsoleUser:
    """The logged-in agent as the console needs it, usable outside a database session."""

    agent_id: int
    login: str
    display_name: str
    role: str
    csrf_token: str
    token_hash: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, agent: Agent, now: datetime) -> str:
    """A new console session for ``agent``; returns the cookie's token (only its hash is stored)."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(ConsoleSession(token_hash=token_hash(token), agent_id=agent.id, csrf_token=secrets.token_hex(32),
                               created_at=now, expires_at=now + SESSION_LIFETIME))
    session.add(AuditEntry(at=now, actor=f"agent:{agent.login}", action="console_login"))
    return token


def session_user(session: Session, token: str | None, now: datetime) -> ConsoleUser | None:
    """The agent behind a cookie's token, if the session is current and the agent still active."""
    if not token or len(token) > 128:
        return None
    row = session.execute(
        select(ConsoleSession, Agent).join(Agent, Agent.id == ConsoleSession.agent_id)
        .where(ConsoleSession.token_hash == token_hash(token), ConsoleSession.expires_at > now,
               Agent.active.is_(True))
    ).first()
    if row is None:
        return None
    console_session, agent = row
    return ConsoleUser(agent.id, agent.login, agent.display_name, agent.role, console_session.csrf_token,
                       console_session.token_hash)


def end_session(session: Session, user: ConsoleUser, now: datetime) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == user.token_hash))
    session.add(AuditEntry(at=now, actor=f"agent:{user.login}", action="console_logout"))


def csrf_matches(user: ConsoleUser, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(user.csrf_token.encode(), submitted.encode("utf-8"))


# ---------------------------------------------------------------------------
# `python -m bot agent …`
# ---------------------------------------------------------------------------

def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"パスワード（{MIN_PASSWORD_LENGTH}文字以上）: ")
    if getpass.getpass("もう一度入力してください: ") != first:
        raise AccountError("2回の入力が一致しません。登録していません。")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="madoguchi agent", description="Agents' accounts for the console.")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="add an agent (asks for the password twice)")
    add.add_argument("--login", required=True, help="3-50 characters: a-z 0-9 . _ -")
    add.add_argument("--name", required=True, help="display name shown to colleagues")
    add.add_argument("--role", choices=sorted(ROLES), default="agent")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    sub.add_parser("list", help="list all agents")
    deactivate = sub.add_parser("deactivate", help="stop an agent from logging in and end their sessions")
    deactivate.add_argument("--login", required=True)
    return parser


def agent_command(argv: list[str]) -> int:
    """``add --login L --name N [--role agent|supervisor] [--password-stdin]``, ``list``, ``deactivate --login L``."""
    from bot.config import load_settings
    from bot.handoff import OPEN, now_utc
    from bot.store.db import engine_for
    from bot.store.migrate import upgrade

    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    database_url = load_settings().database_url
    upgrade(database_url)
    engine = engine_for(database_url)
    try:
        if args.action == "add":
            password = _read_password(args.password_stdin)
            with session_scope(engine) as session:
                agent = create_agent(session, args.login, args.name, password, args.role, now_utc())
                login, name, role = agent.login, agent.display_name, agent.role
            print(f"担当者「{login}」（{name}、{ROLES[role]}）を登録しました。")
        elif args.action == "list":
            with session_scope(engine) as session:
                agents = session.execute(select(Agent).order_by(Agent.login)).scalars().all()
                rows = [(a.login, a.display_name, a.role, "有効" if a.active else "無効") for a in agents]
            if not rows:
                print("担当者はまだ登録されていません（madoguchi agent add --login L --name N）。")
            for login, name, role, state in rows:
                print(f"{login:<20} {role:<10} {state}  {name}")
        else:
            with session_scope(engine) as session:
                agent, ended = deactivate_agent(session, args.login, now_utc())
                held = session.execute(
                    select(Ticket.reference).where(Ticket.claimed_by == agent.id, Ticket.status == OPEN)
                ).scalars().all()
                login = agent.login
            print(f"担当者「{login}」を無効にしました（終了したセッション: {ended}件）。")
            if held:
                print(f"この担当者が対応中のチケットが{len(held)}件あります（{', '.join(held)}）。"
                      "スーパーバイザーが担当を外してください。")
    except AccountError as error:
        print(f"エラー: {error.message}", file=sys.stderr)
        return 1
    return 0
