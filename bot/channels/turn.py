"""One customer turn, the same on every channel: the checks between a platform and Rasa.

Before, REST, LINE, Telegram and the web widget each wrote these steps
themselves and they drifted (Telegram had no size limit, LINE's stickers
skipped the hand-off gate, a guarded reply left the bot's own text in the
ticket). Now a channel module does only what is particular to its platform
(signatures, payload shapes, sending) and hands every customer message to
``CustomerTurns.take``, which, in this order:

1. drops typed ``/`` prefixes (Rasa would read "/restart" as an intent; a
   button's payload is the bot's own and keeps it);
2. limits how fast one client may write (``Settings.messages_per_minute``),
   keyed on ``client_key`` (the HTTP client or the platform's user id, never
   a sender id the caller picks);
3. asks the hand-off gate (``keep_from_bot``): a conversation with people
   keeps everything, stickers and over-long texts included, for the ticket;
4. refuses what the bot cannot take (over 2,000 characters, not text);
5. lets the notices answer (``bot.channels.notices``): a reply to a product-safety
   notice goes to people, a leak's affected customer gets the approved answers,
   anyone asking about a recalled product hears the notice;
6. gives Rasa the text with ``metadata={"client_key": ...}`` and nothing the
   caller wrote; if a custom action fails (the action server is down) or Rasa
   sends nothing back, the customer gets ``ERROR_BOT_SILENT``, not silence and
   not the fallback's guess at what went on.

Steps 3 to 6 run one turn at a time per conversation (``bot.channels.shared``:
in this process, or across replicas with a Redis lock), so a ticket opened by
one turn is seen by the next one's gate even when the two messages arrived on
two replicas at once.

Replies go out through ``ReplyScreen``: the outbound guard, and a replaced
reply is recorded so ticket transcripts show what the customer received.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import clients, handoff, templates
from bot.channels import action_results, tracker_store, without_command_prefix
from bot.channels.handoff import keep_from_bot
from bot.channels.notices import answer_from_notices
from bot.channels.shared import RedisRateLimit, conversation_locks, redis_url, resolved
from bot.config import load_settings
from bot.outbound import OutboundGuard
from bot.secrets import server_secret
from bot.store.db import session_scope

MAX_MESSAGE_CHARS = 2000
CLIENT_KEY = "client_key"  # the metadata key the action server reads (per-client verification limits)
RATE_WINDOW_SECONDS = 60.0
REMEMBERED_CLIENTS = 100_000

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
EarlierReplies = Callable[[str, str], Awaitable[Optional[list]]]


def replies_in_tracker(tracker_store: Any) -> EarlierReplies:
    """``earlier_replies`` read from Rasa's tracker store: the bot's messages after the user message with that id.

    None when no user message of the conversation has the id (Rasa never
    kept it). What Rasa said is sent again through the turn's output, so
    the outbound guard screens it as it did the first time.
    """
    from rasa.shared.core.events import BotUttered, UserUttered

    async def earlier_replies(conversation_id: str, message_id: str) -> Optional[list]:
        tracker = await tracker_store.retrieve(conversation_id)
        events = list(tracker.events) if tracker is not None else []
        for position, event in enumerate(events):
            if isinstance(event, UserUttered) and event.message_id == message_id:
                replies = []
                for later in events[position + 1:]:
                    if isinstance(later, UserUttered):
                        break
                    if isinstance(later, BotUttered):
                        replies.append(later.message())
                return replies
        return None

    return earlier_replies

# Every channel imports this module into the Rasa server: Rasa checks each action's answer there.
action_results.install()
tracker_store.install()


def platform_client_key(channel: str, user_id: str) -> str:
    """The client key of a LINE or Telegram user: the platform vouches for the id, so it is the client."""
    return clients.client_key(server_secret(), f"{channel}:{user_id}")


def address_client_key(peer: str, forwarded_for: Optional[str], forwarded_proto: Optional[str]) -> str:
    """The client key of an HTTP caller: its address, through X-Forwarded-For only from a trusted proxy."""
    origin = clients.client_origin(peer or "", forwarded_for, forwarded_proto, load_settings().trusted_proxies)
    return clients.client_key(server_secret(), origin.address)


class Outcome(enum.Enum):
    ANSWERED = "answered"  # Rasa had the message; its replies went to the output channel
    REPEATED = "repeated"  # a retry of a message Rasa already had: the replies it gave then were sent again
    KEPT = "kept"  # a conversation with people: in the ticket; the acknowledgement (if any) was sent
    REFUSED = "refused"  # not taken: ``error`` says why, in Japanese, for the customer
    UNSUPPORTED = "unsupported"  # a sticker, image … outside a hand-off: the channel says it reads text only
    EMPTY = "empty"  # nothing left once the "/" were stripped


@dataclass(frozen=True)
class TurnResult:
    outcome: Outcome
    error: str = ""
    status: int = 200  # for HTTP channels: 413 too long, 429 too fast


@dataclass(frozen=True)
class Inbound:
    """One customer message as the channel received it."""

    conversation_id: str
    client_key: str
    text: Optional[str]  # None for a message that is not text
    non_text_kind: str = "other"  # a key of templates.NON_TEXT_PLACEHOLDERS, for a message without text
    button_payload: bool = False  # sent by the bot's own button (LINE postback, Telegram callback)
    message_id: Optional[str] = None
    platform: Dict[str, Any] = field(default_factory=dict)  # what the platform (not the caller) says


class MessageNotTaken(Exception):
    """The hand-off gate could not be asked (the database failed): the message reached no one.

    A channel whose platform redelivers (LINE, Telegram) answers so that it
    does; the customer is asked to send again. Failures after this point are
    not this: the message is in the transcript or was with the bot.
    """


class MessageRateLimit:
    """At most ``per_minute`` messages per client key in any 60 s, counted in this process.

    In memory: a restart forgets. With several replicas (REDIS_URL) the
    count is kept in Redis instead (``bot.channels.shared.RedisRateLimit``),
    so a client cannot multiply its allowance by the number of replicas.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 capacity: int = REMEMBERED_CLIENTS) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._capacity = capacity
        self._seen: "OrderedDict[str, deque[float]]" = OrderedDict()

    def allow(self, key: str) -> bool:
        """Counts this message; False once the client is over the limit (refused messages count too)."""
        now = self._clock()
        times = self._seen.pop(key, None) or deque()
        while times and now - times[0] >= RATE_WINDOW_SECONDS:
            times.popleft()
        times.append(now)
        self._seen[key] = times
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return len(times) <= self.per_minute


def message_rate_limit(per_minute: int):
    """The message limit every channel of this process uses: shared in Redis with REDIS_URL."""
    url = redis_url()
    return RedisRateLimit(url, per_minute) if url else MessageRateLimit(per_minute)


class ReplyScreen:
    """The outbound guard for the bot's replies, remembering what it replaced.

    Same ``screen`` as ``OutboundGuard``, so the channels' output classes take
    either; agents' replies use the guard itself (a blocked agent's reply is a
    failed delivery, not a bot line).
    """

    def __init__(self, guard: OutboundGuard) -> None:
        self.guard = guard

    def screen(self, conversation_id: str, text: str, channel: str = "") -> str:
        screened = self.guard.screen(conversation_id, text, channel)
        if screened != text:
            with session_scope() as session:
                handoff.record_guarded_reply(session, conversation_id, text, screened, handoff.now_utc())
        return screened


class CustomerTurns:
    """The pipeline of one channel; see the module's docstring for the steps."""

    def __init__(self, channel: str, guard: Optional[OutboundGuard] = None,
                 rate_limit: Optional[MessageRateLimit] = None) -> None:
        self.channel = channel
        self.guard = guard or OutboundGuard()
        self.screen = ReplyScreen(self.guard)
        self.rate_limit = rate_limit or message_rate_limit(load_settings().messages_per_minute)
        # The gate and Rasa's handling of one conversation, one turn at a time (across replicas with Redis).
        self.locks = conversation_locks()

    async def take(self, inbound: Inbound, output: OutputChannel, on_new_message: OnNewMessage,
                   earlier_replies: Optional[EarlierReplies] = None) -> TurnResult:
        """Runs the turn. MessageNotTaken: the gate could not be asked; other errors come from sending.

        ``earlier_replies(conversation_id, message_id)``: for a channel whose clients send the same
        message again after an error (REST with ``message_id``), the replies Rasa gave the first time,
        or None when Rasa never had it (see ``replies_in_tracker``).
        """
        text = inbound.text
        if text is not None and not inbound.button_payload:
            text = without_command_prefix(text)
        if text is not None and not text.strip():
            return TurnResult(Outcome.EMPTY)
        if not await resolved(self.rate_limit.allow(inbound.client_key)):
            return TurnResult(Outcome.REFUSED, templates.ERROR_TOO_MANY_MESSAGES, 429)
        async with self.locks.hold(inbound.conversation_id):
            if inbound.message_id and earlier_replies is not None:
                repeated = await self._repeat_if_handled(inbound, output, earlier_replies)
                if repeated is not None:
                    return repeated
            return await self._take_in_turn(inbound, text, output, on_new_message)

    async def _repeat_if_handled(self, inbound: Inbound, output: OutputChannel,
                                 earlier_replies: EarlierReplies) -> Optional[TurnResult]:
        """A message sent again (the first answer was lost: a replica died, a time-out) is handled once.

        Rasa recorded the message with its id: the replies that followed it go
        out again through this turn's screened output. The record itself is
        asked, not a memory of ids: a memory in Redis forgets on a restart,
        exactly when retries come.
        """
        replies = await earlier_replies(inbound.conversation_id, inbound.message_id)
        if replies is None:
            return None  # new, or the first attempt died before Rasa kept it: handle it now
        for reply in replies:
            await output.send_response(inbound.conversation_id, reply)
        if not replies:
            await output.send_text_message(inbound.conversation_id, templates.ERROR_BOT_SILENT)
        return TurnResult(Outcome.REPEATED)

    async def _take_in_turn(self, inbound: Inbound, text: Optional[str], output: OutputChannel,
                            on_new_message: OnNewMessage) -> TurnResult:
        """Steps 3 to 6, while no other turn of this conversation runs: a ticket opened by the previous
        turn is seen by this one's gate."""
        placeholder = templates.NON_TEXT_PLACEHOLDERS.get(inbound.non_text_kind,
                                                          templates.NON_TEXT_PLACEHOLDERS["other"])
        try:
            kept = await keep_from_bot(inbound.conversation_id, text if text is not None else placeholder)
        except Exception as error:  # noqa: BLE001 - any failure here means the message is nowhere yet
            raise MessageNotTaken(type(error).__name__) from error
        if kept is not None:
            for fixed in kept:
                await output.send_text_message(inbound.conversation_id, fixed)
            return TurnResult(Outcome.KEPT)
        if text is None:
            return TurnResult(Outcome.UNSUPPORTED)
        if len(inbound.text or "") > MAX_MESSAGE_CHARS:
            return TurnResult(Outcome.REFUSED, templates.ERROR_MESSAGE_TOO_LONG.format(limit=MAX_MESSAGE_CHARS),
                              413)
        if not inbound.button_payload:
            told = await answer_from_notices(self.channel, inbound.conversation_id, text, inbound.client_key)
            if told is not None:
                for reply in told:
                    await output.send_text_message(inbound.conversation_id, reply)
                return TurnResult(Outcome.ANSWERED)
        metadata: Dict[str, Any] = {CLIENT_KEY: inbound.client_key}
        if inbound.platform:
            metadata[self.channel] = inbound.platform
        actions = action_results.watch_actions()
        counted = _CountingOutput(output, actions)
        await on_new_message(UserMessage(text, counted, inbound.conversation_id, input_channel=self.channel,
                                         message_id=inbound.message_id, metadata=metadata))
        if not counted.sent or actions.failed:
            # Rasa logs a failed custom action (the action server down) and carries on with no events:
            # without this the customer would wait for an answer that never comes, or read the
            # fallback's guess at a conversation that lacks what the action should have done.
            await output.send_text_message(inbound.conversation_id, templates.ERROR_BOT_SILENT)
        return TurnResult(Outcome.ANSWERED)


class _CountingOutput(OutputChannel):
    """The channel's output as Rasa sees it, counting what the bot sent in this turn.

    Rasa hands every bot message to ``send_response``; everything else
    (``name``, the collected messages of REST) is the channel's own. Once a
    custom action of this turn has failed, what Rasa says next is not passed
    on: the turn apologises instead (``action_results``).
    """

    def __init__(self, inner: OutputChannel, actions: action_results.ActionFailures) -> None:
        self._inner = inner
        self._actions = actions
        self.sent = 0

    def name(self) -> str:
        return self._inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if self._actions.failed:
            return
        self.sent += 1
        await self._inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if self._actions.failed:
            return
        self.sent += 1
        await self._inner.send_text_message(recipient_id, text, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._inner, attribute)

