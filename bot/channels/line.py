"""The LINE channel (Messaging API), with signature checks and the outbound privacy guard.

LINE posts signed webhook events to ``POST /webhooks/line/webhook``. The
signature is checked on the raw bytes before anything is parsed, so a forged
request costs us one HMAC and never reaches the bot. A reply token works once
and expires quickly, while Rasa sends a turn's answer message by message: the
channel buffers the turn, screens every text through ``bot.outbound``, sends
one reply call and pushes whatever the reply could not carry.

Secrets come only from the environment (``LINE_CHANNEL_SECRET``,
``LINE_CHANNEL_ACCESS_TOKEN``); without them the channel still loads, so a shop
that does not use LINE can keep it in ``credentials.yml``, and the webhook
answers 503. Events are handled inside the webhook request: simple, and
LINE gets its 200 once the turn has been answered.

Every message, sticker and image included, runs the customer-turn pipeline
(``bot.channels.turn``): in a handed-off conversation a sticker reaches the
ticket as 「（スタンプ）」 and the bot stays silent. If the pipeline cannot
even ask the hand-off gate (the database is down), the customer is told to
try again and LINE gets a 500, so its redelivery brings the event back; the
event's webhookEventId is then not remembered as handled, and events of
the same call that were handled are not handled twice.

Agents' replies are pushed with ``X-Line-Retry-Key`` (one UUID per reply,
the same on every attempt): LINE answers 409 to a retry of a push it has
already accepted, which counts as delivered, so a retry never duplicates.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import traceback
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import templates
from bot.channels import split_message
from bot.channels.shared import recent_ids, resolved
from bot.channels.handoff import AgentReplyPump
from bot.channels.notices import NoticePump
from bot.channels.turn import (
    MAX_MESSAGE_CHARS, CustomerTurns, Inbound, MessageNotTaken, Outcome, platform_client_key,
)
from bot.config import env
from bot.handoff import Delivery
from bot.outbound import OutboundGuard

logger = logging.getLogger(__name__)

CHANNEL_NAME = "line"

ENV_CHANNEL_SECRET = "LINE_CHANNEL_SECRET"
ENV_CHANNEL_ACCESS_TOKEN = "LINE_CHANNEL_ACCESS_TOKEN"
ENV_API_BASE = "LINE_API_BASE"
DEFAULT_API_BASE = "https://api.line.me"
REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
SIGNATURE_HEADER = "x-line-signature"
RETRY_KEY_HEADER = "X-Line-Retry-Key"

# LINE's documented limits.
MAX_MESSAGES_PER_CALL = 5
MAX_TEXT_LENGTH = 5000  # counted here in UTF-16 units, which is never more lenient than LINE's count
MAX_QUICK_REPLY_ITEMS = 13
MAX_QUICK_REPLY_LABEL_CHARS = 20
MAX_POSTBACK_DATA_CHARS = 300

# Our own limits.
MAX_BODY_BYTES = 1_000_000  # real webhook bodies are a few kB
MAX_INBOUND_TEXT_CHARS = MAX_MESSAGE_CHARS  # the pipeline's limit, the same on every channel
REMEMBERED_EVENT_IDS = 10_000
API_TIMEOUT_SECONDS = 10

EVENT_MESSAGE = "message"
EVENT_POSTBACK = "postback"
EVENT_FOLLOW = "follow"
MESSAGE_TEXT = "text"
# LINE's message types → the transcript's placeholder (templates.NON_TEXT_PLACEHOLDERS)
NON_TEXT_KINDS = {"sticker": "sticker", "image": "image", "video": "video", "audio": "audio", "file": "file",
                  "location": "location"}
SOURCE_USER = "user"
MODE_STANDBY = "standby"  # another module owns the chat: the bot must stay silent

ELLIPSIS = "…"

LineMessage = Dict[Text, Any]


def signature_is_valid(channel_secret: str, raw_body: bytes, signature: Optional[str]) -> bool:
    """LINE's check: base64(HMAC-SHA256(secret, raw body)), compared in constant time."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(channel_secret.encode(), raw_body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


def split_text_for_line(text: str, limit: int = MAX_TEXT_LENGTH) -> List[str]:
    """Parts of ``text`` that each fit one LINE text message (bot.channels.split_message)."""
    return split_message(text, limit)


def text_message(text: str) -> LineMessage:
    return {"type": "text", "text": text}


def _short_id(user_id: str) -> str:
    """Enough of a LINE userId to follow one conversation in the logs."""
    return user_id[:9]


def _log_failure(what: str, user_id: str, error: BaseException) -> None:
    """Logs where it failed but not the exception's message, which may quote the customer."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error("line channel: %s failed for %s: %s\n%s", what, _short_id(user_id), type(error).__name__, frames)


class LineApi:
    """The reply and push calls; each has a timeout and reports failure instead of raising."""

    def __init__(self, base_url: str, access_token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._access_token = access_token

    async def reply(self, reply_token: str, messages: List[LineMessage]) -> bool:
        return await self._post(REPLY_PATH, {"replyToken": reply_token, "messages": messages})

    async def push(self, user_id: str, messages: List[LineMessage]) -> bool:
        delivered = True
        for start in range(0, len(messages), MAX_MESSAGES_PER_CALL):
            batch = messages[start:start + MAX_MESSAGES_PER_CALL]
            delivered = await self._post(PUSH_PATH, {"to": user_id, "messages": batch}) and delivered
        return delivered

    async def push_once(self, user_id: str, messages: List[LineMessage], retry_key: str) -> bool:
        """One push call (at most five messages) that LINE accepts only once per ``retry_key``.

        409 means an earlier attempt with this key was accepted: the
        customer has the message, so it counts as delivered.
        """
        return await self._post(PUSH_PATH, {"to": user_id, "messages": messages[:MAX_MESSAGES_PER_CALL]},
                                retry_key=retry_key)

    async def deliver(self, reply_token: Optional[str], user_id: str, messages: List[LineMessage]) -> None:
        """One reply call for the first five messages, push for the rest or if the token was refused."""
        if not messages:
            return
        pending = messages
        if reply_token and await self.reply(reply_token, messages[:MAX_MESSAGES_PER_CALL]):
            pending = messages[MAX_MESSAGES_PER_CALL:]
        if pending:
            await self.push(user_id, pending)

    async def _post(self, path: str, payload: Dict[Text, Any], retry_key: Optional[str] = None) -> bool:
        headers = {"Authorization": f"Bearer {self._access_token}"}
        if retry_key:
            headers[RETRY_KEY_HEADER] = retry_key
        timeout = aiohttp.ClientTimeout(total=API_TIMEOUT_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(self.base_url + path, json=payload, headers=headers) as answer:
                    if answer.status < 300 or (retry_key and answer.status == 409):
                        return True
                    logger.warning("line channel: %s answered %s", path, answer.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("line channel: %s failed: %s", path, type(error).__name__)
        return False


class _GuardedLineOutput(OutputChannel):
    """Turns Rasa's messages into screened LINE messages; subclasses decide when they are sent."""

    def __init__(self, guard: OutboundGuard) -> None:
        self._guard = guard

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def _emit(self, recipient_id: Text, messages: List[LineMessage]) -> None:
        raise NotImplementedError

    async def _screen(self, recipient_id: Text, text: str) -> str:
        return await asyncio.to_thread(self._guard.screen, recipient_id, text, CHANNEL_NAME)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._emit(recipient_id, await self._screened_messages(recipient_id, text))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        messages = await self._screened_messages(recipient_id, text)
        items = await self._quick_reply_items(recipient_id, buttons)
        if messages and items and messages[-1]["text"] != templates.REPLY_BLOCKED_BY_PRIVACY_GUARD:
            messages[-1]["quickReply"] = {"items": items}
        await self._emit(recipient_id, messages)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]],
                                 **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        if image.startswith("https://"):  # LINE only fetches images over HTTPS
            await self._emit(recipient_id, [{"type": "image", "originalContentUrl": image,
                                             "previewImageUrl": image}])
        else:
            logger.warning("line channel: dropped an image that is not on HTTPS")

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        logger.warning("line channel: dropped an attachment (not supported on LINE)")

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        logger.warning("line channel: dropped a custom payload (it would bypass the outbound guard)")

    async def _screened_messages(self, recipient_id: Text, text: Text) -> List[LineMessage]:
        if not text or not text.strip():
            return []
        return [text_message(part) for part in split_text_for_line(await self._screen(recipient_id, text))]

    async def _quick_reply_items(self, recipient_id: Text, buttons: List[Dict[Text, Any]]) -> List[LineMessage]:
        """Buttons as quick replies; a postback carries the payload so the customer sees only the title."""
        usable = [b for b in buttons if isinstance(b.get("title"), str) and b["title"].strip()
                  and len(str(b.get("payload") or b["title"])) <= MAX_POSTBACK_DATA_CHARS]
        usable = usable[:MAX_QUICK_REPLY_ITEMS]
        if not usable:
            return []
        titles = "\n".join(b["title"] for b in usable)
        if await self._screen(recipient_id, titles) != titles:
            return []
        return [{"type": "action", "action": {
            "type": "postback",
            "label": _label(b["title"]),
            "data": str(b.get("payload") or b["title"]),
            "displayText": b["title"][:MAX_POSTBACK_DATA_CHARS],
        }} for b in usable]


def _label(title: str) -> str:
    if len(title) <= MAX_QUICK_REPLY_LABEL_CHARS:
        return title
    return title[:MAX_QUICK_REPLY_LABEL_CHARS - 1] + ELLIPSIS


class LineTurnCollector(_GuardedLineOutput):
    """Collects one turn's messages, because its reply token can be used only once."""

    def __init__(self, guard: OutboundGuard) -> None:
        super().__init__(guard)
        self.messages: List[LineMessage] = []

    async def _emit(self, recipient_id: Text, messages: List[LineMessage]) -> None:
        self.messages.extend(messages)


class LineOutput(_GuardedLineOutput):
    """Pushes each message at once: for messages without a webhook request, such as an agent's reply."""

    def __init__(self, api: LineApi, guard: OutboundGuard) -> None:
        super().__init__(guard)
        self._api = api

    async def _emit(self, recipient_id: Text, messages: List[LineMessage]) -> None:
        if messages:
            await self._api.push(recipient_id, messages)


def _error(status: int, text: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": text}, status=status, headers=headers)


class LineInput(InputChannel):
    """`/webhooks/line/webhook`: customers writing to the shop's LINE official account."""

    def __init__(self, channel_secret: Optional[str], access_token: Optional[str],
                 api_base: str = DEFAULT_API_BASE, guard: Optional[OutboundGuard] = None) -> None:
        self._channel_secret = channel_secret or ""
        self.api = LineApi(api_base, access_token or "")
        self.is_configured = bool(channel_secret and access_token)
        self.turns = CustomerTurns(CHANNEL_NAME, guard)
        self.guard = self.turns.guard
        self._handled_events = recent_ids(CHANNEL_NAME, REMEMBERED_EVENT_IDS)

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "LineInput":
        if credentials:
            logger.warning("line channel: settings in credentials.yml are ignored; secrets come from %s and %s",
                           ENV_CHANNEL_SECRET, ENV_CHANNEL_ACCESS_TOKEN)
        channel = cls(env(ENV_CHANNEL_SECRET), env(ENV_CHANNEL_ACCESS_TOKEN), env(ENV_API_BASE) or DEFAULT_API_BASE)
        if not channel.is_configured:
            logger.info("line channel: %s or %s not set; the LINE webhook answers 503",
                        ENV_CHANNEL_SECRET, ENV_CHANNEL_ACCESS_TOKEN)
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        return LineOutput(self.api, self.turns.screen) if self.is_configured else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("line_webhook", __name__)
        AgentReplyPump(CHANNEL_NAME, self.guard, self._push_agent_reply).attach(webhook, lambda: self.is_configured)
        NoticePump(CHANNEL_NAME, self.guard, self._push_agent_reply).attach(webhook, lambda: self.is_configured)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.is_configured else "not configured"})

        @webhook.route("/webhook", methods=["GET"])
        async def wrong_method(_: Request) -> HTTPResponse:
            return _error(405, templates.LINE_ERROR_METHOD_NOT_ALLOWED, headers={"Allow": "POST"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.is_configured:
                return _error(503, templates.LINE_ERROR_NOT_CONFIGURED)
            raw_body = request.body or b""
            if len(raw_body) > MAX_BODY_BYTES:
                return _error(413, templates.LINE_ERROR_BODY_TOO_LARGE)
            if not signature_is_valid(self._channel_secret, raw_body, request.headers.get(SIGNATURE_HEADER)):
                logger.warning("line channel: refused a webhook call with a missing or wrong signature")
                return _error(401, templates.LINE_ERROR_BAD_SIGNATURE)
            try:
                payload = json.loads(raw_body)
            except ValueError:  # includes UnicodeDecodeError
                return _error(400, templates.ERROR_BAD_JSON)
            if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
                return _error(400, templates.ERROR_BAD_JSON)
            taken = [await self._handle_event(event, on_new_message)
                     for event in payload["events"] if isinstance(event, dict)]
            if not all(taken):  # LINE redelivers the call; handled events are skipped by their id
                return _error(500, templates.ERROR_INTERNAL)
            return response.json({})

        return webhook

    async def _handle_event(self, event: Dict[Text, Any],
                            on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> bool:
        """Answers one event; never raises. False: the message reached no one and LINE must redeliver it."""
        event_id = event.get("webhookEventId")
        if isinstance(event_id, str) and not await resolved(self._handled_events.first_time(event_id)):
            logger.info("line channel: skipped a redelivered event %s", event_id)
            return True
        if event.get("mode") == MODE_STANDBY:
            return True
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        user_id = source.get("userId")
        if source.get("type") != SOURCE_USER or not isinstance(user_id, str) or not user_id:
            return True  # support talks one to one; group and room chats are not answered
        reply_token = event.get("replyToken") if isinstance(event.get("replyToken"), str) else None
        try:
            await self._answer_event(event, user_id, reply_token, on_new_message)
        except MessageNotTaken as error:  # the customer hears; LINE redelivers, and this id is handled then
            _log_failure(f"a {event.get('type')!s:.20} event before the gate", user_id, error)
            if isinstance(event_id, str):
                await resolved(self._handled_events.forget(event_id))
            await self._apologise(user_id, reply_token)
            return False
        except Exception as error:  # noqa: BLE001 - logged without content; LINE still gets 200
            _log_failure(f"a {event.get('type')!s:.20} event", user_id, error)
            await self._apologise(user_id, reply_token)
        return True

    async def _apologise(self, user_id: str, reply_token: Optional[str]) -> None:
        try:
            await self._send_fixed_text(user_id, reply_token, templates.ERROR_INTERNAL)
        except Exception as error:  # noqa: BLE001 - best effort after a failure already logged
            _log_failure("the apology", user_id, error)

    async def _answer_event(self, event: Dict[Text, Any], user_id: str, reply_token: Optional[str],
                            on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        event_type = event.get("type")
        if event_type == EVENT_FOLLOW:
            await self._send_fixed_text(user_id, reply_token, templates.LINE_FOLLOW_GREETING)
        elif event_type == EVENT_POSTBACK:
            postback = event.get("postback") if isinstance(event.get("postback"), dict) else {}
            if isinstance(postback.get("data"), str) and postback["data"].strip():
                await self._converse(postback["data"], event, user_id, reply_token, on_new_message, button=True)
        elif event_type == EVENT_MESSAGE:
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            text = message.get("text")
            if message.get("type") != MESSAGE_TEXT or not isinstance(text, str):
                text = None  # stickers, images, video, audio, locations, files and anything newer
            await self._converse(text, event, user_id, reply_token, on_new_message,
                                 non_text_kind=NON_TEXT_KINDS.get(str(message.get("type")), "other"))
        # other event types (unfollow, join, read receipts, …) need no answer

    async def _converse(self, text: Optional[str], event: Dict[Text, Any], user_id: str, reply_token: Optional[str],
                        on_new_message: Callable[[UserMessage], Awaitable[Any]], *, button: bool = False,
                        non_text_kind: str = "other") -> None:
        """One turn through the pipeline, answered with one reply call.

        Raises only if the message reached neither the bot nor a ticket.
        """
        collector = LineTurnCollector(self.turns.screen)

        async def to_bot(message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except Exception as error:  # noqa: BLE001 - the customer still gets an answer, the log no text
                _log_failure("handling a message", user_id, error)
                collector.messages.append(text_message(templates.ERROR_INTERNAL))

        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        inbound = Inbound(user_id, platform_client_key(CHANNEL_NAME, user_id), text, non_text_kind=non_text_kind,
                          button_payload=button, message_id=message.get("id"), platform=_metadata(event))
        result = await self.turns.take(inbound, collector, to_bot)
        if result.outcome is Outcome.UNSUPPORTED:
            await collector.send_text_message(user_id, templates.LINE_UNSUPPORTED_MESSAGE_REPLY)
        elif result.outcome is Outcome.REFUSED:
            await collector.send_text_message(user_id, result.error)
        await self.api.deliver(reply_token, user_id, collector.messages)

    async def _push_agent_reply(self, delivery: Delivery) -> None:
        """Agents' replies go by push (no reply token is waiting), each push with the reply's retry key.

        A reply is one text message (the console caps it below LINE's 5,000),
        so one push call carries it and one retry key covers it.
        """
        messages = [text_message(part) for part in split_text_for_line(delivery.text)]
        if not await self.api.push_once(delivery.conversation_id, messages, delivery.retry_key):
            raise ConnectionError("LINE push failed")

    async def _send_fixed_text(self, user_id: str, reply_token: Optional[str], text: str) -> None:
        collector = LineTurnCollector(self.turns.screen)
        await collector.send_text_message(user_id, text)
        await self.api.deliver(reply_token, user_id, collector.messages)


def _metadata(event: Dict[Text, Any]) -> Dict[Text, Any]:
    """What the tracker keeps about the event: ids and times, no tokens."""
    delivery = event.get("deliveryContext") if isinstance(event.get("deliveryContext"), dict) else {}
    return {CHANNEL_NAME: {
        "webhook_event_id": event.get("webhookEventId"),
        "timestamp": event.get("timestamp"),
        "is_redelivery": bool(delivery.get("isRedelivery")),
        "event_type": event.get("type"),
    }}
