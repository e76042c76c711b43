"""The outbound guard: every reply passes here before a channel sends it.

A reply that carries personal data of any customer other than the one
verified in this conversation is replaced by a safe message and recorded as
a privacy incident, so a bug or a bad template can never repeat the
same-address case (an operator reading out the neighbour's name and age).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from bot import identity, templates
from bot.privacy import PersonalDataIndex, PersonRecord, screen_reply
from bot.store.db import default_engine, session_scope
from bot.store.models import AuditEntry, Customer, Order
from bot.support import open_trouble

INDEX_REFRESH_SECONDS = 60


def load_people(engine: Engine) -> list[PersonRecord]:
    with session_scope(engine) as session:
        customers = session.execute(
            select(Customer).options(selectinload(Customer.orders).selectinload(Order.shipment))
        ).scalars()
        return [
            PersonRecord(
                customer_id=c.id, name=c.name, name_kana=c.name_kana, birth_date=c.birth_date, phone=c.phone,
                email=c.email, postal_code=c.postal_code, address=c.address,
                order_numbers=tuple(o.order_number for o in c.orders),
                tracking_numbers=tuple(o.shipment.tracking_number for o in c.orders if o.shipment),
            )
            for c in customers
        ]


class OutboundGuard:
    """Screens replies against an index of every customer's data, refreshed every minute."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine
        self._index: PersonalDataIndex | None = None
        self._built_at = 0.0
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine or default_engine()

    def _current_index(self) -> PersonalDataIndex:
        with self._lock:
            if self._index is None or time.monotonic() - self._built_at > INDEX_REFRESH_SECONDS:
                self._index = PersonalDataIndex(load_people(self.engine))
                self._built_at = time.monotonic()
            return self._index

    def screen(self, conversation_id: str, text: str, channel: str = "") -> str:
        """The text to send: the reply itself, or the safe message if it would leak."""
        with session_scope(self.engine) as session:
            verified = identity.verified_customer(session, conversation_id)
        verdict = screen_reply(text, self._current_index(), verified.customer_id if verified else None)
        if verdict.allowed:
            return text
        now = datetime.now(timezone.utc)
        with session_scope(self.engine) as session:
            trouble = open_trouble(session, conversation_id=conversation_id, channel=channel or "unknown",
                                   issue_type="privacy_concern", confidence=None, now=now)
            trouble.status = "privacy_incident"
            trouble.detail = f"outbound reply blocked: kinds={','.join(sorted(verdict.kinds))}"
            session.add(AuditEntry(
                at=now, actor="outbound_guard", action="privacy_incident", conversation_id=conversation_id,
                detail=f"blocked a reply with {', '.join(sorted(verdict.kinds))} of "
                       f"{len(verdict.leaked_customer_ids)} other customer(s); ticket {trouble.reference}",
            ))
        return templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
