"""What the channels remember between messages, in Redis when several replicas serve one shop.

One process keeps its message limit and the platform ids it has answered in
memory (``turn.MessageRateLimit``, ``RecentIds``). Behind a load balancer each
replica would count its own share of a client's messages and answer a
redelivered LINE or Telegram event a second time when it lands on another
replica; with ``REDIS_URL`` set the same questions are asked of Redis, so
every replica sees the same counts and ids.

Redis is a helper here, not the record: when it does not answer, a message is
let through (the limit stops floods, it must not stop the shop) and the
failure is logged without any customer data.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import time
import weakref
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional, Union

from redis import asyncio as redis_asyncio
from redis.exceptions import LockError, RedisError

from bot.channels import RecentIds
from bot.config import env

logger = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 60.0
REMEMBER_IDS_SECONDS = 24 * 3600  # LINE and Telegram give up redelivering long before a day
REDIS_TIMEOUT_SECONDS = 2.0
# Longest a customer turn (gate, Rasa, actions) holds its conversation: a replica killed mid-turn leaves
# the conversation waiting this long at most. Rasa's own lock gets the same lifetime (bot.replicas).
TURN_LOCK_SECONDS = 20


def redis_url() -> Optional[str]:
    return env("REDIS_URL")


def key(*parts: str) -> str:
    """A Redis key under MADOGUCHI_REDIS_PREFIX; parts are ids and HMACs, never customer text."""
    return ":".join((env("MADOGUCHI_REDIS_PREFIX") or "madoguchi", *parts))


_CLIENTS: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def client(url: str) -> redis_asyncio.Redis:
    """One connection pool per URL and event loop (a pool's connections belong to the loop that made them);
    it reconnects by itself after a Redis restart."""
    clients = _CLIENTS.setdefault(asyncio.get_running_loop(), {})
    if url not in clients:
        clients[url] = redis_asyncio.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                                    socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                                    health_check_interval=30)
    return clients[url]


class RedisRateLimit:
    """``turn.MessageRateLimit`` shared by every replica: a sliding 60 s log per client key in Redis."""

    def __init__(self, url: str, per_minute: int, clock=time.time) -> None:
        self.url = url
        self.per_minute = per_minute
        self._clock = clock

    async def allow(self, client_key: str) -> bool:
        now = self._clock()
        name = key("rate", client_key)
        try:
            pipe = client(self.url).pipeline(transaction=True)
            pipe.zremrangebyscore(name, 0, now - RATE_WINDOW_SECONDS)
            pipe.zadd(name, {f"{now:.6f}:{time.perf_counter_ns()}": now})
            pipe.zcard(name)
            pipe.expire(name, int(RATE_WINDOW_SECONDS) + 1)
            _, _, count, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("message limit: Redis did not answer (%s); the message is let through",
                           type(error).__name__)
            return True
        return int(count) <= self.per_minute


class RedisRecentIds:
    """``RecentIds`` shared by every replica: ``SET NX`` with a day's expiry per platform id."""

    def __init__(self, url: str, channel: str) -> None:
        self.url = url
        self.channel = channel

    async def first_time(self, item_id) -> bool:
        try:
            return bool(await client(self.url).set(key("seen", self.channel, str(item_id)), "1", nx=True,
                                                   ex=REMEMBER_IDS_SECONDS))
        except (RedisError, OSError) as error:
            logger.warning("%s: Redis did not answer (%s); the event is handled", self.channel, type(error).__name__)
            return True

    async def forget(self, item_id) -> None:
        try:
            await client(self.url).delete(key("seen", self.channel, str(item_id)))
        except (RedisError, OSError) as error:
            logger.warning("%s: Redis did not answer (%s)", self.channel, type(error).__name__)


def recent_ids(channel: str, capacity: int) -> Union[RecentIds, RedisRecentIds]:
    """The channel's memory of answered platform ids: in Redis with REDIS_URL, else in this process."""
    url = redis_url()
    return RedisRecentIds(url, channel) if url else RecentIds(capacity)


async def resolved(value: Any) -> Any:
    """The answer of a memory that may be in this process (a value) or in Redis (a coroutine)."""
    return await value if inspect.isawaitable(value) else value


class LocalConversationLocks:
    """One customer turn at a time per conversation, in this process (no REDIS_URL)."""

    def __init__(self) -> None:
        self._locks: Dict[str, List[Any]] = {}  # conversation -> [lock, turns waiting or running]

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        entry = self._locks.setdefault(conversation_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if not entry[1]:
                del self._locks[conversation_id]


class RedisConversationLocks:
    """One customer turn at a time per conversation, across every replica (a Redis lock).

    Rasa's own lock store only covers Rasa's part of the turn; the hand-off
    gate runs before it. Without this, a message arriving on one replica
    while another replica's turn was opening a ticket passed the gate and
    reached the bot after the hand-off. When Redis does not answer the turn
    goes on unlocked (Rasa's lock store then fails too, and says so).
    """

    def __init__(self, url: str) -> None:
        self.url = url

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        name = key("turn", hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:32])
        lock = client(self.url).lock(name, timeout=TURN_LOCK_SECONDS, blocking_timeout=TURN_LOCK_SECONDS, sleep=0.02)
        try:
            acquired = await lock.acquire()
        except (RedisError, OSError) as error:
            logger.warning("conversation lock: Redis did not answer (%s); the turn goes on unlocked",
                           type(error).__name__)
            acquired = False
        try:
            yield
        finally:
            if acquired:
                try:
                    await lock.release()
                except (LockError, RedisError, OSError) as error:  # expired or Redis gone: nothing to undo
                    logger.warning("conversation lock: not released (%s)", type(error).__name__)


def conversation_locks() -> Union[LocalConversationLocks, RedisConversationLocks]:
    url = redis_url()
    return RedisConversationLocks(url) if url else LocalConversationLocks()
