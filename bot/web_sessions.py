"""Web widget sessions: ids the server issued and signed, that end when left idle.

A widget conversation is ``web:<key>``; the page holds ``<key>.<signature>``,
an HMAC of the key under the server secret. A made-up or guessed id fails the
signature and gets a fresh session, so nobody joins a conversation (and the
verification it holds) without having been handed its id. Each session's last
use is kept in the database: one idle longer than
``Settings.web_session_idle_hours`` (24 h by default) is over, so the next
person at a shared PC starts a conversation of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy.orm import Session

from bot.secrets import server_secret
from bot.store.models import WebSession

KEY_HEX = 32
SIGNATURE_HEX = 32
SEPARATOR = "."
TOUCH_EVERY = timedelta(minutes=1)  # last use is written at most this often per session


def _signature(key: str) -> str:
    return hmac.new(server_secret(), f"web-session\x00{key}".encode("ascii"), hashlib.sha256).hexdigest()[
        :SIGNATURE_HEX]


def signed_id(key: str) -> str:
    return f"{key}{SEPARATOR}{_signature(key)}"


def key_of(session_id: object) -> Optional[str]:
    """The key of a session id the server signed; None for anything else."""
    if not isinstance(session_id, str) or len(session_id) != KEY_HEX + 1 + SIGNATURE_HEX:
        return None
    key, _, signature = session_id.partition(SEPARATOR)
    if len(key) != KEY_HEX or any(c not in "0123456789abcdef" for c in key):
        return None
    return key if hmac.compare_digest(signature.encode("ascii", "replace"), _signature(key).encode("ascii")) else None


def start(session: Session, now: datetime) -> str:
    """A new session; returns its key."""
    key = secrets.token_hex(KEY_HEX // 2)
    session.add(WebSession(session_key=key, created_at=now, last_seen_at=now))
    return key


def resume(session: Session, key: str, now: datetime, idle: timedelta) -> bool:
    """True (and the session marked used) if it exists and was used within ``idle``; an idle one is ended."""
    row = session.get(WebSession, key)
    if row is None:
        return False
    if now - row.last_seen_at > idle:
        session.delete(row)
        return False
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return True


def masked(conversation_id: str) -> str:
    """``web:1a2b…`` for the console: enough to tell sessions apart, not enough to be one."""
    prefix, _, key = conversation_id.partition(":")
    if prefix != "web" or not key:
        return conversation_id
    return f"{prefix}:{key[:4]}…"
