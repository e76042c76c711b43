"""The tracker store (bot.channels.tracker_store): Rasa's tables and events, pooled, off the event loop."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.tracker_store import PooledSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  order_number:
    type: text
    mappings: [{type: custom}]
""")


def _tracker(sender: str, turns: int) -> DialogueStateTracker:
    events = [SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(turns):
        events += [UserUttered(f"こんにちは {turn}", {"name": "greet", "confidence": 1.0}),
                   SlotSet("order_number", f"MD2611{turn:04d}"), ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


async def _write_and_read(writer, reader, senders: int, prefix: str) -> None:
    trackers = [_tracker(f"{prefix}:{i}", 1 + i % 3) for i in range(senders)]
    await asyncio.gather(*(writer.save(t) for t in trackers))
    for tracker in trackers:  # a second message appends only the new events
        tracker.update(UserUttered("もう一度", {"name": "greet", "confidence": 1.0}))
    await asyncio.gather(*(writer.save(t) for t in trackers))
    read = await asyncio.gather(*(reader.retrieve(t.sender_id) for t in trackers))
    for tracker, back in zip(trackers, read, strict=True):
        assert [e.as_dict() for e in back.events] == [e.as_dict() for e in tracker.events]
        assert back.get_slot("order_number") == tracker.get_slot("order_number")


def test_sqlite_trackers_read_back_the_same_both_ways_with_rasas_store(tmp_path):
    db = str(tmp_path / "rasa_tracker.db")
    ours = PooledSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db)
    rasas = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db)
    asyncio.run(_write_and_read(ours, rasas, 20, "ours"))
    asyncio.run(_write_and_read(rasas, ours, 5, "rasas"))
    with ours.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


@pytest.mark.postgres
def test_postgresql_trackers_read_back_the_same(postgres_url):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    ours = PooledSQLTrackerStore(domain=DOMAIN, dialect="postgresql", host=url.host, port=url.port,
                                 db=url.database, username=url.username, password=url.password)
    asyncio.run(_write_and_read(ours, ours, 20, "ours"))
    ours.engine.dispose()


@pytest.mark.parametrize("endpoints_file", ["endpoints.yml", "endpoints.production.yml"])
def test_endpoints_name_a_tracker_store_class_that_loads(endpoints_file):
    """Rasa falls back to an in-memory store, silently, when the class named in endpoints.yml does not import.

    The replicas' file too: with Rasa's own ``type: SQL`` every PostgreSQL round
    trip blocked the replica's event loop (a third of it under 20 conversations).
    """
    import yaml
    from rasa.shared.utils.common import class_from_module_path

    from bot.config import PROJECT_ROOT

    endpoints = yaml.safe_load((PROJECT_ROOT / endpoints_file).read_text(encoding="utf-8"))
    assert class_from_module_path(endpoints["tracker_store"]["type"]) is PooledSQLTrackerStore


@pytest.mark.postgres
def test_the_replicas_tracker_store_talks_to_postgresql_off_the_event_loop(postgres_url, monkeypatch):
    """Loaded from endpoints.production.yml as Rasa loads it; every statement runs outside the loop's thread."""
    import threading

    import sqlalchemy as sa
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config
    from sqlalchemy.engine import make_url

    from bot import replicas
    from bot.config import PROJECT_ROOT

    url = make_url(postgres_url)
    for name, value in replicas.rasa_store_env(postgres_url, "redis://127.0.0.1:6379/0",
                                               "http://127.0.0.1:5055/webhook").items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config(str(PROJECT_ROOT / replicas.PRODUCTION_ENDPOINTS), "tracker_store")
    store = TrackerStore.create(config, DOMAIN)
    assert isinstance(store, PooledSQLTrackerStore) and store.engine.url.database == url.database
    threads = set()
    sa.event.listen(store.engine, "before_cursor_execute", lambda *_: threads.add(threading.get_ident()))

    async def on_the_loop():
        await _write_and_read(store, store, 3, "replica")
        return threading.get_ident()

    loop_thread = asyncio.run(on_the_loop())
    assert threads and loop_thread not in threads
    store.engine.dispose()


def test_an_unreachable_tracker_store_fails_the_turn_instead_of_forgetting_the_conversation(tmp_path):
    """Rasa's FailSafeTrackerStore read an empty conversation and wrote to memory while PostgreSQL was down."""
    import shutil

    from rasa.core.tracker_store import FailSafeTrackerStore

    from bot.channels import tracker_store

    tracker_store.install()  # as every channel does (bot.channels.turn)
    folder = tmp_path / "store"
    folder.mkdir()
    inner = PooledSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(folder / "tracker.db"))
    store = FailSafeTrackerStore(inner)
    shutil.rmtree(folder)  # the database goes away: every new connection fails
    inner.engine.dispose()
    with pytest.raises(Exception, match="unable to open database file"):
        asyncio.run(store.retrieve("rest:halfway"))
    with pytest.raises(Exception, match="unable to open database file"):
        asyncio.run(store.save(DialogueStateTracker.from_events("rest:halfway", [UserUttered("MD26110001")])))
    assert store._fallback_tracker_store is None  # nothing went to one process's memory


def _stored_rows(store, sender: str) -> list[str]:
    with store.engine.connect() as connection:
        return [row.type_name for row in connection.execute(
            store.SQLEvent.__table__.select().where(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id))]


def test_a_tracker_saved_again_after_a_new_session_has_nothing_written_twice(tmp_path):
    """The store keeps count of a tracker's stored events. Rasa's way, counting the latest session's stored
    events, wrote the old session's events a second time here (22 rows for 13 events)."""
    store = PooledSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    asyncio.run(store.save(_tracker("rest:returning", 2)))
    tracker = asyncio.run(store.retrieve("rest:returning"))  # the next day: the session has expired
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("荷物が届きません", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    assert len(_stored_rows(store, "rest:returning")) == len(tracker.events) == 8 + 5
    back = asyncio.run(store.retrieve("rest:returning"))  # the latest session only
    assert [e.as_dict() for e in back.events] == [e.as_dict() for e in list(tracker.events)[9:]]
    full = asyncio.run(SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
                       .retrieve_full_tracker("rest:returning"))
    assert [e.as_dict() for e in full.events] == [e.as_dict() for e in tracker.events]


def test_a_tracker_the_store_did_not_read_gets_only_its_new_events_written(tmp_path):
    """A tracker built elsewhere (a new conversation, Rasa's HTTP API) is counted against the table, as Rasa does."""
    store = PooledSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    asyncio.run(store.save(_tracker("rest:api", 1)))
    rebuilt = DialogueStateTracker.from_dict("rest:api", [e.as_dict() for e in _tracker("rest:api", 2).events],
                                             DOMAIN.slots)
    asyncio.run(store.save(rebuilt))
    assert len(_stored_rows(store, "rest:api")) == len(rebuilt.events)
