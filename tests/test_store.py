"""The shop database: migrations, demo data, the same code on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import event, func, select

from bot.config import load_settings
from bot.store.db import engine_for, session_scope
from bot.store.migrate import upgrade
from bot.store.models import Customer, Order, Trouble
from bot.store.seed import load_demo_shop, seed
from bot.support import complete_trouble, open_trouble

def _sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


def _seed_twice_and_count(url: str) -> tuple[int, int, tuple[int, int]]:
    upgrade(url)
    shop = load_demo_shop(load_settings().demo_shop_file)
    with session_scope(engine_for(url)) as session:
        seed(session, shop)
    upgrade(url)
    with session_scope(engine_for(url)) as session:
        second = seed(session, shop)
        customers = session.scalar(select(func.count(Customer.id)))
        orders = session.scalar(select(func.count(Order.id)))
    return customers, orders, second


def test_demo_shop_loads_once_into_sqlite(tmp_path):
    customers, orders, second = _seed_twice_and_count(_sqlite(tmp_path))
    assert customers >= 20 and orders >= 40
    assert second == (0, 0)


@pytest.mark.postgres
def test_demo_shop_loads_once_into_postgresql(postgres_url):
    customers, orders, second = _seed_twice_and_count(postgres_url)
    assert customers >= 20 and orders >= 40
    assert second == (0, 0)


def test_times_come_back_as_the_same_instant(tmp_path):
    url = _sqlite(tmp_path)
    upgrade(url)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    with session_scope(engine_for(url)) as session:
        trouble = open_trouble(session, conversation_id="c1", channel="rest", issue_type="delivery_delay",
                               confidence=0.9, now=now)
        reference = trouble.reference
    with session_scope(engine_for(url)) as session:
        stored = session.execute(select(Trouble).where(Trouble.reference == reference)).scalar_one()
        assert stored.created_at == now
        assert stored.created_at.tzinfo is not None


def test_a_trouble_is_recorded_before_details_and_completed_after(tmp_path):
    url = _sqlite(tmp_path)
    upgrade(url)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    with session_scope(engine_for(url)) as session:
        reference = open_trouble(session, conversation_id="c1", channel="rest", issue_type="product_safety",
                                 confidence=0.97, now=now).reference
    assert reference == "T20261123-00001"
    with session_scope(engine_for(url)) as session:
        stored = session.execute(select(Trouble).where(Trouble.reference == reference)).scalar_one()
        assert (stored.status, stored.urgent) == ("collecting", True)
        complete_trouble(session, reference, order_number="MD26110220", detail="煙が出た", now=now)
    with session_scope(engine_for(url)) as session:
        stored = session.execute(select(Trouble).where(Trouble.reference == reference)).scalar_one()
        assert (stored.status, stored.order_number, stored.detail) == ("queued", "MD26110220", "煙が出た")


def test_personal_data_typed_into_a_trouble_is_masked_for_agents(tmp_path):
    url = _sqlite(tmp_path)
    upgrade(url)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    with session_scope(engine_for(url)) as session:
        reference = open_trouble(session, conversation_id="c1", channel="rest", issue_type="billing_contract",
                                 confidence=0.9, now=now).reference
        complete_trouble(session, reference, order_number=None, now=now,
                         detail="カード４１１１－１１１１－１１１１－１１１１で二重請求。連絡は090-1234-5678へ")
        stored = session.execute(select(Trouble).where(Trouble.reference == reference)).scalar_one()
        assert stored.detail == "カード[カード番号]で二重請求。連絡は[電話番号]へ"


def test_sqlite_connections_use_wal_with_normal_sync_and_foreign_keys(shop_database):
    """WAL + synchronous=NORMAL (1): never corrupt, no wait for the disk at each commit (bot/store/db.py)."""
    from sqlalchemy import text

    with engine_for(shop_database).connect() as connection:
        pragmas = [connection.execute(text(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "synchronous", "foreign_keys")]
    assert pragmas == ["wal", 1, 1]


def _connections_opened_by_units_of_work(url: str, units: int) -> int:
    engine = engine_for(url)
    opened = []

    def count(*_) -> None:
        opened.append(1)

    event.listen(engine, "connect", count)
    try:
        for _ in range(units):
            with session_scope(engine) as session:
                session.scalar(select(func.count(Customer.id)))
    finally:
        event.remove(engine, "connect", count)
    return len(opened)


def test_units_of_work_on_sqlite_reuse_pooled_connections(tmp_path):
    """A new SQLite connection (and its PRAGMAs) for every unit of work was most of a turn's database time."""
    url = _sqlite(tmp_path)
    upgrade(url)
    assert _connections_opened_by_units_of_work(url, 20) <= 1
    with engine_for(url).connect() as connection:  # a pooled connection keeps its PRAGMAs
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


@pytest.mark.postgres
def test_units_of_work_on_postgresql_reuse_pooled_connections(postgres_url):
    assert _connections_opened_by_units_of_work(postgres_url, 20) <= 1
