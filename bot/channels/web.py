"""The web chat widget's channel: socket.io, with the guard, the hand-off and a fix for rasa#13027.

Rasa 3.6's ``SocketIOInput`` calls ``sio.enter_room`` without ``await``;
python-socketio 5.10 made it a coroutine, so with session persistence the
socket never joins its room and every reply is lost. This subclass awaits it
when it is a coroutine (``_enter_room``) and keeps the rest of the protocol,
so the widget in ``web/`` talks to it as to Rasa's own channel:
``session_request`` → ``session_confirm``, ``user_uttered`` → ``bot_uttered``.

What it adds:

* conversations are ``web:<session id>``, and session ids are 32 hex digits
  that the server hands out: a client asking for a made-up or guessable id
  gets a fresh one, so nobody can join somebody else's conversation by
  guessing it;
* every reply is screened by the outbound guard; typed text never reaches
  Rasa as an intent command; a message over the limit gets a Japanese error
  (``madoguchi_error``);
* a handed-off conversation is kept from the bot, and agents' replies reach
  the open page (``bot_uttered`` with ``sender: "agent"``); a reply written
  while the page is closed waits and arrives when the page opens again.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import templates
from bot.channels import without_command_prefix
from bot.channels.handoff import AgentReplyPump, keep_from_bot
from bot.channels.rest import MAX_MESSAGE_CHARS
from bot.config import env, load_settings
from bot.handoff import Delivery
from bot.outbound import OutboundGuard

logger = logging.getLogger(__name__)

CHANNEL_NAME = "web"
CONVERSATION_PREFIX = "web:"
SESSION_ID = re.compile(r"[0-9a-f]{32}")
ERROR_EVENT = "madoguchi_error"
ENV_ALLOWED_ORIGINS = "MADOGUCHI_WEB_ORIGINS"


def conversation_id_for(session_id: str) -> str:
    return f"{CONVERSATION_PREFIX}{session_id}"


def allowed_origins() -> List[str]:
    """The pages that may open a socket: the widget page the run command serves, or a shop's own list."""
    configured = env(ENV_ALLOWED_ORIGINS)
    if configured:
        return [origin.strip() for origin in configured.split(",") if origin.strip()]
    settings = load_settings()
    origins = [settings.web_url]
    if settings.host == "127.0.0.1":
        origins.append(f"http://localhost:{settings.web_port}")
    return origins


async def _enter_room(sio: AsyncServer, sid: str, room: str) -> None:
    """rasa#13027: ``enter_room`` is a coroutine since python-socketio 5.10 and must be awaited."""
    entered = sio.enter_room(sid, room)
    if inspect.isawaitable(entered):
        await entered


class GuardedSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, each text screened by the outbound guard before it is split and sent."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, guard: OutboundGuard) -> None:
        super().__init__(sio, bot_message_evt)
        self._guard = guard

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def _screen(self, recipient_id: Text, text: str) -> str:
        return await asyncio.to_thread(self._guard.screen, recipient_id, text, CHANNEL_NAME)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, await self._screen(recipient_id, text))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        titles = [str(b.get("title") or "") for b in buttons]
        combined = "\n".join([text, *titles])
        if await self._screen(recipient_id, combined) != combined:
            await super().send_text_message(recipient_id, templates.REPLY_BLOCKED_BY_PRIVACY_GUARD)
            return
        await super().send_text_with_buttons(recipient_id, text, buttons)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, str(attachment))

    async def send_elements(self, recipient_id: Text, elements: Iterable[Dict[Text, Any]], **kwargs: Any) -> None:
        logger.warning("web: carousel elements are not sent (conversation %s)", str(recipient_id)[:12])

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Raw JSON could carry anything past the guard (and a ``room`` of its own): dropped."""
        logger.warning("web: a custom payload was not sent (conversation %s)", str(recipient_id)[:12])


class WebChatInput(SocketIOInput):
    """socket.io at ``/socket.io`` for the widget; ``/webhooks/web/`` answers a health check."""

    def __init__(self, socketio_path: Text = "/socket.io", guard: Optional[OutboundGuard] = None,
                 origins: Optional[List[str]] = None) -> None:
        super().__init__(user_message_evt="user_uttered", bot_message_evt="bot_uttered",
                         session_persistence=True, socketio_path=socketio_path)
        self.guard = guard or OutboundGuard()
        self.origins = origins

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        credentials = credentials or {}
        return cls(socketio_path=credentials.get("socketio_path", "/socket.io"))

    def get_output_channel(self) -> Optional[OutputChannel]:
        return None if self.sio is None else GuardedSocketIOOutput(self.sio, self.bot_message_evt, self.guard)

    def _connected(self, conversation_ids: Iterable[str]) -> List[str]:
        """The conversations with at least one open page right now."""
        if self.sio is None:
            return []
        open_now = []
        for conversation_id in conversation_ids:
            try:
                if any(True for _ in self.sio.manager.get_participants("/", conversation_id)):
                    open_now.append(conversation_id)
            except KeyError:  # no such room: nobody has it open
                continue
        return open_now

    async def _emit_agent_reply(self, delivery: Delivery) -> None:
        assert self.sio is not None
        await self.sio.emit(self.bot_message_evt, {"text": delivery.text, "sender": "agent",
                                                   "agent_name": delivery.agent_name},
                            room=delivery.conversation_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins or allowed_origins())
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "madoguchi_web_webhook", __name__)
        pump = AgentReplyPump(CHANNEL_NAME, self.guard, self._emit_agent_reply, ready=self._connected)
        pump.attach(webhook)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.fullmatch(requested) else None
            session_id = session_id or uuid.uuid4().hex
            await _enter_room(sio, sid, conversation_id_for(session_id))
            await sio.emit("session_confirm", session_id, room=sid)
            await pump.deliver_pending(conversation_id_for(session_id))  # replies written while away

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session_id, text = data.get("session_id"), data.get("message")
            if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
                await sio.emit(ERROR_EVENT, {"text": templates.WEB_ERROR_NO_SESSION}, room=sid)
                return
            if conversation_id_for(session_id) not in sio.rooms(sid):
                # only the socket that asked for this session may speak in it
                await sio.emit(ERROR_EVENT, {"text": templates.WEB_ERROR_NO_SESSION}, room=sid)
                return
            if not isinstance(text, str) or not without_command_prefix(text):
                return
            if len(text) > MAX_MESSAGE_CHARS:
                await sio.emit(ERROR_EVENT, {"text": templates.ERROR_MESSAGE_TOO_LONG.format(
                    limit=MAX_MESSAGE_CHARS)}, room=sid)
                return
            conversation_id = conversation_id_for(session_id)
            output = GuardedSocketIOOutput(sio, self.bot_message_evt, self.guard)
            text = without_command_prefix(text)
            try:
                kept = await keep_from_bot(conversation_id, text)
                if kept is not None:
                    for fixed in kept:
                        await output.send_text_message(conversation_id, fixed)
                    return
                await on_new_message(UserMessage(text, output, conversation_id, input_channel=self.name()))
            except Exception as error:  # noqa: BLE001 - the customer gets an answer, the log no text
                logger.error("web: handling a message failed (%s, conversation %s)", type(error).__name__,
                             session_id[:8])
                await sio.emit(ERROR_EVENT, {"text": templates.ERROR_INTERNAL}, room=sid)

        return webhook
