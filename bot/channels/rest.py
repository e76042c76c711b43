"""The REST channel, with input checks, the outbound privacy guard and the hand-off.

Same URL and payload as Rasa's own (`POST /webhooks/rest/webhook` with
``{"sender": ..., "message": ...}``), but a malformed request gets a clear
400 instead of a stack trace, message texts never reach the logs, and every
reply is screened by ``bot.outbound`` before it is returned.

REST cannot push, so agents' replies (``{"text", "sender": "agent",
"agent_name"}``) come with the caller's next request, or from
``GET /webhooks/rest/updates?sender=...``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import templates
from bot.channels import without_command_prefix
from bot.channels.handoff import AgentReplyPump, keep_from_bot
from bot.outbound import OutboundGuard

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 200
# REST callers choose their sender id freely, so their conversations live in a
# namespace of their own: "123456789" over REST can never reach the Telegram chat
# 123456789, nor a LINE user, nor the verification that conversation holds.
CONVERSATION_PREFIX = "rest:"


def conversation_id_for(sender: str) -> str:
    return f"{CONVERSATION_PREFIX}{sender}"


class GuardedCollectingOutputChannel(CollectingOutputChannel):
    """Collects the replies of one request after the guard has screened them."""

    def __init__(self, guard: OutboundGuard, channel_name: str) -> None:
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


class GuardedRestInput(InputChannel):
    """`/webhooks/rest/webhook`: a test and integration channel for shops' own front ends."""

    def __init__(self, guard: Optional[OutboundGuard] = None) -> None:
        self.guard = guard or OutboundGuard()

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/updates", methods=["GET"])
        async def updates(request: Request) -> HTTPResponse:
            sender = request.args.get("sender")
            if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
                return _error(400, templates.ERROR_MISSING_SENDER)
            return response.json(await self._agent_replies(sender))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises several kinds for bad JSON
                return _error(400, templates.ERROR_BAD_JSON)
            if not isinstance(body, dict):
                return _error(400, templates.ERROR_BAD_JSON)
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
                return _error(400, templates.ERROR_MISSING_SENDER)
            if not isinstance(text, str) or not without_command_prefix(text):
                return _error(400, templates.ERROR_EMPTY_MESSAGE)
            if len(text) > MAX_MESSAGE_CHARS:
                return _error(413, templates.ERROR_MESSAGE_TOO_LONG.format(limit=MAX_MESSAGE_CHARS))
            text = without_command_prefix(text)
            collector = GuardedCollectingOutputChannel(self.guard, self.name())
            try:
                from_agents = await self._agent_replies(sender)
                kept = await keep_from_bot(conversation_id_for(sender), text)
                if kept is not None:  # people have this conversation: no bot
                    return response.json(from_agents + [{"recipient_id": sender, "text": t} for t in kept])
                await on_new_message(UserMessage(text, collector, conversation_id_for(sender),
                                                 input_channel=self.name(), metadata=body.get("metadata")))
            except Exception:  # noqa: BLE001 - the customer gets an answer, the log gets no text
                logger.exception("rest channel: handling a message failed (conversation %s)", sender[:8])
                return _error(500, templates.ERROR_INTERNAL)
            return response.json(from_agents + [{**m, "recipient_id": sender} for m in collector.messages])

        return webhook

    async def _agent_replies(self, sender: str) -> list[dict]:
        """Agents' replies not yet seen by this caller, marked delivered as they are returned."""
        collected: list[dict] = []
        conversation_id = conversation_id_for(sender)

        async def collect(delivery) -> None:
            collected.append({"recipient_id": sender, "text": delivery.text, "sender": "agent",
                              "agent_name": delivery.agent_name})

        await AgentReplyPump(self.name(), self.guard, collect).deliver_pending(conversation_id)
        return collected
