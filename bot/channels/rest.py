"""The REST channel, for the shop's own back end: a token, the customer-turn pipeline and the hand-off.

Same URL and payload as Rasa's own (`POST /webhooks/rest/webhook` with
``{"sender": ..., "message": ...}``), but a malformed request gets a clear
400 instead of a stack trace, message texts never reach the logs, and every
reply is screened by ``bot.outbound`` before it is returned.

The caller picks the conversation (``sender``), so REST is not for the open
internet: with ``MADOGUCHI_REST_TOKEN`` set, every request needs
``Authorization: Bearer <token>`` and gets 401 before its body is read;
``./madoguchi run`` refuses to bind REST beyond loopback without one. A
caller's ``metadata`` is ignored: Rasa gets only the client key.

A caller that retries after an error or a time-out sends the same
``"message_id"`` (its own id for that message, up to 64 of ``A-Z a-z 0-9 - _
. :``) with each attempt: a message Rasa already has is not handled again,
and the retry gets the replies of the first attempt.

REST cannot push, so agents' replies (``{"text", "sender": "agent",
"agent_name"}``) come with the caller's next request, or from
``GET /webhooks/rest/updates?sender=...``; either way a reply counts as
delivered only once the response carrying it has been written.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import templates
from bot.channels.handoff import AgentReplyPump
from bot.channels.turn import CustomerTurns, Inbound, Outcome, address_client_key, replies_in_tracker
from bot.config import rest_token
from bot.handoff import Delivery
from bot.outbound import OutboundGuard

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 200
# A client's own id for one message, the same on every retry of it (see CustomerTurns.take).
_MESSAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
BEARER = "Bearer "
# REST callers choose their sender id freely, so their conversations live in a
# namespace of their own: "123456789" over REST can never reach the Telegram chat
# 123456789, nor a LINE user, nor the verification that conversation holds.
CONVERSATION_PREFIX = "rest:"

def conversation_id_for(sender: str) -> str:
    return f"{CONVERSATION_PREFIX}{sender}"


class GuardedCollectingOutputChannel(CollectingOutputChannel):
    """Collects the replies of one request after the guard has screened them."""

    def __init__(self, guard: Any, channel_name: str) -> None:
        super().__init__()
        self._guard = guard
        self._channel_name = channel_name

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        if message.get("text"):
            text = await asyncio.to_thread(self._guard.screen, message["recipient_id"], message["text"],
                                           self._channel_name)
            message = {**message, "text": text}
        await super()._persist_message(message)


def _error(status: int, text: str) -> HTTPResponse:
    return response.json({"error": text}, status=status)


def token_is_valid(expected: Optional[str], authorization: Optional[str]) -> bool:
    """No token configured: open. Else ``Bearer <token>``, compared in constant time."""
    if expected is None:
        return True
    if not authorization or not authorization.startswith(BEARER):
        return False
    return hmac.compare_digest(authorization[len(BEARER):].strip().encode("utf-8", "replace"),
                               expected.encode("utf-8"))


def _agent_message(sender: str, delivery: Delivery) -> dict:
    return {"recipient_id": sender, "text": delivery.text, "sender": "agent", "agent_name": delivery.agent_name}


class GuardedRestInput(InputChannel):
    """`/webhooks/rest/webhook`: an integration channel for shops' own back ends."""

    def __init__(self, guard: Optional[OutboundGuard] = None, token: Optional[str] = None) -> None:
        self.turns = CustomerTurns(self.name(), guard)
        self.guard = self.turns.guard
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        return cls(token=rest_token())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)
        pump = AgentReplyPump(self.name(), self.guard)  # REST cannot push: replies go with the next response

        def unauthorized(request: Request) -> Optional[HTTPResponse]:
            if token_is_valid(self.token, request.headers.get("authorization")):
                return None
            return response.json({"error": templates.ERROR_UNAUTHORIZED}, status=401,
                                 headers={"WWW-Authenticate": "Bearer"})

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/updates", methods=["GET"])
        async def updates(request: Request) -> Optional[HTTPResponse]:
            refused = unauthorized(request)
            if refused is not None:
                return refused
            sender = request.args.get("sender")
            if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
                return _error(400, templates.ERROR_MISSING_SENDER)
            deliveries = await pump.claim_screened(conversation_id_for(sender))
            await self._respond_then_deliver(request, pump, deliveries,
                                             [_agent_message(sender, d) for d in deliveries])
            return None

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Optional[HTTPResponse]:
            refused = unauthorized(request)
            if refused is not None:
                return refused
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises several kinds for bad JSON
                return _error(400, templates.ERROR_BAD_JSON)
            if not isinstance(body, dict):
                return _error(400, templates.ERROR_BAD_JSON)
            sender, text, message_id = body.get("sender"), body.get("message"), body.get("message_id")
            if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
                return _error(400, templates.ERROR_MISSING_SENDER)
            if not isinstance(text, str):
                return _error(400, templates.ERROR_EMPTY_MESSAGE)
            if message_id is not None and not (isinstance(message_id, str) and _MESSAGE_ID.fullmatch(message_id)):
                return _error(400, templates.ERROR_BAD_MESSAGE_ID)
            conversation_id = conversation_id_for(sender)
            collector = GuardedCollectingOutputChannel(self.turns.screen, self.name())
            client = address_client_key(request.ip, request.headers.get("x-forwarded-for"),
                                        request.headers.get("x-forwarded-proto"))
            try:
                # A client that sends a message again with the same message_id (its first answer was
                # lost) gets the first answer again; the message is handled once.
                result = await self.turns.take(Inbound(conversation_id, client, text, message_id=message_id),
                                               collector, on_new_message,
                                               replies_in_tracker(request.app.ctx.agent.tracker_store))
            except Exception:  # noqa: BLE001 - the customer gets an answer, the log gets no text
                logger.exception("rest channel: handling a message failed (conversation %s)", sender[:8])
                return _error(500, templates.ERROR_INTERNAL)
            if result.outcome is Outcome.EMPTY:
                return _error(400, templates.ERROR_EMPTY_MESSAGE)
            if result.outcome is Outcome.REFUSED:
                return _error(result.status, result.error)
            deliveries = await pump.claim_screened(conversation_id)
            await self._respond_then_deliver(
                request, pump, deliveries,
                [_agent_message(sender, d) for d in deliveries]
                + [{**m, "recipient_id": sender} for m in collector.messages])
            return None

        return webhook

    @staticmethod
    async def _respond_then_deliver(request: Request, pump: AgentReplyPump, deliveries: list[Delivery],
                                    messages: list[dict]) -> None:
        """Writes the response, then marks the agents' replies in it delivered.

        If writing fails the replies go back to pending; if the process dies
        in between they stay ``sending`` and are claimed again a minute later.
        """
        body = json.dumps(messages, ensure_ascii=False).encode("utf-8")
        answer = await request.respond(status=200, content_type="application/json")

        async def send_then_record() -> None:
            try:
                await answer.send(body, end_stream=True)
            except Exception as failure:  # noqa: BLE001 - the caller went away: the replies wait for the next request
                for delivery in deliveries:
                    await pump.finish(delivery, type(failure).__name__)
                raise
            for delivery in deliveries:
                await pump.finish(delivery)

        # Sanic cancels a handler whose client has closed the connection, which a client does as soon as it
        # has read the response: shielded, the write and its record finish together, so a reply the
        # customer received is never left "sending" (and sent again a minute later).
        await asyncio.shield(send_then_record())
