"""The Telegram channel, on python-telegram-bot instead of Rasa's built-in (aiogram) one.

Rasa's own Telegram channel calls the network at start-up, calls getMe on every
update, never checks the webhook's secret token and reuses one bot object across
event loops (see /work/shared/RASA_NOTES.md). This one:

* reads its secrets from the environment only (``TELEGRAM_BOT_TOKEN``,
  ``TELEGRAM_SECRET_TOKEN``; ``TELEGRAM_API_BASE`` for a local stand-in), and
  without them answers 503 instead of failing the whole server;
* makes no network call at start-up: PTB's ``Bot`` works without
  ``initialize()`` (which would only call getMe), so none is made;
* checks ``X-Telegram-Bot-Api-Secret-Token`` in constant time before it reads
  the update, and never answers with a stack trace;
* sends every text through the outbound guard (``bot.outbound``) first;
* runs every message, stickers and photos included, through the
  customer-turn pipeline (``bot.channels.turn``): the 2,000-character limit,
  the rate limit and the hand-off gate are the same as on the other channels;
* keeps one PTB ``Bot`` per event loop, because its httpx connection pool
  belongs to the loop that opened it.

The webhook is registered with Telegram separately (``register_webhook``), by
the maintainer's CLI command, not when the server starts.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import weakref
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.constants import USER_INTENT_BACK, USER_INTENT_RESTART, USER_INTENT_SESSION_START
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, InlineKeyboardButtonLimit, MessageLimit
from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from bot import templates
from bot.channels import COMMAND_PREFIX, split_message
from bot.channels.shared import recent_ids, resolved
from bot.channels.handoff import AgentReplyPump
from bot.channels.notices import NoticePump
from bot.channels.turn import CustomerTurns, Inbound, MessageNotTaken, Outcome, platform_client_key
from bot.config import env
from bot.handoff import Delivery
from bot.outbound import OutboundGuard

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"

ENV_BOT_TOKEN = "TELEGRAM_BOT_TOKEN"
ENV_SECRET_TOKEN = "TELEGRAM_SECRET_TOKEN"
ENV_API_BASE = "TELEGRAM_API_BASE"
DEFAULT_API_BASE = "https://api.telegram.org"

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024  # an update is a few kB; anything near this is not from Telegram
MAX_TEXT_CHARS = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096, counted by Telegram in UTF-16 code units
MAX_CALLBACK_DATA_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)  # 64
SEEN_UPDATE_IDS = 10_000
ALLOWED_UPDATES = ["message", "callback_query"]

START_COMMAND = "/start"
# Rasa reads a message "/intent{...}" as that intent. A button may send one, but
# nobody may restart a conversation (that would also end a hand-off) from a chat.
FORBIDDEN_PAYLOAD_INTENTS = frozenset({USER_INTENT_RESTART, USER_INTENT_BACK, USER_INTENT_SESSION_START})

# httpx logs every request URL at INFO, and Telegram's URLs contain the bot token.
for _noisy in ("httpx", "telegram"):
    if logging.getLogger(_noisy).getEffectiveLevel() < logging.WARNING:
        logging.getLogger(_noisy).setLevel(logging.WARNING)


# --- Bots, one per event loop -------------------------------------------------------------

_BOTS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[tuple, Bot]]" = weakref.WeakKeyDictionary()


class _UninitialisedBot(Bot):
    """A PTB bot that can close its connections without having been initialised.

    ``Bot.shutdown()`` does nothing unless ``initialize()`` ran, and that calls
    getMe; so the bot keeps its one request object and closes it itself.
    """

    def __init__(self, token: str, api_base: str) -> None:
        request = HTTPXRequest()
        # One request object for both: a webhook bot never calls getUpdates.
        super().__init__(token, base_url=f"{api_base.rstrip('/')}/bot", request=request,
                         get_updates_request=request)
        self._own_request = request

    async def close(self) -> None:
        await self._own_request.shutdown()


def _new_bot(token: str, api_base: str) -> _UninitialisedBot:
    """A PTB bot for the given API base, e.g. the fake platform in tests."""
    return _UninitialisedBot(token, api_base)


def bot_for_running_loop(token: str, api_base: str) -> Bot:
    """The bot of the running event loop: its connection pool must not cross loops.

    No ``initialize()``: it would only call getMe, and sending works without it.
    """
    bots = _BOTS.setdefault(asyncio.get_running_loop(), {})
    key = (token, api_base)
    if key not in bots:
        bots[key] = _new_bot(token, api_base)
    return bots[key]


async def shutdown_bots_of_running_loop() -> None:
    """Close the connection pools of this loop's bots (when the server stops)."""
    bots = _BOTS.pop(asyncio.get_running_loop(), {})
    for bot in bots.values():
        try:
            await bot.close()
        except Exception as error:  # noqa: BLE001 - shutting down must not fail the server's stop
            logger.warning("telegram: closing a bot failed (%s)", type(error).__name__)


# --- Formatting ---------------------------------------------------------------------------


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> List[str]:
    """Pieces that each fit one Telegram message (bot.channels.split_message)."""
    return split_message(text, limit)


def build_inline_keyboard(buttons: List[Dict[Text, Any]]) -> Optional[InlineKeyboardMarkup]:
    """Rasa buttons as an inline keyboard, one per row; the payload comes back as callback data.

    A payload longer than Telegram's 64 bytes cannot be sent: that button is left
    out (and logged by length only) rather than cut into a different payload.
    """
    rows = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        if not title:
            continue
        if button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
            continue
        payload = str(button.get("payload") or title)
        size = len(payload.encode("utf-8"))
        if size > MAX_CALLBACK_DATA_BYTES:
            logger.warning("telegram: a button's payload has %d bytes (limit %d); button left out",
                           size, MAX_CALLBACK_DATA_BYTES)
            continue
        rows.append([InlineKeyboardButton(title, callback_data=payload)])
    return InlineKeyboardMarkup(rows) if rows else None


def _chat_id(recipient_id: Text) -> Union[int, str]:
    """Telegram wants the numeric id; '@channel' names stay strings."""
    try:
        return int(recipient_id)
    except (TypeError, ValueError):
        return recipient_id


# --- Sending ------------------------------------------------------------------------------


class TelegramOutput(OutputChannel):
    """Sends the bot's messages to a Telegram chat, each text screened by the outbound guard first."""

    def __init__(self, bot: Union[Bot, Callable[[], Bot]], guard: OutboundGuard) -> None:
        self._bot = bot
        self._guard = guard

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @property
    def bot(self) -> Bot:
        """Resolved when sending, so a provider can hand out the bot of the loop that sends."""
        return self._bot if isinstance(self._bot, Bot) else self._bot()

    async def _screen(self, recipient_id: Text, text: str) -> str:
        return await asyncio.to_thread(self._guard.screen, recipient_id, text, CHANNEL_NAME)

    async def _send(self, recipient_id: Text, text: str,
                    keyboard: Optional[InlineKeyboardMarkup] = None) -> None:
        pieces = [p for p in split_text(text) if p.strip()]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            await self.bot.send_message(chat_id=_chat_id(recipient_id), text=piece,
                                        reply_markup=keyboard if last else None)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, await self._screen(recipient_id, text))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        """The buttons' titles are customer-facing text too: screened together with the text."""
        titles = [str(b.get("title") or "") for b in buttons]
        combined = "\n".join([text, *titles])
        screened = await self._screen(recipient_id, combined)
        if screened != combined:  # blocked: the safe text, no buttons
            await self._send(recipient_id, screened)
            return
        await self._send(recipient_id, text, build_inline_keyboard(buttons))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Raw JSON is not a reply for a customer (the default would send it as text): dropped."""
        logger.warning("telegram: a custom payload was not sent (conversation %s)", str(recipient_id)[:8])


# --- Receiving ----------------------------------------------------------------------------


def _error(status: int, text: str, headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    return response.json({"error": text}, status=status, headers=headers)


def _ok() -> HTTPResponse:
    return response.json({"ok": True})


class TelegramInput(InputChannel):
    """`/webhooks/telegram/webhook`: updates pushed by Telegram's Bot API.

    Telegram redelivers an update when it does not get a 2xx in time, so an
    update_id already handled is answered 200 and not processed again. The
    memory of ids is in this process only, bounded to the last
    ``SEEN_UPDATE_IDS`` ids and lost on restart: enough for Telegram's retries
    to one server, not a guarantee across several workers or restarts.
    """

    def __init__(self, bot_token: Optional[str], secret_token: Optional[str], api_base: str = DEFAULT_API_BASE,
                 guard: Optional[OutboundGuard] = None) -> None:
        self.bot_token = bot_token or None
        self.secret_token = secret_token or None
        self.api_base = api_base or DEFAULT_API_BASE
        self.turns = CustomerTurns(CHANNEL_NAME, guard)
        self.guard = self.turns.guard
        self._seen = recent_ids(CHANNEL_NAME, SEEN_UPDATE_IDS)
        if not self.configured:
            logger.warning("telegram: %s or %s is not set; the webhook answers 503", ENV_BOT_TOKEN,
                           ENV_SECRET_TOKEN)

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        """Secrets from the environment only; credentials.yml is in the repository."""
        if credentials:
            logger.warning("telegram: settings in credentials.yml are ignored; use %s and %s",
                           ENV_BOT_TOKEN, ENV_SECRET_TOKEN)
        return cls(env(ENV_BOT_TOKEN), env(ENV_SECRET_TOKEN), env(ENV_API_BASE) or DEFAULT_API_BASE)

    @property
    def configured(self) -> bool:
        return bool(self.bot_token and self.secret_token)

    def _bot(self) -> Bot:
        return bot_for_running_loop(self.bot_token, self.api_base)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For messages sent outside a webhook request, e.g. an agent's reply."""
        return TelegramOutput(self._bot, self.turns.screen) if self.configured else None

    def _secret_matches(self, provided: Optional[str]) -> bool:
        if provided is None or self.secret_token is None:
            return False
        return hmac.compare_digest(provided.encode("utf-8", "replace"), self.secret_token.encode("utf-8"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("madoguchi_telegram_webhook", __name__)
        AgentReplyPump(CHANNEL_NAME, self.guard, self._send_agent_reply).attach(webhook, lambda: self.configured)
        NoticePump(CHANNEL_NAME, self.guard, self._send_agent_reply).attach(webhook, lambda: self.configured)

        @webhook.listener("before_server_stop")
        async def close_bots(*_: Any) -> None:
            await shutdown_bots_of_running_loop()

        @webhook.route("/webhook", methods=["GET", "PUT", "PATCH", "DELETE"])
        async def wrong_method(_: Request) -> HTTPResponse:
            return _error(405, templates.TELEGRAM_ERROR_METHOD_NOT_ALLOWED, {"Allow": "POST"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.configured:
                return _error(503, templates.TELEGRAM_ERROR_NOT_CONFIGURED)
            if not self._secret_matches(request.headers.get(SECRET_HEADER)):
                return _error(403, templates.TELEGRAM_ERROR_FORBIDDEN)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return _error(413, templates.TELEGRAM_ERROR_BODY_TOO_LARGE)
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return _error(400, templates.ERROR_BAD_JSON)
            if not isinstance(data, dict):
                return _error(400, templates.ERROR_BAD_JSON)
            try:
                update = Update.de_json(data, self._bot())
            except Exception:  # noqa: BLE001 - PTB raises KeyError, TypeError, ValueError … for bad shapes
                return _error(400, templates.TELEGRAM_ERROR_BAD_UPDATE)
            if not isinstance(update.update_id, int):
                return _error(400, templates.TELEGRAM_ERROR_BAD_UPDATE)
            if not await resolved(self._seen.first_time(update.update_id)):
                logger.info("telegram: update %d was already handled; ignored", update.update_id)
                return _ok()
            try:
                await self._handle(update, on_new_message)
            except MessageNotTaken as error:  # nowhere yet: Telegram redelivers on a non-2xx answer
                logger.error("telegram: update %d reached no one (%s); asking for redelivery", update.update_id,
                             error)
                await resolved(self._seen.forget(update.update_id))
                await self._apologise(update)
                return _error(500, templates.ERROR_INTERNAL)
            except Exception as error:  # noqa: BLE001 - Telegram gets a 200 (no redelivery), the log no text
                logger.error("telegram: handling update %d failed (%s)", update.update_id, type(error).__name__)
                logger.debug("telegram: the failure's traceback", exc_info=True)
                await self._apologise(update)
            return _ok()

        return webhook

    async def _handle(self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Text and button presses go to the bot; other messages get a polite text; the rest is ignored."""
        output = TelegramOutput(self._bot, self.turns.screen)
        if update.callback_query is not None:
            query = update.callback_query
            await self._answer_callback(query.id)
            chat = query.message.chat if query.message is not None else None
            if chat is not None and chat.type != ChatType.PRIVATE:
                return
            sender = str(chat.id if chat is not None else query.from_user.id)
            if not query.data or self._forbidden_payload(query.data):
                logger.info("telegram: a button press without a usable payload was ignored (%s)", sender[:8])
                return
            await self._converse(Inbound(sender, platform_client_key(CHANNEL_NAME, sender), query.data,
                                         button_payload=True), output, on_new_message)
            return
        message = update.message
        if message is None:  # edited messages, channel posts, member updates …
            logger.debug("telegram: update %d of a kind not handled; ignored", update.update_id)
            return
        if message.chat.type != ChatType.PRIVATE:
            # A group would see one customer's verification and order details.
            logger.info("telegram: a message from a %s chat was ignored", message.chat.type)
            return
        sender = str(message.chat.id)
        client = platform_client_key(CHANNEL_NAME, sender)
        text = message.text
        if text and text.split(maxsplit=1)[0].split("@", 1)[0] == START_COMMAND:
            await output.send_text_message(sender, templates.TELEGRAM_START_GREETING)
            return
        await self._converse(Inbound(sender, client, text or None, non_text_kind=_non_text_kind(message),
                                     message_id=str(message.message_id)), output, on_new_message)

    async def _converse(self, inbound: Inbound, output: "TelegramOutput",
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """One turn through the pipeline (typed "/restart" stays text; people's conversations stay theirs)."""
        result = await self.turns.take(inbound, output, on_new_message)
        if result.outcome is Outcome.UNSUPPORTED:
            await output.send_text_message(inbound.conversation_id, templates.TELEGRAM_UNSUPPORTED_MESSAGE_REPLY)
        elif result.outcome is Outcome.REFUSED:
            await output.send_text_message(inbound.conversation_id, result.error)

    async def _send_agent_reply(self, delivery: Delivery) -> None:
        await TelegramOutput(self._bot, self.guard)._send(delivery.conversation_id, delivery.text)

    @staticmethod
    def _forbidden_payload(data: str) -> bool:
        data = data.strip()  # Rasa strips before it looks for the prefix
        if not data.startswith(COMMAND_PREFIX):
            return False
        intent = data[len(COMMAND_PREFIX):].split("{", 1)[0].split("@", 1)[0].strip()
        return intent in FORBIDDEN_PAYLOAD_INTENTS

    async def _answer_callback(self, query_id: str) -> None:
        """Stops the spinner on the pressed button; a failure here must not lose the press."""
        try:
            await self._bot().answer_callback_query(query_id)
        except TelegramError as error:
            logger.warning("telegram: answering a button press failed (%s)", type(error).__name__)

    async def _apologise(self, update: Update) -> None:
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        try:
            await TelegramOutput(self._bot, self.turns.screen).send_text_message(str(chat.id), templates.ERROR_INTERNAL)
        except Exception as error:  # noqa: BLE001 - best effort after a failure already logged
            logger.warning("telegram: the apology could not be sent (%s)", type(error).__name__)


def _non_text_kind(message: Any) -> str:
    """What a message without text carries, as a key of templates.NON_TEXT_PLACEHOLDERS."""
    for attribute, kind in (("sticker", "sticker"), ("photo", "image"), ("animation", "video"),
                            ("video", "video"), ("video_note", "video"), ("voice", "audio"), ("audio", "audio"),
                            ("document", "file"), ("location", "location"), ("venue", "location")):
        if getattr(message, attribute, None):
            return kind
    return "other"


# --- Webhook registration (CLI) -----------------------------------------------------------


class TelegramNotConfigured(RuntimeError):
    """TELEGRAM_BOT_TOKEN or TELEGRAM_SECRET_TOKEN is missing."""


def register_webhook(url: str) -> bool:
    """Tells Telegram to push updates to ``url`` with our secret token; True if Telegram accepted.

    For ``python -m bot telegram-webhook URL``: the server never does this at
    start-up, so it needs no network to start. Raises TelegramNotConfigured
    without the secrets, ValueError for a URL Telegram would refuse (not https).
    """
    token, secret = env(ENV_BOT_TOKEN), env(ENV_SECRET_TOKEN)
    if not token or not secret:
        raise TelegramNotConfigured(f"{ENV_BOT_TOKEN} and {ENV_SECRET_TOKEN} must be set")
    if not url.startswith("https://"):
        raise ValueError("Telegram only delivers to https:// webhook URLs")
    api_base = env(ENV_API_BASE) or DEFAULT_API_BASE

    async def set_webhook() -> bool:
        bot = _new_bot(token, api_base)
        try:
            return bool(await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES))
        except TelegramError as error:
            logger.error("telegram: setWebhook failed (%s)", type(error).__name__)
            return False
        finally:
            await bot.close()

    return asyncio.run(set_webhook())
