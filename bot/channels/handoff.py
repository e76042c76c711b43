"""What every channel does for the hand-off, in one place.

``keep_from_bot`` is asked before a message goes to Rasa: a conversation that
people have taken over is kept from the bot (the message goes into the
ticket's transcript; the first one gets ``handoff.acknowledgement``, which
outside business hours says when people are back). Before that, an answer to
the satisfaction question after a resolved ticket is taken (``bot.satisfaction``).
``AgentReplyPump`` sends agents' replies written in the console: it polls the
database for this channel's pending replies, screens each with the outbound
guard (the same-address case was an operator's) and hands it to the
channel's ``send`` function.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Awaitable, Callable, Iterable, Optional

from bot import handoff, satisfaction
from bot.config import load_settings
from bot.outbound import OutboundGuard
from bot.store.db import session_scope

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0


def _gate(conversation_id: str, text: str) -> handoff.GateDecision:
    with session_scope() as session:
        decision = handoff.gate(session, conversation_id, text, handoff.now_utc(), load_settings().calendar)
        if decision.acknowledge:
            handoff.record_bot_reply(session, conversation_id, handoff.acknowledgement(decision), handoff.now_utc())
        return decision


async def keep_from_bot(conversation_id: str, text: str) -> Optional[list[str]]:
    """None: give the message to the bot. A list: people (or the satisfaction survey) have it; send these texts."""
    thanks = await asyncio.to_thread(satisfaction.capture_answer, conversation_id, text)
    if thanks is not None:
        return [thanks]
    decision = await asyncio.to_thread(_gate, conversation_id, text)
    if decision.pass_to_bot:
        return None
    return [handoff.acknowledgement(decision)] if decision.acknowledge else []


Send = Callable[[handoff.Delivery], Awaitable[None]]


class AgentReplyPump:
    """Delivers one channel's pending agent replies, about once a second.

    A reply the guard stops is marked failed for good (the agent sees it and
    rewrites); ``send`` gets only screened replies, returns once the
    customer's channel has accepted the reply and raises otherwise; a failure
    is retried with backoff (``bot.handoff.delivery_done``), every attempt
    with the delivery's own ``retry_key``. ``ready`` may narrow which
    conversations are sendable now (a web customer whose page is closed gets
    the reply when the page opens again). A channel that cannot push (REST)
    has no ``send``: it only uses ``claim_screened`` and ``finish``.
    """

    def __init__(self, channel: str, guard: OutboundGuard, send: Optional[Send] = None,
                 ready: Optional[Callable[[Iterable[str]], Iterable[str]]] = None) -> None:
        self.channel = channel
        self._guard = guard
        self._send = send
        self._ready = ready
        self._task: Optional[asyncio.Task] = None

    def attach(self, blueprint, enabled: Callable[[], bool] = lambda: True) -> None:
        """Run while the server runs (if ``enabled()`` when it starts)."""

        @blueprint.listener("after_server_start")
        async def start_pump(*_) -> None:
            if enabled():
                self.start()

        @blueprint.listener("before_server_stop")
        async def stop_pump(*_) -> None:
            await self.stop()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # stopping anyway
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.deliver_pending()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a bad moment (DB busy) must not end the pump
                logger.warning("%s: delivering agents' replies failed (%s)", self.channel, type(error).__name__)
            await asyncio.sleep(POLL_SECONDS)

    async def deliver_pending(self, conversation_id: Optional[str] = None) -> int:
        """Sends what is pending (for one conversation, if given); returns how many were delivered."""
        assert self._send is not None, "a channel without send delivers with claim_screened and finish"
        conversations = None
        if self._ready is not None and conversation_id is None:
            waiting = await asyncio.to_thread(self._pending_conversations)
            conversations = list(self._ready(waiting))
            if not conversations:
                return 0
        deliveries: list[handoff.Delivery] = []
        for target in (conversations or [conversation_id]):
            deliveries += await self.claim_screened(target)
        sent = 0
        for delivery in deliveries:
            try:
                await self._send(delivery)
            except Exception as failure:  # noqa: BLE001 - recorded on the message, retried
                logger.warning("%s: an agent's reply could not be sent (%s)", self.channel, type(failure).__name__)
                await self.finish(delivery, type(failure).__name__)
                continue
            await self.finish(delivery)
            sent += 1
        return sent

    async def claim_screened(self, conversation_id: Optional[str]) -> list[handoff.Delivery]:
        """Claims pending replies; those the guard stops are failed at once, the rest are returned.

        The caller sends them and reports each with ``finish`` (a reply left
        unreported is claimed again a minute later).
        """
        sendable = []
        for delivery in await asyncio.to_thread(self._claim, conversation_id):
            if await asyncio.to_thread(self._guard.screen, delivery.conversation_id, delivery.text,
                                       self.channel) != delivery.text:
                await asyncio.to_thread(self._done, delivery.message_id, "blocked_by_privacy_guard", False)
            else:
                sendable.append(delivery)
        return sendable

    async def finish(self, delivery: handoff.Delivery, error: Optional[str] = None) -> None:
        """Delivered (no error), or failed now and to be tried again later."""
        await asyncio.to_thread(self._done, delivery.message_id, error, error is not None)

    def _pending_conversations(self) -> list[str]:
        with session_scope() as session:
            return handoff.conversations_with_pending_replies(session, self.channel, handoff.now_utc())

    def _claim(self, conversation_id: Optional[str]) -> list[handoff.Delivery]:
        with session_scope() as session:
            return handoff.claim_deliveries(session, self.channel, handoff.now_utc(),
                                            conversation_id=conversation_id)

    @staticmethod
    def _done(message_id: int, error: Optional[str], retry: bool) -> None:
        with session_scope() as session:
            handoff.delivery_done(session, message_id, handoff.now_utc(), error=error, retry=retry)
