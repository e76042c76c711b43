"""Rasa's SQL tracker store with pooled SQLite connections in WAL mode, off the event loop.

Rasa loads a conversation's events before each message and appends the new
ones after it (``SQLTrackerStore``), synchronously, on the Rasa server's one
event loop: while one conversation's tracker is read or written, every other
conversation waits. On SQLite it also opens the file anew for each of those
(SQLAlchemy 1.4 does not pool SQLite files) and commits in rollback-journal
mode, several fsyncs a commit. Under 20 concurrent conversations this was
~18 % of the event loop (issue #10).

Here the same tables, queries and events (a tracker written by Rasa's store
reads back here and the other way round) with:

- SQLite: a connection pool, ``journal_mode=WAL`` and ``busy_timeout``, as
  madoguchi's own database (``bot.store.db``); readers no longer wait for
  the writer;
- every dialect: the database work in a worker thread, so the event loop
  goes on with other conversations meanwhile. Rasa's lock store still lets
  one message of a conversation through at a time, so a conversation's
  reads and writes keep their order.

PostgreSQL keeps Rasa's engine (its pool, ``SQL_POOL_SIZE``, schema option).
Chosen in ``endpoints.yml`` with ``type: bot.channels.tracker_store.PooledSQLTrackerStore``.

Whatever the store, Rasa wraps it in ``FailSafeTrackerStore``, which on any
error reads an empty conversation and writes to memory instead, logging
only: while PostgreSQL restarts, a customer half-way through verification
is asked for the order number again, and what they wrote meanwhile lives
in one replica's memory. ``install()`` makes such an error fail the turn
instead (the customer gets the error reply and the client, or the
platform, sends again; ``bot.channels.turn`` handles a resent message once).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import QueuePool

SQLITE_POOL_SIZE = 5
logger = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class PooledSQLTrackerStore(SQLTrackerStore):
    """See the module's docstring. Takes the same endpoint settings as Rasa's ``type: SQL``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=QueuePool, pool_size=SQLITE_POOL_SIZE, max_overflow=10,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(_finish_without_suspending,
                                       super()._retrieve(sender_id, fetch_events_from_all_sessions))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is not None:  # streaming to a broker does await: stay on the event loop
            return await super().save(tracker)
        return await asyncio.to_thread(_finish_without_suspending, super().save(tracker))


def _finish_without_suspending(coroutine) -> Any:
    """Runs a coroutine that never awaits anything to its end, in the calling thread, without an event loop.

    Rasa's SQL methods are ``async`` in name only (their bodies are blocking
    SQLAlchemy calls): driven here, they run whole in a worker thread.
    """
    try:
        coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError("the tracker store awaited something: it cannot run outside the event loop")


def _fail_the_turn(self: FailSafeTrackerStore, error: Exception) -> None:
    """Rasa's FailSafeTrackerStore calls this inside its ``except``: raising fails the turn, nothing is forgotten."""
    logger.error("tracker store unavailable (%s): the message is refused, to be sent again", type(error).__name__)
    raise error


def install() -> None:
    """No silent in-memory fallback for Rasa's tracker store in this process (idempotent)."""
    FailSafeTrackerStore.on_tracker_store_error = _fail_the_turn
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _fail_the_turn
