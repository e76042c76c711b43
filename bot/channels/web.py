"""The web chat widget's channel: socket.io, with the guard, the hand-off and a fix for rasa#13027.

Rasa 3.6's ``SocketIOInput`` calls ``sio.enter_room`` without ``await``;
python-socketio 5.10 made it a coroutine, so with session persistence the
socket never joins its room and every reply is lost. This subclass awaits it
when it is a coroutine (``_enter_room``) and keeps the rest of the protocol,
so the widget in ``web/`` talks to it as to Rasa's own channel:
``session_request`` → ``session_confirm``, ``user_uttered`` → ``bot_uttered``.

What it adds:

* conversations are ``web:<key>``; the page holds the session id the server
  issued and signed (``bot.web_sessions``): a made-up, forged or idle-expired
  id gets a fresh session, so nobody can join somebody else's conversation,
  and a shared PC does not hand the last customer's to the next;
* every message runs the customer-turn pipeline (``bot.channels.turn``), keyed
  on the socket's client address at connect; every reply is screened by the
  outbound guard; a refused message gets a Japanese error (``madoguchi_error``);
* a handed-off conversation is kept from the bot, and agents' replies reach
  the open page (``bot_uttered`` with ``sender: "agent"``), counted delivered
  only when the page acknowledges them; a reply written while the page is
  closed waits and arrives when the page opens again.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from datetime import timedelta
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from bot import handoff, templates, web_sessions
from bot.channels.handoff import AgentReplyPump
from bot.channels.shared import key as redis_key
from bot.channels.shared import redis_url
from bot.channels.turn import CustomerTurns, Inbound, Outcome, address_client_key
from bot.config import env, load_settings
from bot.handoff import Delivery
from bot.outbound import OutboundGuard
from bot.store.db import session_scope

logger = logging.getLogger(__name__)

CHANNEL_NAME = "web"
CONVERSATION_PREFIX = "web:"
ERROR_EVENT = "madoguchi_error"
SESSION_EXPIRED = "session_expired"  # the ``code`` of an error that makes an open page start over
ENV_ALLOWED_ORIGINS = "MADOGUCHI_WEB_ORIGINS"
ACK_SECONDS = 15  # how long an open page has to acknowledge an agent's reply


def conversation_id_for(session_key: str) -> str:
    """The conversation of a session; takes the key (``bot.web_sessions.key_of`` of the page's id)."""
    return f"{CONVERSATION_PREFIX}{session_key}"


def _idle() -> timedelta:
    return timedelta(hours=load_settings().web_session_idle_hours)


def _open_session(requested: Any) -> tuple[str, bool]:
    """The session for a page: the one it asked for if signed and fresh, else a new one.

    Returns the key and whether an issued session had expired (the page is told why it starts over).
    """
    key = web_sessions.key_of(requested)
    now = handoff.now_utc()
    with session_scope() as session:
        if key is not None and web_sessions.resume(session, key, now, _idle()):
            return key, False
        return web_sessions.start(session, now), key is not None


def _session_is_current(key: str) -> bool:
    with session_scope() as session:
        return web_sessions.resume(session, key, handoff.now_utc(), _idle())


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


def socket_manager() -> Optional[AsyncRedisManager]:
    """With several replicas (REDIS_URL), socket.io's rooms and acknowledgements go through Redis.

    A page is connected to one replica (nginx keeps its polling requests
    there); the agent's reply is claimed by whichever replica's pump sees the
    page, and an emit to a room reaches pages on every replica.
    """
    url = redis_url()
    return AsyncRedisManager(url, channel=redis_key("socketio")) if url else None


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
        self.turns = CustomerTurns(CHANNEL_NAME, guard)
        self.guard = self.turns.guard
        self.origins = origins

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        credentials = credentials or {}
        return cls(socketio_path=credentials.get("socketio_path", "/socket.io"))

    def get_output_channel(self) -> Optional[OutputChannel]:
        return None if self.sio is None else GuardedSocketIOOutput(self.sio, self.bot_message_evt, self.turns.screen)

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
        """Sends to every open page of the conversation; delivered once one of them acknowledges it."""
        assert self.sio is not None
        pages = [sid for sid, _ in self.sio.manager.get_participants("/", delivery.conversation_id)]
        data = {"text": delivery.text, "sender": "agent", "agent_name": delivery.agent_name}
        answers = await asyncio.gather(*(self.sio.call(self.bot_message_evt, data, to=sid, timeout=ACK_SECONDS)
                                         for sid in pages), return_exceptions=True)
        if not any(not isinstance(answer, BaseException) for answer in answers):
            raise ConnectionError("no open page acknowledged the reply")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origins or allowed_origins(),
                          client_manager=socket_manager())
        self.sio = sio
        webhook = SocketBlueprint(sio, self.socketio_path, "madoguchi_web_webhook", __name__)
        pump = AgentReplyPump(CHANNEL_NAME, self.guard, self._emit_agent_reply, ready=self._connected)
        pump.attach(webhook)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect")
        async def connect(sid: Text, environ: Dict[str, Any], auth: Any = None) -> None:
            request = environ.get("sanic.request")
            peer = getattr(request, "ip", "") or ""
            headers = getattr(request, "headers", {}) or {}
            await sio.save_session(sid, {"client_key": address_client_key(
                peer, headers.get("x-forwarded-for"), headers.get("x-forwarded-proto"))})

        @sio.on("session_request")
        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            key, expired = await asyncio.to_thread(_open_session, requested)
            await _enter_room(sio, sid, conversation_id_for(key))
            await sio.emit("session_confirm", web_sessions.signed_id(key), room=sid)
            if expired:  # after the confirm, so the page shows it in the new conversation
                await sio.emit(ERROR_EVENT, {"text": templates.WEB_SESSION_EXPIRED}, room=sid)
            await pump.deliver_pending(conversation_id_for(key))  # replies written while away

        @sio.on(self.user_message_evt)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            key, text = web_sessions.key_of(data.get("session_id")), data.get("message")
            if key is None or conversation_id_for(key) not in sio.rooms(sid):
                # only the socket that was given this session may speak in it
                await sio.emit(ERROR_EVENT, {"text": templates.WEB_ERROR_NO_SESSION}, room=sid)
                return
            if not isinstance(text, str):
                return
            conversation_id = conversation_id_for(key)
            output = GuardedSocketIOOutput(sio, self.bot_message_evt, self.turns.screen)
            try:
                if not await asyncio.to_thread(_session_is_current, key):
                    left = sio.leave_room(sid, conversation_id)
                    if inspect.isawaitable(left):
                        await left
                    await sio.emit(ERROR_EVENT, {"text": templates.WEB_SESSION_EXPIRED, "code": SESSION_EXPIRED},
                                   room=sid)
                    return
                client_key = (await sio.get_session(sid)).get("client_key") or ""
                result = await self.turns.take(Inbound(conversation_id, client_key, text), output, on_new_message)
            except Exception as error:  # noqa: BLE001 - the customer gets an answer, the log no text
                logger.error("web: handling a message failed (%s, conversation %s)", type(error).__name__, key[:8])
                await sio.emit(ERROR_EVENT, {"text": templates.ERROR_INTERNAL}, room=sid)
                return
            if result.outcome is Outcome.REFUSED:
                await sio.emit(ERROR_EVENT, {"text": result.error}, room=sid)

        return webhook
