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

Reading and writing take less work than Rasa's (a py-spy profile of 20
concurrent conversations, 2026-12-02: the store was ~16 % of the Rasa
process's time holding the GIL, most of it SQLAlchemy's ORM):

- a conversation is read as the ``data`` column alone (Rasa builds an ORM
  object per event and reads every column);
- the new events are written in one multi-row INSERT (Rasa's ORM sends one
  INSERT per event and reads each id back);
- which events are new is known from the tracker itself: the number of
  events read from the store, or written to it, is kept on the tracker
  object (``EVENTS_IN_STORE``), where Rasa counts the stored events of the
  latest session with a query on every save. (Rasa's count is right for a
  tracker saved once after it was read, which is what Rasa 3.6's processor
  does; the kept number stays right when a session starts between two saves
  of one tracker, where the count made Rasa write the old session again.) A
  tracker this store did not read (a new conversation, one built from the
  API) is counted as Rasa does.

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
import itertools
import json
import logging
from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import QueuePool

SQLITE_POOL_SIZE = 5
# Set on a tracker this store read or wrote: how many of its events (from the start of ``tracker.events``) are stored.
EVENTS_IN_STORE = "_madoguchi_events_in_store"
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
        return await asyncio.to_thread(self._read, sender_id, fetch_events_from_all_sessions)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is not None:
            await self.stream_events(tracker)  # streaming to a broker awaits: on the event loop
        await asyncio.to_thread(self._write, tracker)

    def _events_query(self, sender_id: Text, all_sessions: bool):
        """The stored events' ``data`` in order: Rasa's ``_event_query`` (events since the latest session start,
        or all) as one Core statement."""
        table = self.SQLEvent.__table__
        query = sa.select(table.c.data).where(table.c.sender_id == sender_id)
        if not all_sessions:
            session_start = (sa.select(sa.func.max(table.c.timestamp))
                             .where(table.c.sender_id == sender_id, table.c.type_name == SessionStarted.type_name)
                             .scalar_subquery())
            query = query.where(sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))
        return query.order_by(table.c.id)

    def _read(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            events = [json.loads(data) for data in session.execute(self._events_query(sender_id, all_sessions)).scalars()]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not all_sessions and len(tracker.events) == len(events):
            setattr(tracker, EVENTS_IN_STORE, len(events))
        return tracker

    def _write(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            stored = getattr(tracker, EVENTS_IN_STORE, None)
            if stored is None:  # not read here: count as Rasa does
                stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            rows = []
            for event in itertools.islice(tracker.events, stored, None):
                data = event.as_dict()
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "action_name": data.get("name"), "data": json.dumps(data)})
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
                session.commit()
        setattr(tracker, EVENTS_IN_STORE, len(tracker.events))


def _fail_the_turn(self: FailSafeTrackerStore, error: Exception) -> None:
    """Rasa's FailSafeTrackerStore calls this inside its ``except``: raising fails the turn, nothing is forgotten."""
    logger.error("tracker store unavailable (%s): the message is refused, to be sent again", type(error).__name__)
    raise error


def install() -> None:
    """No silent in-memory fallback for Rasa's tracker store in this process (idempotent)."""
    FailSafeTrackerStore.on_tracker_store_error = _fail_the_turn
    FailSafeTrackerStore.on_tracker_store_retrieve_error = _fail_the_turn
