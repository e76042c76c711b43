"""Several replicas of one shop: what they share in Redis, and the layout `run --replicas N` starts.

The fault tests that start the whole layout are in tests/test_replica_faults.py;
these need Redis, nginx and PostgreSQL's address only, not a model.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from bot import cli, replicas
from bot.channels.shared import RedisRateLimit, RedisRecentIds
from bot.config import load_settings
from tests.conftest import IN_CI, postgres_admin_engine


@pytest.fixture
def scale_prefix(monkeypatch, redis_url) -> str:
    prefix = f"madoguchi-scale-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MADOGUCHI_REDIS_PREFIX", prefix)
    return prefix


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_message_limit_counts_one_client_across_replicas(redis_url, scale_prefix):
    """Each replica counting its own share would let a client send the limit times the replicas."""
    first, second = RedisRateLimit(redis_url, 3), RedisRateLimit(redis_url, 3)

    async def alternate() -> list[bool]:
        return [await (first if n % 2 else second).allow("client-a") for n in range(6)]

    assert asyncio.run(alternate()) == [True, True, True, False, False, False]
    assert asyncio.run(first.allow("client-b"))  # another client has its own count
    import redis

    keys = redis.Redis.from_url(redis_url).keys(f"{scale_prefix}:rate:*")
    assert len(keys) == 2 and all(b"client" in k for k in keys)  # keys carry the HMAC'd client key only


def test_a_redelivered_event_is_handled_once_whichever_replica_gets_it(redis_url, scale_prefix):
    one, other = RedisRecentIds(redis_url, "line"), RedisRecentIds(redis_url, "line")

    async def deliveries() -> list[bool]:
        answers = [await one.first_time("event-1"), await other.first_time("event-1")]
        await other.forget("event-1")  # not handled after all (the gate failed): the redelivery must be
        return answers + [await one.first_time("event-1"), await RedisRecentIds(redis_url, "telegram")
                          .first_time("event-1")]

    assert asyncio.run(deliveries()) == [True, False, True, True]


def test_without_redis_messages_are_let_through_at_once(scale_prefix):
    """Redis is a helper for limits: when it is down the shop still answers (and logs the failure)."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    assert asyncio.run(RedisRateLimit(url, 1).allow("client-a"))
    assert asyncio.run(RedisRecentIds(url, "line").first_time("event-1"))


def test_the_layout_names_the_missing_service():
    sqlite = "sqlite:///var/madoguchi.db"
    postgres_down = f"postgresql://madoguchi@127.0.0.1:{closed_port()}/shop"
    redis_down = f"redis://127.0.0.1:{closed_port()}/0"
    cases = [
        (sqlite, "redis://127.0.0.1:6379/0", "needs PostgreSQL"),
        ("postgresql://postgres@127.0.0.1:5432/test", None, "needs Redis"),
        (postgres_down, "redis://127.0.0.1:6379/0", "PostgreSQL is not reachable at 127.0.0.1:"),
    ]
    for database_url, redis_url, expected in cases:
        with pytest.raises(replicas.LayoutError, match=expected):
            replicas.check_services(database_url, redis_url)
    postgres_admin_engine()  # the machine's PostgreSQL must answer for Redis to be the one named
    with pytest.raises(replicas.LayoutError, match="Redis is not reachable at 127.0.0.1:"):
        replicas.check_services("postgresql://postgres@127.0.0.1:5432/test", redis_down)


def test_run_with_replicas_refuses_to_start_without_the_shared_secret(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("MADOGUCHI_SECRET", raising=False)
    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(tmp_path))
    assert cli.main(["run", "--replicas", "2"]) == 2
    assert "--replicas needs MADOGUCHI_SECRET" in capsys.readouterr().err


def test_the_production_endpoints_get_every_value_from_the_two_urls(monkeypatch):
    monkeypatch.setenv("MADOGUCHI_REDIS_PREFIX", "shop-a")
    values = replicas.rasa_store_env("postgresql://shop:p%40ss@db.internal:6432/madoguchi",
                                     "redis://:secret@cache.internal:6380/3", "http://127.0.0.1:5055/webhook")
    assert values == {
        "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook", "TRACKER_DB_HOST": "db.internal",
        "TRACKER_DB_PORT": "6432", "TRACKER_DB_NAME": "madoguchi", "TRACKER_DB_USER": "shop",
        "TRACKER_DB_PASSWORD": "p@ss", "REDIS_HOST": "cache.internal", "REDIS_PORT": "6380", "REDIS_DB": "3",
        "REDIS_PASSWORD": "secret", "REDIS_KEY_PREFIX": "shopa", "TICKET_LOCK_LIFETIME": "20",
    }
    production = (Path(__file__).resolve().parent.parent / replicas.PRODUCTION_ENDPOINTS).read_text()
    assert all(f"${{{name}}}" in production for name in values if name != "TICKET_LOCK_LIFETIME")


def test_nginx_accepts_the_layout_it_is_given(tmp_path):
    if not Path(replicas.NGINX).exists():
        if IN_CI:
            pytest.fail(f"{replicas.NGINX} is missing (the launcher installs Debian's nginx as root)")
        pytest.skip(f"{replicas.NGINX} not installed (sudo apt-get install nginx); this test runs in CI")
    layout = replicas.layout_of(load_settings(), 2)
    conf = replicas.write_nginx_config(layout, tmp_path / "nginx", 65536)
    checked = subprocess.run([replicas.NGINX, "-t", "-c", str(conf), "-p", str(tmp_path / "nginx")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    text = conf.read_text()
    assert text.count("server 127.0.0.1:5006") == 2 and text.count("server 127.0.0.1:5007") == 2
    assert "ip_hash" in text.split("location /socket.io/")[0]  # socket.io polling stays on one replica


def test_a_message_on_another_replica_during_an_escalation_is_kept_from_the_bot(redis_url, scale_prefix,
                                                                                shop_database, monkeypatch,
                                                                                tmp_path):
    """The gate ran before Rasa's lock: a second message arriving on another replica while the first one's
    turn was handing the conversation over passed the gate and reached the bot after the hand-off."""
    from rasa.core.channels.channel import CollectingOutputChannel

    from bot import handoff
    from bot.channels.turn import CustomerTurns, Inbound, Outcome
    from bot.store.db import session_scope

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("MADOGUCHI_VAR_DIR", str(tmp_path))
    one, other = CustomerTurns("rest"), CustomerTurns("rest")  # two replicas, sharing Redis and the database
    bot_saw = []
    first_with_the_bot = asyncio.Event()

    def hand_over() -> None:
        with session_scope() as session:
            handoff.open_ticket(session, conversation_id="rest:race", channel="rest", reason="human_request",
                                severity="normal", evidence=[], transcript=[], now=handoff.now_utc())

    async def escalating_bot(message) -> None:  # the first replica's Rasa and action server, taking a while
        bot_saw.append(message.text)
        first_with_the_bot.set()
        await asyncio.sleep(0.5)
        await asyncio.to_thread(hand_over)

    async def bot(message) -> None:
        bot_saw.append(message.text)

    async def two_messages():
        first = asyncio.create_task(one.take(Inbound("rest:race", "client-a", "担当者と話したい"),
                                             CollectingOutputChannel(), escalating_bot))
        await asyncio.wait_for(first_with_the_bot.wait(), 30)  # its gate has passed; the hand-off is under way
        second = await other.take(Inbound("rest:race", "client-a", "まだですか"), CollectingOutputChannel(), bot)
        await first
        return second

    assert asyncio.run(two_messages()).outcome is Outcome.KEPT
    assert bot_saw == ["担当者と話したい"]
