"""Notices to many customers, on the channels: pushing them, and the customer's answer to them.

``NoticePump`` is the agents' reply pump (``bot.channels.handoff``) reading
the notices' outbox (``bot.notices``) instead: the same guard, the same
channel ``send`` with the recipient's own retry key, the same backoff. A
LINE or Telegram channel runs one beside its reply pump.

``answer_from_notices`` is the step of the customer turn that comes before
Rasa: a reply to a notice goes to people, an affected customer's question
about a leak gets the approved answer, and anyone asking about a recalled
product hears the notice (``bot.notices.answer_customer``).
"""

from __future__ import annotations

import asyncio
from typing import Optional

from bot import handoff, notices
from bot.channels.handoff import AgentReplyPump
from bot.config import load_settings
from bot.store.db import session_scope


class NoticePump(AgentReplyPump):
    """Pushes this channel's pending notices, about once a second, like agents' replies."""

    def _pending_conversations(self) -> list[str]:
        with session_scope() as session:
            return notices.conversations_with_pending(session, self.channel, handoff.now_utc())

    def _claim(self, conversation_id: Optional[str]) -> list[handoff.Delivery]:
        with session_scope() as session:
            return notices.claim_deliveries(session, self.channel, handoff.now_utc(),
                                            conversation_id=conversation_id)

    @staticmethod
    def _done(message_id: int, error: Optional[str], retry: bool) -> None:
        with session_scope() as session:
            notices.delivery_done(session, message_id, handoff.now_utc(), error=error, retry=retry)


def _answer(channel: str, conversation_id: str, text: str, client_key: str) -> Optional[list[str]]:
    settings = load_settings()
    with session_scope() as session:
        answer = notices.answer_customer(
            session, conversation_id=conversation_id, channel=channel, text=text, now=handoff.now_utc(),
            handoff_settings={"calendar": settings.calendar,
                              "business_reply_minutes": settings.business_reply_minutes,
                              "first_reply_hours": settings.first_reply_hours, "client_key": client_key,
                              "tickets_per_client": settings.tickets_per_client_per_day})
        return list(answer.texts) if answer is not None else None


async def answer_from_notices(channel: str, conversation_id: str, text: str, client_key: str) -> Optional[list[str]]:
    """None: the notices have nothing to say, give the message to Rasa. A list: send these texts instead."""
    return await asyncio.to_thread(_answer, channel, conversation_id, text, client_key)
