"""The outbound guard: every reply passes here before a channel sends it.

A reply that carries personal data of any customer other than the one
verified in this conversation is replaced by a safe message and recorded as
a privacy incident, so a bug or a bad template can never repeat the
same-address case (an operator reading out the neighbour's name and age).

Bot and agents' replies are held to the conversation's verification level:
four phone digits (``identity.LEVEL_ORDER``) let through that order's number
and tracking number only; the customer's own name, address, phone, e-mail and
birth date need the e-mailed code (``identity.LEVEL_STEP_UP``). A reply with
their own data at the lower level is not sent either, and is audited without
an incident: nobody else's data was at risk.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot import handoff, identity, templates
from bot.privacy import NOBODY, Clearance, PersonalDataIndex, PersonRecord, screen_reply
from bot.store.db import default_engine, session_scope
from bot.store.models import AuditEntry, Customer, Order
from bot.support import open_trouble
from bot.constants import TroubleStatus

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


def clearance_for(session: Session, conversation_id: str) -> Clearance:
    """What this conversation has proven: nothing, the order (four digits) or the person (e-mailed code).

    In a handed-off conversation the hand-off ended the verification, but the
    ticket knows whose case it is: that customer's own data in an agent's
    reply then waits for new proof instead of counting as a leak of "another"
    customer's data.
    """
    verified = identity.verified_customer(session, conversation_id)
    if verified is None:
        ticket = handoff.active_ticket(session, conversation_id)
        if ticket is not None and ticket.handed_over_customer_id is not None:
            return Clearance(customer_id=ticket.handed_over_customer_id)
        return NOBODY
    order = session.get(Order, verified.order_id)
    order_number = order.order_number if order is not None else None
    tracking = order.shipment.tracking_number if order is not None and order.shipment is not None else None
    if verified.level == identity.LEVEL_STEP_UP:
        return Clearance.person(verified.customer_id, order_number, tracking)
    return Clearance.order(verified.customer_id, order_number, tracking)


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
            clearance = clearance_for(session, conversation_id)
        verdict = screen_reply(text, self._current_index(), clearance)
        if verdict.allowed:
            return text
        now = datetime.now(timezone.utc)
        if verdict.kinds == verdict.unproven_kinds:
            with session_scope(self.engine) as session:
                session.add(AuditEntry(
                    at=now, actor="outbound_guard", action="reply_needs_step_up", conversation_id=conversation_id,
                    detail=f"held back a reply with the verified customer's own {', '.join(sorted(verdict.kinds))}: "
                           "this conversation proved the order only (no e-mailed code)",
                ))
            return templates.REPLY_NEEDS_STEP_UP
        with session_scope(self.engine) as session:
            trouble = open_trouble(session, conversation_id=conversation_id, channel=channel or "unknown",
                                   issue_type="privacy_concern", confidence=None, now=now)
            trouble.status = TroubleStatus.PRIVACY_INCIDENT
            trouble.detail = f"outbound reply blocked: kinds={','.join(sorted(verdict.kinds))}"
            session.add(AuditEntry(
                at=now, actor="outbound_guard", action="privacy_incident", conversation_id=conversation_id,
                detail=f"blocked a reply with {', '.join(sorted(verdict.kinds))} of "
                       f"{len(verdict.leaked_customer_ids)} other customer(s); ticket {trouble.reference}",
            ))
        return templates.REPLY_BLOCKED_BY_PRIVACY_GUARD
