"""A running assistant's tickets as the tests read and drive them: what the console does, without a browser."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from bot import handoff
from bot.store.db import engine_for, session_scope
from bot.store.models import Agent, Ticket, TicketMessage


def ticket_of(assistant, conversation_id: str) -> Ticket:
    with session_scope(engine_for(assistant.database_url)) as session:
        ticket = session.execute(select(Ticket).where(Ticket.conversation_id == conversation_id)
                                 .order_by(Ticket.id.desc())).scalars().first()
        assert ticket is not None, f"no ticket for {conversation_id}"
        ticket.messages  # noqa: B018 - loaded while the session is open
        return ticket


def transcript(assistant, ticket_id: int) -> list[tuple[str, str]]:
    with session_scope(engine_for(assistant.database_url)) as session:
        rows = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                               .order_by(TicketMessage.id)).scalars()
        return [(m.author, m.text) for m in rows]


def an_agent(assistant, role: str = "agent") -> Agent:
    with session_scope(engine_for(assistant.database_url)) as session:
        agent = Agent(login=f"agent-{uuid.uuid4().hex[:8]}", display_name="佐藤", password_hash="not-used-here",
                      role=role, active=True, created_at=datetime.now(timezone.utc))
        session.add(agent)
        session.flush()
        return agent


def agent_replies(assistant, ticket_id: int, text: str, agent: Agent | None = None) -> Agent:
    """What the console does when an agent claims the ticket and sends a reply."""
    agent = agent or an_agent(assistant)
    with session_scope(engine_for(assistant.database_url)) as session:
        now = datetime.now(timezone.utc)
        handoff.claim(session, ticket_id, agent, now)
        handoff.reply(session, ticket_id, agent, text, now)
    return agent


def delivery_of(assistant, ticket_id: int, text: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while True:
        with session_scope(engine_for(assistant.database_url)) as session:
            state = session.execute(select(TicketMessage.delivery).where(
                TicketMessage.ticket_id == ticket_id, TicketMessage.text == text)).scalar_one()
        if state in ("delivered", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.2)
